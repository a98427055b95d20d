"""The doors a person opens alone: registering with a phone code, resetting a password by
code or by link, and the limits that keep the SMS gateway from being abused."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import CodePurpose, LoginSession, Person, PhoneCode, User
from app.services import accounts, phone_codes, self_service
from app.services.errors import ServiceError
from mediation.identifiers import make_resident_id
from tests.factories import NOW, PASSWORD

PHONE = "13907561234"
RID = make_resident_id("46900519850612123")


def last_code(app, phone: str = PHONE) -> str:
    """The code the logging SMS backend 'sent' to the phone (what the person reads)."""
    text = app.extensions["sms"].last_to(phone)
    assert text, f"no SMS to {phone}"
    return re.search(r"\d{6}", text).group(0)


def register(app, **overrides):
    self_service.request_registration_code(overrides.get("phone", PHONE), address="10.0.0.1",
                                           now=NOW)
    data = dict(name="林晓梅", resident_id=RID, phone=PHONE, code=last_code(app, overrides.get(
        "phone", PHONE)), password="Haikou2026", confirm="Haikou2026", now=NOW)
    data.update(overrides)
    return self_service.register_homeowner(**data)


def errors_of(error: ServiceError) -> dict:
    return {e["field"]: e["message"] for e in error.value.errors}


def test_a_homeowner_registers_with_the_code_sent_to_the_phone_and_is_logged_in(app):
    with app.app_context():
        user, token = register(app)
        assert (user.role, user.username, user.phone) == ("homeowner", PHONE, PHONE)
        assert user.person.resident_id == RID and user.person.name == "林晓梅"
        assert accounts.load_session_user(token, now=NOW + timedelta(minutes=1)).id == user.id
        assert accounts.authenticate(PHONE, "Haikou2026").id == user.id
        stored = db.session.scalars(select(PhoneCode.code_hmac)).all()
        assert stored and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored)


def test_the_code_is_never_stored_in_clear_and_works_once(app):
    with app.app_context():
        register(app)
        code = last_code(app)
        assert db.session.scalar(select(func.count()).select_from(PhoneCode)
                                 .where(PhoneCode.code_hmac.contains(code))) == 0
        with pytest.raises(phone_codes.ServiceError):
            phone_codes.consume_code(PHONE, CodePurpose.REGISTER, code, now=NOW)


def test_a_wrong_code_counts_and_five_wrong_guesses_kill_the_code(app):
    with app.app_context():
        self_service.request_registration_code(PHONE, address=None, now=NOW)
        good = last_code(app)
        wrong = f"{(int(good) + 1) % 1_000_000:06d}"
        for _ in range(phone_codes.MAX_ATTEMPTS):
            with pytest.raises(ServiceError) as refused:
                phone_codes.consume_code(PHONE, CodePurpose.REGISTER, wrong, now=NOW)
            assert refused.value.field == "code"
        assert db.session.scalar(select(PhoneCode.attempts)) == phone_codes.MAX_ATTEMPTS
        with pytest.raises(ServiceError):  # even the right code is dead now
            phone_codes.consume_code(PHONE, CodePurpose.REGISTER, good, now=NOW)


def test_an_expired_code_is_refused(app):
    with app.app_context():
        self_service.request_registration_code(PHONE, address=None, now=NOW)
        with pytest.raises(ServiceError) as refused:
            self_service.register_homeowner(
                name="林晓梅", resident_id=RID, phone=PHONE, code=last_code(app),
                password="Haikou2026", confirm="Haikou2026",
                now=NOW + phone_codes.CODE_LIFETIME + timedelta(seconds=1))
        assert refused.value.field == "code"
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_codes_are_limited_per_phone_and_per_address(app):
    with app.app_context():
        self_service.request_registration_code(PHONE, address="10.0.0.1", now=NOW)
        with pytest.raises(ServiceError, match="秒后再试"):
            self_service.request_registration_code(PHONE, address="10.0.0.1",
                                                   now=NOW + timedelta(seconds=30))
        for minute in range(1, phone_codes.PER_PHONE_PER_HOUR):
            self_service.request_registration_code(PHONE, address="10.0.0.1",
                                                   now=NOW + timedelta(minutes=minute))
        with pytest.raises(ServiceError, match="一小时后"):
            self_service.request_registration_code(PHONE, address="10.0.0.1",
                                                   now=NOW + timedelta(minutes=10))
        # One address asking for a whole range of numbers is stopped too.
        sent = phone_codes.PER_PHONE_PER_HOUR
        with pytest.raises(ServiceError, match="过于频繁"):
            for n in range(phone_codes.PER_ADDRESS_PER_HOUR):
                self_service.request_registration_code(f"1390756{n:04d}", address="10.0.0.1",
                                                       now=NOW + timedelta(minutes=20))
                sent += 1
        assert sent == phone_codes.PER_ADDRESS_PER_HOUR
        # Another address is not held back by this one.
        self_service.request_registration_code("13600000000", address="10.0.0.2",
                                               now=NOW + timedelta(minutes=20))


def test_codes_go_to_mobile_phones_only(app):
    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            self_service.request_registration_code("0898-63212345", address=None, now=NOW)
        assert refused.value.field == "phone" and "手机" in refused.value.message


def test_every_invalid_field_is_reported_at_once_and_nothing_is_saved(app):
    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            self_service.register_homeowner(
                name="  ", resident_id=RID[:-1] + ("0" if RID[-1] != "0" else "1"),
                phone="12345", code="", password="short", confirm="short", now=NOW)
        fields = errors_of(refused)
        assert set(fields) == {"name", "resident_id", "phone"}
        assert "校验位" in fields["resident_id"]
        with pytest.raises(ServiceError) as refused:
            self_service.register_homeowner(
                name="林晓梅", resident_id=RID, phone=PHONE, code="123456",
                password="onlyletters", confirm="different", now=NOW)
        assert set(errors_of(refused)) == {"password"}
        assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_a_second_registration_with_the_same_id_leads_to_the_reset_and_reveals_nothing(app):
    """Does registering someone else's ID tell who holds it? Only that it is registered."""
    with app.app_context():
        register(app)
        other_phone = "13600001111"
        self_service.request_registration_code(other_phone, address=None, now=NOW)
        with pytest.raises(ServiceError) as refused:
            self_service.register_homeowner(
                name="冒名者", resident_id=RID, phone=other_phone, code=last_code(app, other_phone),
                password="Haikou2026", confirm="Haikou2026", now=NOW)
        message = errors_of(refused)["resident_id"]
        assert message == self_service.ID_TAKEN and "忘记密码" in message
        assert "林晓梅" not in message and PHONE not in message and PHONE[-4:] not in message
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_phone_that_has_an_account_gets_no_code_but_a_text_saying_so(app):
    """The page answers as for any phone (no visitor learns who has an account, issue 13);
    the phone's owner reads that the number is registered, and no code is issued."""
    with app.app_context():
        register(app)
        codes = db.session.scalar(select(func.count()).select_from(PhoneCode))
        masked = self_service.request_registration_code(PHONE, address=None,
                                                        now=NOW + timedelta(minutes=5))
        assert masked == "139****1234"
        text = app.extensions["sms"].last_to(PHONE)
        assert text == self_service.ALREADY_REGISTERED_TEXT and not re.search(r"\d{6}", text)
        # The request is counted for the limits, with no usable code.
        assert db.session.scalar(select(func.count()).select_from(PhoneCode)) == codes + 1
        with pytest.raises(ServiceError) as refused:
            self_service.register_homeowner(
                name="冒名者", resident_id=make_resident_id("46900519770101321"), phone=PHONE,
                code="123456", password="Haikou2026", confirm="Haikou2026",
                now=NOW + timedelta(minutes=6))
        assert refused.value.field == "code"


