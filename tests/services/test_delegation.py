"""Who answers a delegation, who hears of a decline, and what happens when the 30 days run out?"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Case, Notice, User
from app.services import cases, delegation, triage
from app.services.errors import ForbiddenError, NotFoundError, ServiceError
from tests.factories import NOW


def actor(user) -> User:
    return db.session.get(User, user.id)


def inbox(user, kind):
    return list(db.session.scalars(select(Notice).where(
        Notice.user_id == user.id, Notice.kind == kind, Notice.channel == "inbox")))


@pytest.fixture
def delegated(app, make):
    court = make.court()
    project = make.project(court=court)
    judge = make.user("judge", court=court, name="李法官")
    mediator = make.user("mediator", court=court, name="陈调解")
    claimant = make.user("homeowner")
    staff = make.user("developer", developer=project.developer)
    complaint = make.complaint(project=project, person=claimant.person)
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=actor(judge), now=NOW)
        cases.assign_mediator(case.id, mediator.mediator.id, actor=actor(judge), now=NOW)
        return case.id, judge, mediator, claimant, staff, court


def test_only_the_delegated_mediator_answers(app, make, delegated):
    case_id, judge, mediator, claimant, staff, court = delegated
    colleague = make.user("mediator", court=court)
    with app.app_context():
        with pytest.raises(NotFoundError):  # not even visible to another mediator
            delegation.accept_case(case_id, actor=actor(colleague), now=NOW)
        with pytest.raises(ForbiddenError, match="只有受委派的调解员"):
            delegation.accept_case(case_id, actor=actor(judge), now=NOW)
        with pytest.raises(ForbiddenError):
            delegation.decline_case(case_id, "不想办", actor=actor(claimant), now=NOW)
        assert db.session.get(Case, case_id).accepted_at is None


def test_acceptance_tells_the_claimant_the_period_and_a_second_acceptance_is_refused(
        app, delegated):
    case_id, judge, mediator, claimant, *_ = delegated
    with app.app_context():
        delegation.accept_case(case_id, actor=actor(mediator), now=NOW)
        told = inbox(claimant, "delegation_accepted")
        assert len(told) == 1 and "陈调解" in told[0].body and "2026年12月28日" in told[0].body
        with pytest.raises(ServiceError, match="已于2026年11月27日接受委派"):
            delegation.accept_case(case_id, actor=actor(mediator), now=NOW)


def test_a_decline_needs_its_ground_returns_the_case_and_tells_the_judge(app, delegated):
    case_id, judge, mediator, *_ = delegated
    with app.app_context():
        with pytest.raises(ServiceError, match="请填写拒绝或回避理由") as refused:
            delegation.decline_case(case_id, "  ", actor=actor(mediator), now=NOW)
        assert refused.value.field == "reason"
        case = delegation.decline_case(case_id, "曾任该公司法律顾问", actor=actor(mediator), now=NOW)
        assert (case.status, case.mediator_id) == ("registered", None)
        told = inbox(judge, "delegation_declined")
        assert len(told) == 1
        assert "曾任该公司法律顾问" in told[0].body and "2026年12月2日" in told[0].body


def test_an_expired_mediation_is_flagged_and_everyone_is_told(app, delegated):
    case_id, judge, mediator, claimant, staff, court = delegated
    with app.app_context():
        delegation.accept_case(case_id, actor=actor(mediator), now=NOW)
        before_end = NOW + timedelta(days=31)  # 28 Dec, the last day, 10:00
        assert delegation.end_expired_mediations(now=before_end) == []
        ended = delegation.end_expired_mediations(now=NOW + timedelta(days=32))
        assert ended == [db.session.get(Case, case_id).number]
        assert db.session.get(Case, case_id).status == "failed"
        for user in (claimant, staff, judge):
            told = inbox(user, "mediation_expired")
            assert len(told) == 1 and "2026年12月28日" in told[0].body
        assert inbox(mediator, "mediation_expired") == []
        # The judge then files it for litigation, as the rules allow.
        case = cases.transition_case(case_id, "litigation", actor=actor(judge),
                                     now=NOW + timedelta(days=33))
        assert case.status == "litigation"
