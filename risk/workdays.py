"""Working-day deadlines: the court's "N working days" counts Chinese public holidays and
make-up working days.

A compliance inquiry is answered within N working days; a mediator is assigned within 3
working days and accepts or declines within 3 more. Working days are the days of the
State Council's annual holiday notice (国务院办公厅关于部分节假日安排的通知): Monday to
Friday except public holidays, plus the weekend days declared make-up working days (调休
上班). :class:`risk.holidays.HolidayCalendar` says, year by year, where that notice comes
from: entered by the clerk, carried by the ``chinese_calendar`` package, or — for a year
with neither — estimated from the statutory holidays on the lunar calendar.

Counting follows the rule for procedural periods (民事诉讼法, 期间): the day on which the
period starts is not counted, so "3 working days after 2026-09-30" is the third working day
after it — 2026-10-10, a make-up Saturday after the National Day holiday.

A deadline counted across an estimated year is itself an estimate:
:func:`working_deadline` and :func:`deadline_is_estimate` say so, so a page shows “预计”
next to the date. Every function takes an optional ``calendar``; without one it uses the
package's notices and the estimate (the app passes the calendar with the clerk's years:
``app.services.holidays.court_calendar``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mediation.lifecycle import date_zh
from risk.holidays import HolidayCalendar, check_date, official_arrangement

__all__ = [
    "DEFAULT_CALENDAR",
    "Deadline",
    "add_working_days",
    "calendar_knows",
    "deadline_is_estimate",
    "is_working_day",
    "working_days_between",
    "working_deadline",
]

#: The package's notices and the lunar estimate, no clerk's entries (the CLI, the tests).
DEFAULT_CALENDAR = HolidayCalendar()


def calendar_knows(year: int) -> bool:
    """Whether the ``chinese_calendar`` package has the State Council's notice for ``year``."""
    return official_arrangement(year) is not None


def is_working_day(d: date, calendar: HolidayCalendar | None = None) -> bool:
    """Whether ``d`` is a working day under ``calendar``'s arrangement for its year."""
    return (calendar or DEFAULT_CALENDAR).is_working_day(d)


def deadline_is_estimate(d: date, calendar: HolidayCalendar | None = None) -> bool:
    """Whether a working-day date in ``d``'s year is only an estimate (no notice known)."""
    return (calendar or DEFAULT_CALENDAR).is_estimate(d)


@dataclass(frozen=True)
class Deadline:
    on: date
    is_estimate: bool  # some day counted lies in a year whose holidays are only estimated

    @property
    def label_zh(self) -> str:
        """``2026年10月10日``, prefixed ``预计`` when an estimate."""
        text = date_zh(self.on)
        return ("预计" + text) if self.is_estimate else text


def add_working_days(start: date, n: int, calendar: HolidayCalendar | None = None) -> date:
    """Return the n-th working day after ``start`` (before it, when n is negative).

    ``start`` itself is not counted; n = 0 returns ``start`` unchanged.
    """
    return working_deadline(start, n, calendar).on


def working_deadline(start: date, n: int, calendar: HolidayCalendar | None = None) -> Deadline:
    """Like :func:`add_working_days`, and say whether the result is an estimate."""
    calendar = calendar or DEFAULT_CALENDAR
    start = check_date(start)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("n must be an int")
    step = timedelta(days=1 if n >= 0 else -1)
    day, remaining = start, abs(n)
    estimate = calendar.is_estimate(start)
    while remaining:
        day += step
        estimate = estimate or calendar.is_estimate(day)
        if calendar.is_working_day(day):
            remaining -= 1
    return Deadline(day, estimate)


def working_days_between(a: date, b: date, calendar: HolidayCalendar | None = None) -> int:
    """Count working days d with a < d <= b (negative, counted the other way, if b < a).

    So ``working_days_between(a, add_working_days(a, n)) == n`` for n >= 0; the working days
    left until a deadline are ``working_days_between(today, deadline)``.
    """
    calendar = calendar or DEFAULT_CALENDAR
    a, b = check_date(a), check_date(b)
    if b < a:
        return -working_days_between(b, a, calendar)
    count, day = 0, a
    while day < b:
        day += timedelta(days=1)
        count += calendar.is_working_day(day)
    return count
