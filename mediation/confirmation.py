"""Judicial confirmation (司法确认) of a mediation agreement: when it may be applied for.

民事诉讼法 art. 205: the parties apply *jointly* within 30 days from the day the agreement
takes effect. As in every procedural period the starting day is not counted, so the last
day is the 30th day after the effective date (court time); a last day on a holiday moves
to the next working day when ``is_working_day`` is given. An agreement that only confirms
ownership cannot be confirmed (民诉法解释 art. 355; see ``mediation.agreements``).

Pure: the caller passes the times (UTC) and the parties.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from mediation.lifecycle import court_date, date_zh
from mediation.messages import Msg

APPLICATION_DAYS = 30


class ConfirmationError(ValueError):
    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def application_deadline(effective_at: datetime, *,
                         is_working_day: Callable[[date], bool] | None = None) -> date:
    """The last day (court time) on which the joint application may be filed."""
    last = court_date(effective_at) + timedelta(days=APPLICATION_DAYS)
    if is_working_day is not None:
        while not is_working_day(last):
            last += timedelta(days=1)
    return last


def check_application(effective_at: datetime | None, applied_at: datetime, *, applicants: set,
                      parties: set, is_working_day: Callable[[date], bool] | None = None) -> date:
    """Refuse an application that is late, early or not joint; return its deadline."""
    if effective_at is None:
        raise ConfirmationError(Msg("调解协议尚未生效，不能申请司法确认",
                                    "The agreement is not in effect yet: it cannot be confirmed"))
    last = application_deadline(effective_at, is_working_day=is_working_day)
    if court_date(applied_at) > last:
        raise ConfirmationError(Msg(
            "申请司法确认应当自调解协议生效之日起三十日内提出（民事诉讼法第二百零五条），期限已于{d}届满",
            "Judicial confirmation must be applied for within 30 days of the agreement taking effect "
            "(Civil Procedure Law art. 205); the period ended on {d_en}", d=date_zh(last), d_en=last.isoformat()))
    missing = set(parties) - set(applicants)
    if missing:
        raise ConfirmationError(Msg("司法确认须由双方当事人共同申请，尚有{n}方当事人未申请",
                                    "Judicial confirmation needs a joint application; {n} parties have not applied",
                                    n=len(missing)), "applicants")
    return last
