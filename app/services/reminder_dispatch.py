"""Turn due reminders into notices: claim, write, record — in one transaction per batch.

The scheduler's dispatch job calls :func:`dispatch_due` every minute (``flask jobs run
dispatch``). A batch reads the pending reminders whose ``due_at`` has come, in due order,
from the partial index ``ix_reminders_due`` (on PostgreSQL ``FOR UPDATE SKIP LOCKED``, so
a second dispatcher takes other rows instead of waiting), marks them ``sent`` with a
conditional ``UPDATE … WHERE status = 'pending' RETURNING id`` (on SQLite inside the
``BEGIN IMMEDIATE`` every writing transaction starts with, so two dispatchers take turns),
queues the notices of exactly the rows that update returned (``app.notify.outbox``), and
commits. The notices and the status change commit together: a crash before the commit
leaves the reminders pending and no notice written, so nothing is lost and nothing is
sent twice; the delivery of the notices (e-mail, SMS) is the notice dispatcher's.

A reminder that cannot be written (its recipient deactivated, a text that fails) is tried
again with a growing delay (its ``due_at`` moves) and marked ``failed`` with the error
after ``MAX_ATTEMPTS``. The ``log`` channel writes a log line instead of notices
(development and the benchmark). A scheduler stopped for a day finds every piled-up
reminder due and writes them all in one run (batches until none is left, or ``limit``).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
import json
import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import Text, bindparam, select, type_coerce, update

from app.extensions import db
from app.models import NoticeKind, Reminder, ReminderChannel, ReminderStatus, User
from app.models.types import UTCDateTime
from app.notify.outbox import queue_notice
from app.services.use_case import use_case
from mediation.reminders import ReminderKind

log = logging.getLogger("app.reminders")

#: Delay before the next attempt after the 1st, 2nd … failure.
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1),
               timedelta(hours=6))
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
#: Rows claimed and written per transaction.
BATCH = 2000
ERROR_MAX = 500

#: Subject and body of each kind, in Chinese; ``{…}`` come from the reminder's payload.
TEXTS: dict[str, tuple[str, str]] = {
    ReminderKind.ASSIGN_DUE: ("待分派：{number}",
                              "案件{number}（{project}）应于{step_due}前委派调解员，请及时分派。"),
    ReminderKind.ACCEPT_DUE: ("待接受委派：{number}",
                              "案件{number}（{project}）已委派给您，请于{step_due}前接受或申请回避。"),
    ReminderKind.MEDIATION_ENDING: ("调解期限将届满：{number}",
                                    "案件{number}的调解期限至{deadline}届满。需要延长的，"
                                    "应在届满前取得双方当事人同意。"),
    ReminderKind.MEDIATION_ENDED: ("调解期限已届满：{number}",
                                   "案件{number}的调解期限已于{deadline}届满，请依规则终止调解或转入诉讼。"),
    ReminderKind.VISIT_TOMORROW: ("明日上门调解：{project}",
                                  "上门调解定于{starts}在{project}{room}进行，请按时参加。"),
    ReminderKind.INQUIRY_DUE: ("函询答复期限临近：{project}",
                               "关于{project}的合规性函询应于{deadline}前答复，请及时答复。"),
    ReminderKind.INQUIRY_OVERDUE: ("函询逾期未答复：{project}",
                                   "关于{project}的合规性函询答复期限{deadline}已过，开发企业尚未答复。"),
    ReminderKind.MILESTONE_DUE: ("履行节点临近：{number}",
                                 "案件{number}调解协议的履行节点即将到期，请按协议履行。"),
    ReminderKind.MILESTONE_OVERDUE: ("履行节点已到期：{number}",
                                     "案件{number}调解协议的履行节点已到期，请核实履行情况。"),
    ReminderKind.CONFIRMATION_WINDOW: ("司法确认申请期限临近：{number}",
                                       "案件{number}的调解协议于{effective}生效，申请司法确认应在生效之日起"
                                       "三十日内共同提出，请提示当事人。"),
    ReminderKind.FOLLOW_UP: ("回访：{number}",
                             "案件{number}的调解协议于{effective}生效，请按期回访当事人，了解履行情况。"),
    ReminderKind.RATING_FOLLOW_UP: ("差评回访：{number}", "案件{number}收到当事人差评，请跟进处理。"),
    ReminderKind.WARNING_ACK: ("请确认风险预警{project}",
                               "贵公司{project}的风险预警尚未确认，请登录平台查看并提交整改计划。"),
}


@dataclass
class ReminderReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    batches: int = 0
    #: Rows the last batch claimed (the loop stops at a short batch).
    claimed_last: int = 0

    def line(self) -> str:
        return (f"reminders: {self.sent} sent, {self.retrying} to retry, {self.failed} failed"
                f" ({self.batches} batch(es))")


def render(kind: str, payload: dict) -> tuple[str, str]:
    """The subject and body of a reminder (missing facts read as empty)."""
    subject, body = TEXTS[kind]
    facts = defaultdict(str, payload or {})
    return subject.format_map(facts), body.format_map(facts)


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
    """Whether any reminder is due: one indexed probe outside any writing transaction, so
    the idle tick (every minute, nearly always idle) takes no lock and costs one read —
    in autocommit on PostgreSQL, on SQLite a bare cursor (the driver begins nothing itself,
    ``app.extensions``, and a SELECT alone needs no ``BEGIN IMMEDIATE``)."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(_SQLITE_PROBE, (now.astimezone(timezone.utc).replace(tzinfo=None)
                                           .strftime("%Y-%m-%d %H:%M:%S.%f"),))
            return cursor.fetchone() is not None
        finally:
            raw.close()
    connection = getattr(_PROBES, "connection", None)
    if connection is None or connection.engine is not engine or connection.invalidated:
        # One autocommit connection per thread, kept: a tick is then one round trip (taking
        # a pooled connection and switching it to autocommit and back cost several).
        connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        _PROBES.connection = connection
    try:
        return connection.execute(_PROBE, {"now": now}).first() is not None
    except Exception:
        _PROBES.connection = None  # a broken connection (a database restart): a new one next time
        connection.close()
        raise


_PROBES = threading.local()


#: ``ORDER BY due_at`` makes it the partial index's first entry whatever the plan: a prepared
#: statement's generic plan (psycopg prepares after 5 runs) guesses a third of the table is
#: due and, without the order, scans the table for one row — the whole table when none is due.
_PROBE = (select(Reminder.__table__.c.id)
          .where(Reminder.__table__.c.status == ReminderStatus.PENDING.value,
                 Reminder.__table__.c.due_at <= bindparam("now", type_=UTCDateTime()))
          .order_by(Reminder.__table__.c.due_at).limit(1))
#: The same probe for sqlite3 (timestamps stored as SQLAlchemy writes them: ISO text, UTC).
_SQLITE_PROBE = ("SELECT id FROM reminders WHERE status = 'pending' AND due_at <= ? "
                 "ORDER BY due_at LIMIT 1")


def _log_line(row) -> str:
    return f"reminder {row.id} ({row.kind}) to user {row.recipient_id}"


def _write(row, users: dict[int, User], now: datetime) -> None:
    payload = row.payload_json
    subject, body = render(row.kind, json.loads(payload) if isinstance(payload, str) else payload)
    user = users.get(row.recipient_id)
    if user is None or not user.active:
        raise _Permanent("the recipient's account is inactive")
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
    while left is None or left > 0:
        size = batch if left is None else min(batch, left)
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
