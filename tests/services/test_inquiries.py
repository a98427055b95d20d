"""Compliance inquiries through the services: issued with a working-day deadline, answered
by the developer's own staff only, reviewed by the court's judge, read by the warnings."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from app.extensions import db
from sqlalchemy import select

from app.models import RiskLevelRow, User
from app.services import inquiries as svc
from app.services.early_warnings import evaluate_warnings
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError


def actor(user) -> User:
    return db.session.get(User, user.id)


def at(y, m, d, hour=10):
    """``hour`` o'clock in Wenchang."""
    return datetime(y, m, d, hour - 8, tzinfo=timezone.utc)


@pytest.fixture
def parties(make):
    court = make.court()
    project = make.project(court=court)
    return {"court": court, "project": project, "judge": make.user("judge", court=court),
            "staff": make.user("developer", developer=project.developer),
            "other_staff": make.user("developer"), "other_judge": make.user("judge")}


def _issue(parties, now, working_days=10, **kwargs):
    return svc.issue_inquiry(parties["project"].id, letter_type="presale_funds",
                             working_days=working_days, actor=actor(parties["judge"]), now=now, **kwargs)


def test_an_inquiry_issued_before_national_day_is_due_after_its_make_up_saturday(app, parties):
    with app.app_context():
        inquiry = _issue(parties, at(2026, 9, 30), working_days=3)
        assert inquiry.deadline_on == date(2026, 10, 10) and not inquiry.deadline_estimated
        assert [q.position for q in inquiry.questions] == [1, 2, 3]
        assert "预售资金监管账户" in inquiry.questions[0].text
        assert inquiry.developer_id == parties["project"].developer_id


def test_an_inquiry_due_in_a_year_without_a_notice_is_estimated(app, parties):
    with app.app_context():
        inquiry = _issue(parties, at(2026, 12, 30), working_days=2)
        # 31 Dec, then 1 Jan 2027 (元旦, estimated) and the weekend: Monday 4 Jan.
        assert inquiry.deadline_on == date(2027, 1, 4) and inquiry.deadline_estimated


@pytest.mark.parametrize("who", ["other_judge", "staff"])
def test_only_a_judge_of_the_projects_court_issues_inquiries(app, parties, who):
    with app.app_context():
        with pytest.raises(ForbiddenError):
            svc.issue_inquiry(parties["project"].id, letter_type="presale_funds", working_days=10,
                              actor=actor(parties[who]), now=at(2026, 11, 2))


@pytest.mark.parametrize("kwargs, field", [
    ({"letter_type": "gossip"}, "letter_type"), ({"working_days": 0}, "working_days"),
    ({"working_days": 61}, "working_days"), ({"questions": ["  "]}, "questions"),
])
def test_a_bad_letter_is_refused_next_to_its_field(app, parties, kwargs, field):
    values = {"letter_type": "presale_funds", "working_days": 10, **kwargs}
    with app.app_context():
        with pytest.raises(ServiceError) as raised:
            svc.issue_inquiry(parties["project"].id, actor=actor(parties["judge"]), now=at(2026, 11, 2), **values)
        assert raised.value.field == field


def test_another_developers_staff_cannot_answer_and_an_answer_is_final(app, parties):
    """Can developer Y answer developer X's inquiry?"""
    with app.app_context():
        inquiry = _issue(parties, at(2026, 11, 2), questions=["问一", "问二"])
        with pytest.raises(NotFoundError):
            svc.answer_inquiry(inquiry.id, {1: "答", 2: "答"}, actor=actor(parties["other_staff"]), now=at(2026, 11, 3))
        with pytest.raises(ServiceError) as raised:
            svc.answer_inquiry(inquiry.id, {1: "答"}, actor=actor(parties["staff"]), now=at(2026, 11, 3))
        assert raised.value.field == "answer_2"
        svc.answer_inquiry(inquiry.id, {1: "答一", 2: "答二"}, actor=actor(parties["staff"]), now=at(2026, 11, 3))
        assert [q.answer for q in inquiry.questions] == ["答一", "答二"]
        with pytest.raises(ConflictError):
            svc.answer_inquiry(inquiry.id, {1: "改", 2: "改"}, actor=actor(parties["staff"]), now=at(2026, 11, 4))
        assert not svc.can_view_inquiry(actor(parties["other_staff"]), inquiry)
        assert svc.can_view_inquiry(actor(parties["staff"]), inquiry)
        assert not svc.can_view_inquiry(actor(parties["other_judge"]), inquiry)


def _inquiry_warnings(project_id):
    """The stored warnings of the project's inquiry rules (its late delivery aside)."""
    row = db.session.scalar(select(RiskLevelRow).where(RiskLevelRow.project_id == project_id))
    return [w for w in row.warnings if w["rule"].startswith("inquiry_")]


def test_a_missed_rectification_warns_orange_until_it_is_recorded(app, parties):
    with app.app_context():
        inquiry = _issue(parties, at(2026, 11, 2), questions=["问一"])
        svc.answer_inquiry(inquiry.id, {1: "答"}, actor=actor(parties["staff"]), now=at(2026, 11, 3))
        with pytest.raises(ServiceError) as raised:
            svc.review_inquiry(inquiry.id, review="rectify", reason="资金未入监管账户",
                               actor=actor(parties["judge"]), now=at(2026, 11, 4))
        assert raised.value.field == "rectify_by"
        svc.review_inquiry(inquiry.id, review="rectify", reason="资金未入监管账户",
                           rectify_by=date(2026, 11, 20), actor=actor(parties["judge"]), now=at(2026, 11, 4))
        evaluate_warnings(now=at(2026, 11, 20))
        assert _inquiry_warnings(parties["project"].id) == []
        evaluate_warnings(now=at(2026, 11, 21))
        [warning] = _inquiry_warnings(parties["project"].id)
        assert (warning["rule"], warning["level"]) == ("inquiry_non_compliant", "orange")
        svc.record_rectification(inquiry.id, rectified_on=date(2026, 11, 22), actor=actor(parties["judge"]),
                                 now=at(2026, 11, 23))
        evaluate_warnings(now=at(2026, 11, 23))
        assert _inquiry_warnings(parties["project"].id) == []


def test_an_unanswered_inquiry_warns_once_its_deadline_has_passed(app, parties):
    with app.app_context():
        inquiry = _issue(parties, at(2026, 9, 30), working_days=3)  # due 10 Oct 2026
        evaluate_warnings(now=at(2026, 10, 10))
        assert _inquiry_warnings(parties["project"].id) == []
        evaluate_warnings(now=at(2026, 10, 12))
        [warning] = _inquiry_warnings(parties["project"].id)
        assert warning["rule"] == "inquiry_unanswered" and warning["level"] == "yellow"
        assert f"函询{inquiry.id}答复期限2026年10月10日已过，逾期1个工作日未答复" == warning["facts_zh"]
