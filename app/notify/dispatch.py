"""Send the queued e-mail and SMS notices: claim, send, record (``flask notices send``).

One run claims up to ``limit`` due rows in a short transaction of its own — ``UPDATE …
SET status = 'sending', claim_token = … WHERE id IN (…) AND status IN ('pending',
'sending') AND next_attempt_at <= now`` — so two dispatchers running at once never take
the same row: on PostgreSQL the second one's UPDATE waits for the first one's row lock,
re-checks the condition and skips the row (the candidate rows are also read ``FOR
UPDATE SKIP LOCKED``); on SQLite every writing transaction begins ``IMMEDIATE`` and the
two runs take turns. A claim is a lease until ``next_attempt_at`` (``CLAIM_LEASE`` from
the claim), which the run renews while it works; a dispatcher that crashed mid-batch
leaves its rows ``sending`` and the first run after its lease ran out — a few minutes,
not hours — takes them again (a crash loses no notice; the one message in flight at the
crash may be sent twice, the price of at-least-once delivery).

The claimed rows become messages by ``mediation.delivery.plan_deliveries``: one per
notice, or one digest for the notices that piled up for one person and channel while the
dispatcher was down. SMS rows are not claimed in the quiet hours (21:00–08:00 court time):
they wait, and a retry never lands in the night.

Each message is recorded in its own commit right after the server (SMTP, or the SMS
gateway) took it, so a crash half-way through never resends the first half. A run hands
its messages over in order of their first notice's id, so of a crashed run's rows still
``sending`` only the first can have been in the server's hands: when a later run takes
the rows back it counts that one in ``crash_resends`` and logs it — the one duplicate
at-least-once delivery allows, sent again with the same ``Message-ID``
(``email.notice_message_id``; the SMS gateway gets the same ``reference``), recognisable
by the server and the reader, and listed by ``flask notices duplicates``.

A refused or failed message is retried later with a growing delay (``RETRY_AFTER``) and
marked ``failed`` when its attempts are spent or the server refused it for good (5xx
from SMTP, 4xx from the SMS gateway).
"""
from __future__ import annotations

import logging
import secrets
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from hashlib import sha256

from sqlalchemy import func, select, text, update

from app.extensions import db
from app.models import Notice, NoticeChannel, NoticeStatus, User
from app.models.notices import OUTBOX_SQL
from app.notify.email import (
    MailError, PermanentMailError, SmtpConnection, build_message, mail_settings,
    notice_message_id,
)
from app.notify.render import notice_text, recipient_locale
from app.notify.sms import PermanentSmsError, SmsError, sms_gateway
from mediation.delivery import DueNotice, digest_text, in_quiet_hours, plan_deliveries, sms_allowed_at

log = logging.getLogger("app.notify.dispatch")

#: How long to wait before the next attempt after the 1st, 2nd … failure. A mail server
#: down for a night is caught up the next morning; a notice undeliverable for a day is
#: given up (the inbox copy stays).
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
               timedelta(hours=2), timedelta(hours=6), timedelta(hours=12))
#: Attempts before a notice is marked failed.
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
#: How long a claim holds its rows without renewal: longer than one message can take
#: (connect, MAIL, RCPT, DATA, each bounded by the 20 s timeout), short enough that a
#: restarted scheduler repairs a crashed run's rows within minutes.
CLAIM_LEASE = timedelta(minutes=5)
#: A working run renews its lease after this much time.
RENEW_AFTER = timedelta(minutes=1)
#: Rows one run takes at most (the scheduler runs again a minute later).
DEFAULT_LIMIT = 100
#: Recorded errors are cut to this length.
ERROR_MAX = 500
#: An SMS carries the subject only (the details wait in the inbox); at most this long.
SMS_MAX = 140
SMS_FOOTER = "详情请登录调解平台查看通知。"
SMS_FOOTER_EN = " Details: your inbox on the mediation platform."


@dataclass
class DispatchReport:
    claimed: int = 0
    #: Notices delivered, by channel.
    sent: int = 0
    sms_sent: int = 0
    retrying: int = 0
    failed: int = 0
    #: Digests sent, and the notices they carried (counted in ``sent``/``sms_sent``).
    digests: int = 0
    #: Rows taken back from runs that died (crash repair).
    recovered: int = 0
    #: Of those, the ones that may already have reached the server: ids of notices that
    #: may arrive twice (with one Message-ID).
    possible_duplicates: list[int] = field(default_factory=list)
    #: E-mail is not configured: no e-mail was claimed (SMS still goes).
    disabled: bool = False

    def line(self) -> str:
        if self.disabled and not self.claimed:
            return "notices: e-mail is off (MAIL_SERVER is not set); nothing sent"
        line = f"notices: {self.sent} e-mail(s) sent"
        if self.sms_sent:
            line += f", {self.sms_sent} SMS sent"
        if self.digests:
            line += f" (in {self.digests} digest(s))"
        line += f", {self.retrying} to retry, {self.failed} failed"
        if self.recovered:
            line += (f"; {self.recovered} taken back from a crashed run, "
                     f"{len(self.possible_duplicates)} of them possibly sent twice "
                     f"(notice ids {', '.join(map(str, self.possible_duplicates))})")
        return line

    def count(self, outcome: str, n: int = 1) -> None:
        setattr(self, outcome, getattr(self, outcome) + n)


