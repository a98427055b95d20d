"""Projects, statistics and the OpenAPI document."""
from __future__ import annotations

from datetime import datetime, timezone


def test_projects_are_listed_and_searchable(client, make, bearer):
    wanted = make.project(name="椰风海韵")
    make.project(name="航天花园")
    headers = bearer(make.user("homeowner"))
    everything = client.get("/api/v1/projects", headers=headers).get_json()["items"]
    assert {p["name"] for p in everything} >= {"椰风海韵", "航天花园"}
    found = client.get("/api/v1/projects?q=椰风", headers=headers).get_json()["items"]
    assert found == [{"id": wanted.id, "name": "椰风海韵", "developer_id": wanted.developer_id,
                      "town": wanted.town.name}]


def test_project_search_treats_wildcards_literally(client, make, bearer):
    make.project(name="航天花园")
    headers = bearer(make.user("homeowner"))
    for q in ("%", "_", "\\", "' OR 1=1 --"):
        response = client.get("/api/v1/projects", query_string={"q": q}, headers=headers)
        assert response.status_code == 200
        assert response.get_json()["items"] == []


def test_projects_need_a_token(client):
    assert client.get("/api/v1/projects").status_code == 401


def test_stats_summary_counts_the_judges_own_court(client, make, bearer):
    case = make.case(status="closed", outcome="mediated",
                     concluded_at=datetime(2026, 11, 26, tzinfo=timezone.utc))
    make.case()  # another court's case: not counted
    judge = make.user("judge", court=case.court)
    response = client.get("/api/v1/stats/summary?from=2026-01-01&to=2026-12-31", headers=bearer(judge))
    body = response.get_json()
    assert response.status_code == 200
    assert {k: body[k] for k in ("received", "accepted", "closed", "mediated", "withdrawn", "judged",
                                 "dismissed", "mediation_withdrawal_rate")} == {
        "received": 1, "accepted": 1, "closed": 1, "mediated": 1, "withdrawn": 0, "judged": 0,
        "dismissed": 0, "mediation_withdrawal_rate": 1.0}


def test_stats_summary_is_for_judges_only_and_checks_its_dates(client, make, bearer):
    for role in ("homeowner", "developer", "mediator", "admin"):
        response = client.get("/api/v1/stats/summary?from=2026-01-01&to=2026-12-31",
                              headers=bearer(make.user(role)))
        assert response.status_code == 403, role
    judge_headers = bearer(make.user("judge"))
    bad = client.get("/api/v1/stats/summary?from=2026-13-01&to=2026-12-31", headers=judge_headers)
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "from"
    backwards = client.get("/api/v1/stats/summary?from=2026-12-01&to=2026-01-31", headers=judge_headers)
    assert backwards.status_code == 422


def test_the_openapi_document_describes_every_call(client):
    response = client.get("/api/v1/openapi.json")
    document = response.get_json()
    assert response.status_code == 200
    assert document["openapi"].startswith("3.")
    expected = {"/api/v1/auth/token": "post", "/api/v1/me": "get", "/api/v1/projects": "get",
                "/api/v1/complaints": "post", "/api/v1/complaints/{complaint_id}": "get",
                "/api/v1/cases": "get", "/api/v1/cases/{case_id}": "get",
                "/api/v1/stats/summary": "get", "/api/v1/openapi.json": "get"}
    for path, method in expected.items():
        assert method in document["paths"][path], path
    schemas = document["components"]["schemas"]
    assert schemas["ComplaintIn"]["properties"]["dispute_type"]["enum"][0] == "late_delivery"
    assert document["paths"]["/api/v1/me"]["get"]["security"] == [{"bearer": []}]
