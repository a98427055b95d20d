"""Sessions: the mediator records one, the present parties confirm it online, a failed
session ends the mediation with its ground and tells everyone, PDFs per party masked."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Case, CaseEvent, Document, MediationSession, Notice, User
from app.services import documents, sessions
from app.services.errors import ForbiddenError, NotFoundError, ServiceError
from mediation.sessions import Attendance, Offer, SessionOutcome, SessionRecord
from tests.documents_support import pdf_text
from tests.factories import NOW, PASSWORD


def actor(user) -> User:
    return db.session.get(User, user.id)


@pytest.fixture
def world(app, make):
    person = make.person("王海燕")
    project = make.project()
    mediator = make.user("mediator", court=project.court, name="陈调解")
    case = make.case(project=project, claimant=person, status="scheduled", mediator=mediator.mediator)
    return {
        "case": case, "mediator": mediator, "person": person, "developer": project.developer,
        "home": make.user("homeowner", person=person),
        "company": make.user("developer", developer=project.developer),
        "stranger": make.user("homeowner"),
        "other_mediator": make.user("mediator", court=project.court),
        "judge": make.user("judge", court=project.court),
    }


def _rec(world, outcome=SessionOutcome.CONTINUED, ground="", developer_present=True):
    return SessionRecord(
        held_at=NOW - timedelta(hours=2), place="椰风海韵售楼部会议室",
        attendance=(Attendance(f"person:{world['person'].id}", True, "本人"),
                    Attendance(f"developer:{world['developer'].id}", developer_present, "委托代理人")),
        notes="申请人要求支付逾期交房违约金；被申请人表示资金紧张。", outcome=outcome, ground=ground,
        offers=(Offer("被申请人", "分期支付违约金", 3_000_000),))


def test_the_first_record_starts_mediation_issues_masked_copies_and_asks_the_present_to_confirm(app, world, tmp_path):
    with app.test_request_context():
        session = sessions.record_session(world["case"].id, _rec(world), actor=actor(world["mediator"]), now=NOW)
        case = db.session.get(Case, world["case"].id)
        assert case.status == "in_mediation" and session.status == "confirming"
        docs = db.session.scalars(select(Document).where(Document.kind == "session_record")).all()
        assert len(docs) == 3  # the court's copy and one per party
        company_copy = next(d for d in docs if d.party_developer_id == world["developer"].id)
        text = "".join(pdf_text(documents.path_of(company_copy).read_bytes(), tmp_path).split())
        assert "调解笔录" in text and "分期支付违约金" in text and "¥30,000.00" in text
        assert world["person"].resident_id not in text and world["person"].resident_id[-4:] in text
        asked = db.session.scalars(select(Notice.user_id).where(Notice.kind == "session_to_confirm")).all()
        assert set(asked) == {world["home"].id, world["company"].id}
        # The homeowner sees its own copy, not the company's nor the court's.
        seen = documents.case_documents(actor(world["home"]), case.id)
        assert [d.party_person_id for d in seen] == [world["person"].id]


def test_each_present_party_confirms_with_its_password_and_the_last_makes_it_confirmed(app, world):
    with app.test_request_context():
        session_id = sessions.record_session(world["case"].id, _rec(world), actor=actor(world["mediator"]),
                                             now=NOW).id
        with pytest.raises(ServiceError) as wrong:
            sessions.confirm_session(session_id, actor=actor(world["home"]), now=NOW, password="nope", ip="203.0.113.7")
        assert wrong.value.field == "password"
        sessions.confirm_session(session_id, actor=actor(world["home"]), now=NOW, password=PASSWORD, ip="203.0.113.7")
        assert db.session.get(MediationSession, session_id).status == "confirming"
        done = sessions.confirm_session(session_id, actor=actor(world["company"]), now=NOW + timedelta(minutes=3),
                                        password=PASSWORD, ip="198.51.100.2")
        assert done.status == "confirmed" and done.confirmed_at == NOW + timedelta(minutes=3)
        assert sessions.session_verifies(done)
        done.content = {**done.content, "notes": "事后改动"}
        db.session.commit()
        assert not sessions.session_verifies(db.session.get(MediationSession, session_id))


def test_an_absent_party_or_a_stranger_cannot_confirm(app, world):
    with app.test_request_context():
        session_id = sessions.record_session(world["case"].id, _rec(world, developer_present=False),
                                             actor=actor(world["mediator"]), now=NOW).id
        with pytest.raises(ForbiddenError):
            sessions.confirm_session(session_id, actor=actor(world["company"]), now=NOW, password=PASSWORD, ip="x")
        with pytest.raises(NotFoundError):
            sessions.confirm_session(session_id, actor=actor(world["stranger"]), now=NOW, password=PASSWORD, ip="x")
        done = sessions.confirm_session(session_id, actor=actor(world["home"]), now=NOW, password=PASSWORD, ip="x")
        assert done.status == "confirmed"


def test_a_failed_session_ends_the_mediation_with_its_ground_and_tells_parties_and_judge(app, world):
    with app.test_request_context():
        with pytest.raises(ServiceError) as refused:
            sessions.record_session(world["case"].id, _rec(world, SessionOutcome.FAILED),
                                    actor=actor(world["mediator"]), now=NOW)
        assert refused.value.field == "ground"
        assert db.session.get(Case, world["case"].id).status == "scheduled"  # nothing half-saved
        assert db.session.query(MediationSession).count() == 0
        sessions.record_session(world["case"].id, _rec(world, SessionOutcome.FAILED, "被申请人拒绝支付任何违约金"),
                                actor=actor(world["mediator"]), now=NOW)
        case = db.session.get(Case, world["case"].id)
        assert case.status == "failed"
        last = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                  .order_by(CaseEvent.id.desc())).first()
        assert last.to_status == "failed" and last.reason == "被申请人拒绝支付任何违约金"
        told = set(db.session.scalars(select(Notice.user_id).where(Notice.kind == "mediation_failed")))
        assert told == {world["home"].id, world["company"].id, world["judge"].id}
        with pytest.raises(ServiceError, match="不能制作调解笔录"):
            sessions.record_session(world["case"].id, _rec(world), actor=actor(world["mediator"]), now=NOW)


def test_an_english_speaking_party_is_told_in_english(app, world):
    with app.test_request_context():
        home = actor(world["home"])
        home.locale = "en"
        db.session.commit()
        sessions.record_session(world["case"].id, _rec(world), actor=actor(world["mediator"]), now=NOW)
        subject = db.session.scalar(select(Notice.subject).where(Notice.user_id == world["home"].id,
                                                                  Notice.kind == "session_to_confirm"))
        assert subject.startswith("Please check the session record")


@pytest.mark.parametrize("who,error", [("other_mediator", NotFoundError), ("home", ForbiddenError),
                                       ("company", ForbiddenError), ("stranger", NotFoundError)])
def test_only_the_cases_mediator_or_judge_records(app, world, who, error):
    with app.test_request_context():
        with pytest.raises(error):
            sessions.record_session(world["case"].id, _rec(world), actor=actor(world[who]), now=NOW)
        sessions.record_session(world["case"].id, _rec(world), actor=actor(world["judge"]), now=NOW)
