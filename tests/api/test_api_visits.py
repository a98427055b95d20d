"""GET /api/v1/visits: a mediator's own visits, a judge's court's, nobody else's."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db
from app.models import User
from app.services import visits
from tests.factories import NOW

NINE = datetime(2026, 12, 3, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def booked(app, make):
    court = make.court()
    project = make.project(court=court)
    wang = make.user("mediator", court=court)
    case = make.case(project=project, status="assigned", mediator=wang.mediator)
    with app.app_context():
        visit = visits.schedule_visit(project.id, [case.id], room="会议室", starts_at=NINE,
                                      ends_at=NINE + timedelta(hours=1),
                                      actor=db.session.get(User, wang.id), now=NOW)
        visit_id = visit.id
    return dict(visit_id=visit_id, case=case, project=project, wang=wang,
                judge=make.user("judge", court=court), colleague=make.user("mediator", court=court),
                other_judge=make.user("judge"), owner=make.user("homeowner"))


def test_the_mediator_and_the_courts_judge_see_the_visit(client, bearer, booked):
    for who in ("wang", "judge"):
        response = client.get("/api/v1/visits?from=2026-12-03&to=2026-12-03",
                              headers=bearer(booked[who]))
        assert response.status_code == 200
        assert response.get_json()["items"] == [{
            "id": booked["visit_id"], "mediator_id": booked["wang"].mediator.id,
            "project_id": booked["project"].id, "starts_at": "2026-12-03T01:00:00Z",
            "ends_at": "2026-12-03T02:00:00Z", "case_ids": [booked["case"].id], "room": "会议室",
            "status": "planned", "moved_at": None, "cancelled_at": None, "cancel_reason": None}]


@pytest.mark.parametrize("who", ["colleague", "other_judge"])
def test_another_mediator_or_another_courts_judge_sees_nothing(client, bearer, booked, who):
    response = client.get("/api/v1/visits?from=2026-12-01&to=2026-12-31", headers=bearer(booked[who]))
    assert response.status_code == 200 and response.get_json()["items"] == []


def test_a_homeowner_is_refused_and_a_bad_window_is_named(client, bearer, booked):
    assert client.get("/api/v1/visits?from=2026-12-01&to=2026-12-31",
                      headers=bearer(booked["owner"])).status_code == 403
    response = client.get("/api/v1/visits?from=2026-12-31&to=2026-12-01", headers=bearer(booked["wang"]))
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "from"
    assert client.get("/api/v1/visits?from=2026-12-01&to=2026-12-31").status_code == 401


def test_a_moved_then_cancelled_visit_is_listed_marked_not_deleted(app, client, bearer, booked):
    later = NINE + timedelta(hours=4)
    with app.app_context():
        wang = db.session.get(User, booked["wang"].id)
        visits.move_visit(booked["visit_id"], room="物业会议室", starts_at=later, ends_at=later + timedelta(hours=1),
                          actor=wang, now=NOW)
        visits.cancel_visit(booked["visit_id"], reason="业主委员会改期", actor=wang, now=NOW + timedelta(hours=1))
    item = client.get("/api/v1/visits?from=2026-12-03&to=2026-12-03", headers=bearer(booked["judge"])).get_json()["items"]
    assert [(i["id"], i["status"], i["room"], i["starts_at"], i["cancel_reason"]) for i in item] == [
        (booked["visit_id"], "cancelled", "物业会议室", "2026-12-03T05:00:00Z", "业主委员会改期")]
    assert item[0]["moved_at"] == "2026-11-27T02:00:00Z" and item[0]["cancelled_at"] == "2026-11-27T03:00:00Z"