def test_a_person_known_from_a_referral_gets_the_record_when_the_phone_matches(app, make):
    known = make.person(name="林晓梅")
    with app.app_context():
        user, _ = register(app, resident_id=known.resident_id, phone=known.phone)
        assert user.person_id == known.id
        assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_a_person_known_with_another_phone_is_refused_like_any_registered_id(app, make):
    known = make.person(name="林晓梅")  # phone 13800138000 on record
    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            register(app, resident_id=known.resident_id)
        assert errors_of(refused)["resident_id"] == self_service.ID_TAKEN


# --- password reset ---------------------------------------------------------------------


def test_a_homeowner_resets_the_password_by_phone_and_every_session_ends(app):
    with app.app_context():
        user, web_token = register(app)
        api_token, _ = accounts.sign_in(user, now=NOW, kind="api")
        later = NOW + timedelta(minutes=2)
        assert self_service.request_reset_code(PHONE, address=None, now=later) == "139****1234"
        self_service.reset_with_code(phone=PHONE, code=last_code(app), password="Wenchang99",
                                     confirm="Wenchang99", now=later)
        assert accounts.load_session_user(web_token, now=later) is None
        assert accounts.load_session_user(api_token, now=later, kind="api") is None
        assert accounts.authenticate(PHONE, "Wenchang99") is not None
        assert accounts.authenticate(PHONE, "Haikou2026") is None