def _claim(token: str, *, channels: list[str], now: datetime, until: datetime, limit: int,
           report: DispatchReport) -> dict[int, datetime]:
    """Take up to ``limit`` due rows of ``channels`` for this run; committed before any
    sending. Returns each row's due time before the claim (``next_attempt_at``).

    Rows still ``sending`` are a crashed run's (their claim ran out): the first of each
    such run's rows is counted as a possible duplicate (see the module's docstring)."""
    due = (text(OUTBOX_SQL), Notice.next_attempt_at <= now, Notice.channel.in_(channels))
    try:
        rows = db.session.execute(
            select(Notice.id, Notice.status, Notice.claim_token, Notice.next_attempt_at).where(*due)
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
    return {row.id: row.next_attempt_at for row in rows}


def _finish(notice_ids: list[int], token: str, **values) -> None:
    """Record the outcome of rows this run still holds; commit at once."""
    db.session.execute(
        update(Notice).where(Notice.id.in_(notice_ids), Notice.claim_token == token,
                             Notice.status == NoticeStatus.SENDING.value)
        .values(claim_token=None, **values).execution_options(synchronize_session=False))
    db.session.commit()


def _failed_attempt(rows: list, token: str, error: str, *, now: datetime,
                    permanent: bool = False) -> list[str]:
    """Record a failed attempt at ``rows`` (one message): retry later, or give up."""
    error = error[:ERROR_MAX]
    outcomes = []
    for row in rows:
        if permanent or row.attempts >= MAX_ATTEMPTS:
            _finish([row.id], token, status=NoticeStatus.FAILED.value, last_error=error,
                    next_attempt_at=None)
            outcomes.append("failed")
            continue
        retry_at = now + RETRY_AFTER[min(row.attempts, len(RETRY_AFTER)) - 1]
        if row.channel == NoticeChannel.SMS.value:
            retry_at = sms_allowed_at(retry_at)
        _finish([row.id], token, status=NoticeStatus.PENDING.value, last_error=error,
                next_attempt_at=retry_at)
        outcomes.append("retrying")
    return outcomes


def digest_message_id(keys: list[str], first_id: int, sender: str) -> str:
    """The Message-ID of a digest: the same for the same notices, unlike any single one."""
    domain = sender.rpartition("@")[2] or "localhost"
    digest = sha256("\n".join(keys).encode("utf-8")).hexdigest()[:16]
    return f"<digest-{first_id}.{digest}@{domain}>"


def sms_text(subject: str, locale: str = "zh") -> str:
    """The subject and where to read the rest, at most ``SMS_MAX`` characters."""
    if locale == "en":
        room = SMS_MAX - len(SMS_FOOTER_EN) - 2
        return (f"{subject}." if len(subject) <= room else subject[:room] + "….") + SMS_FOOTER_EN
    text = f"{subject}。{SMS_FOOTER}"
    return text if len(text) <= SMS_MAX else subject[:SMS_MAX - len(SMS_FOOTER) - 2] + "…。" + SMS_FOOTER


def deliver_pending(*, now: datetime, limit: int = DEFAULT_LIMIT) -> DispatchReport:
    """Send the e-mail and SMS notices that are due at ``now``; harmless to run twice or
    in parallel."""
    settings = mail_settings()
    channels = [NoticeChannel.EMAIL.value] if settings else []
    if not in_quiet_hours(now):
        channels.append(NoticeChannel.SMS.value)
    report = DispatchReport(disabled=settings is None)
    if not channels:
        return report
    token = secrets.token_hex(16)
    due_at = _claim(token, channels=channels, now=now, until=now + CLAIM_LEASE, limit=limit,
                    report=report)
    if not due_at:
        return report
    rows = db.session.execute(
        select(Notice.id, Notice.channel, Notice.subject, Notice.body, Notice.subject_en,
               Notice.body_en, Notice.dedupe_key, Notice.attempts, Notice.created_at,
               Notice.user_id, User.email, User.phone, User.locale)
        .join(User, User.id == Notice.user_id)
        .where(Notice.claim_token == token).order_by(Notice.id)).all()
    db.session.commit()
    report.claimed = len(rows)
    by_id = {row.id: row for row in rows}
    # Due since it was queued — or since earlier: a notice written from a reminder is due
    # from the reminder's time, so the reminders that piled up go as one digest too.
    plan = plan_deliveries([DueNotice(r.id, r.user_id, r.channel, r.subject,
                                      min(r.created_at, due_at.get(r.id) or r.created_at))
                            for r in rows], now=now)
    smtp_down: MailError | None = None
    lease = _Lease(token, now)
    with ExitStack() as stack:
        connection: SmtpConnection | None = None
        for delivery in plan:
            lease.keep()
            batch = [by_id[i] for i in delivery.ids]
            worn = [row for row in batch if row.attempts > MAX_ATTEMPTS]
            if worn:  # taken back from crashed runs too often
                for outcome in _failed_attempt(worn, token, f"given up after {MAX_ATTEMPTS} attempts",
                                               now=now, permanent=True):
                    report.count(outcome)
                batch = [row for row in batch if row.attempts <= MAX_ATTEMPTS]
                if not batch:
                    continue
            first = batch[0]
            # The recipient's language, at send time (app.notify.render).
            locale = recipient_locale(first)
            if delivery.is_digest and len(batch) > 1:
                subject, body = digest_text([notice_text(row, locale).subject for row in batch],
                                            channel=delivery.channel, locale=locale)
            else:
                text = notice_text(first, locale)
                subject, body = text.subject, text.body
            keys = [row.dedupe_key for row in batch]
            if delivery.channel == NoticeChannel.SMS.value:
                phone = (first.phone or "").strip()
                if not phone:
                    for outcome in _failed_attempt(batch, token, "the user has no mobile phone",
                                                   now=now, permanent=True):
                        report.count(outcome)
                    continue
                try:
                    sms_gateway().send(phone, sms_text(subject, locale), reference=" ".join(keys))
                except SmsError as error:
                    for outcome in _failed_attempt(batch, token, str(error), now=now,
                                                   permanent=isinstance(error, PermanentSmsError)):
                        report.count(outcome)
                    continue
                _sent(batch, token, now=now)
                report.count("sms_sent", len(batch))
                report.count("digests", int(len(batch) > 1))
                continue
            address = (first.email or "").strip()
            if not address:
                for outcome in _failed_attempt(batch, token, "the user has no e-mail address",
                                               now=now, permanent=True):
                    report.count(outcome)
                continue
            if smtp_down is None and connection is None:
                try:
                    connection = stack.enter_context(SmtpConnection(settings))
                except MailError as error:
                    smtp_down = error
            if smtp_down is not None:
                # No connection (or it broke): the e-mails not yet tried wait for the next run.
                for outcome in _failed_attempt(batch, token, smtp_down.message, now=now):
                    report.count(outcome)
                continue
            message_id = (digest_message_id(keys, first.id, settings.sender) if len(batch) > 1
                          else notice_message_id(first.id, first.dedupe_key, settings.sender))
            message = build_message(sender=settings.sender, to=address, subject=subject,
                                    body=body, sent_at=now, reference=" ".join(keys),
                                    message_id=message_id)
            try:
                connection.send(message)
            except MailError as error:
                for outcome in _failed_attempt(batch, token, error.message, now=now,
                                               permanent=isinstance(error, PermanentMailError)):
                    report.count(outcome)
                if error.connection_lost:
                    smtp_down = error
                continue
            _sent(batch, token, now=now)
            report.count("sent", len(batch))
            report.count("digests", int(len(batch) > 1))
    return report


class _Lease:
    """Renews this run's claim while it works: ``now`` plus the time the run has taken
    (``now`` is the run's logical time; the elapsed part is the real clock's)."""

    def __init__(self, token: str, now: datetime):
        self.token, self.now = token, now
        self.started = self.renewed = time.monotonic()

    def keep(self) -> None:
        clock = time.monotonic()
        if clock - self.renewed < RENEW_AFTER.total_seconds():
            return
        self.renewed = clock
        until = self.now + timedelta(seconds=clock - self.started) + CLAIM_LEASE
        db.session.execute(
            update(Notice).where(Notice.claim_token == self.token,
                                 Notice.status == NoticeStatus.SENDING.value)
            .values(next_attempt_at=until).execution_options(synchronize_session=False))
        db.session.commit()


def _sent(batch: list, token: str, *, now: datetime) -> None:
    _finish([row.id for row in batch], token, status=NoticeStatus.SENT.value, sent_at=now,
            last_error=None, next_attempt_at=None)


@dataclass(frozen=True)
class PossibleDuplicate:
    notice_id: int
    channel: str
    recipient: str
    status: str
    times: int
    #: The Message-ID both copies of an e-mail carry; for an SMS, the gateway reference.
    message_id: str


def possible_duplicates() -> list[PossibleDuplicate]:
    """Notices that may have reached their recipient twice (crash repair), newest first,
    with what both copies carry: the e-mail's Message-ID, the SMS gateway's reference
    (``flask notices duplicates``)."""
    settings = mail_settings()
    sender = settings.sender if settings else "noreply@localhost"
    rows = db.session.execute(
        select(Notice.id, Notice.channel, Notice.dedupe_key, Notice.status, Notice.crash_resends,
               User.email, User.phone)
        .join(User, User.id == Notice.user_id)
        .where(Notice.crash_resends > 0).order_by(Notice.id.desc())).all()
    found = []
    for row in rows:
        sms = row.channel == NoticeChannel.SMS.value
        found.append(PossibleDuplicate(
            row.id, row.channel, (row.phone if sms else row.email) or "", row.status,
            row.crash_resends,
            row.dedupe_key if sms else notice_message_id(row.id, row.dedupe_key, sender)))
    return found
