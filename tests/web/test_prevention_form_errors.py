"""The prevention forms' errors, each next to its field, and nothing saved on an error: the
judge's "issue an inquiry" form, the developer's answer form, the judge's review form and
the rectification date. The project is named by the URL (the form has no developer or
project field): an unknown project or another court's is a 404."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, ComplianceInquiry, Document, InquiryQuestion, Notice, User
from app.models.types import utcnow
from tests.web.helpers import csrf_token, login

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 300


def field_error(html: str, field_id: str) -> str:
    """The error shown under a form field (the _macros.field markup), or ''."""
    match = re.search(rf'<p class="error" id="{field_id}-error" role="alert">([^<]*)</p>', html)
    return match.group(1) if match else ""


@pytest.fixture
def sides(make):
    court = make.court()
    project = make.project(court=court)
    return {"project": project, "judge": make.user("judge", court=court),
            "staff": make.user("developer", developer=project.developer),
            "theirs": make.project(), "other_judge": make.user("judge")}


def _counts(app) -> tuple:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m))
                     for m in (ComplianceInquiry, InquiryQuestion, Document, Notice, Attachment))


def _issue_path(project) -> str:
    return f"/prevention/projects/{project.id}/inquiries/new"


def _post_issue(client, sides, **data):
    path = _issue_path(sides["project"])
    form = {"csrf_token": csrf_token(client, path), "letter_type": "presale_funds", "working_days": "10",
            "questions": "资金监管账户余额？", **data}
    return client.post(path, data=form)


@pytest.mark.parametrize("data, field, message", [
    ({"letter_type": ""}, "letter_type", "Not a valid choice"),
    ({"letter_type": "bribery"}, "letter_type", "Not a valid choice"),
    ({"working_days": ""}, "working_days", "This field is required"),
    ({"working_days": "abc"}, "working_days", "Not a valid integer value"),
    ({"working_days": "0"}, "working_days", "between 1 and 60"),  # zero: due today
    ({"working_days": "-3"}, "working_days", "between 1 and 60"),  # a deadline in the past
    ({"working_days": "61"}, "working_days", "between 1 and 60"),  # too many working days
    ({"working_days": "1.5"}, "working_days", "Not a valid integer value"),
    ({"questions": "问" * 5001}, "questions", "longer than 5000"),
    ({"questions": "资金去向？\x00"}, "questions", ""),  # a control character
    ({"questions": "资金去向？\x07响铃"}, "questions", ""),
    ({"questions": "问" * 1001}, "questions", "1000"),  # one question over the limit
    ({"questions": "\n".join(f"问题{n}" for n in range(1, 52))}, "questions", "50"),  # too many questions
])
def test_each_error_of_the_issue_form_is_shown_next_to_its_field_and_nothing_is_saved(
        app, client, sides, data, field, message):
    login(client, sides["judge"].username)
    before = _counts(app)
    response = _post_issue(client, sides, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:500]
    shown = field_error(html, field)
    assert shown, f"no error next to {field}"
    assert message in shown or not message or _zh_or_en(shown, message), shown
    assert _counts(app) == before  # no inquiry, question, letter or notice half-saved


def _zh_or_en(shown: str, message: str) -> bool:
    """The page speaks Chinese by default: accept the message in either language."""
    zh = {"Not a valid choice": "选择", "This field is required": "必填", "Not a valid integer value": "整数",
          "between 1 and 60": "1 到 60", "longer than 5000": "5000", "1000": "1000", "50": "50"}
    return zh.get(message, message) in shown


def test_an_empty_question_box_sends_the_kinds_standard_questions(app, client, sides):
    """Not an error: the form says an empty box means the standard questions of the kind."""
    login(client, sides["judge"].username)
    response = _post_issue(client, sides, questions=" \n \n")
    assert response.status_code == 303
    with app.app_context():
        inquiry = db.session.scalar(select(ComplianceInquiry))
        assert len(inquiry.questions) >= 2 and inquiry.questions[0].text.startswith("请提供预售资金监管账户")


def test_the_issue_form_of_an_unknown_or_another_courts_project_is_not_found(app, client, sides):
    login(client, sides["judge"].username)
    token = csrf_token(client, _issue_path(sides["project"]))
    data = {"csrf_token": token, "letter_type": "presale_funds", "working_days": "10", "questions": "问？"}
    assert client.post("/prevention/projects/2147483000/inquiries/new", data=data).status_code == 404
    assert client.get(_issue_path(sides["theirs"])).status_code == 404
    assert client.post(_issue_path(sides["theirs"]), data=data).status_code == 404
    staff = sides["staff"]
    other = client.application.test_client()
    login(other, staff.username)  # the developer itself does not issue inquiries
    assert other.post(_issue_path(sides["project"]), data={**data, "csrf_token": csrf_token(other, "/prevention/inquiries")}
                      ).status_code == 404
    assert _counts(app)[0] == 0


# --- The answer, review and rectification forms ---------------------------------------------


def _inquiry(app, sides, questions=("问一？", "问二？")) -> int:
    from app.services import inquiries

    with app.app_context():
        return inquiries.issue_inquiry(sides["project"].id, letter_type="presale_funds", working_days=10,
                                       questions=list(questions), actor=db.session.get(User, sides["judge"].id),
                                       now=utcnow()).id


def _answer(client, inquiry_id, **data):
    path = f"/prevention/inquiries/{inquiry_id}"
    form = {"csrf_token": csrf_token(client, path), "answer_1": "答一", "answer_2": "答二", **data}
    return client.post(f"{path}/answer", data=form, content_type="multipart/form-data")


@pytest.mark.parametrize("data, field", [
    ({"answer_2": ""}, "answer_2"),
    ({"answer_1": "答" * 5001}, "answer_1"),
    ({"answer_1": "答\x00"}, "answer_1"),
    ({"files_2": (io.BytesIO(b"<html></html>"), "x.pdf")}, "files_2"),
    ({"files_1": (io.BytesIO(b""), "empty.jpg")}, "files_1"),
    ({"files_1": [(io.BytesIO(JPEG), f"{n}.jpg") for n in range(11)]}, "files_1"),
])
def test_each_error_of_the_answer_form_is_shown_next_to_its_field_and_nothing_is_saved(
        app, client, sides, data, field):
    inquiry_id = _inquiry(app, sides)
    login(client, sides["staff"].username)
    before = _counts(app)
    response = _answer(client, inquiry_id, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and field_error(html, field), (field, html[:300])
    assert _counts(app) == before
    with app.app_context():
        inquiry = db.session.get(ComplianceInquiry, inquiry_id)
        assert inquiry.answered_at is None and [q.answer for q in inquiry.questions] == [None, None]


def _answered(app, sides) -> int:
    from app.services import inquiries

    inquiry_id = _inquiry(app, sides)
    with app.app_context():
        inquiries.answer_inquiry(inquiry_id, {1: "答一", 2: "答二"}, actor=db.session.get(User, sides["staff"].id),
                                 now=utcnow())
    return inquiry_id


@pytest.mark.parametrize("data, field", [
    ({"review_1": ""}, "review_1"),
    ({"review_2": "lenient"}, "review_2"),
    ({"reason_1": ""}, "reason_1"),
    ({"reason_2": "理" * 2001}, "reason_2"),
    ({"reason_1": "理由\x1b"}, "reason_1"),
    ({"review_2": "rectify"}, "rectify_by"),  # rectify without a date
    ({"review_2": "rectify", "rectify_by": "2020-01-01"}, "rectify_by"),  # a date in the past
    ({"review_2": "rectify", "rectify_by": "2026-02-30"}, "rectify_by"),  # no such day
])
def test_each_error_of_the_review_form_is_shown_next_to_its_field_and_nothing_is_saved(
        app, client, sides, data, field):
    inquiry_id = _answered(app, sides)
    login(client, sides["judge"].username)
    path = f"/prevention/inquiries/{inquiry_id}"
    form = {"csrf_token": csrf_token(client, path), "review_1": "compliant", "reason_1": "属实",
            "review_2": "compliant", "reason_2": "属实", "rectify_by": "", **data}
    response = client.post(f"{path}/review", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and field_error(html, field), (field, html[:300])
    with app.app_context():
        inquiry = db.session.get(ComplianceInquiry, inquiry_id)
        assert inquiry.review is None and [q.review for q in inquiry.questions] == [None, None]


@pytest.mark.parametrize("day", ["", "2099-01-01", "not-a-date"])
def test_the_rectification_date_is_required_and_not_in_the_future(app, client, sides, day):
    from datetime import timedelta

    from app.services import inquiries
    from mediation.lifecycle import court_date

    inquiry_id = _answered(app, sides)
    with app.app_context():
        inquiries.review_inquiry(inquiry_id, review="rectify", reason="补正", actor=db.session.get(User, sides["judge"].id),
                                 rectify_by=court_date(utcnow()) + timedelta(days=30), now=utcnow())
    login(client, sides["judge"].username)
    path = f"/prevention/inquiries/{inquiry_id}"
    response = client.post(f"{path}/rectified", data={"csrf_token": csrf_token(client, path), "rectified_on": day})
    assert response.status_code == 422 and field_error(response.get_data(as_text=True), "rectified_on")
    with app.app_context():
        assert db.session.get(ComplianceInquiry, inquiry_id).rectified_on is None
