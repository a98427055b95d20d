"""Compliance inquiries through the services: issued with a working-day deadline, answered
by the developer's own staff only, reviewed by the court's judge, read by the warnings."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from app.extensions import db
from sqlalchemy import select

from app.access import Permission, can
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
        assert not can(actor(parties["other_staff"]), Permission.INQUIRY_VIEW, inquiry)
        assert can(actor(parties["staff"]), Permission.INQUIRY_VIEW, inquiry)
        assert not can(actor(parties["other_judge"]), Permission.INQUIRY_VIEW, inquiry)


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


# --- The letter, the answers with files, the review of each answer -------------------------

PDF_FILE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_inquiry_letter_is_a_verifiable_pdf_in_real_chinese_text(app, parties, tmp_path):
    """Does the developer receive a letter it can read and the court can verify?"""
    from app.access import Permission, can
    from app.services import documents
    from tests.documents_support import pdf_text

    with app.app_context():
        inquiry = _issue(parties, at(2026, 11, 2), working_days=5)
        letter = svc.inquiry_letter(inquiry)
        assert letter.kind == "inquiry_letter" and letter.party_developer_id == inquiry.developer_id
        assert documents.verification(letter.verify_code).id == letter.id
        text = pdf_text(documents.path_of(letter).read_bytes(), tmp_path)
        assert "合规性函询函" in text and "预售资金监管账户" in text and svc.inquiry_number(inquiry) in text
        assert "5个工作日" in text
        assert can(actor(parties["staff"]), Permission.DOCUMENT_VIEW, letter)
        assert not can(actor(parties["other_staff"]), Permission.DOCUMENT_VIEW, letter)
        assert not can(actor(parties["other_judge"]), Permission.DOCUMENT_VIEW, letter)
        with pytest.raises(NotFoundError):
            documents.document_file(actor(parties["other_staff"]), letter.id)


def test_the_developer_is_told_in_its_inbox(app, parties):
    from app.models import Notice

    with app.app_context():
        inquiry = _issue(parties, at(2026, 11, 2))
        notices = db.session.scalars(select(Notice).where(Notice.kind == "inquiry_issued")).all()
        assert [n.user_id for n in notices] == [parties["staff"].id]
        assert svc.inquiry_number(inquiry) in notices[0].subject
        # the notice keeps both languages; staff who read English get it in English
        assert notices[0].subject.startswith("合规性函询")
        assert notices[0].subject_en.startswith(f"Compliance inquiry {svc.inquiry_number(inquiry)}: answer by")
        assert "answer each question on the platform" in notices[0].body_en


def test_the_review_is_told_in_both_languages(app, parties):
    from app.models import Notice

    with app.app_context():
        inquiry = _issue(parties, at(2026, 11, 2), questions=["是否取得预售许可？"])
        svc.answer_inquiry(inquiry.id, {1: "已取得预售许可"}, actor=actor(parties["staff"]), now=at(2026, 11, 3))
        svc.review_inquiry(inquiry.id, review="non_compliant", reason="未附证明", actor=actor(parties["judge"]),
                           now=at(2026, 11, 4))
        notice = db.session.scalar(select(Notice).where(Notice.kind == "inquiry_reviewed"))
        assert "不合规" in notice.subject and "non-compliant" in notice.subject_en
        assert notice.body_en == "Review: non-compliant. Reason: 未附证明"


def test_each_answer_carries_its_files_and_a_file_that_is_not_a_document_is_refused(app, parties):
    with app.app_context():
        inquiry = _issue(parties, at(2026, 11, 2), questions=["问一", "问二"])
        with pytest.raises(ServiceError) as refused:
            svc.answer_inquiry(inquiry.id, {1: "答一", 2: "答二"}, files={2: [("x.pdf", b"<html>")]},
                               actor=actor(parties["staff"]), now=at(2026, 11, 3))
        assert refused.value.errors[0]["field"] == "files_2"
        db.session.rollback()
        assert db.session.get(type(inquiry), inquiry.id).answered_at is None  # nothing half-saved
        svc.answer_inquiry(inquiry.id, {1: "答一", 2: "答二"}, files={2: [("监管流水.pdf", PDF_FILE)]},
                           actor=actor(parties["staff"]), now=at(2026, 11, 3))
        inquiry = db.session.get(type(inquiry), inquiry.id)
        assert [a.original_name for a in inquiry.questions[1].attachments] == ["监管流水.pdf"]
        assert inquiry.questions[0].attachments == []


def test_the_judge_reviews_each_answer_and_the_strictest_is_the_inquirys(app, parties):
    with app.app_context():
        inquiry = _issue(parties, at(2026, 11, 2), questions=["问一", "问二"])
        svc.answer_inquiry(inquiry.id, {1: "答一", 2: "答二"}, actor=actor(parties["staff"]), now=at(2026, 11, 3))
        with pytest.raises(ServiceError) as refused:
            svc.review_inquiry(inquiry.id, reviews={1: ("compliant", "属实"), 2: ("rectify", "")},
                               rectify_by=date(2026, 12, 1), actor=actor(parties["judge"]), now=at(2026, 11, 4))
        assert refused.value.field == "reason_2"
        svc.review_inquiry(inquiry.id, reviews={1: ("compliant", "属实"), 2: ("rectify", "资金未入监管账户")},
                           rectify_by=date(2026, 12, 1), actor=actor(parties["judge"]), now=at(2026, 11, 4))
        inquiry = db.session.get(type(inquiry), inquiry.id)
        assert [q.review for q in inquiry.questions] == ["compliant", "rectify"]
        assert inquiry.review == "rectify" and inquiry.rectify_by == date(2026, 12, 1)
        assert svc.inquiry_state(inquiry, date(2026, 12, 1)) == "rectify"
        assert svc.inquiry_state(inquiry, date(2026, 12, 2)) == "rectify_overdue"


def test_a_developer_lists_only_its_own_inquiries_and_a_judge_only_the_courts(app, parties, make):
    with app.app_context():
        mine = _issue(parties, at(2026, 11, 2))
        other_project = make.project()
        theirs = svc.issue_inquiry(other_project.id, letter_type="advertising", working_days=10,
                                   actor=actor(make.user("judge", court=other_project.court)), now=at(2026, 11, 2))
        assert [i.id for i in svc.list_inquiries(actor(parties["staff"]))] == [mine.id]
        assert [i.id for i in svc.list_inquiries(actor(parties["judge"]))] == [mine.id]
        assert theirs.id not in [i.id for i in svc.list_inquiries(actor(parties["other_judge"]))]
        with pytest.raises(NotFoundError):
            svc.inquiry_for(actor(parties["other_staff"]), mine.id)
