"""Failed mediation → litigation: the lawsuit's own number, the pre-litigation number kept,
the parties told, and the file (complaints, evidence, records, drafts, documents) with it."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Attachment, Case, Complaint, Notice, User
from app.services import agreements, cases, litigation, sessions
from app.services.errors import NotFoundError
from mediation.agreements import Content
from mediation.sessions import Attendance, SessionOutcome, SessionRecord
from tests.factories import NOW


def actor(user) -> User:
    return db.session.get(User, user.id)


def _failed(app, make, person=None, court=None):
    person = person or make.person("王海燕")
    project = make.project(court=court)
    mediator = make.user("mediator", court=project.court)
    case = make.case(project=project, claimant=person, status="in_mediation", mediator=mediator.mediator)
    judge = make.user("judge", court=project.court)
    with app.test_request_context():
        complaint = db.session.scalar(select(Complaint).where(Complaint.case_id == case.id))
        db.session.add(Attachment(complaint_id=complaint.id, original_name="购房合同.pdf", stored_name=uuid.uuid4().hex * 2,
                                  content_type="application/pdf", size_bytes=10, sha256="b" * 64, created_at=NOW))
        db.session.commit()
        agreements.record_agreement(case.id, Content(terms=("被申请人支付违约金。",)), actor=actor(mediator), now=NOW)
        record = SessionRecord(held_at=NOW - timedelta(hours=1), place="售楼部",
                               attendance=(Attendance(f"person:{person.id}", True),
                                           Attendance(f"developer:{project.developer_id}", True)),
                               notes="被申请人拒绝。", outcome=SessionOutcome.FAILED, ground="双方分歧过大")
        sessions.record_session(case.id, record, actor=actor(mediator), now=NOW)
    return case, judge, mediator


def test_the_lawsuit_gets_its_own_number_and_the_file_goes_with_it(app, make):
    person = make.person("王海燕")
    home = make.user("homeowner", person=person)
    case, judge, mediator = _failed(app, make, person)
    with app.test_request_context():
        moved = cases.transition_case(case.id, "litigation", actor=actor(judge), now=NOW + timedelta(days=1))
        assert moved.number == case.number  # the pre-litigation number is kept
        assert moved.litigation_number == "（2026）琼9005民初1号"
        assert moved.litigation_filed_at == NOW + timedelta(days=1)
        told = db.session.scalars(select(Notice).where(Notice.kind == "case_in_litigation")).all()
        assert [n.user_id for n in told] == [home.id] and "民初1号" in told[0].body
        file = litigation.litigation_file(actor(home), case.id)
        assert [a.original_name for a in file.evidence] == ["购房合同.pdf"]
        assert [s.outcome for s in file.sessions] == ["failed"]
        assert [a.status for a in file.agreements] == ["signing"]
        assert {d.kind for d in file.documents} == {"session_record"}  # the homeowner's own copy
        assert len(litigation.litigation_file(actor(judge), case.id).documents) == 3


def test_numbers_run_per_court_and_year_and_strangers_see_nothing(app, make):
    court = make.court()
    first, judge, _ = _failed(app, make, court=court)
    second, judge_two, _ = _failed(app, make, court=court)
    stranger = make.user("homeowner")
    with app.test_request_context():
        cases.transition_case(first.id, "litigation", actor=actor(judge), now=NOW)
        cases.transition_case(second.id, "litigation", actor=actor(judge_two), now=NOW)
        numbers = [db.session.get(Case, c.id).litigation_number for c in (first, second)]
        assert numbers == ["（2026）琼9005民初1号", "（2026）琼9005民初2号"]
        with pytest.raises(NotFoundError):
            litigation.litigation_file(actor(stranger), first.id)