def test_asking_a_reset_code_for_an_unknown_phone_answers_the_same_and_sends_nothing(app):
    with app.app_context():
        assert self_service.request_reset_code(PHONE, address=None, now=NOW) == "139****1234"
        assert app.extensions["sms"].last_to(PHONE) is None
        with pytest.raises(ServiceError) as refused:
            self_service.reset_with_code(phone=PHONE, code="000000", password="Wenchang99",
                                         confirm="Wenchang99", now=NOW)
        assert refused.value.field == "code"
        # …and the request counted against the limit like a real one.
        with pytest.raises(ServiceError, match="秒后再试"):
            self_service.request_reset_code(PHONE, address=None, now=NOW + timedelta(seconds=5))


def test_a_reset_link_works_once_and_ends_every_session(app, make):
    staff = make.user("developer", email="li@example.com")
    links = []
    with app.app_context():
        user = db.session.get(User, staff.id)
        old_token, _ = accounts.sign_in(user, now=NOW)
        self_service.request_reset_link("LI@example.com", now=NOW, link_for=links.append)
        assert len(links) == 1
        token = links[0]
        assert self_service.link_holder(token, "reset", now=NOW).id == staff.id
        user, new_session = self_service.set_password_by_link(
            token, "reset", password="Wenchang99", confirm="Wenchang99", now=NOW)
        assert accounts.load_session_user(old_token, now=NOW) is None
        assert accounts.load_session_user(new_session, now=NOW).id == staff.id
        with pytest.raises(ServiceError, match="已使用"):
            self_service.set_password_by_link(token, "reset", password="Another99",
                                              confirm="Another99", now=NOW)


def test_a_reset_link_expires_after_an_hour_and_cannot_serve_as_an_invitation(app, make):
    staff = make.user("developer", email="li@example.com")
    links = []
    with app.app_context():
        self_service.request_reset_link(staff.username, now=NOW, link_for=links.append)
        with pytest.raises(ServiceError):
            self_service.link_holder(links[0], "reset", now=NOW + timedelta(hours=1, seconds=1))
        with pytest.raises(ServiceError):
            self_service.link_holder(links[0], "invitation", now=NOW)
        with pytest.raises(ServiceError):
            self_service.link_holder(links[0][:-2] + "xx", "reset", now=NOW)


def test_a_reset_link_for_an_unknown_address_is_silently_not_sent(app, make):
    make.user("developer")  # no e-mail address
    links = []
    with app.app_context():
        self_service.request_reset_link("nobody@example.com", now=NOW, link_for=links.append)
    assert links == []


def test_a_deactivated_account_cannot_use_its_reset_link(app, make):
    staff = make.user("developer", email="li@example.com")
    links = []
    with app.app_context():
        self_service.request_reset_link(staff.username, now=NOW, link_for=links.append)
        db.session.get(User, staff.id).active = False
        db.session.commit()
        with pytest.raises(ServiceError):
            self_service.set_password_by_link(links[0], "reset", password="Wenchang99",
                                              confirm="Wenchang99", now=NOW)
        assert accounts.authenticate(staff.username, PASSWORD) is None


def test_the_reset_link_reaches_the_mailbox_over_smtp(app, make, smtp_server):
    make.user("developer", email="li@example.com")
    with app.app_context():
        self_service.request_reset_link("li@example.com", now=NOW,
                                        link_for=lambda t: f"https://court.example/r/{t}")
        assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0
    (sender, recipients, message), = smtp_server.messages
    assert recipients == ["li@example.com"]
    assert "https://court.example/r/" in message.get_content()
