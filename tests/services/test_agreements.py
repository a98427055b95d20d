"""Agreements signed online: who records them, who signs, when they take effect, and that a
changed term no longer verifies."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Agreement, AgreementSignature, Case, CaseEvent, Document, User
from app.services import agreements
from app.services.errors import ForbiddenError, NotFoundError, ServiceError
from mediation.agreements import Content, Guarantee, MilestoneTerm, PaymentTerm
from tests.documents_support import pdf_text
from tests.factories import NOW, PASSWORD


def actor(user) -> User:
    return db.session.get(User, user.id)


CONTENT = Content(
    terms=("被申请人于2027年3月31日前向申请人交付房屋。", "被申请人向申请人支付逾期交房违约金48,000元。"),
    payments=(PaymentTerm(date(2027, 1, 15), "开发企业", "申请人", 4_800_000, "逾期交房违约金"),),
    milestones=(MilestoneTerm("交付房屋并移交钥匙", "开发企业", date(2027, 3, 31), None, "交付房屋"),),
    guarantees=(Guarantee("海南担保有限公司", "违约金48,000元的连带责任保证"),),
)


@pytest.fixture
def world(app, make):
    person = make.person("王海燕")
    project = make.project()
    mediator = make.user("mediator", court=project.court, name="陈调解")
    case = make.case(project=project, claimant=person, status="in_mediation", mediator=mediator.mediator)
    return {
        "case": case, "mediator": mediator,
        "home": make.user("homeowner", person=person),
        "company": make.user("developer", developer=project.developer),
        "stranger": make.user("homeowner"),
        "other_mediator": make.user("mediator", court=project.court),
        "judge": make.user("judge", court=project.court),
    }


def _record(world, content=CONTENT):
    agreement, warnings = agreements.record_agreement(world["case"].id, content,
                                                      actor=actor(world["mediator"]), now=NOW)
    return agreement.id, warnings


def _sign(world, who, agreement_id, minutes=0, password=PASSWORD):
    return agreements.sign_agreement(agreement_id, actor=actor(world[who]), now=NOW + timedelta(minutes=minutes),
                                     password=password, ip="203.0.113.7")


def test_the_last_signature_makes_the_agreement_effective_and_the_case_mediated(app, world, tmp_path):
    with app.test_request_context():
        agreement_id, warnings = _record(world)
        assert warnings == []
        _sign(world, "home", agreement_id, minutes=5)
        assert db.session.get(Case, world["case"].id).status == "in_mediation"
        _sign(world, "company", agreement_id, minutes=9)
        agreement = db.session.get(Agreement, agreement_id)
        case = db.session.get(Case, world["case"].id)
        assert (agreement.status, agreement.effective_at) == ("effective", NOW + timedelta(minutes=9))
        assert (case.status, case.outcome, case.concluded_at) == ("mediated", "mediated", NOW + timedelta(minutes=9))
        signatures = db.session.scalars(select(AgreementSignature).order_by(AgreementSignature.signed_at)).all()
        assert [(s.ip, s.method, s.content_sha256) for s in signatures] == [
            ("203.0.113.7", "password", agreement.content_sha256)] * 2
        assert agreements.agreement_verifies(agreement)
        docs = db.session.scalars(select(Document).where(Document.case_id == case.id)).all()
        assert len(docs) == 3 and {d.kind for d in docs} == {"agreement"}
        court_copy = next(d for d in docs if d.party_person_id is None and d.party_developer_id is None)
        from app.services.documents import path_of
        text = pdf_text(path_of(court_copy).read_bytes(), tmp_path)
        assert "交付房屋并移交钥匙" in text and "海南担保有限公司" in text and "陈调解" in text
        last = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                  .order_by(CaseEvent.id.desc())).first()
        assert (last.to_status, last.actor_role) == ("mediated", "developer")


def test_a_signed_agreement_whose_terms_change_no_longer_verifies(app, world):
    with app.test_request_context():
        agreement_id, _ = _record(world)
        _sign(world, "home", agreement_id)
        _sign(world, "company", agreement_id, minutes=1)
        changed = dict(db.session.get(Agreement, agreement_id).content)
        changed["terms"] = ["被申请人向申请人支付逾期交房违约金4,800元。"]
        db.session.execute(update(Agreement).where(Agreement.id == agreement_id).values(content=changed))
        db.session.commit()
        db.session.expire_all()
        assert not agreements.agreement_verifies(db.session.get(Agreement, agreement_id))


def test_the_mediated_button_is_gone_only_signing_reaches_mediated(app, world):
    from app.services import cases
    with app.app_context():
        with pytest.raises(ServiceError, match="在线签署调解协议"):
            cases.transition_case(world["case"].id, "mediated", actor=actor(world["mediator"]), now=NOW,
                                  outcome="mediated")
        assert db.session.get(Case, world["case"].id).status == "in_mediation"


def test_a_wrong_password_signs_nothing(app, world):
    with app.app_context():
        agreement_id, _ = _record(world)
        with pytest.raises(ServiceError, match="密码不正确") as caught:
            _sign(world, "home", agreement_id, password="guess")
        assert caught.value.field == "password"
        assert db.session.scalar(select(AgreementSignature.id)) is None


def test_only_the_parties_sign_and_each_only_once(app, world):
    with app.app_context():
        agreement_id, _ = _record(world)
        with pytest.raises(NotFoundError):
            _sign(world, "stranger", agreement_id)  # someone else's case: as if it did not exist
        with pytest.raises(ForbiddenError):
            _sign(world, "judge", agreement_id)
        _sign(world, "home", agreement_id)
        with pytest.raises(ServiceError, match="已签署"):
            _sign(world, "home", agreement_id, minutes=1)


def test_only_the_cases_mediator_or_a_judge_records_the_agreement(app, world):
    with app.app_context():
        for who, error in (("home", ForbiddenError), ("other_mediator", NotFoundError)):
            with pytest.raises(error):
                agreements.record_agreement(world["case"].id, CONTENT, actor=actor(world[who]), now=NOW)
        assert db.session.scalar(select(Agreement.id)) is None


def test_a_new_version_supersedes_the_unsigned_one_and_its_signatures(app, world):
    with app.app_context():
        first, _ = _record(world)
        _sign(world, "home", first)
        second, _ = _record(world, Content(terms=("被申请人向申请人支付违约金50,000元。",)))
        assert db.session.get(Agreement, first).status == "superseded"
        with pytest.raises(ServiceError, match="已生效或已被新版本取代"):
            _sign(world, "company", first)
        _sign(world, "company", second)
        assert db.session.get(Case, world["case"].id).status == "in_mediation"  # the homeowner must sign again


def test_an_ownership_only_term_is_recorded_with_a_warning(app, world):
    with app.app_context():
        _, warnings = _record(world, Content(terms=("确认椰风海韵3栋1201室归申请人所有。",)))
        assert len(warnings) == 1 and "第三百五十五条" in warnings[0]


def test_an_agreement_without_terms_is_refused_next_to_the_field(app, world):
    with app.app_context():
        with pytest.raises(ServiceError) as caught:
            _record(world, Content(terms=("  ",)))
        assert caught.value.field == "terms"


def test_the_parties_are_asked_to_sign_and_everyone_hears_when_it_takes_effect(app, world):
    from app.models import Notice
    with app.test_request_context():
        agreement_id, _ = _record(world)
        asked = db.session.scalars(select(Notice).where(Notice.kind == "agreement_to_sign")).all()
        assert {n.user_id for n in asked} == {world["home"].id, world["company"].id}
        _sign(world, "home", agreement_id)
        _sign(world, "company", agreement_id, minutes=1)
        told = db.session.scalars(select(Notice).where(Notice.kind == "agreement_effective")).all()
        assert {n.user_id for n in told} == {world["home"].id, world["company"].id, world["mediator"].id}
        assert all("司法确认" in n.body for n in told)
        assert world["stranger"].id not in {n.user_id for n in asked + told}
