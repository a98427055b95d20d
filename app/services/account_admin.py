"""The clerk's account use-cases: create, invite, deactivate, reset a password, end sessions.

Every one takes the acting clerk (None for ``flask users`` at the server) and ``now``,
commits once, and refuses with a ServiceError naming the form field. Ending sessions revokes every ``login_sessions`` row
of the user — web sessions and API tokens alike — in the same transaction, so a stolen
cookie or token stops working at the commit (ARCHITECTURE.md, "Sessions that really end").

A mediator account is created with its ``Mediator`` record (court, kind, skills,
capacity): the assignment pages need both. Developer staff are invited: the account
exists at once with an unusable password and the invitee sets one through a signed
one-time link sent by SMS (and by e-mail when e-mail is configured).
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Court, Developer, LoginSession, Mediator, Role, User
from app.models.mediators import MEDIATOR_KINDS
from app.models.types import contains_pattern
from app.services.account_links import (
    checked_email, checked_password, clean_text, label, make_link_token,
)
from app.services.account_mail import send_link
from app.services.accounts import hash_password, revoke_all_sessions
from app.services.errors import NotFoundError, ServiceError
from app.services.phone_codes import mobile_number
from app.services.use_case import use_case
from app.services.ids import MAX_ID
from mediation.disputes import DisputeType
from mediation.messages import Msg
from mediation.identifiers import InvalidIdentifierError, validate_phone

INVALID_INPUT = Msg("请修改标出的内容后再提交", "Correct the marked fields and submit again.")
#: Roles the clerk creates here; homeowners register themselves (/register).
CREATABLE_ROLES = (Role.JUDGE, Role.MEDIATOR, Role.DEVELOPER, Role.ADMIN)
_USERNAME = re.compile(r"[A-Za-z0-9_.@-]{3,64}")
LIST_LIMIT = 100
NAME = label("姓名", "Name")


class FieldErrors:
    """Collects every field's error, so a form shows them all at once."""

    def __init__(self):
        self.items: list[dict] = []

    def check(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ServiceError as error:
            self.items.append({"field": error.field, "message": error.raw_message})
            return None

    def add(self, field: str, message: str) -> None:
        self.items.append({"field": field, "message": message})

    def raise_any(self) -> None:
        if self.items:
            first = self.items[0]
            raise ServiceError(first["message"] if len(self.items) == 1 else INVALID_INPUT,
                               first["field"], errors=self.items)


def _username(value) -> str:
    username = clean_text(value, field="username", label=label("用户名", "Username"),
                          max_length=64)
    if not _USERNAME.fullmatch(username):
        raise ServiceError(Msg("用户名为3至64位字母、数字或 _ . @ -",
                               "A username has 3 to 64 letters, digits or _ . @ -"), "username")
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise ServiceError(Msg("该用户名已被使用", "This username is taken."), "username")
    return username


def _phone(value, *, required: bool = False) -> str | None:
    if not str(value or "").strip():
        if required:
            raise ServiceError(Msg("请填写联系电话", "Enter a phone number."), "phone")
        return None
    try:
        return validate_phone(value)
    except InvalidIdentifierError as error:
        raise ServiceError(error.message, "phone") from None


def row_id(value) -> int | None:
    """A typed id as an int, or None when it cannot name a row (empty, not a number, or
    beyond the 32-bit ids the database holds)."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


def _court(court_id) -> Court:
    court = db.session.get(Court, row_id(court_id)) if row_id(court_id) else None
    if court is None:
        raise ServiceError(Msg("请选择所属法院", "Choose the court."), "court_id")
    return court


def _developer(developer_id) -> Developer:
    developer = db.session.get(Developer, row_id(developer_id)) if row_id(developer_id) else None
    if developer is None:
        raise ServiceError(Msg("请选择所属开发企业", "Choose the developer."), "developer_id")
    return developer


def _mediator_profile(kind, skills, capacity) -> tuple[str, list[str], int]:
    errors = FieldErrors()
    if kind not in MEDIATOR_KINDS:
        errors.add("mediator_kind", Msg("请选择调解员类别", "Choose the kind of mediator."))
    known = {t.value for t in DisputeType}
    skills = list(dict.fromkeys(skills or []))
    if any(s not in known for s in skills):
        errors.add("skills", Msg("擅长的纠纷类型无效", "Unknown dispute type."))
    try:
        capacity = int(capacity if capacity not in (None, "") else 20)
        if not 0 <= capacity <= 500:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("capacity", Msg("可同时承办案件数应为0至500的整数",
                                       "Open cases at once: a whole number from 0 to 500."))
        capacity = 0
    errors.raise_any()
    return kind, skills, capacity


@use_case
def create_account(*, actor: User | None, now: datetime, role, username, name, password, confirm,
                   phone=None, email=None, court_id=None, developer_id=None,
                   mediator_kind=None, skills=None, capacity=None) -> User:
    """The clerk creates a judge's, mediator's, developer's or clerk's account."""
    errors = FieldErrors()
    try:
        role = Role(role)
    except ValueError:
        role = None
    if role not in CREATABLE_ROLES:
        errors.add("role", Msg("业主请在“注册”页面自行注册；请选择法官、调解员、开发企业或管理员",
                               "Homeowners register themselves; choose judge, mediator, "
                               "developer staff or court clerk.")
                   if role is Role.HOMEOWNER else Msg("请选择角色", "Choose a role."))
    typed_username = str(username or "").strip()
    username = errors.check(_username, username)
    name = errors.check(clean_text, name, field="name", label=NAME, max_length=100)
    errors.check(checked_password, password, confirm, username=username or typed_username)
    phone = errors.check(_phone, phone)
    email = errors.check(checked_email, email)
    court = developer = profile = None
    if role in (Role.JUDGE, Role.MEDIATOR):
        court = errors.check(_court, court_id)
    elif role is Role.ADMIN and str(court_id or "").strip():
        court = errors.check(_court, court_id)
    if role is Role.DEVELOPER:
        developer = errors.check(_developer, developer_id)
    if role is Role.MEDIATOR:
        try:
            profile = _mediator_profile(mediator_kind, skills, capacity)
        except ServiceError as error:
            errors.items.extend(error.errors)
    errors.raise_any()

    user = User(username=username, name=name, role=role.value, password_hash=hash_password(password),
                phone=phone, email=email, court=court, developer=developer, active=True,
                created_at=now, password_changed_at=now)
    db.session.add(user)
    if profile is not None:
        kind, skill_list, cap = profile
        db.session.add(Mediator(user=user, court=court, kind=kind, skills=skill_list,
                                capacity=cap, active=True, created_at=now))
    db.session.commit()
    return user


@use_case
def invite_developer_staff(*, actor: User, now: datetime, developer_id, name, phone, email,
                           link_for: Callable[[str], str]) -> User:
    """Create a developer's staff account and send its one-time set-password link.

    The username is the mobile number; the password is random and never shown, so the
    account is usable only through the link (valid 7 days, once)."""
    errors = FieldErrors()
    developer = errors.check(_developer, developer_id)
    name = errors.check(clean_text, name, field="name", label=NAME, max_length=100)
    number = errors.check(mobile_number, phone)
    email = errors.check(checked_email, email)
    if number and db.session.scalar(select(User.id).where(
            or_(User.username == number, User.phone == number))):
        errors.add("phone", Msg("该手机号已有账号；如需找回，请为该账号重置密码",
                                "This phone already has an account; reset that account's password instead."))
    errors.raise_any()
    user = User(username=number, name=name, role=Role.DEVELOPER.value, phone=number, email=email,
                developer=developer, password_hash=hash_password(secrets.token_urlsafe(32)),
                active=True, created_at=now)
    db.session.add(user)
    db.session.commit()
    link = link_for(make_link_token(user, "invitation", now=now))
    send_link(user, subject="调解平台账号邀请",
              text=(f"{user.name}您好：文昌巡回法庭调解平台为{developer.name}开设了账号（用户名{number}）。"
                    f"请在7日内打开以下链接设置密码：{link}"))
    return user


def _load(user_id) -> User:
    user = db.session.get(User, row_id(user_id)) if row_id(user_id) else None
    if user is None:
        raise NotFoundError(Msg("账号不存在", "No such account."))
    return user


@use_case
def deactivate_account(*, actor: User | None, now: datetime, user_id) -> User:
    """Deactivate the account: it can no longer log in, and every session and token ends."""
    user = _load(user_id)
    if actor is not None and user.id == actor.id:
        raise ServiceError(Msg("不能停用自己的账号", "You cannot deactivate your own account."))
    user.active = False
    revoke_all_sessions(user, now=now)
    if user.role == Role.MEDIATOR.value:
        mediator = db.session.scalar(select(Mediator).where(Mediator.user_id == user.id))
        if mediator is not None:
            mediator.active = False  # no new cases for an account that cannot log in
    db.session.commit()
    return user


@use_case
def activate_account(*, actor: User, now: datetime, user_id) -> User:
    """Let a deactivated account log in again (its old sessions stay ended)."""
    user = _load(user_id)
    user.active = True
    if user.role == Role.MEDIATOR.value:
        mediator = db.session.scalar(select(Mediator).where(Mediator.user_id == user.id))
        if mediator is not None:
            mediator.active = True
    db.session.commit()
    return user


@use_case
def reset_password(*, actor: User | None, now: datetime, user_id, password, confirm) -> User:
    """The clerk sets a new password (handed over in person); every session ends."""
    user = _load(user_id)
    password = checked_password(password, confirm, username=user.username)
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    revoke_all_sessions(user, now=now)
    db.session.commit()
    return user


@use_case
def end_sessions(*, actor: User, now: datetime, user_id) -> int:
    """End every live session and API token of the user; return how many ended."""
    user = _load(user_id)
    live = db.session.scalar(select(func.count()).select_from(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None),
        LoginSession.expires_at > now))
    revoke_all_sessions(user, now=now)
    db.session.commit()
    return live


# --- reading -----------------------------------------------------------------------------


@dataclass
class AccountRow:
    user: User
    live_sessions: int


def search_accounts(*, q: str = "", role: str = "", status: str = "", now: datetime,
                    limit: int = LIST_LIMIT) -> tuple[list[AccountRow], int]:
    """Accounts matching the words (username, name, phone, e-mail), newest first, with the
    count of their live sessions; and how many match in all."""
    where = []
    text = (q or "").strip()
    if text:
        pattern = contains_pattern(text)
        where.append(or_(*(column.ilike(pattern, escape="\\") for column in (
            User.username, User.name, User.phone, User.email))))
    if role in {r.value for r in Role}:
        where.append(User.role == role)
    if status == "active":
        where.append(User.active.is_(True))
    elif status == "inactive":
        where.append(User.active.is_(False))
    total = db.session.scalar(select(func.count()).select_from(User).where(*where))
    live = (select(LoginSession.user_id, func.count().label("n"))
            .where(LoginSession.revoked_at.is_(None), LoginSession.expires_at > now)
            .group_by(LoginSession.user_id).subquery())
    rows = db.session.execute(
        select(User, func.coalesce(live.c.n, 0))
        .outerjoin(live, live.c.user_id == User.id)
        .options(joinedload(User.court), joinedload(User.developer))
        .where(*where).order_by(User.id.desc()).limit(limit)).all()
    return [AccountRow(user, n) for user, n in rows], total


def account_detail(user_id, *, now: datetime) -> tuple[User, Mediator | None, int]:
    user = _load(user_id)
    mediator = db.session.scalar(select(Mediator).where(Mediator.user_id == user.id))
    live = db.session.scalar(select(func.count()).select_from(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None),
        LoginSession.expires_at > now))
    return user, mediator, live


def find_by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        raise NotFoundError(Msg("没有用户名为“{u}”的账号", "No account has the username {u!r}.",
                                u=username), "username")
    return user
