"""Signing an agreement or confirming a session record with a one-time code texted to the
party's phone: it works once, for that party and that version of the text only, for five
minutes and five guesses; a refusal saves nothing; the signature records the method."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agreement, AgreementSignature, MediationSession, PhoneCode, SessionConfirmation, User
from app.services import agreements, sessions
from app.services.errors import NotFoundError, ServiceError
from mediation.sessions import Attendance, SessionOutcome, SessionRecord
from tests.factories import NOW
from tests.services.test_agreements import CONTENT


def actor(user) -> User:
    return db.session.get(User, user.id)


@pytest.fixture
def world(app, make):
    person = make.person("王海燕")
    project = make.project()
    mediator = make.user("mediator", court=project.court, name="陈调解")
    case = make.case(project=project, claimant=person, status="in_mediation", mediator=mediator.mediator)
    return {
        "case": case, "mediator": mediator,
        "home": make.user("homeowner", person=person, phone="13907561234"),
        "company": make.user("developer", developer=project.developer, phone="13907565678"),
        "stranger": make.user("homeowner", phone="13907569999"),
    }


def _record(world, content=CONTENT) -> int:
    return agreements.record_agreement(world["case"].id, content, actor=actor(world["mediator"]), now=NOW)[0].id


def _texted(app, phone: str) -> str:
    return re.search(r"\d{6}", app.extensions["sms"].last_to(phone)).group(0)


def _ask(world, who, agreement_id, at=NOW):
    return agreements.send_signing_code(agreement_id, actor=actor(world[who]), now=at, ip="203.0.113.7")


def _sign(world, who, agreement_id, code, at=NOW):
    return agreements.sign_agreement(agreement_id, actor=actor(world[who]), now=at, code=code, ip="203.0.113.7")


def test_a_texted_code_signs_once_and_the_signature_records_method_time_ip_and_digest(app, world):
    with app.test_request_context():
        agreement_id = _record(world)
        masked = _ask(world, "home", agreement_id)
        assert masked == "139****1234"
        text = app.extensions["sms"].last_to("13907561234")
        assert world["case"].number in text and "5分钟" in text
        code = _texted(app, "13907561234")
        _sign(world, "home", agreement_id, code, at=NOW + timedelta(minutes=2))
        signature = db.session.scalar(select(AgreementSignature))
        agreement = db.session.get(Agreement, agreement_id)
        assert (signature.method, signature.signed_at, signature.ip, signature.content_sha256) == (
            "otp", NOW + timedelta(minutes=2), "203.0.113.7", agreement.content_sha256)
        assert db.session.scalar(select(PhoneCode.consumed_at)) == NOW + timedelta(minutes=2)
        # The code is spent: the developer signing with it (or anyone again) gets nothing.
        with pytest.raises(ServiceError) as caught:
            _sign(world, "company", agreement_id, code, at=NOW + timedelta(minutes=3))
        assert caught.value.field == "code"
        assert db.session.scalar(select(AgreementSignature.id).where(
            AgreementSignature.party_key.like("developer:%"))) is None


def test_the_last_signature_by_code_makes_the_agreement_effective(app, world, tmp_path):
    from app.models import Document
    from app.services.documents import path_of
    from tests.documents_support import pdf_text
    with app.test_request_context():
        agreement_id = _record(world)
        _ask(world, "home", agreement_id)
        _sign(world, "home", agreement_id, _texted(app, "13907561234"))
        _ask(world, "company", agreement_id, at=NOW + timedelta(minutes=1))
        _sign(world, "company", agreement_id, _texted(app, "13907565678"), at=NOW + timedelta(minutes=2))
        agreement = db.session.get(Agreement, agreement_id)
        assert agreement.status == "effective" and agreements.agreement_verifies(agreement)
        assert {s.method for s in agreement.signatures} == {"otp"}
        # The PDF's signature block says how and when each party signed, and the digest signed.
        court_copy = db.session.scalar(select(Document).where(
            Document.kind == "agreement", Document.party_person_id.is_(None), Document.party_developer_id.is_(None)))
        text = "".join(pdf_text(path_of(court_copy).read_bytes(), tmp_path).split())
        assert text.count("已在线签署（短信验证码）") == 2 and "2026-11-2710:02" in text
        assert agreement.content_sha256 in text


def test_a_wrong_code_is_refused_at_the_field_counts_a_guess_and_saves_nothing(app, world):
    with app.test_request_context():
        agreement_id = _record(world)
        _ask(world, "home", agreement_id)
        code = _texted(app, "13907561234")
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        with pytest.raises(ServiceError, match="验证码") as caught:
            _sign(world, "home", agreement_id, wrong)
        assert caught.value.field == "code"
        assert db.session.scalar(select(AgreementSignature.id)) is None
        assert db.session.scalar(select(PhoneCode.attempts)) == 1
        _sign(world, "home", agreement_id, code)  # the right one still works
        assert db.session.scalar(select(AgreementSignature.method)) == "otp"


def test_an_expired_code_is_refused(app, world):
    with app.test_request_context():
        agreement_id = _record(world)
        _ask(world, "home", agreement_id)
        with pytest.raises(ServiceError) as caught:
            _sign(world, "home", agreement_id, _texted(app, "13907561234"), at=NOW + timedelta(minutes=5, seconds=1))
        assert caught.value.field == "code"
        assert db.session.scalar(select(AgreementSignature.id)) is None


def test_a_code_for_another_party_signs_nothing(app, world, make):
    with app.test_request_context():
        agreement_id = _record(world)
        # The homeowner's code, typed by the developer (who asked for none) or by the
        # developer after asking for its own: bound to the homeowner, it is refused.
        _ask(world, "home", agreement_id)
        home_code = _texted(app, "13907561234")
        with pytest.raises(ServiceError) as caught:
            _sign(world, "company", agreement_id, home_code)
        assert caught.value.field == "code"
        # The same phone on two accounts does not make one party's code the other's.
        db.session.get(User, world["company"].id).phone = "13907561234"
        db.session.commit()
        with pytest.raises(ServiceError):
            _sign(world, "company", agreement_id, home_code)
        assert db.session.scalar(select(AgreementSignature.id)) is None


def test_a_code_for_another_version_of_the_text_signs_nothing(app, world):
    from dataclasses import replace
    with app.test_request_context():
        first = _record(world)
        _ask(world, "home", first)
        code = _texted(app, "13907561234")
        second = _record(world, replace(CONTENT, terms=CONTENT.terms[:1]))  # supersedes the first
        with pytest.raises(ServiceError) as caught:
            _sign(world, "home", second, code)
        assert caught.value.field == "code"
        assert db.session.scalar(select(AgreementSignature.id)) is None


def test_only_a_party_may_ask_for_a_code_and_someone_elses_agreement_is_not_found(app, world, make):
    with app.test_request_context():
        agreement_id = _record(world)
        with pytest.raises(NotFoundError):
            _ask(world, "stranger", agreement_id)
        assert app.extensions["sms"].last_to("13907569999") is None
        assert db.session.scalar(select(PhoneCode.id)) is None


def test_an_account_without_a_mobile_phone_is_told_to_use_its_password(app, world):
    with app.test_request_context():
        agreement_id = _record(world)
        db.session.get(User, world["company"].id).phone = None
        db.session.commit()
        with pytest.raises(ServiceError, match="密码") as caught:
            _ask(world, "company", agreement_id)
        assert caught.value.field == "code"


def test_a_session_record_is_confirmed_with_a_code(app, world):
    with app.test_request_context():
        case = world["case"]
        home_key = f"person:{world['home'].person_id}"
        dev_key = f"developer:{case.developer_id}"
        record = SessionRecord(
            held_at=NOW - timedelta(hours=2), place="售楼部会议室",
            attendance=(Attendance(home_key, True), Attendance(dev_key, True)), notes="双方协商",
            offers=(), outcome=SessionOutcome.CONTINUED, ground="")
        session = sessions.record_session(case.id, record, actor=actor(world["mediator"]), now=NOW)
        session_id = session.id
        sessions.send_confirmation_code(session_id, actor=actor(world["home"]), now=NOW, ip="198.51.100.1")
        code = _texted(app, "13907561234")
        with pytest.raises(ServiceError) as caught:  # another party's code
            sessions.confirm_session(session_id, actor=actor(world["company"]), now=NOW, code=code, ip="x")
        assert caught.value.field == "code"
        sessions.confirm_session(session_id, actor=actor(world["home"]), now=NOW + timedelta(minutes=1),
                                 code=code, ip="198.51.100.1")
        row = db.session.scalar(select(SessionConfirmation))
        stored = db.session.get(MediationSession, session_id)
        assert (row.method, row.ip, row.content_sha256) == ("otp", "198.51.100.1", stored.content_sha256)
