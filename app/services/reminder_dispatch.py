"""Turn due reminders into notices: claim, write, record — in one transaction per batch.

The scheduler's dispatch job calls :func:`dispatch_due` every minute (``flask jobs run
dispatch``). A batch is the first ``BATCH`` pending reminders whose ``due_at`` has come,
in due order, read from the partial index ``ix_reminders_due``. It is written **as a
set**, without bringing a row to Python (docs/reminders.md, "Dispatch"):

- PostgreSQL, one statement: ``WITH batch AS MATERIALIZED (SELECT id … ORDER BY due_at,
  id LIMIT n FOR UPDATE SKIP LOCKED)`` (a second dispatcher takes other rows instead of
  waiting), ``INSERT INTO notices … SELECT`` from the batch joined with the recipients,
  their preferences and the channels (``ON CONFLICT (dedupe_key) DO NOTHING``), ``UPDATE
  reminders SET status = 'sent' … FROM batch``, and one summary row back;
- SQLite: the same ``INSERT … SELECT`` and ``UPDATE … WHERE id IN (the same first n due
  ids)`` inside the ``BEGIN IMMEDIATE`` every writing transaction starts with — the write
  lock is held from the first statement, so both read the same rows and two dispatchers
  take turns.

The texts are rendered in SQL from one template per kind (``app.services.reminder_texts``),
in Chinese and English (the notice keeps both; each recipient reads their own). A
notice's channels are ``app.notify.outbox.channels_for``'s, in SQL: the inbox always,
e-mail when the user has an address, e-mail is on and they did not turn it off, SMS when
they have a mobile number and did not turn it off, due at 08:00 when dispatched in the
quiet hours. An e-mail or SMS notice is due from the reminder's own due time, so the
reminders that piled up while the scheduler was down go as one digest per person and
channel (``mediation.delivery.plan_deliveries``). The dedupe key ``reminder:<id>:<channel>``
travels with the message as its Message-ID.

The notices and the status change commit together: a crash before the commit leaves the
reminders pending and no notice written, so nothing is lost and nothing is sent twice; the
delivery of the notices (e-mail, SMS) is the notice dispatcher's. A reminder whose
recipient was deactivated fails at once with the reason. If a batch cannot be written as
a set (a database error, a payload that does not parse), it is rolled back and written row
by row instead (:func:`dispatch_batch`): each reminder in a savepoint of its own, one that
fails is tried again with a growing delay (its ``due_at`` moves) and marked ``failed``
with the error after ``MAX_ATTEMPTS``. The ``log`` channel writes a log line per reminder
(development and the benchmark). A scheduler stopped for a day finds every piled-up
reminder due and writes them all in one run (batches until none is left, or ``limit``).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Text, bindparam, select, text, type_coerce, update

from app.extensions import db
from app.models import NoticeKind, Reminder, ReminderChannel, ReminderStatus, User
from app.models.types import UTCDateTime
from app.notify.email import email_enabled
from app.notify.outbox import SUBJECT_MAX, queue_notice
from app.services.reminder_texts import TEXTS, render, sql_texts
from app.services.reminder_watch import watch_for
from app.services.use_case import use_case
from mediation.delivery import in_quiet_hours, sms_allowed_at

__all__ = ["BATCH", "ReminderReport", "TEXTS", "anything_due", "dispatch_batch", "dispatch_due",
           "dispatch_set", "render", "retry_reminder"]

log = logging.getLogger("app.reminders")

#: Delay before the next attempt after the 1st, 2nd … failure.
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1),
               timedelta(hours=6))
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
#: Rows claimed and written per transaction (SQLite holds its write lock that long:
#: ~50 ms at the rates in BENCHMARKS.md).
BATCH = 5000
#: The reason a reminder to a deactivated account fails (at once: no retry helps).
INACTIVE = "the recipient's account is inactive"
ERROR_MAX = 500


@dataclass
class ReminderReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    batches: int = 0
    #: Rows the last batch claimed (the loop stops at a short batch).
    claimed_last: int = 0
    #: Notices written (one per channel of each reminder).
    notices: int = 0
    #: Batches written row by row because the set-based statement failed.
    row_batches: int = 0

    def line(self) -> str:
        return (f"reminders: {self.sent} sent, {self.retrying} to retry, {self.failed} failed"
                f" ({self.batches} batch(es))")


# --- The set-based batch ---------------------------------------------------------------------

#: The first ``limit`` due reminders, in due order (the partial index ix_reminders_due).
_FIRST_DUE = ("SELECT id FROM reminders WHERE status = 'pending' AND due_at <= :now "
              "ORDER BY due_at, id LIMIT :limit")
#: One log line per reminder on the log channel, as the row-by-row path writes it.
_LOG_LINE = "'reminder ' || {r}.id || ' (' || {r}.kind || ') to user ' || {r}.recipient_id"


def _texts_cte(dialect: str, in_batch: str) -> str:
    """The batch's reminders on the notice channel to active accounts, with their
    recipient's addresses and preferences and their four texts rendered."""
    columns, _ = sql_texts(dialect, "r")
    # PostgreSQL parses a json value at each ->>; the batch's payloads are parsed once
    # (jsonb) in a CTE of their own. SQLite's json_extract reads the text as it is.
    rows = ("(SELECT id, recipient_id, case_id, due_at, kind, channel, payload::jsonb AS payload "
            f"FROM reminders r WHERE {in_batch} AND r.channel = 'notice' OFFSET 0)" if dialect == "postgresql"
            else "reminders")
    return (
        "texts AS MATERIALIZED (SELECT r.id, r.recipient_id, r.case_id, r.due_at, "
        "u.email, u.phone, p.email AS want_email, p.sms AS want_sms, "
        f"{columns['subject']} AS subject, {columns['body']} AS body, "
        f"{columns['subject_en']} AS subject_en, {columns['body_en']} AS body_en "
        f"FROM {rows} r JOIN users u ON u.id = r.recipient_id "
        "LEFT JOIN notice_preferences p ON p.user_id = r.recipient_id "
        f"WHERE {in_batch} AND r.channel = 'notice' AND u.active), "
        "channels(channel) AS (VALUES ('inbox'), ('email'), ('sms'))")


