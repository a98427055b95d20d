"""Reminders, the scheduler's lease and heartbeat, and queued long jobs (docs/reminders.md).

A ``Reminder`` is a message owed at a time: created or cancelled by a domain event in the
event's own transaction (``app.services.reminders``), and turned into notices by the
scheduler's dispatch job (``app.services.reminder_dispatch``) once ``due_at`` has come.
Reminders live here, not in APScheduler's job store: a million future reminders are a
million rows behind a partial index, and the dispatch scan reads only the due ones.

``due_at`` is when the dispatcher may take the row: the reminder's time, moved later by a
failed attempt (the retry delay). ``dedupe_key`` is unique: an event recorded twice plans
the same reminders once, and a notice made from a reminder carries its key.

``SchedulerLease`` is one row per scheduler role: who holds it until when (the leader on
SQLite; on PostgreSQL an advisory lock elects, and the row still records the heartbeat
the operators page shows). ``QueuedJob`` is a long job a web view asked for (a referral
CSV import): the scheduler claims and runs it, the page shows queued/running/done.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DDL, JSON, CheckConstraint, ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.notices import Notice
from app.models.types import UTCDateTime, in_clause
from mediation.reminders import ReminderKind


class ReminderStatus(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"  # turned into notices (or written to the log channel)
    CANCELLED = "cancelled"  # an event made it pointless (an inquiry answered)
    FAILED = "failed"  # given up after its attempts; last_error says why


class ReminderChannel(str, enum.Enum):
    #: Notices to the recipient (``app.notify.outbox``: inbox, e-mail, SMS as they choose).
    NOTICE = "notice"
    #: A line in the application log only (development, benchmarks).
    LOG = "log"


#: The rows the dispatcher scans; the partial index and the queries share this text.
PENDING_SQL = "status = 'pending'"


class Reminder(db.Model):
    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(8))
    #: The court whose operators see it (judges and the clerk of that court).
    court_id: Mapped[int | None] = mapped_column(ForeignKey("courts.id"))
    #: What it is about: ("case", id), ("inquiry", id), ("agreement", id), ("visit", id) …
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    #: The facts the text needs (case number, the deadline…), frozen when planned.
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When it was sent, cancelled or given up.
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient = relationship("User")

    __table_args__ = (
        CheckConstraint(f"status IN ({in_clause(ReminderStatus)})", name="status_known"),
        CheckConstraint(f"channel IN ({in_clause(ReminderChannel)})", name="channel_known"),
        CheckConstraint(f"kind IN ({in_clause(ReminderKind)})", name="kind_known"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        CheckConstraint("status = 'pending' OR settled_at IS NOT NULL", name="settled_dated"),
        # The dispatcher's scan: only pending rows are in it, in due order.
        Index("ix_reminders_due", "due_at", "id",
              sqlite_where=text(PENDING_SQL), postgresql_where=text(PENDING_SQL)),
        # Cancelling by subject (a handful of rows each; no status column, so marking a
        # reminder sent leaves this index alone).
        Index("ix_reminders_subject", "subject_type", "subject_id"),
        # The operators' failed and cancelled lists: small partial indexes a dispatch never
        # touches (an index over every row's status cost the dispatch 20-40 %; BENCHMARKS.md).
        # Pending rows are listed from ix_reminders_due, sent ones from the newest id down.
        Index("ix_reminders_failed", "court_id", "settled_at",
              sqlite_where=text("status = 'failed'"), postgresql_where=text("status = 'failed'")),
        Index("ix_reminders_cancelled", "court_id", "settled_at",
              sqlite_where=text("status = 'cancelled'"), postgresql_where=text("status = 'cancelled'")),
    )


#: PostgreSQL: every statement that inserts reminders or changes their due time or status
#: notifies the dispatcher's watch at commit (app.services.reminder_watch), so an idle tick
#: needs no query. Statement level: one notification per statement, none per row, and
#: PostgreSQL folds the repeats of one transaction into one. The migration 9a1c2e7b5d40
#: creates the same function and trigger.
NOTIFY_FUNCTION_SQL = (
    "CREATE OR REPLACE FUNCTION reminders_notify() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN PERFORM pg_notify('reminders', ''); RETURN NULL; END $$")
NOTIFY_TRIGGER_SQL = (
    "CREATE TRIGGER reminders_notify AFTER INSERT OR UPDATE OF due_at, status ON reminders "
    "FOR EACH STATEMENT EXECUTE FUNCTION reminders_notify()")

#: The same for the notice outbox (the dispatch job's second half, deliver_pending).
NOTICES_FUNCTION_SQL = (
    "CREATE OR REPLACE FUNCTION notices_notify() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN PERFORM pg_notify('notices', ''); RETURN NULL; END $$")
NOTICES_TRIGGER_SQL = (
    "CREATE TRIGGER notices_notify AFTER INSERT OR UPDATE OF status, next_attempt_at ON notices "
    "FOR EACH STATEMENT EXECUTE FUNCTION notices_notify()")

for _table, _statements in ((Reminder.__table__, (NOTIFY_FUNCTION_SQL, NOTIFY_TRIGGER_SQL)),
                            (Notice.__table__, (NOTICES_FUNCTION_SQL, NOTICES_TRIGGER_SQL))):
    for _sql in _statements:
        event.listen(_table, "after_create",
                     DDL(_sql.replace("%", "%%")).execute_if(dialect="postgresql"))


class SchedulerLease(db.Model):
    """The one active scheduler: who holds the lease until when, and its last tick."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The last tick of the holder (the operators page: "上次运行：40秒前").
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: What the last tick did, one line per job.
    last_report: Mapped[str | None] = mapped_column(Text)


class QueuedJobStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class QueuedJob(db.Model):
    """A long job asked for by a page and run by the scheduler."""

    __tablename__ = "queued_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Until when the running scheduler holds it; a crashed run's job is queued again after.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    referral_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral_imports.id", ondelete="CASCADE"), index=True)

    __table_args__ = (
        CheckConstraint(f"status IN ({in_clause(QueuedJobStatus)})", name="status_known"),
        CheckConstraint("status <> 'running' OR claimed_until IS NOT NULL", name="running_claimed"),
        Index("ix_queued_jobs_open", "created_at", "id",
              sqlite_where=text("status IN ('queued', 'running')"),
              postgresql_where=text("status IN ('queued', 'running')")),
    )
