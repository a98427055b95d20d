"""The API answers in Chinese unless Accept-Language asks for English: problem documents'
title, detail and field messages, the timeline and the inbox."""
from __future__ import annotations

from app.extensions import db
from app.models import User
from app.services import triage
from tests.factories import NOW

EN = {"Accept-Language": "en-US,en;q=0.9"}


def test_a_problem_document_is_chinese_by_default_and_english_when_asked(client, make, bearer):
    headers = bearer(make.user("judge"))
    chinese = client.get("/api/v1/cases/2147483647", headers=headers)
    english = client.get("/api/v1/cases/2147483647", headers={**headers, **EN})
    assert chinese.status_code == english.status_code == 404
    assert chinese.mimetype == english.mimetype == "application/problem+json"
    assert (chinese.get_json()["title"], chinese.get_json()["detail"]) == ("未找到", "没有这个案件。")
    assert (english.get_json()["title"], english.get_json()["detail"]) == ("Not Found", "No such case.")


def test_a_service_refusal_names_its_field_in_the_asked_language(client, make, bearer):
    headers = bearer(make.user("judge"))
    chinese = client.get("/api/v1/cases?status=bogus", headers=headers).get_json()
    english = client.get("/api/v1/cases?status=bogus", headers={**headers, **EN}).get_json()
    assert chinese["title"] == "输入有误" and english["title"] == "Invalid input"
    assert chinese["errors"] == [{"field": "status", "message": "未知的案件状态“bogus”"}]
    assert english["errors"] == [{"field": "status", "message": "Unknown case status “bogus”"}]


def test_a_language_the_api_does_not_speak_gets_chinese(client, make, bearer):
    headers = {**bearer(make.user("judge")), "Accept-Language": "fr"}
    assert client.get("/api/v1/cases/2147483647", headers=headers).get_json()["title"] == "未找到"


def test_an_http_error_of_the_framework_is_translated_too(client):
    chinese = client.get("/api/v1/no-such-call").get_json()
    english = client.get("/api/v1/no-such-call", headers=EN).get_json()
    assert chinese["title"] == "未找到" and chinese["detail"] == "没有这个地址。"
    assert english["title"] == "Not Found" and english["detail"].startswith("The requested URL")


def test_the_timeline_and_the_inbox_follow_accept_language(app, client, make, bearer):
    court = make.court()
    project = make.project(court=court, name="椰风海韵")
    judge = make.user("judge", court=court)
    owner = make.user("homeowner")
    complaint = make.complaint(project=project, person=owner.person)
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=db.session.get(User, judge.id), now=NOW)
        case_id, number = case.id, case.number
    judge_headers = bearer(judge)
    timeline = client.get(f"/api/v1/cases/{case_id}", headers={**judge_headers, **EN}).get_json()["timeline"]
    assert timeline[0]["reason"] == f"Complaint {complaint.receipt_no} accepted"
    timeline = client.get(f"/api/v1/cases/{case_id}", headers=judge_headers).get_json()["timeline"]
    assert timeline[0]["reason"] == f"受理投诉{complaint.receipt_no}"
    owner_headers = bearer(owner)
    [notice] = client.get("/api/v1/notices", headers={**owner_headers, **EN}).get_json()["items"]
    assert notice["subject"] == f"Complaint accepted: {number}"
    [notice] = client.get("/api/v1/notices", headers=owner_headers).get_json()["items"]
    assert notice["subject"] == f"投诉已受理：{number}"


def test_the_schemas_own_messages_are_chinese_by_default_and_english_when_asked(client, make, bearer):
    headers = bearer(make.user("homeowner"))
    body = {"project_id": 1, "unit": "1栋101", "dispute_type": "nonsense", "facts": "逾期交房"}
    chinese = client.post("/api/v1/complaints", json=body, headers=headers).get_json()
    english = client.post("/api/v1/complaints", json=body, headers={**headers, **EN}).get_json()
    zh = {e["field"]: e["message"] for e in chinese["errors"]}
    en = {e["field"]: e["message"] for e in english["errors"]}
    assert zh["claims"] == "缺少必填字段。" and en["claims"] == "Missing data for required field."
    assert zh["dispute_type"].startswith("应为以下之一：late_delivery")
    assert en["dispute_type"].startswith("Must be one of: late_delivery")