def _cut(column: str) -> str:
    """A subject cut to the notice's column, as ``queue_notice`` cuts it."""
    return (f"CASE WHEN length(t.{column}) > {SUBJECT_MAX} "
            f"THEN substr(t.{column}, 1, {SUBJECT_MAX - 1}) || '…' ELSE t.{column} END")


#: ``channels_for`` in SQL: the inbox always; e-mail and SMS where the user can be reached
#: and has not turned them off (no preference row: every channel).
_INSERT = (
    "INSERT INTO notices (user_id, channel, kind, subject, body, subject_en, body_en, case_id, "
    "dedupe_key, status, attempts, crash_resends, created_at, sent_at, next_attempt_at) "
    "SELECT t.recipient_id, c.channel, 'reminder', " + _cut("subject") + ", t.body, "
    + _cut("subject_en") + ", t.body_en, t.case_id, "
    "'reminder:' || t.id || ':' || c.channel, "
    "CASE WHEN c.channel = 'inbox' THEN 'sent' ELSE 'pending' END, 0, 0, :now, "
    "CASE WHEN c.channel = 'inbox' THEN :now END, "
    "CASE WHEN c.channel = 'email' THEN t.due_at "
    "WHEN c.channel = 'sms' THEN coalesce(:sms_at, t.due_at) END "
    "FROM texts t JOIN channels c ON c.channel = 'inbox' "
    "OR (c.channel = 'email' AND :email_on AND coalesce(t.want_email, :yes) "
    "    AND trim(coalesce(t.email, '')) <> '') "
    "OR (c.channel = 'sms' AND coalesce(t.want_sms, :yes) AND trim(coalesce(t.phone, '')) <> '') "
    "WHERE :yes ON CONFLICT (dedupe_key) DO NOTHING")

#: The status a claimed reminder gets, and its error: a notice reminder to a deactivated
#: account fails at once.
_WRITABLE = "(channel = 'log' OR {active})"


def _sql(statement: str) -> text:
    times = [bindparam(name, type_=UTCDateTime()) for name in ("now", "sms_at")
             if f":{name}" in statement]
    return text(statement).bindparams(*times)


