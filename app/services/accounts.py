"""Accounts: password hashing, login sessions that really end, password changes."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import bindparam, select, update

from app.extensions import db, may_write
from app.models import LoginSession, User
from app.models.versions import remember_request_token, token_subquery
from app.services.errors import ServiceError
from app.services.use_case import use_case
from mediation.messages import Msg

_hasher = PasswordHasher()
#: Verified when the username is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

#: A browser session without "remember me" lasts a working day; with it, two weeks.
WEB_SESSION_LIFETIME = timedelta(hours=12)
REMEMBER_LIFETIME = timedelta(days=14)
#: API tokens for the phone app: a working day, renewed with ``POST /api/v1/auth/token/renew``
#: (app.services.login_sessions.renew_token) while still valid.
API_TOKEN_LIFETIME = timedelta(hours=12)
#: A session's last use (time and address) is written at most this often: a page view is
#: not a write, and "last used" a few minutes out of date tells the user enough.
LAST_USED_EVERY = timedelta(minutes=5)

MIN_PASSWORD_LENGTH = 8


class PasswordPolicyError(ValueError):
    """A new password does not meet the policy; the message is shown next to the field."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return None
    if not user.active or not verify_password(user, password):
        return None
    return user


def open_session(
    user: User, *, now: datetime, kind: str = "web", remember: bool = False,
    user_agent: str | None = None, address: str | None = None,
) -> tuple[str, datetime]:
    """Create a server-side session; return its token (only ever shown once) and expiry."""
    token = secrets.token_urlsafe(32)
    lifetime = API_TOKEN_LIFETIME if kind == "api" else (
        REMEMBER_LIFETIME if remember else WEB_SESSION_LIFETIME
    )
    expires_at = now + lifetime
    db.session.add(LoginSession(
        token_sha256=LoginSession.digest(token), user_id=user.id, created_at=now,
        expires_at=expires_at, kind=kind, user_agent=(user_agent or "")[:255] or None,
        last_used_at=now, address=(address or "")[:45] or None,
    ))
    user.session_token = token
    return token, expires_at


@use_case
def sign_in(user: User, *, now: datetime, kind: str = "web", remember: bool = False,
            user_agent: str | None = None, address: str | None = None) -> tuple[str, datetime]:
    """The log-in use-case: open a session and commit it; return its token and expiry."""
    token, expires_at = open_session(user, now=now, kind=kind, remember=remember,
                                     user_agent=user_agent, address=address)
    db.session.commit()
    return token, expires_at


@use_case
def sign_out(token: str | None, *, now: datetime) -> None:
    """The log-out use-case: the session's token stops working at once."""
    revoke_session(token, now=now)
    db.session.commit()


#: Every request runs this: one query for the user, their session's state and the case
#: lists' data version (for the page cache: one round trip instead of two on PostgreSQL).
#: Built once: building a statement costs as much as running it.
_SESSION_USER = (
    select(User, LoginSession.kind, LoginSession.revoked_at, LoginSession.expires_at,
           token_subquery(), LoginSession.id, LoginSession.last_used_at, LoginSession.address)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(LoginSession.token_sha256 == bindparam("digest"))
)


def load_session_user(token: str, *, now: datetime, kind: str = "web",
                      address: str | None = None) -> User | None:
    """The user of a live session token, or None when unknown, revoked or expired.

    Notes the session's last use (time and ``address``) when the last note is older than
    :data:`LAST_USED_EVERY` or the address changed."""
    if not token:
        return None
    row = db.session.execute(_SESSION_USER, {"digest": LoginSession.digest(token)}).first()
    if row is None:
        return None
    user, session_kind, revoked_at, expires_at, list_version, session_id, last_used, seen_at = row
    if session_kind != kind or revoked_at is not None or expires_at <= now or not user.active:
        return None
    address = (address or "")[:45] or None
    if last_used is None or now - last_used >= LAST_USED_EVERY or (address and address != seen_at):
        _note_use(session_id, now=now, address=address or seen_at)
    user.session_token = token
    user.session_id = session_id
    user.list_version = list_version
    remember_request_token(list_version)
    return user


def _note_use(session_id: int, *, now: datetime, address: str | None) -> None:
    """Write a session's last use. A request that writes does it in its own transaction
    (committed with its use-case); a read does it in one short transaction of its own, so
    the read's snapshot never has to become a write (SQLite would refuse the upgrade at
    once when another writer came in between)."""
    statement = (update(LoginSession).where(LoginSession.id == session_id)
                 .values(last_used_at=now, address=address))
    if may_write():
        db.session.execute(statement)
    else:
        with db.engine.begin() as connection:
            connection.execute(statement)


def revoke_session(token: str | None, *, now: datetime) -> None:
    if not token:
        return
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_sha256 == LoginSession.digest(token),
               LoginSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_all_sessions(user: User, *, now: datetime) -> None:
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def check_password_policy(password: str, *, username: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError("too_short")
    if password.lower() == username.lower():
        raise PasswordPolicyError("same_as_username")
    if password.isdigit() or password.isalpha():
        raise PasswordPolicyError("letters_and_digits")


@use_case
def change_password(
    user: User, *, current: str, new: str, now: datetime, user_agent: str | None = None,
) -> str:
    """Set a new password, end every session of the user, and open a fresh one.

    Raises PasswordPolicyError("wrong_current") or a policy code; returns the new token.
    """
    if not verify_password(user, current):
        raise PasswordPolicyError("wrong_current")
    check_password_policy(new, username=user.username)
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    revoke_all_sessions(user, now=now)
    token, _ = open_session(user, now=now, user_agent=user_agent)
    db.session.commit()
    return token


#: The languages a user can choose for their account (the inbox, e-mail, SMS, pages).
ACCOUNT_LOCALES = ("zh", "en")


@use_case
def set_locale(user: User, locale: str) -> User:
    """Remember the language ``user`` reads the platform in: their pages after login, and
    every notice sent to them (app.notify.render picks it at send time)."""
    if locale not in ACCOUNT_LOCALES:
        raise ServiceError(Msg("请选择简体中文或English", "Choose 简体中文 or English"), "locale")
    db.session.execute(update(User).where(User.id == user.id).values(locale=locale)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(user)
    return user
