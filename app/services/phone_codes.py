"""One-time codes by SMS: prove that a person holds a phone (registration, password reset).

A code is six digits, lives ten minutes, allows five wrong guesses, and works once. Only
an HMAC of it is stored (keyed with the app's secret: six digits have a million values,
so a bare hash would be reversed at once). Sending is limited per phone and per
requesting address; the ``phone_codes`` rows are the ledger, so the limits hold across
every worker and host without a shared cache.

These are not the group-filing confirmation codes of ``app.services.group_filing``: those are
ten-character codes a filer hands to a neighbour, bound to the neighbour's resident ID
and without expiry. Both keep only a digest of the code.

The code leaves by SMS after the commit (``send_code``), so a code that reached a phone
always exists in the database.

A **signing code** (purpose ``sign``: signing an agreement, confirming a session record)
is the same kind of code, living five minutes, with a ``binding``: the SHA-256 of the
document kind, its id, the signing party and the SHA-256 of the text signed
(:func:`signing_binding`). It is looked up and checked under that binding only, so a code
sent for one party, one document or one version of its text signs nothing else.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import CodePurpose, PhoneCode
from app.notify.sms import sms_gateway
from app.services.errors import ServiceError
from app.services.use_case import use_case
from mediation.messages import Msg
from mediation.identifiers import InvalidIdentifierError, mask_phone, validate_phone

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
#: A signing code is asked for at the moment of signing: five minutes are enough.
SIGN_CODE_LIFETIME = timedelta(minutes=5)
#: Wrong guesses a code survives: five tries at a million values is a 1-in-200,000 chance.
MAX_ATTEMPTS = 5
#: A phone gets one code a minute and at most five an hour (the usual SMS-provider limits).
RESEND_AFTER = timedelta(seconds=60)
PER_PHONE_PER_HOUR = 5
#: One address may ask for codes for several phones (a family, the court's service
#: window), but not for a whole number range.
PER_ADDRESS_PER_HOUR = 20

_TEXT = {
    CodePurpose.REGISTER: "【文昌巡回法庭调解平台】您的注册验证码为{code}，10分钟内有效。请勿告诉他人。",
    CodePurpose.RESET: "【文昌巡回法庭调解平台】您正在重置密码，验证码为{code}，10分钟内有效。如非本人操作，请忽略。",
}
INVALID_CODE = Msg("验证码不正确或已失效，请重新获取",
                   "The code is wrong or no longer valid; ask for a new one.")
CODE_REQUIRED = Msg("请填写短信验证码", "Enter the code from the text message.")


def _hmac(purpose: str, phone: str, code: str, binding: str | None = None) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    text = f"{purpose}:{phone}:{code}" if binding is None else f"{purpose}:{phone}:{binding}:{code}"
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def signing_binding(kind: str, object_id: int, party_key: str, content_sha256: str) -> str:
    """What a signing code is bound to: one party's signature of one version of one document."""
    return hashlib.sha256(f"{kind}:{object_id}:{party_key}:{content_sha256}".encode()).hexdigest()


def mobile_number(phone, *, field: str = "phone") -> str:
    """The phone as 11 digits, or a ServiceError: codes go to mobile phones only."""
    try:
        number = validate_phone(phone, field=field)
    except InvalidIdentifierError as error:
        raise ServiceError(error.message, field) from None
    if not number.isdigit():
        raise ServiceError(Msg("验证码只能发送到手机，请填写11位手机号",
                               "Codes go to mobile phones only: enter an 11-digit mobile number."),
                           field)
    return number


def _check_limits(phone: str, address: str | None, now: datetime) -> None:
    hour_ago = now - timedelta(hours=1)
    latest, per_phone = db.session.execute(
        select(func.max(PhoneCode.created_at), func.count())
        .where(PhoneCode.phone == phone, PhoneCode.created_at > hour_ago)).one()
    if latest is not None and now - latest < RESEND_AFTER:
        wait = int((RESEND_AFTER - (now - latest)).total_seconds()) + 1
        raise ServiceError(Msg("验证码已发送，请{s}秒后再试",
                               "A code was just sent; try again in {s} seconds.", s=wait), "phone")
    if per_phone >= PER_PHONE_PER_HOUR:
        raise ServiceError(Msg("该手机号获取验证码过于频繁，请一小时后再试",
                               "Too many codes for this phone; try again in an hour."), "phone")
    if address:
        per_address = db.session.scalar(
            select(func.count()).select_from(PhoneCode)
            .where(PhoneCode.address == address, PhoneCode.created_at > hour_ago))
        if per_address >= PER_ADDRESS_PER_HOUR:
            raise ServiceError(Msg("获取验证码过于频繁，请稍后再试",
                                   "Too many codes asked for; try again later."), "phone")