@cache
def _statements(dialect: str) -> dict[str, text]:
    if dialect == "postgresql":
        # The batch is one array: "id = ANY(it)" reads each row by its key, where a join
        # with the CTE (whose size the planner cannot know) chose to scan the whole table.
        in_batch = "r.id = ANY((SELECT ids FROM batch)::integer[])"
        writable = _WRITABLE.format(
            active="(SELECT active FROM users WHERE users.id = r.recipient_id)"
        ).replace("(channel", "(r.channel")
        return {"batch": _sql(
            "WITH batch AS MATERIALIZED (SELECT array_agg(id) AS ids FROM "
            f"({_FIRST_DUE} FOR UPDATE SKIP LOCKED) AS first_due), "
            f"{_texts_cte(dialect, in_batch)}, "
            f"written AS ({_INSERT} RETURNING channel), "
            "marked AS (UPDATE reminders r SET "
            f"status = CASE WHEN {writable} THEN 'sent' ELSE 'failed' END, "
            f"last_error = CASE WHEN {writable} THEN NULL ELSE :inactive END, "
            "settled_at = :now, attempts = r.attempts + 1 "
            f"WHERE {in_batch} AND r.status = 'pending' "
            "RETURNING r.id, r.kind, r.recipient_id, r.channel, r.status) "
            "SELECT (SELECT count(*) FROM marked) AS claimed, "
            "(SELECT count(*) FROM marked WHERE status = 'failed') AS failed, "
            "(SELECT count(*) FROM written) AS notices, "
            f"(SELECT string_agg({_LOG_LINE.format(r='marked')}, chr(10) ORDER BY id) "
            "FROM marked WHERE channel = 'log') AS log_lines")}
    active = "(SELECT active FROM users WHERE users.id = reminders.recipient_id)"
    writable = _WRITABLE.format(active=active)
    return {
        # What the batch holds, read before it is written (the write lock is already held).
        "summary": _sql(
            f"SELECT count(*) AS claimed, coalesce(sum(NOT {writable}), 0) AS failed, "
            f"coalesce(sum(channel = 'notice' AND {writable}), 0) AS to_notices, "
            f"group_concat(CASE WHEN channel = 'log' THEN {_LOG_LINE.format(r='reminders')} END, "
            f"char(10)) AS log_lines FROM reminders WHERE id IN ({_FIRST_DUE})"),
        "insert": _sql(f"WITH batch AS ({_FIRST_DUE}), "
                       f"{_texts_cte(dialect, 'r.id IN (SELECT id FROM batch)')} {_INSERT}"),
        "mark": _sql(
            f"UPDATE reminders SET status = CASE WHEN {writable} THEN 'sent' ELSE 'failed' END, "
            f"last_error = CASE WHEN {writable} THEN NULL ELSE :inactive END, "
            f"settled_at = :now, attempts = attempts + 1 "
            f"WHERE id IN ({_FIRST_DUE}) AND status = 'pending'"),
    }


@use_case
def dispatch_set(*, now: datetime, limit: int = BATCH, report: ReminderReport | None = None
                 ) -> ReminderReport:
    """Claim and write one batch of due reminders as a set (see the module's docstring);
    commit it. Harmless twice or in parallel."""
    report = report or ReminderReport()
    dialect = db.session.get_bind().dialect.name
    statements = _statements(dialect)
    _, templates = sql_texts(dialect)
    params = {"now": now, "limit": limit, "inactive": INACTIVE, "yes": True,
              "email_on": email_enabled(),
              "sms_at": sms_allowed_at(now) if in_quiet_hours(now) else None, **templates}
    if dialect == "postgresql":
        row = db.session.execute(statements["batch"], params).one()
        notices = row.notices
    else:
        row = db.session.execute(statements["summary"], params).one()
        notices = 0
        if row.to_notices:
            db.session.execute(statements["insert"], params)
            # (sqlite3 reports no rowcount for a statement that begins with WITH)
            notices = db.session.execute(text("SELECT changes()")).scalar()
        if row.claimed:
            db.session.execute(statements["mark"], params)
    db.session.commit()
    if row.log_lines:
        log.info("%d reminder(s) to the log channel:\n%s", row.log_lines.count("\n") + 1,
                 row.log_lines)
    report.claimed_last = row.claimed
    if row.claimed:
        report.batches += 1
    report.sent += row.claimed - row.failed
    report.failed += row.failed
    report.notices += notices
    return report


# --- Row by row (the fallback) ----------------------------------------------------------------


def _claim(now: datetime, limit: int) -> list:
    """Take up to ``limit`` due rows for this transaction (committed with their notices):
    ``UPDATE … WHERE id IN (the first due ids) AND status = 'pending' RETURNING …``.

    On PostgreSQL the ids are read first (``FOR UPDATE SKIP LOCKED``) and passed as a list:
    as a subquery of the UPDATE, PostgreSQL may run the ``LIMIT`` again for each row it
    joins and take more than ``limit`` rows. SQLite takes the subquery as written."""
    table = Reminder.__table__
    due = (table.c.status == ReminderStatus.PENDING.value, table.c.due_at <= now)
    first_due = (select(table.c.id).where(*due).order_by(table.c.due_at, table.c.id).limit(limit)
                 .with_for_update(skip_locked=True))
    if db.session.get_bind().dialect.name == "postgresql":
        ids = db.session.scalars(first_due).all()
        if not ids:
            return []
        chosen = table.c.id.in_(ids)
    else:
        chosen = table.c.id.in_(first_due.scalar_subquery())
    rows = db.session.execute(
        update(table).where(chosen, *due)
        .values(status=ReminderStatus.SENT.value, settled_at=now, attempts=table.c.attempts + 1)
        .returning(table.c.id, table.c.kind, table.c.recipient_id, table.c.channel,
                   type_coerce(table.c.payload, Text).label("payload_json"), table.c.attempts,
                   table.c.case_id)).all()
    return sorted(rows, key=lambda r: r.id)


