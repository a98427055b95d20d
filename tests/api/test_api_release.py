"""The release API: approving a stage once, even when many judges' requests arrive at once;
the asset ledger; a developer sees only its own plans and assets."""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from app.services import release
from tests.services.test_release import NOW, frozen_developer, judge_of_the_cases  # noqa: F401  (the fixture)


@pytest.fixture
def proposed_plan(app, frozen_developer):  # noqa: F811
    with app.app_context():
        plan = release.propose_plan(frozen_developer["developer"], actor_id=None, now=NOW)
        return {**frozen_developer, "plan": plan.id}


def test_a_judge_approves_a_stage_once_and_the_ledger_shows_it(app, client, make, bearer, proposed_plan):
    judge = judge_of_the_cases(app, make, proposed_plan)
    headers = bearer(judge)
    url = f"/api/v1/release-plans/{proposed_plan['plan']}/stages/1/approve"
    first = client.post(url, headers=headers)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["status"] == "released"
    again = client.post(url, headers=headers)
    assert again.status_code == 409
    asset = client.get(f"/api/v1/assets/{proposed_plan['assets'][0]}", headers=headers).get_json()
    assert set(asset) >= {"id", "kind", "frozen_fen", "released_fen", "remaining_fen", "ledger"}
    assert asset["frozen_fen"] == asset["released_fen"] + asset["remaining_fen"]
    assert sum(line["amount_fen"] for line in asset["ledger"]) == asset["released_fen"]


def test_a_stage_whose_preconditions_are_unmet_is_refused_with_409(app, client, make, bearer, proposed_plan):
    headers = bearer(judge_of_the_cases(app, make, proposed_plan))
    response = client.post(f"/api/v1/release-plans/{proposed_plan['plan']}/stages/2/approve", headers=headers)
    assert response.status_code == 409
    assert "stage 1 not released" in response.get_json()["detail"]


def test_only_judges_approve_and_a_developer_sees_only_its_own(client, make, bearer, proposed_plan):
    with client.application.app_context():
        from app.models import Developer

        own = db.session.get(Developer, proposed_plan["developer"])
    developer_user = make.user("developer", developer=own)
    headers = bearer(developer_user)
    assert client.post(f"/api/v1/release-plans/{proposed_plan['plan']}/stages/1/approve",
                       headers=headers).status_code == 403
    mine = client.get(f"/api/v1/release-plans?developer_id={proposed_plan['developer']}", headers=headers)
    assert mine.status_code == 200 and [p["id"] for p in mine.get_json()["items"]] == [proposed_plan["plan"]]
    other = make.developer()
    assert client.get(f"/api/v1/release-plans?developer_id={other.id}", headers=headers).status_code == 404


def test_a_judge_of_another_court_finds_nothing_of_the_developer(client, make, bearer, proposed_plan):
    """The other court's side: no plan list, no asset, no approval — 404, and nothing released."""
    headers = bearer(make.user("judge"))  # a judge of a court holding no case against it
    plans = client.get(f"/api/v1/release-plans?developer_id={proposed_plan['developer']}", headers=headers)
    assert plans.status_code == 404
    assert client.get(f"/api/v1/assets/{proposed_plan['assets'][0]}", headers=headers).status_code == 404
    url = f"/api/v1/release-plans/{proposed_plan['plan']}/stages/1/approve"
    assert client.post(url, headers=headers).status_code == 404
    with client.application.app_context():
        assert release.plans_of(proposed_plan["developer"])[0].stages[0].status == "proposed"


def test_a_homeowner_is_refused_for_the_role_before_any_argument_is_read(client, make, bearer, proposed_plan):
    headers = bearer(make.user("homeowner"))
    for url in ("/api/v1/release-plans", "/api/v1/release-plans?developer_id=x",
                f"/api/v1/release-plans?developer_id={proposed_plan['developer']}",
                f"/api/v1/assets/{proposed_plan['assets'][0]}"):
        response = client.get(url, headers=headers)
        assert response.status_code == 403, url
        assert response.headers["Content-Type"].startswith("application/problem+json")


def test_the_developer_id_is_checked_after_the_role(app, client, make, bearer, proposed_plan):
    headers = bearer(judge_of_the_cases(app, make, proposed_plan))
    assert client.get("/api/v1/release-plans", headers=headers).status_code == 422
    assert client.get("/api/v1/release-plans?developer_id=2147483648", headers=headers).status_code == 422
    mine = client.get(f"/api/v1/release-plans?developer_id={proposed_plan['developer']}", headers=headers)
    assert mine.status_code == 200 and [p["id"] for p in mine.get_json()["items"]] == [proposed_plan["plan"]]


def test_many_judges_approving_at_once_release_the_stage_once(app, make, bearer, proposed_plan):
    """Served on loopback by a threaded werkzeug server; 8 simultaneous approvals."""
    headers = bearer(judge_of_the_cases(app, make, proposed_plan))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/release-plans/{proposed_plan['plan']}/stages/1/approve"
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def approve():
        barrier.wait()
        request = urllib.request.Request(url, method="POST", headers=headers, data=b"")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    started = time.perf_counter()
    workers = [threading.Thread(target=approve) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    server.shutdown()
    backend = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
    print(f"8 concurrent approvals on {backend}: {sorted(statuses)} in {elapsed:.3f} s")
    assert sorted(statuses) == [200] + [409] * 7
    with app.app_context():
        stage_one = json.loads(db.session.get(release.ReleasePlan, proposed_plan["plan"]).plan_json)["stages"][0]
        ledger = db.session.query(release.AssetRelease).all()
        assert len(ledger) == len(stage_one["release"])
        for asset in db.session.query(release.FrozenAsset):
            assert asset.released_fen <= asset.frozen_fen


def test_the_summary_counts_counter_guarantee_cases_and_the_released_value(client, make, bearer, proposed_plan):
    from app.models import Case

    with client.application.app_context():
        court = db.session.get(Case, proposed_plan["cases"][0]).court
    headers = bearer(make.user("judge", court=court))
    client.post(f"/api/v1/release-plans/{proposed_plan['plan']}/stages/1/approve", headers=headers)
    with client.application.app_context():
        stage_one = json.loads(db.session.get(release.ReleasePlan, proposed_plan["plan"]).plan_json)["stages"][0]
    from datetime import datetime, timedelta, timezone

    day = (datetime.now(timezone.utc) + timedelta(hours=8)).date()
    summary = client.get(f"/api/v1/stats/summary?from={day - timedelta(days=1)}&to={day}", headers=headers).get_json()
    assert summary["counter_guarantee_cases"] == 1  # the bank letter covers the first case
    assert summary["released_fen"] == sum(r["amount"] for r in stage_one["release"])


def test_a_developer_id_past_the_integer_range_is_422_not_500(client, make, bearer):
    """Found by tests/fuzz on PostgreSQL: ?developer_id=-142043192491247963 reached SQL."""
    headers = bearer(make.user("judge"))
    for value in ("-142043192491247963", "2147483648", "abc"):
        response = client.get(f"/api/v1/release-plans?developer_id={value}", headers=headers)
        assert response.status_code == 422, (value, response.status_code)
        assert response.get_json()["errors"][0]["field"] == "developer_id"
