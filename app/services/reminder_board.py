"""What the operators see of the reminders: the page for judges and the clerk, the API.

Both list the reminders of the user's court only (``app.access``: ``REMINDERS_VIEW``), by
status, soonest due first for pending ones and latest settled first for the others, and
the page adds the scheduler's heartbeat — how long ago its leader last ticked — so a
stopped scheduler shows before anyone misses a deadline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.access import Permission, can
from app.extensions import db
from app.leadership import heartbeat
from app.models import Case, Reminder, ReminderStatus, User
from app.services.errors import ForbiddenError
from mediation.messages import Msg

#: The page's and the API's statuses (cancelled ones are history, not work).
STATUSES = ("pending", "failed", "sent", "cancelled")
#: A heartbeat older than this means no scheduler is running (it ticks every 15 s).
STALE_AFTER = timedelta(minutes=2)
LIST_MAX = 200
#: Counts stop here; more shows as "1000+".
COUNT_MAX = 1000


@dataclass(frozen=True)
class Heartbeat:
    seconds_ago: int | None  # None: no scheduler ever ran here
    holder: str | None
    report: str | None
    stale: bool


@dataclass(frozen=True)
class Board:
    status: str
    counts: dict[str, int]  # COUNT_MAX + 1 means "more than COUNT_MAX"
    rows: list  # (Reminder, recipient name, case number or None)
    heartbeat: Heartbeat
    count_max: int = 1000


def _scope(actor: User):
    if not can(actor, Permission.REMINDERS_VIEW):
        raise ForbiddenError(Msg("只有法官和书记员可以查看提醒", "Only judges and clerks see the reminders"))
    return (Reminder.court_id == actor.court_id if actor.court_id is not None
            else Reminder.court_id.is_(None))


def _order(status: str):
    """Each list in the order of the index that serves it (see ``app.models.reminders``)."""
    if status == ReminderStatus.PENDING.value:
        return (Reminder.due_at, Reminder.id)  # ix_reminders_due: soonest first
    if status == ReminderStatus.SENT.value:
        return (Reminder.id.desc(),)  # the newest rows first
    return (Reminder.settled_at.desc(), Reminder.id.desc())  # the small partial indexes


def list_reminders(actor: User, *, status: str, limit: int = LIST_MAX) -> list[Reminder]:
    """The reminders of ``actor``'s court with ``status`` (the API's list)."""
    return list(db.session.scalars(select(Reminder).where(_scope(actor), Reminder.status == status)
                                   .order_by(*_order(status)).limit(limit)))


def _count(scope, status: str) -> int:
    """Up to ``COUNT_MAX + 1`` (the page shows "1000+"): a count never walks a million rows."""
    capped = (select(Reminder.id).where(scope, Reminder.status == status)
              .order_by(*_order(status)).limit(COUNT_MAX + 1).subquery())
    return db.session.scalar(select(func.count()).select_from(capped))


def board(actor: User, *, status: str, now: datetime) -> Board:
    scope = _scope(actor)
    counts = {status: _count(scope, status) for status in STATUSES}
    found = list_reminders(actor, status=status)
    names = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_({r.recipient_id for r in found}))).all()) if found else {}
    numbers = dict(db.session.execute(select(Case.id, Case.number).where(
        Case.id.in_({r.case_id for r in found if r.case_id}))).all()) if found else {}
    row = heartbeat()
    if row is None:
        beat = Heartbeat(None, None, None, True)
    else:
        ago = max(0, int((now - row.heartbeat_at).total_seconds()))
        beat = Heartbeat(ago, row.holder, row.last_report, ago > STALE_AFTER.total_seconds())
    return Board(status, counts,
                 [(r, names.get(r.recipient_id, "—"), numbers.get(r.case_id)) for r in found], beat,
                 COUNT_MAX)
