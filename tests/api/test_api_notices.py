"""The phone app's inbox: GET /api/v1/notices and POST /api/v1/notices/{id}/read."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Mediator, Notice, User
from app.notify.outbox import queue_notice
from app.services import cases as case_service
from tests.factories import NOW


def notify(app, user, subject: str, minutes: int = 0) -> int:
    with app.app_context():
        queue_notice(user=db.session.get(User, user.id), kind="complaint_accepted",
                     subject=subject, body="正文", dedupe_key=f"api:{subject}:{user.id}",
                     now=NOW + timedelta(minutes=minutes))
        db.session.commit()
        return db.session.query(Notice.id).filter_by(subject=subject, user_id=user.id).scalar()


@pytest.mark.parametrize("call", [("get", "/api/v1/notices"), ("post", "/api/v1/notices/1/read")])
def test_the_inbox_calls_need_a_token(client, call):
    method, path = call
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = getattr(client, method)(path, headers=headers)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"


def test_a_user_reads_their_own_notices_newest_first_by_cursor(app, client, make, bearer):
    owner, neighbour = make.user("homeowner"), make.user("homeowner")
    for i in range(5):
        notify(app, owner, f"通知{i}", minutes=i)
    notify(app, neighbour, "邻居的通知")
    headers = bearer(owner)
    first = client.get("/api/v1/notices?limit=2", headers=headers).get_json()
    assert [n["subject"] for n in first["items"]] == ["通知4", "通知3"]
    assert first["unread"] == 5 and first["next_cursor"]
    item = first["items"][0]
    assert set(item) == {"id", "kind", "subject", "body", "case_id", "complaint_id",
                         "created_at", "read_at"}
    assert item["created_at"] == "2026-11-27T02:04:00Z" and item["read_at"] is None
    subjects, cursor = [n["subject"] for n in first["items"]], first["next_cursor"]
    while cursor:
        page = client.get("/api/v1/notices", query_string={"limit": 2, "cursor": cursor},
                          headers=headers).get_json()
        subjects += [n["subject"] for n in page["items"]]
        cursor = page["next_cursor"]
    assert subjects == ["通知4", "通知3", "通知2", "通知1", "通知0"]
    theirs = client.get("/api/v1/notices", headers=bearer(neighbour)).get_json()
    assert [n["subject"] for n in theirs["items"]] == ["邻居的通知"]


def test_list_arguments_are_checked(client, make, bearer):
    headers = bearer(make.user("homeowner"))
    for query in ({"limit": 0}, {"limit": 101}, {"limit": "x"}, {"cursor": "garbage!"},
                  {"cursor": "eyJ2IjoxLCJiIjotMX0"}):  # {"v":1,"b":-1}
        response = client.get("/api/v1/notices", query_string=query, headers=headers)
        assert response.status_code == 422, query
        assert response.get_json()["errors"][0]["field"] in ("limit", "cursor")


def test_marking_read_answers_the_notice_and_keeps_the_first_reading(app, client, make, bearer):
    owner = make.user("homeowner")
    notice_id = notify(app, owner, "一条通知")
    headers = bearer(owner)
    response = client.post(f"/api/v1/notices/{notice_id}/read", headers=headers)
    body = response.get_json()
    assert response.status_code == 200 and body["id"] == notice_id and body["read_at"]
    again = client.post(f"/api/v1/notices/{notice_id}/read", headers=headers).get_json()
    assert again["read_at"] == body["read_at"]
    assert client.get("/api/v1/notices", headers=headers).get_json()["unread"] == 0


@pytest.mark.parametrize("role", ["homeowner", "developer", "mediator", "judge"])
def test_someone_elses_notice_is_404_and_stays_unread(app, client, make, bearer, role):
    """Can a {role} read or mark another user's notice by its id? No: 404, no data."""
    owner = make.user("homeowner")
    notice_id = notify(app, owner, "别人的通知")
    response = client.post(f"/api/v1/notices/{notice_id}/read", headers=bearer(make.user(role)))
    assert response.status_code == 404
    assert "别人的通知" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Notice, notice_id).read_at is None
    assert client.post("/api/v1/notices/2147483647/read",
                       headers=bearer(owner)).status_code == 404


def test_a_mediator_finds_a_new_assignment_in_the_api_inbox(app, client, make, bearer):
    """End to end through the service: the judge assigns, the mediator's phone shows it."""
    case = make.case()
    judge = make.user("judge", court=case.court)
    mediator = make.user("mediator", court=case.court, name="陈调解")
    with app.app_context():
        mediator_id = db.session.query(Mediator.id).filter_by(user_id=mediator.id).scalar()
        case_service.assign_mediator(case.id, mediator_id, actor=db.session.get(User, judge.id),
                                     now=NOW)
    body = client.get("/api/v1/notices", headers=bearer(mediator)).get_json()
    [item] = body["items"]
    assert item["kind"] == "mediator_assigned" and item["case_id"] == case.id
    assert case.number in item["subject"]
    assert client.get(f"/api/v1/cases/{item['case_id']}", headers=bearer(mediator)).status_code == 200


def test_the_openapi_document_describes_the_inbox(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "get" in document["paths"]["/api/v1/notices"]
    assert "post" in document["paths"]["/api/v1/notices/{notice_id}/read"]
    assert document["paths"]["/api/v1/notices"]["get"]["security"] == [{"bearer": []}]
    schemas = document["components"]["schemas"]
    assert {"items", "next_cursor", "unread"} <= set(schemas["NoticeList"]["properties"])
    assert "read_at" in schemas["NoticeItem"]["properties"]
