"""A user's inbox: their notices, newest first, the unread count, marking as read.

Everyone reads only their own notices: someone else's notice is "not found", exactly
like a notice that does not exist (never a hint that it does).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, text, update

from app.extensions import db
from app.models import Notice, NoticeChannel, User
from app.models.notices import UNREAD_SQL
from app.services.errors import NotFoundError
from app.services.ids import parse_id
from app.services.use_case import use_case
from mediation.messages import Msg

#: Notices per inbox page.
PAGE = 30


@dataclass
class InboxPage:
    items: list[Notice]
    #: The id to pass as ``before`` for the next (older) page; None on the last page.
    next_before: int | None
    unread: int


def unread_query(user_id: int) -> Select:
    """Count a user's unread inbox notices; the WHERE repeats the partial index's own text
    (``UNREAD_SQL``) so SQLite, too, can use ``ix_notices_user_unread``."""
    return (select(func.count()).select_from(Notice)
            .where(Notice.user_id == user_id, text(UNREAD_SQL)))


def unread_count(user_id: int) -> int:
    """The navigation badge: one count on the partial index of unread inbox notices."""
    return db.session.scalar(unread_query(user_id))


def inbox(user: User, *, before: int | None = None, limit: int = PAGE) -> InboxPage:
    """The user's inbox notices, newest first, older than the notice ``before``."""
    query = select(Notice).where(Notice.user_id == user.id,
                                 Notice.channel == NoticeChannel.INBOX.value)
    if before is not None:
        query = query.where(Notice.id < before)
    rows = list(db.session.scalars(query.order_by(Notice.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return InboxPage(items=rows, next_before=rows[-1].id if more else None,
                     unread=unread_count(user.id))


def _own(notice_id, actor: User) -> Notice:
    notice_id = parse_id(notice_id)
    notice = db.session.get(Notice, notice_id) if notice_id is not None else None
    if notice is None or notice.user_id != actor.id or notice.channel != NoticeChannel.INBOX.value:
        raise NotFoundError(Msg("通知不存在", "No such notice"))
    return notice


def get_notice(notice_id, *, actor: User) -> Notice:
    """One of the actor's own inbox notices, or NotFoundError."""
    return _own(notice_id, actor)


@use_case
def mark_read(notice_id, *, actor: User, now: datetime) -> Notice:
    """Mark one of the actor's notices read; reading it again keeps the first time."""
    notice = _own(notice_id, actor)
    db.session.execute(
        update(Notice).where(Notice.id == notice.id, Notice.read_at.is_(None))
        .values(read_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(notice)
    return notice


@use_case
def mark_all_read(*, actor: User, now: datetime) -> int:
    """Mark every unread inbox notice of the actor read; returns how many were unread."""
    changed = db.session.execute(
        update(Notice).where(Notice.user_id == actor.id, text(UNREAD_SQL))
        .values(read_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return changed
