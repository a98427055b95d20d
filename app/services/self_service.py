"""The doors a person opens alone: homeowner registration, password reset, invitations.

- **Registration** (``/register``): name, resident ID (GB 11643 with its ISO 7064 MOD 11-2
  check digit), mobile phone proven by an SMS code, password. The username is the phone
  number. A resident ID that already has an account is refused with one sentence that
  points to the password reset — never with the other account's name or phone
  (个人信息保护法 arts. 10, 51). A person the court already knows (e.g. from an agency's
  referral) gets the account linked to that record only when the phone on record is the
  proven one; otherwise the same refusal is given, so the answer reveals nothing more.
  Both are said only after the code proved the phone, and the refusal spends the code; a
  phone that already has an account is sent a text saying so instead of a code, while the
  page answers as for any phone (issue 13: no visitor tests IDs or phones against the
  register).
- **Password reset**: a homeowner proves the phone with a code; anyone with an e-mail
  address on the account gets a one-hour link. Either way every session and API token of
  the account ends. Asking for a reset answers the same whether or not an account
  exists.
- **Invitation**: developer staff invited by the clerk set their first password through
  the link (app.services.account_admin).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import CodePurpose, Person, Role, User
from app.notify.sms import sms_gateway
from app.services.account_links import (
    checked_password, clean_text, label, make_link_token, user_for_link,
)
from app.services.account_mail import send_email
from app.notify.render import recipient_locale
from app.services.accounts import hash_password, open_session, revoke_all_sessions
from app.services.errors import ServiceError
from app.services.use_case import use_case
from app.services.phone_codes import (
    CODE_REQUIRED, INVALID_CODE, consume_code, mobile_number, record_request, send_code,
)
from mediation.identifiers import InvalidIdentifierError, mask_phone, validate_resident_id
from mediation.lifecycle import court_date
from mediation.messages import Msg

INVALID_INPUT = Msg("请修改标出的内容后再提交", "Correct the marked fields and submit again.")
ID_TAKEN = Msg(
    "该身份证号已注册。如果是您本人，请使用“忘记密码”通过手机验证码重置密码，或到法院诉讼服务窗口办理。",
    "This resident ID is already registered. If it is yours, use \"Forgot your password?\" to "
    "reset the password with a code to your phone, or go to the court's service window.")
#: What a phone that already has an account receives when someone asks to register it.
ALREADY_REGISTERED_TEXT = ("【文昌巡回法庭调解平台】有人用本手机号申请注册，但本号码已有账户。请直接登录；"
                           "忘记密码可在登录页通过手机验证码重置。如非本人操作，请忽略。")
PHONE_TAKEN = Msg("该手机号已注册，请直接登录；忘记密码可通过手机验证码重置。",
                  "This phone number is already registered: log in, or reset the password "
                  "with a code to the phone.")


def _phone_taken(number: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(User).where(
        or_(User.username == number, User.phone == number))) > 0


@use_case
def request_registration_code(phone, *, address: str | None, now: datetime) -> str:
    """Send a registration code to the phone; returns it masked for the page."""
    number = mobile_number(phone)
    if _phone_taken(number):
        # Answered like any other phone, so the page does not tell a visitor who has an
        # account (issue 13); the phone's owner is told by SMS instead, and the request
        # counts against the same limits.
        record_request(number, address=address, now=now)
        db.session.commit()
        sms_gateway().send(number, ALREADY_REGISTERED_TEXT)
        return mask_phone(number)
    return send_code(number, CodePurpose.REGISTER, address=address, now=now)


@use_case
def register_homeowner(*, name, resident_id, phone, code, password, confirm, now: datetime,
                       user_agent: str | None = None) -> tuple[User, str]:
    """Create a homeowner's account and log them in; returns the user and session token."""
    errors: list[dict] = []

    def check(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ServiceError as error:
            errors.append({"field": error.field, "message": error.raw_message})

    name = check(clean_text, name, field="name", label=label("姓名", "Name"), max_length=50)
    try:
        resident_id = validate_resident_id(resident_id, today=court_date(now))
    except InvalidIdentifierError as error:
        errors.append({"field": "resident_id", "message": error.message})
        resident_id = None
    number = check(mobile_number, phone)
    if number:
        check(checked_password, password, confirm, username=number)
    if not errors and not str(code or "").strip():
        errors.append({"field": "code", "message": CODE_REQUIRED})
    if errors:
        raise ServiceError(errors[0]["message"] if len(errors) == 1 else INVALID_INPUT,
                           errors[0]["field"], errors=errors)
    consume_code(number, CodePurpose.REGISTER, code, now=now)
    # Whether the court's register knows this ID is said only now, to someone who proved a
    # phone: asked before the code, any visitor learned who is a party without an SMS
    # (issue 13, finding 1). The refusal spends the code, so each question costs one code,
    # under the per-phone and per-address limits of phone_codes.
    person = db.session.scalar(select(Person).where(Person.resident_id == resident_id))
    if person is not None and (
            db.session.scalar(select(User.id).where(User.person_id == person.id))
            or person.phone != number):
        db.session.commit()  # the spent code stays spent
        raise ServiceError(ID_TAKEN, "resident_id")
    if _phone_taken(number):  # registered since its code was sent (a taken phone gets none)
        db.session.commit()
        raise ServiceError(PHONE_TAKEN, "phone")

    if person is None:
        person = Person(name=name, resident_id=resident_id, phone=number, created_at=now)
        db.session.add(person)
    user = User(username=number, name=name, role=Role.HOMEOWNER.value, phone=number,
                person=person, password_hash=hash_password(password), active=True,
                created_at=now, password_changed_at=now)
    db.session.add(user)
    try:
        db.session.flush()
        token, _ = open_session(user, now=now, user_agent=user_agent)
        db.session.commit()
    except IntegrityError:
        # Two registrations of one phone or ID at the same moment: the unique columns let
        # one through; the other is told as if it had come second.
        db.session.rollback()
        raise ServiceError(ID_TAKEN, "resident_id") from None
    return user, token


# --- password reset ------------------------------------------------------------------------


def _homeowner_by_phone(number: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.phone == number, User.role == Role.HOMEOWNER.value,
                           User.active.is_(True)).order_by(User.id).limit(1))


