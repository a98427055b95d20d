"""Prevention in the browser's terms: a judge issues an inquiry, the developer answers it
with a file, the judge reviews each answer; a rise of level becomes a notice the developer
signs and answers with commitments; a judge records one broken and blacklists; the risk
pages. Always from the other side too: developer Y never sees, answers or signs X's."""
from __future__ import annotations

import io
import re

import pytest

from app.models.types import utcnow
from tests.web.helpers import csrf_token, get_page, login

PDF_FILE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def sides(make):
    court = make.court()
    project = make.project(court=court)
    return {"project": project, "judge": make.user("judge", court=court),
            "staff": make.user("developer", developer=project.developer),
            "stranger": make.user("developer"), "other_judge": make.user("judge")}


def _issue(client, sides, **data) -> int:
    path = f"/prevention/projects/{sides['project'].id}/inquiries/new"
    login(client, sides["judge"].username)
    form = {"csrf_token": csrf_token(client, path), "letter_type": "presale_funds", "working_days": "5",
            "questions": "资金监管账户余额？\n拨付是否与节点一致？", **data}
    response = client.post(path, data=form)
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(re.search(r"/inquiries/(\d+)", response.headers["Location"]).group(1))


def test_a_judge_issues_an_inquiry_and_the_developer_answers_each_question_with_a_file(app, client, sides):
    inquiry_id = _issue(client, sides)
    _, html = get_page(client, f"/prevention/inquiries/{inquiry_id}")
    assert "资金监管账户余额？" in html and 'data-testid="letter"' in html
    letter = re.search(r'href="(/prevention/documents/\d+)"', html).group(1)
    assert client.get(letter).data.startswith(b"%PDF")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})

    stranger = app.test_client()
    login(stranger, sides["stranger"].username)
    assert stranger.get(f"/prevention/inquiries/{inquiry_id}").status_code == 404
    assert stranger.get(letter).status_code == 404
    token = csrf_token(stranger, "/prevention/inquiries")
    refused = stranger.post(f"/prevention/inquiries/{inquiry_id}/answer",
                            data={"csrf_token": token, "answer_1": "冒答", "answer_2": "冒答"})
    assert refused.status_code == 404
    assert f'data-inquiry-id="{inquiry_id}"' not in stranger.get("/prevention/inquiries").get_data(as_text=True)

    login(client, sides["staff"].username)
    path = f"/prevention/inquiries/{inquiry_id}"
    assert f'data-inquiry-id="{inquiry_id}"' in client.get("/prevention/inquiries").get_data(as_text=True)
    missing = client.post(f"{path}/answer", data={"csrf_token": csrf_token(client, path), "answer_1": "余额5000万元"})
    assert missing.status_code == 422 and "请回答第2个问题" in missing.get_data(as_text=True)
    answered = client.post(f"{path}/answer", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, path), "answer_1": "余额5000万元", "answer_2": "一致",
        "files_2": (io.BytesIO(PDF_FILE), "拨付记录.pdf")})
    assert answered.status_code == 303
    _, html = get_page(client, path)
    assert "余额5000万元" in html and "拨付记录.pdf" in html
    attachment = re.search(r'href="(/prevention/attachments/\d+)"', html).group(1)
    assert client.get(attachment).data == PDF_FILE
    assert stranger.get(attachment).status_code == 404


def test_the_judge_reviews_each_answer_and_another_courts_judge_cannot(app, client, sides):
    from app.extensions import db
    from app.models import User
    from app.services import inquiries

    inquiry_id = _issue(client, sides)
    with app.app_context():
        inquiries.answer_inquiry(inquiry_id, {1: "答一", 2: "答二"}, actor=db.session.get(User, sides["staff"].id),
                                 now=utcnow())
    other = app.test_client()
    login(other, sides["other_judge"].username)
    assert other.get(f"/prevention/inquiries/{inquiry_id}").status_code == 404
    path = f"/prevention/inquiries/{inquiry_id}"
    form = {"csrf_token": csrf_token(client, path), "review_1": "compliant", "reason_1": "属实",
            "review_2": "non_compliant", "reason_2": ""}
    refused = client.post(f"{path}/review", data=form)
    assert refused.status_code == 422 and "请写明审查理由" in refused.get_data(as_text=True)
    assert client.post(f"{path}/review", data={**form, "reason_2": "资金被挪用"}).status_code == 303
    _, html = get_page(client, path)
    assert 'data-state="non_compliant"' in html and "资金被挪用" in html


