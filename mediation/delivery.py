"""When and how a notice leaves: SMS quiet hours, and digests after a pile-up.

Quiet hours. A text message wakes people: the court sends none between 21:00 and 08:00
court time (Asia/Shanghai). A notice for SMS that falls due in the night is deferred to
08:00 — never dropped; e-mail and the inbox are silent and go at once.

Digests. After the dispatcher was down (a night, a weekend), the notices that piled up
for one person on one channel go as ONE message listing them, not as a burst of twenty
texts or e-mails. A notice counts as piled up when it has waited ``DIGEST_AFTER`` past
its due time; ``DIGEST_MIN`` or more of them for the same person and channel in one
dispatch run make a digest. A burst of fresh notices (three cases assigned at once) still
goes one by one: each stands on its own.

Pure: no clock, no database; ``now`` is an argument.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Sequence

from mediation.lifecycle import COURT_TZ

#: No SMS from 21:00 …
QUIET_FROM = time(21, 0)
#: … until 08:00 court time (the working day of a court office starts at 08:00).
QUIET_UNTIL = time(8, 0)
#: A notice waiting this long past its due time has piled up (the dispatcher runs every
#: minute: 15 minutes of waiting means it was down, not busy).
DIGEST_AFTER = timedelta(minutes=15)
#: Piled-up notices for one person and channel that become one digest (two are still
#: short enough to read as they are).
DIGEST_MIN = 3
#: Lines of a digest before "… and N more" (an SMS must stay short).
DIGEST_LINES = {"email": 50, "sms": 3}


def sms_allowed_at(now: datetime) -> datetime:
    """The earliest moment from ``now`` (aware, any zone) when an SMS may be sent."""
    local = now.astimezone(COURT_TZ)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return now
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=COURT_TZ).astimezone(now.tzinfo)


def in_quiet_hours(now: datetime) -> bool:
    return sms_allowed_at(now) != now


@dataclass(frozen=True)
class DueNotice:
    id: int
    user_id: int
    channel: str
    subject: str
    #: When it became due (queued, or the retry time it was given).
    due_at: datetime


@dataclass(frozen=True)
class Delivery:
    """One message to send: a single notice, or a digest of several (``ids`` in order)."""

    ids: tuple[int, ...]
    user_id: int
    channel: str

    @property
    def is_digest(self) -> bool:
        return len(self.ids) > 1


def plan_deliveries(due: Sequence[DueNotice], *, now: datetime) -> list[Delivery]:
    """Group the due notices of one run into messages, ordered by their first notice's id.

    The order matters to crash repair: a dispatcher sends in this order and records each
    message at once, so the first unfinished notice of a crashed run is the one that was
    in flight."""
    piled: dict[tuple[int, str], list[DueNotice]] = {}
    for notice in due:
        if now - notice.due_at >= DIGEST_AFTER:
            piled.setdefault((notice.user_id, notice.channel), []).append(notice)
    in_digest: set[int] = set()
    deliveries = []
    for (user_id, channel), notices in piled.items():
        if len(notices) >= DIGEST_MIN:
            ids = tuple(sorted(n.id for n in notices))
            in_digest.update(ids)
            deliveries.append(Delivery(ids, user_id, channel))
    deliveries += [Delivery((n.id,), n.user_id, n.channel) for n in due if n.id not in in_digest]
    return sorted(deliveries, key=lambda d: d.ids[0])


def digest_text(subjects: Sequence[str], *, channel: str, locale: str = "zh") -> tuple[str, str]:
    """Subject and body of a digest listing ``subjects`` (the notices, oldest first), in
    ``locale`` ("zh", or "en…" for English)."""
    english = str(locale).lower().startswith("en")
    shown = DIGEST_LINES.get(channel, 50)
    lines = [f"{i}. {subject}" for i, subject in enumerate(subjects[:shown], start=1)]
    more = len(subjects) - shown
    if english:
        if more > 0:
            lines.append(f"… and {more} more")
        return (f"You have {len(subjects)} new notices",
                "Notices that gathered while the system was paused:\n" + "\n".join(lines))
    if more > 0:
        lines.append(f"……另有{more}条")
    return (f"您有{len(subjects)}条新通知",
            "系统暂停期间积累的通知合并如下：\n" + "\n".join(lines))