@use_case
def request_reset_code(phone, *, address: str | None, now: datetime) -> str:
    """Text a reset code to a homeowner's phone. The answer is the same for a phone without
    an account (the request is still counted against the limits)."""
    number = mobile_number(phone)
    if _homeowner_by_phone(number) is None:
        record_request(number, address=address, now=now)
        db.session.commit()
        return mask_phone(number)
    return send_code(number, CodePurpose.RESET, address=address, now=now)


def _set_password(user: User, password: str, *, now: datetime) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    revoke_all_sessions(user, now=now)


@use_case
def reset_with_code(*, phone, code, password, confirm, now: datetime) -> User:
    """Set a new password after proving the phone; every session and token ends."""
    number = mobile_number(phone)
    user = _homeowner_by_phone(number)
    if user is None:
        raise ServiceError(INVALID_CODE, "code")
    password = checked_password(password, confirm, username=user.username)
    consume_code(number, CodePurpose.RESET, code, now=now)
    _set_password(user, password, now=now)
    db.session.commit()
    return user


def request_reset_link(login, *, now: datetime, link_for: Callable[[str], str]) -> None:
    """E-mail a one-hour reset link to the account named by username or e-mail address,
    if it has an address; silent otherwise (the page says the same either way)."""
    text = str(login or "").strip()
    if not text:
        raise ServiceError(Msg("请填写用户名或电子邮箱", "Enter the username or e-mail address."),
                           "login")
    user = db.session.scalar(
        select(User).where(or_(User.username == text, func.lower(User.email) == text.lower()),
                           User.active.is_(True), User.email.is_not(None))
        .order_by(User.id).limit(1))
    if user is None:
        return
    link = link_for(make_link_token(user, "reset", now=now))
    locale = recipient_locale(user)  # the account's language, like every notice
    send_email(user.email, reference=f"reset:{user.id}",
               subject=Msg("重置调解平台密码", "Reset your mediation platform password").in_locale(locale),
               text=Msg("{name}您好：请在1小时内打开以下链接设置新密码（只能使用一次）：\n{link}\n"
                        "如果不是您本人申请，请忽略本邮件，您的密码不会改变。",
                        "Dear {name},\nopen this link within an hour to set a new password (it works "
                        "once):\n{link}\nIf you did not ask for it, ignore this e-mail; your password "
                        "does not change.", name=user.name, link=link).in_locale(locale))


def link_holder(token: str, purpose: str, *, now: datetime) -> User:
    """Whose link this is (for the page to greet them), or ServiceError."""
    return user_for_link(token, purpose, now=now)


@use_case
def set_password_by_link(token: str, purpose: str, *, password, confirm, now: datetime,
                         user_agent: str | None = None) -> tuple[User, str]:
    """Accept an invitation or a reset link: set the password, end every other session,
    and log the person in; returns the user and the new session token. The link is spent."""
    user = user_for_link(token, purpose, now=now)
    password = checked_password(password, confirm, username=user.username)
    _set_password(user, password, now=now)
    session_token, _ = open_session(user, now=now, user_agent=user_agent)
    db.session.commit()
    return user, session_token
