"""The demo tells the seed's release story: two developers, 13 cases mediated through
counter-guarantees, 30,000,000 yuan released in stages; one more plan waits for approval."""
from __future__ import annotations

import json

from sqlalchemy import select


def test_the_demo_releases_30_million_yuan_for_13_cases_and_keeps_a_stage_ready(app, client):
    from app.demo import build_demo
    from app.extensions import db
    from app.models import Case, User
    from app.models.release import CounterGuarantee, ReleasePlan
    from app.services import release
    from mediation.lifecycle import court_date

    with app.app_context():
        lines: list[str] = []
        build_demo(seed=2020, echo=lines.append, password="Demo@2026")
        today = court_date(max(p.created_at for p in db.session.scalars(select(ReleasePlan))))
        plans = db.session.scalars(select(ReleasePlan).order_by(ReleasePlan.id)).all()
        statuses = [[s.status for s in p.stages] for p in plans]
        waiting = plans[-1]
        assert release.stage_preconditions_unmet(waiting, 1) == []
        first_release = json.loads(waiting.plan_json)["stages"][0]["release"]
        covered = {c.id for g in db.session.scalars(select(CounterGuarantee)) for c in g.cases}
        outcomes = {db.session.get(Case, c).outcome for c in covered}
        waiting_id, waiting_developer = waiting.id, waiting.developer_id
        db.session.remove()
    assert len(plans) == 3
    assert all(s == "released" for s in statuses[0] + statuses[1]) and len(statuses[0] + statuses[1]) >= 3
    assert statuses[2][0] == "proposed" and first_release
    assert len(covered) == 13 and outcomes == {"mediated"}
    assert any("13 cases under counter-guarantees" in line for line in lines)

    token = client.post("/api/v1/auth/token", json={"username": "judge", "password": "Demo@2026"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    period = f"from={today.replace(month=1, day=1) if today.month > 6 else today.replace(year=today.year - 1)}&to={today}"
    summary = client.get(f"/api/v1/stats/summary?{period}", headers=headers)
    assert summary.status_code == 200, summary.get_json()
    assert summary.get_json()["counter_guarantee_cases"] == 13
    assert summary.get_json()["released_fen"] == 3_000_000_000

    other = client.post("/api/v1/auth/token", json={"username": "judge_meilan", "password": "Demo@2026"}).get_json()["token"]
    url = f"/api/v1/release-plans/{waiting_id}/stages/1/approve"
    assert client.post(url, headers={"Authorization": f"Bearer {other}"}).status_code == 404  # another court's judge
    assert client.get(f"/api/v1/release-plans?developer_id={waiting_developer}",
                      headers={"Authorization": f"Bearer {other}"}).status_code == 404
    approved = client.post(url, headers=headers)
    assert approved.status_code == 200 and approved.get_json()["status"] == "released"