def issue_code(phone: str, purpose: CodePurpose, *, address: str | None,
               now: datetime, binding: str | None = None) -> str:
    """Store a new code for ``phone`` in the current transaction; return it in clear."""
    _check_limits(phone, address, now)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    lifetime = SIGN_CODE_LIFETIME if purpose is CodePurpose.SIGN else CODE_LIFETIME
    db.session.add(PhoneCode(
        purpose=purpose.value, phone=phone, code_hmac=_hmac(purpose.value, phone, code, binding),
        address=(address or "")[:45] or None, created_at=now,
        expires_at=now + lifetime, attempts=0, binding=binding))
    return code


@use_case
def send_code(phone, purpose: CodePurpose, *, address: str | None, now: datetime) -> str:
    """The "send me a code" use-case: check the limits, store the code, commit, text it.

    Returns the phone masked, for the page to say where the code went."""
    number = mobile_number(phone)
    code = issue_code(number, purpose, address=address, now=now)
    db.session.commit()
    sms_gateway().send(number, _TEXT[purpose].format(code=code))
    return mask_phone(number)


def signing_phone(user) -> str:
    """The mobile number a signing code goes to: the account's, else (a homeowner) the
    person's as filed; a ServiceError on the ``code`` field when there is none."""
    from app.models import Person

    candidates = [user.phone]
    if user.person_id:
        person = db.session.get(Person, user.person_id)
        candidates.append(person.phone if person else None)
    for phone in candidates:
        if not phone:
            continue
        try:
            return mobile_number(phone, field="code")
        except ServiceError:
            continue
    raise ServiceError(Msg("您的账户没有登记手机号，无法接收验证码，请用密码签署",
                           "Your account has no mobile phone to text a code to; sign with your password."),
                       "code")


@use_case
def send_signing_code(user, binding: str, text, *, address: str | None, now: datetime) -> str:
    """Store a signing code bound to ``binding``, commit, and text it to ``user`` in their
    language (``text(code)`` gives the message, a Msg). Returns the phone masked. The caller
    has checked that the user may sign; this is its last step."""
    number = signing_phone(user)
    try:
        code = issue_code(number, CodePurpose.SIGN, address=address, now=now, binding=binding)
    except ServiceError as error:
        raise ServiceError(error.message, "code") from None
    db.session.commit()
    locale = (user.locale or "zh")[:2]
    sms_gateway().send(number, text(code).in_locale(locale))
    return mask_phone(number)


def consume_signing_code(user, binding: str, code, *, now: datetime) -> None:
    """Spend the user's live signing code for ``binding`` (see :func:`consume_code`)."""
    consume_code(signing_phone(user), CodePurpose.SIGN, code, now=now, binding=binding)


def record_request(phone: str, *, address: str | None, now: datetime) -> None:
    """Count a request for which no code is sent (an unknown phone asking for a reset), so
    the limits answer it exactly as a known phone's; the row holds no usable code."""
    _check_limits(phone, address, now)
    db.session.add(PhoneCode(
        purpose=CodePurpose.RESET.value, phone=phone, code_hmac="-" * 64,
        address=(address or "")[:45] or None, created_at=now, expires_at=now, attempts=0))


@use_case
def consume_code(phone: str, purpose: CodePurpose, code, *, now: datetime,
                 binding: str | None = None) -> None:
    """Spend the phone's latest live code if ``code`` matches; else count a wrong guess.

    On a match the code is marked used in the caller's transaction (the caller commits).
    A wrong guess is committed at once — it must count even though the use-case fails —
    and raises ServiceError on the ``code`` field.
    """
    typed = "".join(ch for ch in str(code or "") if not ch.isspace())
    row = db.session.scalar(
        select(PhoneCode)
        .where(PhoneCode.phone == phone, PhoneCode.purpose == purpose.value,
               PhoneCode.consumed_at.is_(None), PhoneCode.expires_at > now,
               PhoneCode.attempts < MAX_ATTEMPTS,
               PhoneCode.binding.is_(None) if binding is None else PhoneCode.binding == binding)
        .order_by(PhoneCode.created_at.desc(), PhoneCode.id.desc()).limit(1))
    if not typed:
        raise ServiceError(CODE_REQUIRED, "code")
    if row is None:
        raise ServiceError(INVALID_CODE, "code")
    if not hmac.compare_digest(row.code_hmac, _hmac(purpose.value, phone, typed, binding)):
        db.session.rollback()
        db.session.execute(update(PhoneCode).where(PhoneCode.id == row.id)
                           .values(attempts=PhoneCode.attempts + 1))
        db.session.commit()
        raise ServiceError(INVALID_CODE, "code")
    # Conditional: two requests racing with the same code spend it once.
    spent = db.session.execute(
        update(PhoneCode).where(PhoneCode.id == row.id, PhoneCode.consumed_at.is_(None))
        .values(consumed_at=now))
    if spent.rowcount != 1:
        raise ServiceError(INVALID_CODE, "code")
