"""Signed one-time links: an invitation to set a first password, a password-reset link.

A link carries the user's id, its purpose, an expiry and a fingerprint of the user's
current password hash, signed with the app's secret (itsdangerous). Setting a password
changes the hash, so a link works once and every older link of the user dies with it;
nothing has to be stored. Deactivating the account kills its links too (checked on use).

Also here: the checks every account use-case shares (names, passwords, e-mail
addresses), which raise ServiceError with a message for the form field.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.extensions import db
from app.models import User
from app.services.accounts import PasswordPolicyError, check_password_policy
from app.services.errors import ServiceError
from mediation.messages import Msg

INVITATION_LIFETIME = timedelta(days=7)
#: A reset link in a mailbox is a key to the account: short-lived.
RESET_LIFETIME = timedelta(hours=1)
LIFETIMES = {"invitation": INVITATION_LIFETIME, "reset": RESET_LIFETIME}

INVALID_LINK = Msg("链接无效、已过期或已使用，请重新申请",
                   "The link is invalid, has expired or was used already; ask for a new one.")

_PASSWORD_MESSAGES = {
    "too_short": Msg("密码至少需要 8 个字符。", "Use at least 8 characters."),
    "same_as_username": Msg("密码不能与用户名相同。", "The password must differ from the username."),
    "letters_and_digits": Msg("密码需同时包含字母和数字。", "Use both letters and digits."),
}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"account-link:{purpose}")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_link_token(user: User, purpose: str, *, now: datetime) -> str:
    """A token for ``/invitation/<token>`` or ``/password-reset/<token>``."""
    expires = int((now + LIFETIMES[purpose]).timestamp())
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user), "e": expires})


def user_for_link(token: str, purpose: str, *, now: datetime) -> User:
    """The active user the link is for, or ServiceError when it is forged, expired or spent."""
    try:
        data = _serializer(purpose).loads(token or "")
        user_id, fingerprint, expires = int(data["u"]), str(data["f"]), int(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise ServiceError(INVALID_LINK) from None
    user = db.session.get(User, user_id)
    if (user is None or not user.active or expires <= now.timestamp()
            or fingerprint != _fingerprint(user)):
        raise ServiceError(INVALID_LINK)
    return user


# --- checks shared by the account use-cases ---------------------------------------------


def label(zh: str, en: str) -> Msg:
    """A field's name in both languages, for the messages below."""
    return Msg(zh, en)


def clean_text(value, *, field: str, label: Msg, max_length: int, required: bool = True) -> str:
    """Stripped text without control characters, or a ServiceError naming the field."""
    zh, en = str(label), getattr(label, "en", str(label))
    text = unicodedata.normalize("NFC", str(value or "")).strip()
    if not text:
        if required:
            raise ServiceError(Msg(f"请填写{zh}", f"Enter the {en.lower()}."), field)
        return ""
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise ServiceError(Msg(f"{zh}含有不可见的控制字符，请重新输入",
                               f"The {en.lower()} contains invisible control characters; "
                               "type it again."), field)
    if len(text) > max_length:
        raise ServiceError(Msg(f"{zh}最多{max_length}个字符",
                               f"The {en.lower()} has at most {max_length} characters."), field)
    return text


def checked_password(password, confirm, *, username: str, field: str = "password") -> str:
    """The new password, or a ServiceError with the policy's message."""
    password = str(password or "")
    if not password:
        raise ServiceError(Msg("请设置密码", "Choose a password."), field)
    try:
        check_password_policy(password, username=username)
    except PasswordPolicyError as error:
        raise ServiceError(_PASSWORD_MESSAGES[str(error)], field) from None
    if len(password) > 256:
        raise ServiceError(Msg("密码最多256个字符", "A password has at most 256 characters."), field)
    if confirm is not None and confirm != password:
        raise ServiceError(Msg("两次输入的密码不一致。", "The two passwords differ."), "confirm")
    return password


def checked_email(value, *, required: bool = False) -> str | None:
    email = clean_text(value, field="email", label=label("电子邮箱", "E-mail address"),
                       max_length=254, required=required)
    if email and not _EMAIL.fullmatch(email):
        raise ServiceError(Msg("请填写有效的电子邮箱，如 name@example.com",
                               "Enter a valid e-mail address, such as name@example.com."), "email")
    return email or None
