"""A user's own sessions: the list of live web sessions and API tokens, ending one or all,
and renewing or ending the API token a phone presents (docs/accounts.md, "Sessions that end").

Every call is bound to its user: a session id of someone else's is "not found", exactly
like an id that does not exist, so nobody learns another user's sessions by trying ids.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from app.extensions import db
from app.models import LoginSession, User
from app.services.accounts import load_session_user, open_session, revoke_all_sessions
from app.services.errors import NotFoundError
from app.services.use_case import use_case
from mediation.messages import Msg

NO_SUCH_SESSION = Msg("没有这个登录会话，或者它已经结束。", "No such session, or it has already ended.")


@dataclass(frozen=True)
class SessionRow:
    """One live session as its owner sees it."""

    id: int
    kind: str  # "web" or "api"
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    address: str | None
    user_agent: str | None
    current: bool  # the session this very request came through


def active_sessions(user: User, *, now: datetime) -> list[SessionRow]:
    """The user's live (neither ended nor expired) sessions and tokens, latest use first."""
    rows = db.session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None),
               LoginSession.expires_at > now)
        .order_by(LoginSession.last_used_at.desc(), LoginSession.id.desc())
    )
    current = getattr(user, "session_id", None)
    return [SessionRow(id=s.id, kind=s.kind, created_at=s.created_at,
                       last_used_at=s.last_used_at, expires_at=s.expires_at, address=s.address,
                       user_agent=s.user_agent, current=s.id == current) for s in rows]


@use_case
def end_session(user: User, session_id: int, *, now: datetime) -> None:
    """End one of the user's own live sessions; anyone else's is "not found"."""
    ended = db.session.execute(
        update(LoginSession)
        .where(LoginSession.id == session_id, LoginSession.user_id == user.id,
               LoginSession.revoked_at.is_(None), LoginSession.expires_at > now)
        .values(revoked_at=now)
    ).rowcount
    if not ended:
        raise NotFoundError(NO_SUCH_SESSION)
    db.session.commit()


@use_case
def end_all_sessions(user: User, *, now: datetime) -> None:
    """End every session and token of the user, the one in use included."""
    revoke_all_sessions(user, now=now)
    db.session.commit()


@use_case
def renew_token(token: str, *, now: datetime, user_agent: str | None = None,
                address: str | None = None) -> tuple[str, datetime] | None:
    """Exchange a live API token for a fresh one (a new 12-hour lifetime); the old one ends
    at once. None when ``token`` is not a live API token (the caller answers 401)."""
    user = load_session_user(token, now=now, kind="api", address=address)
    if user is None:
        return None
    _end_token(token, now=now)
    fresh, expires_at = open_session(user, now=now, kind="api", user_agent=user_agent,
                                     address=address)
    db.session.commit()
    return fresh, expires_at


@use_case
def end_token(token: str, *, now: datetime) -> bool:
    """End the API token presented (a phone's logout); False when it was not a live one."""
    ended = _end_token(token, now=now)
    db.session.commit()
    return ended


def _end_token(token: str, *, now: datetime) -> bool:
    return bool(db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_sha256 == LoginSession.digest(token),
               LoginSession.kind == "api", LoginSession.revoked_at.is_(None),
               LoginSession.expires_at > now)
        .values(revoked_at=now)
    ).rowcount)
