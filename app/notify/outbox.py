"""Queue notices in the use-case's own transaction (the outbox; docs/adding-a-feature.md §3).

``queue_notice`` only adds rows to the current session: the use-case commits them with
its decision, or rolls them back with it, so nobody is ever told of a decision that was
not saved. The inbox copy is delivered by being stored; the e-mail copy (when the user
has an address, e-mail is configured and the user has not turned it off) and the SMS copy
(a mobile number, not turned off; due at 08:00 when queued in the quiet hours) wait for
``app.notify.dispatch.deliver_pending`` after the commit.

Each row's ``dedupe_key`` is the notice's key plus its channel, and the insert skips a
key that exists (``INSERT … ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL alike), so
queueing the same notice twice — a retried use-case, a double click — stores it once.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Notice, NoticeChannel, NoticeKind, NoticePreference, NoticeStatus, User
from app.models.types import upsert_insert
from app.notify.email import email_enabled
from app.notify.render import stored_texts
from mediation.delivery import sms_allowed_at

SUBJECT_MAX = 200
KEY_MAX = 200


def channels_for(user: User, *, wanted: Iterable[NoticeChannel] | None = None
                 ) -> list[NoticeChannel]:
    """The channels a notice to ``user`` goes on: the inbox always; e-mail and SMS when
    the user can be reached there and has not turned them off (``wanted`` overrides the
    user's choice — the confirmation of an opt-out goes on the channel turned off)."""
    if wanted is None:
        preference = db.session.get(NoticePreference, user.id)
        wanted = [NoticeChannel.EMAIL, NoticeChannel.SMS]
        if preference is not None:
            wanted = [c for c in wanted if getattr(preference, c.value)]
    wanted = set(wanted)
    channels = [NoticeChannel.INBOX]
    if NoticeChannel.EMAIL in wanted and (user.email or "").strip() and email_enabled():
        channels.append(NoticeChannel.EMAIL)
    if NoticeChannel.SMS in wanted and (user.phone or "").strip():
        channels.append(NoticeChannel.SMS)
    return channels


def _notice_row(*, user: User, channel: NoticeChannel, kind: NoticeKind | str, texts: dict,
                dedupe_key: str, now: datetime, case_id: int | None = None,
                complaint_id: int | None = None) -> dict:
    key = f"{dedupe_key}:{channel.value}"
    if len(key) > KEY_MAX:
        raise ValueError(f"dedupe key longer than {KEY_MAX} characters: {key!r}")
    inbox = channel is NoticeChannel.INBOX
    return dict(
        user_id=user.id, channel=channel.value, kind=NoticeKind(kind).value, **texts,
        case_id=case_id, complaint_id=complaint_id, dedupe_key=key,
        status=(NoticeStatus.SENT if inbox else NoticeStatus.PENDING).value, attempts=0,
        created_at=now, sent_at=now if inbox else None,
        next_attempt_at=(None if inbox else
                         sms_allowed_at(now) if channel is NoticeChannel.SMS else now))


def _texts(subject, body) -> dict:
    texts = stored_texts(subject, body)
    for name in ("subject", "subject_en"):  # both languages cut to the column's length
        text = texts[name]
        if text is not None and len(text) > SUBJECT_MAX:
            texts[name] = text[:SUBJECT_MAX - 1] + "…"
    return texts


def queue_notice(*, user: User, kind: NoticeKind | str, subject, body,
                 dedupe_key: str, now: datetime, case_id: int | None = None,
                 complaint_id: int | None = None,
                 channels: Iterable[NoticeChannel] | None = None) -> list[str]:
    """Queue one notice to ``user``: in the inbox, and by e-mail and SMS where they can be
    reached and want it (``channels_for``). Returns the channels newly queued (none for a
    repeat).

    ``subject`` and ``body`` are :class:`~mediation.messages.Msg` (both languages kept, each
    recipient reads their own: app.notify.render) or plain text."""
    texts = _texts(subject, body)
    insert = upsert_insert(db.session.get_bind())
    queued = []
    for channel in channels_for(user, wanted=channels):
        values = _notice_row(user=user, channel=channel, kind=kind, texts=texts, dedupe_key=dedupe_key,
                             now=now, case_id=case_id, complaint_id=complaint_id)
        inserted = db.session.execute(
            insert(Notice.__table__).values(**values)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(Notice.__table__.c.id)).first()
        if inserted is not None:  # (rowcount is not reliable here on psycopg)
            queued.append(channel.value)
    return queued


@dataclass(frozen=True)
class Queued:
    """One notice of :func:`queue_notices`: what ``queue_notice`` takes, by name."""

    user: User
    kind: NoticeKind | str
    subject: object
    body: object
    dedupe_key: str


def queue_notices(notices: Iterable[Queued], *, now: datetime) -> int:
    """``queue_notice`` for many notices at once (the nightly evaluation tells thousands):
    each user's channel preferences read in one query, every row in one multi-row insert
    that skips existing dedupe keys. Returns the rows offered."""
    notices = list(notices)
    user_ids = {n.user.id for n in notices}
    preferences = {p.user_id: p for p in db.session.scalars(
        select(NoticePreference).where(NoticePreference.user_id.in_(user_ids)))} if user_ids else {}
    rows = []
    for notice in notices:
        preference = preferences.get(notice.user.id)
        wanted = [c for c in (NoticeChannel.EMAIL, NoticeChannel.SMS)
                  if preference is None or getattr(preference, c.value)]
        texts = _texts(notice.subject, notice.body)
        rows += [_notice_row(user=notice.user, channel=channel, kind=notice.kind, texts=texts,
                             dedupe_key=notice.dedupe_key, now=now)
                 for channel in channels_for(notice.user, wanted=wanted)]
    if rows:
        insert = upsert_insert(db.session.get_bind())
        db.session.execute(insert(Notice.__table__).on_conflict_do_nothing(index_elements=["dedupe_key"]), rows)
    return len(rows)
