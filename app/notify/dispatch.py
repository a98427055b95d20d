"""Send the queued e-mail notices: claim, send, record (``flask notices send``).

One run claims up to ``limit`` due rows in a short transaction of its own — ``UPDATE …
SET status = 'sending', claim_token = … WHERE id IN (…) AND status IN ('pending',
'sending') AND next_attempt_at <= now`` — so two dispatchers running at once never take
the same row: on PostgreSQL the second one's UPDATE waits for the first one's row lock,
re-checks the condition and skips the row (the candidate rows are also read ``FOR
UPDATE SKIP LOCKED``); on SQLite every writing transaction begins ``IMMEDIATE`` and the
two runs take turns. A claim lasts until ``next_attempt_at``, long enough for the whole
batch to time out; a dispatcher that crashed mid-batch leaves its rows ``sending`` and
the next run after that time takes them again (a crash loses no notice; the one message
in flight at the crash may be sent twice, the price of at-least-once delivery).

Each message is recorded in its own commit right after the SMTP server took it, so a
crash half-way through never resends the first half. A run hands its rows to the server
in id order, so of a crashed run's rows still ``sending`` only the first can have been in
the server's hands: when a later run takes the rows back it counts that one in
``crash_resends`` and logs it — the one duplicate at-least-once delivery allows, sent
again with the same ``Message-ID`` (``email.notice_message_id``), recognisable by the
server and the reader, and listed by ``flask notices duplicates``. A refused or failed message is
retried later with a growing delay (``RETRY_AFTER``) and marked ``failed`` when its
attempts are spent or the server refused it for good (5xx).
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, text, update

from app.extensions import db
from app.models import Notice, NoticeChannel, NoticeStatus, User
from app.models.notices import OUTBOX_SQL
from app.notify.email import (
    MailError, PermanentMailError, SmtpConnection, build_message, mail_settings,
    notice_message_id,
)

log = logging.getLogger("app.notify.dispatch")

#: How long to wait before the next attempt after the 1st, 2nd … failure. A mail server
#: down for a night is caught up the next morning; a notice undeliverable for a day is
#: given up (the inbox copy stays).
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
               timedelta(hours=2), timedelta(hours=6), timedelta(hours=12))
#: Attempts before a notice is marked failed.
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
#: Rows one run takes at most (the scheduler runs again a minute later).
DEFAULT_LIMIT = 100
#: Recorded errors are cut to this length.
ERROR_MAX = 500


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    #: Rows taken back from runs that died (crash repair).
    recovered: int = 0
    #: Of those, the ones that may already have reached the server: ids of notices that
    #: may arrive twice (with one Message-ID).
    possible_duplicates: list[int] = field(default_factory=list)
    #: E-mail is not configured: nothing was claimed.
    disabled: bool = False

    def line(self) -> str:
        if self.disabled:
            return "notices: e-mail is off (MAIL_SERVER is not set); nothing sent"
        line = (f"notices: {self.sent} e-mail(s) sent, {self.retrying} to retry, "
                f"{self.failed} failed")
        if self.recovered:
            line += (f"; {self.recovered} taken back from a crashed run, "
                     f"{len(self.possible_duplicates)} of them possibly sent twice "
                     f"(notice ids {', '.join(map(str, self.possible_duplicates))})")
        return line


def _claim(token: str, *, now: datetime, until: datetime, limit: int,
           report: DispatchReport) -> list[int]:
    """Take up to ``limit`` due e-mail rows for this run; committed before any sending.

    Rows still ``sending`` are a crashed run's (their claim ran out): the first of each
    such run's rows is counted as a possible duplicate (see the module's docstring)."""
    due = (text(OUTBOX_SQL), Notice.next_attempt_at <= now,
           Notice.channel == NoticeChannel.EMAIL.value)
    try:
        rows = db.session.execute(
            select(Notice.id, Notice.status, Notice.claim_token).where(*due)
            .order_by(Notice.next_attempt_at, Notice.id)
            .limit(limit).with_for_update(skip_locked=True)).all()
        candidates = [row.id for row in rows]
        crashed = {row.claim_token for row in rows if row.status == NoticeStatus.SENDING.value}
        in_flight: list[int] = []
        if crashed:
            # The first unfinished row of each crashed run was the one in the server's hands.
            in_flight = sorted(set(db.session.scalars(
                select(func.min(Notice.id)).where(
                    Notice.status == NoticeStatus.SENDING.value,
                    Notice.claim_token.in_(crashed))
                .group_by(Notice.claim_token)).all()) & set(candidates))
        if candidates:
            db.session.execute(
                update(Notice).where(Notice.id.in_(candidates), *due)
                .values(status=NoticeStatus.SENDING.value, claim_token=token,
                        next_attempt_at=until, attempts=Notice.attempts + 1)
                .execution_options(synchronize_session=False))
        if in_flight:
            db.session.execute(
                update(Notice).where(Notice.id.in_(in_flight))
                .values(crash_resends=Notice.crash_resends + 1)
                .execution_options(synchronize_session=False))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    report.recovered = sum(1 for row in rows if row.status == NoticeStatus.SENDING.value)
    report.possible_duplicates = in_flight
    if report.recovered:
        log.warning("notices: %d taken back from crashed dispatch run(s); possibly sent twice "
                    "(same Message-ID): notice ids %s", report.recovered, in_flight)
    return candidates


def _finish(notice_id: int, token: str, **values) -> None:
    """Record the outcome of one row, if this run still holds it; commit at once."""
    db.session.execute(
        update(Notice).where(Notice.id == notice_id, Notice.claim_token == token,
                             Notice.status == NoticeStatus.SENDING.value)
        .values(claim_token=None, **values).execution_options(synchronize_session=False))
    db.session.commit()


def _failed_attempt(notice_id: int, token: str, attempts: int, error: str, *, now: datetime,
                    permanent: bool = False) -> str:
    error = error[:ERROR_MAX]
    if permanent or attempts >= MAX_ATTEMPTS:
        _finish(notice_id, token, status=NoticeStatus.FAILED.value, last_error=error,
                next_attempt_at=None)
        return "failed"
    _finish(notice_id, token, status=NoticeStatus.PENDING.value, last_error=error,
            next_attempt_at=now + RETRY_AFTER[min(attempts, len(RETRY_AFTER)) - 1])
    return "retrying"


def deliver_pending(*, now: datetime, limit: int = DEFAULT_LIMIT) -> DispatchReport:
    """Send the e-mail notices that are due at ``now``; harmless to run twice or in parallel."""
    settings = mail_settings()
    if settings is None:
        return DispatchReport(disabled=True)
    token = secrets.token_hex(16)
    # Long enough for every message of the batch to time out once, then free again.
    until = now + timedelta(seconds=settings.timeout * (limit + 2))
    report = DispatchReport()
    if not _claim(token, now=now, until=until, limit=limit, report=report):
        return report
    rows = db.session.execute(
        select(Notice.id, Notice.subject, Notice.body, Notice.dedupe_key, Notice.attempts,
               User.email)
        .join(User, User.id == Notice.user_id)
        .where(Notice.claim_token == token).order_by(Notice.id)).all()
    db.session.commit()
    report.claimed = len(rows)

    def count(outcome: str) -> None:
        setattr(report, outcome, getattr(report, outcome) + 1)

    pending = list(rows)
    try:
        with SmtpConnection(settings) as connection:
            while pending:
                row = pending.pop(0)
                address = (row.email or "").strip()
                if row.attempts > MAX_ATTEMPTS:  # taken back from crashed runs too often
                    count(_failed_attempt(row.id, token, row.attempts,
                                          f"given up after {MAX_ATTEMPTS} attempts", now=now,
                                          permanent=True))
                    continue
                if not address:
                    count(_failed_attempt(row.id, token, row.attempts, "the user has no e-mail address",
                                          now=now, permanent=True))
                    continue
                message = build_message(sender=settings.sender, to=address, subject=row.subject,
                                        body=row.body, sent_at=now, reference=row.dedupe_key,
                                        message_id=notice_message_id(row.id, row.dedupe_key,
                                                                     settings.sender))
                try:
                    connection.send(message)
                except MailError as error:
                    count(_failed_attempt(row.id, token, row.attempts, error.message, now=now,
                                          permanent=isinstance(error, PermanentMailError)))
                    if error.connection_lost:
                        raise
                    continue
                _finish(row.id, token, status=NoticeStatus.SENT.value, sent_at=now,
                        last_error=None, next_attempt_at=None)
                report.sent += 1
    except MailError as error:
        # No connection (or it broke): the rows not yet tried wait for the next attempt.
        for row in pending:
            count(_failed_attempt(row.id, token, row.attempts, error.message, now=now))
    return report


@dataclass(frozen=True)
class PossibleDuplicate:
    notice_id: int
    recipient: str
    status: str
    times: int
    message_id: str


def possible_duplicates() -> list[PossibleDuplicate]:
    """E-mail notices that may have reached their recipient twice (crash repair), newest
    first, with the Message-ID both copies carry (``flask notices duplicates``)."""
    settings = mail_settings()
    sender = settings.sender if settings else "noreply@localhost"
    rows = db.session.execute(
        select(Notice.id, Notice.dedupe_key, Notice.status, Notice.crash_resends, User.email)
        .join(User, User.id == Notice.user_id)
        .where(Notice.crash_resends > 0).order_by(Notice.id.desc())).all()
    return [PossibleDuplicate(row.id, row.email or "", row.status, row.crash_resends,
                              notice_message_id(row.id, row.dedupe_key, sender))
            for row in rows]
