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
crash half-way through never resends the first half. A refused or failed message is
retried later with a growing delay (``RETRY_AFTER``) and marked ``failed`` when its
attempts are spent or the server refused it for good (5xx).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text, update

from app.extensions import db
from app.models import Notice, NoticeChannel, NoticeStatus, User
from app.models.notices import OUTBOX_SQL
from app.notify.email import (
    MailError, PermanentMailError, SmtpConnection, build_message, mail_settings,
)
from app.notify.render import notice_text

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
    #: E-mail is not configured: nothing was claimed.
    disabled: bool = False

    def line(self) -> str:
        if self.disabled:
            return "notices: e-mail is off (MAIL_SERVER is not set); nothing sent"
        return (f"notices: {self.sent} e-mail(s) sent, {self.retrying} to retry, "
                f"{self.failed} failed")


def _claim(token: str, *, now: datetime, until: datetime, limit: int) -> list[int]:
    """Take up to ``limit`` due e-mail rows for this run; committed before any sending."""
    due = (text(OUTBOX_SQL), Notice.next_attempt_at <= now,
           Notice.channel == NoticeChannel.EMAIL.value)
    try:
        candidates = db.session.scalars(
            select(Notice.id).where(*due).order_by(Notice.next_attempt_at, Notice.id)
            .limit(limit).with_for_update(skip_locked=True)).all()
        if candidates:
            db.session.execute(
                update(Notice).where(Notice.id.in_(candidates), *due)
                .values(status=NoticeStatus.SENDING.value, claim_token=token,
                        next_attempt_at=until, attempts=Notice.attempts + 1)
                .execution_options(synchronize_session=False))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
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
    if not _claim(token, now=now, until=until, limit=limit):
        return DispatchReport()
    rows = db.session.execute(
        select(Notice.id, Notice.subject, Notice.body, Notice.subject_en, Notice.body_en,
               Notice.dedupe_key, Notice.attempts, User.email, User.locale)
        .join(User, User.id == Notice.user_id)
        .where(Notice.claim_token == token).order_by(Notice.id)).all()
    db.session.commit()
    report = DispatchReport(claimed=len(rows))

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
                text = notice_text(row, row.locale)  # the recipient's language, at send time
                message = build_message(sender=settings.sender, to=address, subject=text.subject,
                                        body=text.body, sent_at=now, reference=row.dedupe_key)
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