def anything_due(now: datetime) -> bool:
    """Whether any reminder is due at ``now``: this process's watch of the table
    (``app.services.reminder_watch``) answers an idle tick from memory, and reads the
    partial index's first entry only when the next due time has come or the table changed
    (a notification on PostgreSQL, ``PRAGMA data_version`` on SQLite)."""
    return watch_for(db.engine).anything_due(now)


def _log_line(row) -> str:
    return f"reminder {row.id} ({row.kind}) to user {row.recipient_id}"


def _write(row, users: dict[int, User], now: datetime) -> None:
    payload = row.payload_json
    subject, body = render(row.kind, json.loads(payload) if isinstance(payload, str) else payload)
    user = users.get(row.recipient_id)
    if user is None or not user.active:
        raise _Permanent(INACTIVE)
    queue_notice(user=user, kind=NoticeKind.REMINDER, subject=subject, body=body,
                 dedupe_key=f"reminder:{row.id}", now=now, case_id=row.case_id)


class _Permanent(Exception):
    pass


def _retry_or_fail(row, error: str, now: datetime, report: ReminderReport, *,
                   permanent: bool) -> None:
    table = Reminder.__table__
    error = error[:ERROR_MAX]
    if permanent or row.attempts >= MAX_ATTEMPTS:
        values = dict(status=ReminderStatus.FAILED.value, settled_at=now, last_error=error)
        report.failed += 1
    else:
        values = dict(status=ReminderStatus.PENDING.value, settled_at=None, last_error=error,
                      due_at=now + RETRY_AFTER[row.attempts - 1])
        report.retrying += 1
    db.session.execute(update(table).where(table.c.id == row.id).values(**values))


@use_case
def dispatch_batch(*, now: datetime, limit: int = BATCH, report: ReminderReport | None = None
                   ) -> ReminderReport:
    """Claim and write one batch of due reminders; commit it. Harmless twice or in parallel."""
    report = report or ReminderReport()
    rows = _claim(now, limit)
    if rows:
        report.batches += 1
        report.row_batches += 1
        wanted = {r.recipient_id for r in rows if r.channel == ReminderChannel.NOTICE.value}
        users = ({u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}
                 if wanted else {})
        # The log channel: the batch's lines in one log record.
        lines = [_log_line(row) for row in rows if row.channel == ReminderChannel.LOG.value]
        if lines:
            log.info("%d reminder(s) to the log channel:\n%s", len(lines), "\n".join(lines))
            report.sent += len(lines)
        for row in rows:
            if row.channel == ReminderChannel.LOG.value:
                continue
            try:
                with db.session.begin_nested():
                    _write(row, users, now)
            except _Permanent as error:
                _retry_or_fail(row, str(error), now, report, permanent=True)
            except Exception as error:  # a text or row that fails: retried later
                log.exception("reminder %s could not be written", row.id)
                _retry_or_fail(row, f"{type(error).__name__}: {error}", now, report,
                               permanent=False)
            else:
                report.sent += 1
    db.session.commit()
    report.claimed_last = len(rows)
    return report


def dispatch_due(*, now: datetime, limit: int | None = None, batch: int = BATCH) -> ReminderReport:
    """Write every reminder due at ``now`` (at most ``limit``), batch after batch."""
    report = ReminderReport()
    if not anything_due(now):
        return report
    left = limit
    watch_for(db.engine).forget()  # what this run writes is asked again at the next tick
    while left is None or left > 0:
        size = batch if left is None else min(batch, left)
        try:
            dispatch_set(now=now, limit=size, report=report)
        except Exception:  # rolled back (use_case): the same rows, one by one
            db.session.rollback()
            log.exception("a batch of reminders could not be written as a set; row by row")
            dispatch_batch(now=now, limit=size, report=report)
        if report.claimed_last < size:
            break
        if left is not None:
            left -= report.claimed_last
    return report


@use_case
def retry_reminder(reminder_id: int, *, court_id: int | None, now: datetime) -> bool:
    """Put a failed reminder back in the queue, due now (the operators page's button);
    ``court_id``: only a reminder of this court (None: any, for the clerk of all courts)."""
    table = Reminder.__table__
    conditions = [table.c.id == reminder_id, table.c.status == ReminderStatus.FAILED.value]
    if court_id is not None:
        conditions.append(table.c.court_id == court_id)
    done = db.session.execute(update(table).where(*conditions).values(
        status=ReminderStatus.PENDING.value, due_at=now, attempts=0, settled_at=None,
        last_error=None).returning(table.c.id)).first()
    db.session.commit()
    return done is not None
