"""GET /api/v1/inquiries, POST /api/v1/inquiries/{id}/answers, GET /api/v1/warnings:
a developer's own, a judge's court's, each item with developer_id; never another's."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models import User
from app.models.types import utcnow


@pytest.fixture
def world(app, make):
    from app.services import inquiries
    from app.services.early_warnings import evaluate_warnings

    court = make.court()
    project = make.project(court=court)
    theirs = make.project()
    judge = make.user("judge", court=court)
    their_judge = make.user("judge", court=theirs.court)
    with app.app_context():
        mine = inquiries.issue_inquiry(project.id, letter_type="advertising", working_days=10,
                                       actor=db.session.get(User, judge.id), now=utcnow()).id
        other = inquiries.issue_inquiry(theirs.id, letter_type="advertising", working_days=10,
                                        actor=db.session.get(User, their_judge.id), now=utcnow()).id
        evaluate_warnings(now=utcnow())
    return {"project": project, "theirs": theirs, "judge": judge, "mine": mine, "other": other,
            "staff": make.user("developer", developer=project.developer),
            "stranger": make.user("developer", developer=theirs.developer)}


def test_a_developer_lists_only_its_own_inquiries_and_warnings(client, world, bearer):
    headers = bearer(world["staff"])
    items = client.get("/api/v1/inquiries", headers=headers).get_json()["items"]
    assert [i["id"] for i in items] == [world["mine"]]
    assert items[0]["developer_id"] == world["project"].developer_id and items[0]["state"] == "awaiting"
    warnings = client.get("/api/v1/warnings", headers=headers).get_json()["items"]
    assert warnings and {w["developer_id"] for w in warnings} == {world["project"].developer_id}
    assert any(w["warnings"][0]["rule"] == "overdue_delivery" for w in warnings)


def test_a_judge_lists_the_courts_and_a_homeowner_is_refused(client, world, bearer, make):
    items = client.get("/api/v1/inquiries", headers=bearer(world["judge"])).get_json()["items"]
    assert [i["id"] for i in items] == [world["mine"]]
    assert client.get("/api/v1/warnings", headers=bearer(make.user("homeowner"))).status_code == 403


def test_a_developer_answers_its_own_inquiry_and_never_anothers(client, world, bearer):
    body = {"answers": [{"position": 1, "text": "资料见附件"}, {"position": 2, "text": "已写入合同"}]}
    stranger = client.post(f"/api/v1/inquiries/{world['mine']}/answers", json=body, headers=bearer(world["stranger"]))
    assert stranger.status_code == 404 and "资料见附件" not in stranger.get_data(as_text=True)
    judge = client.post(f"/api/v1/inquiries/{world['mine']}/answers", json=body, headers=bearer(world["judge"]))
    assert judge.status_code == 403
    headers = bearer(world["staff"])
    short = client.post(f"/api/v1/inquiries/{world['mine']}/answers", json={"answers": body["answers"][:1]},
                        headers=headers)
    assert short.status_code == 422 and short.headers["Content-Type"].startswith("application/problem+json")
    done = client.post(f"/api/v1/inquiries/{world['mine']}/answers", json=body, headers=headers)
    assert done.status_code == 200 and done.get_json()["state"] == "answered"
    assert [q["answer"] for q in done.get_json()["questions"]] == ["资料见附件", "已写入合同"]
    again = client.post(f"/api/v1/inquiries/{world['mine']}/answers", json=body, headers=headers)
    assert again.status_code == 409
