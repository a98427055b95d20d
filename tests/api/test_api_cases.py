"""Complaints and cases through the API, checked from every party's side (docs/contracts.md)."""
from __future__ import annotations

import pytest


def _complaint_body(project, **overrides):
    body = {"project_id": project, "unit": "3栋502", "dispute_type": "late_delivery",
            "facts": "合同约定2025年6月30日交房，至今未交付。",
            "claims": [{"kind": "逾期交房违约金", "amount_fen": 3_650_050}]}
    body.update(overrides)
    return body


def test_a_homeowner_files_a_complaint_and_follows_it(client, make, bearer):
    project = make.project()
    owner = make.user("homeowner")
    headers = bearer(owner)
    created = client.post("/api/v1/complaints", json=_complaint_body(project.id), headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    assert set(body) == {"id", "receipt_no", "status"} and body["status"] == "submitted"
    shown = client.get(f"/api/v1/complaints/{body['id']}", headers=headers).get_json()
    assert shown["claims"] == [{"kind": "逾期交房违约金", "amount_fen": 3_650_050}]
    assert shown["case_number"] is None and shown["submitted_at"].endswith("Z")


@pytest.mark.parametrize("change, field", [
    ({"project_id": 999999}, "project_id"),
    ({"dispute_type": "noise"}, "dispute_type"),
    ({"claims": [{"kind": "违约金", "amount_fen": 12.5}]}, "claims.0.amount_fen"),
    ({"claims": [{"kind": "违约金", "amount_fen": -1}]}, "claims.0.amount_fen"),
    ({"claims": [{"kind": "违约金", "amount_fen": "100"}]}, "claims.0.amount_fen"),
    ({"facts": ""}, "facts"),
])
def test_invalid_complaints_are_problem_documents_naming_the_field(client, make, bearer, change, field):
    project = make.project()
    headers = bearer(make.user("homeowner"))
    response = client.post("/api/v1/complaints", json=_complaint_body(project.id, **change), headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in [e["field"] for e in response.get_json()["errors"]]


def test_only_parties_file_complaints(client, make, bearer):
    project = make.project()
    for role in ("judge", "mediator", "admin"):
        response = client.post("/api/v1/complaints", json=_complaint_body(project.id),
                               headers=bearer(make.user(role)))
        assert response.status_code == 403, role


@pytest.mark.parametrize("who, expected", [
    ("filer", 200), ("judge_of_the_court", 200), ("other_homeowner", 404),
    ("other_developer", 404), ("judge_of_another_court", 404), ("unassigned_mediator", 404),
])
def test_who_can_read_a_complaint(client, make, bearer, who, expected):
    """Can {who} read the complaint? Never someone else's: 404, no data."""
    owner = make.user("homeowner")
    complaint = make.complaint(person=owner.person)
    users = {
        "filer": owner,
        "judge_of_the_court": lambda: make.user("judge", court=complaint.project.court),
        "other_homeowner": lambda: make.user("homeowner"),
        "other_developer": lambda: make.user("developer"),
        "judge_of_another_court": lambda: make.user("judge"),
        "unassigned_mediator": lambda: make.user("mediator", court=complaint.project.court),
    }
    user = users[who] if who == "filer" else users[who]()
    response = client.get(f"/api/v1/complaints/{complaint.id}", headers=bearer(user))
    assert response.status_code == expected
    if expected == 404:
        assert complaint.receipt_no not in response.get_data(as_text=True)


def test_case_lists_are_scoped_by_role_and_paginated_by_cursor(client, make, bearer):
    mediator = make.user("mediator")
    project = make.project(court=mediator.court)
    assigned = make.case(project=project, status="assigned", mediator=mediator.mediator)
    others = [make.case(project=project) for _ in range(4)]
    elsewhere = make.case()
    judge = make.user("judge", court=project.court)

    headers = bearer(judge)
    first = client.get("/api/v1/cases?limit=2", headers=headers).get_json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    numbers = [c["number"] for c in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get("/api/v1/cases", query_string={"limit": 2, "cursor": cursor}, headers=headers).get_json()
        numbers += [c["number"] for c in page["items"]]
        cursor = page["next_cursor"]
    assert sorted(numbers) == sorted([assigned.number] + [c.number for c in others])
    assert elsewhere.number not in numbers

    mine = client.get("/api/v1/cases", headers=bearer(mediator)).get_json()["items"]
    assert [c["number"] for c in mine] == [assigned.number]
    developer = make.user("developer", developer=elsewhere.developer)
    theirs = client.get("/api/v1/cases", headers=bearer(developer)).get_json()["items"]
    assert [c["number"] for c in theirs] == [elsewhere.number]


def test_case_list_arguments_are_checked(client, make, bearer):
    headers = bearer(make.user("judge"))
    assert client.get("/api/v1/cases?limit=0", headers=headers).status_code == 422
    assert client.get("/api/v1/cases?project_id=x", headers=headers).status_code == 422
    bad = client.get("/api/v1/cases?cursor=not-a-cursor", headers=headers)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"


def test_a_case_with_its_timeline_is_for_its_parties_only(client, make, bearer):
    owner = make.user("homeowner")
    case = make.case(claimant=owner.person)
    body = client.get(f"/api/v1/cases/{case.id}", headers=bearer(owner)).get_json()
    assert body["number"] == case.number and isinstance(body["timeline"], list)
    assert body["complaints"][0]["claimant"]["resident_id"] == owner.person.resident_id
    judge = make.user("judge", court=case.court)
    seen_by_judge = client.get(f"/api/v1/cases/{case.id}", headers=bearer(judge)).get_json()
    assert seen_by_judge["complaints"][0]["claimant"]["resident_id"] != owner.person.resident_id
    for stranger in (make.user("homeowner"), make.user("developer"), make.user("judge")):
        response = client.get(f"/api/v1/cases/{case.id}", headers=bearer(stranger))
        assert response.status_code == 404
        assert case.number not in response.get_data(as_text=True)