def test_a_rise_is_a_notice_the_developer_signs_and_answers_and_no_other_developer_can(app, client, sides):
    from app.extensions import db
    from app.models import Notice, WarningNotice
    from app.services.early_warnings import evaluate_warnings
    from app.services.warning_notices import issue_notice_documents

    with app.app_context():
        evaluate_warnings(now=utcnow())
        assert issue_notice_documents(now=utcnow()) >= 1
        notice = db.session.scalar(db.select(WarningNotice).where(WarningNotice.project_id == sides["project"].id))
        notice_id = notice.id
        told = db.session.scalars(db.select(Notice).where(Notice.kind == "warning_issued")).all()
        assert {n.user_id for n in told} == {sides["staff"].id}
    path = f"/prevention/warnings/{notice_id}"

    stranger = app.test_client()
    login(stranger, sides["stranger"].username)
    token = csrf_token(stranger, "/prevention/warnings")
    assert stranger.get(path).status_code == 404
    assert stranger.post(f"{path}/acknowledge", data={"csrf_token": token}).status_code == 404
    assert stranger.post(f"{path}/answer", data={"csrf_token": token, "plan": "冒名"}).status_code == 404

    login(client, sides["staff"].username)
    _, html = get_page(client, path)
    assert "已逾期" in html and "(PDF)" in html
    assert client.post(f"{path}/acknowledge", data={"csrf_token": csrf_token(client, path)}).status_code == 303
    no_date = client.post(f"{path}/answer", data={
        "csrf_token": csrf_token(client, path), "plan": "加快施工",
        "commitments-0-text": "主体封顶", "commitments-0-due_on": ""})
    assert no_date.status_code == 422 and "承诺日期应晚于今天" in no_date.get_data(as_text=True)
    assert client.post(f"{path}/answer", data={
        "csrf_token": csrf_token(client, path), "plan": "加快施工",
        "commitments-0-text": "主体封顶", "commitments-0-due_on": "2099-01-31"}).status_code == 303
    _, html = get_page(client, path)
    assert "加快施工" in html and "主体封顶" in html
    _, own = get_page(client, "/prevention/warnings")
    assert "主体封顶" in own  # what it must do next
    _, theirs = get_page(stranger, "/prevention/warnings")
    assert "主体封顶" not in theirs and sides["project"].name not in theirs


def test_a_judge_blacklists_with_a_reason_and_the_page_says_its_guarantees_are_refused(app, client, sides):
    path = f"/prevention/developers/{sides['project'].developer_id}"
    login(client, sides["judge"].username)
    empty = client.post(f"{path}/blacklist", data={"csrf_token": csrf_token(client, path), "reason": ""})
    assert empty.status_code == 422 and "请写明列入失信名单的理由" in empty.get_data(as_text=True)
    assert client.post(f"{path}/blacklist", data={"csrf_token": csrf_token(client, path),
                                                  "reason": "三次虚假承诺"}).status_code == 303
    _, html = get_page(client, path)
    assert 'data-testid="blacklisted"' in html and "三次虚假承诺" in html
    other = app.test_client()
    login(other, sides["other_judge"].username)
    assert other.get(path).status_code == 404
    assert other.post(f"{path}/blacklist", data={"csrf_token": csrf_token(other, "/prevention/risk"),
                                                 "reason": "x"}).status_code == 404


def test_the_risk_page_draws_the_towns_and_says_the_coordinates_are_approximate(app, client, sides):
    from app.services.early_warnings import evaluate_warnings

    with app.app_context():
        evaluate_warnings(now=utcnow())
    login(client, sides["judge"].username)
    _, html = get_page(client, "/prevention/risk")
    assert 'data-testid="town-map"' in html and 'data-level="red"' in html
    assert "近似坐标" in html and "overdue_delivery" in html and sides["project"].name in html
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "style=" not in svg and "<script" not in svg
    _, project = get_page(client, f"/prevention/projects/{sides['project'].id}")
    assert 'data-testid="level"' in project and "红色" in project
