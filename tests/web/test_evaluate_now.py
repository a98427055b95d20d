"""The project page's "evaluate now": a judge of the project's court presses it, the page
shows the new level and the time of the evaluation in Wenchang; nobody else may press it."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import RiskLevelChange, RiskLevelRow, WarningNotice
from app.services.early_warnings import NIGHTLY_KEY
from tests.web.helpers import csrf_token, get_page, login


@pytest.fixture
def sides(make):
    court = make.court()
    project = make.project(court=court)  # promised 2025-06-30, 90 of 100 units undelivered: red
    return {"project": project, "path": f"/prevention/projects/{project.id}",
            "judge": make.user("judge", court=court),
            "staff": make.user("developer", developer=project.developer),
            "other_judge": make.user("judge")}


def _press(client, path):
    return client.post(f"{path}/evaluate", data={"csrf_token": csrf_token(client, path)})


def test_a_judge_evaluates_a_project_now_and_sees_its_level_and_the_time(app, client, sides, monkeypatch):
    at = datetime(2026, 12, 2, 3, 4, tzinfo=timezone.utc)  # 11:04 in Wenchang
    monkeypatch.setattr("app.web.prevention.warnings.utcnow", lambda: at)
    login(client, sides["judge"].username)
    _, before = get_page(client, sides["path"])
    assert 'data-testid="evaluate-now"' in before and "—" in re.search(
        r'data-testid="evaluated-at">(.*?)</p>', before).group(1)
    response = _press(client, sides["path"])
    assert response.status_code == 303 and response.headers["Location"].endswith(sides["path"])
    _, html = get_page(client, sides["path"])
    assert re.search(r'data-testid="level">[^<]*(红|Red)', html)
    assert "2026-12-02 11:04" in re.search(r'data-testid="evaluated-at">(.*?)</p>', html).group(1)
    assert "flash-success" in html
    assert _press(client, sides["path"]).status_code == 303  # twice: nothing new
    with app.app_context():
        project_id = sides["project"].id
        assert db.session.scalar(select(func.count()).select_from(RiskLevelChange).where(
            RiskLevelChange.project_id == project_id)) == 1
        assert db.session.scalar(select(func.count()).select_from(WarningNotice).where(
            WarningNotice.project_id == project_id)) == 1
        assert db.session.scalar(select(RiskLevelRow.level).where(RiskLevelRow.project_id == project_id)) == "red"


def test_the_developers_staff_see_no_button_and_may_not_press(client, sides):
    login(client, sides["staff"].username)
    _, html = get_page(client, sides["path"])
    assert 'data-testid="evaluate-now"' not in html
    assert client.post(f"{sides['path']}/evaluate", data={"csrf_token": csrf_token(client, sides["path"])}
                       ).status_code == 403


def test_a_judge_of_another_court_gets_a_404(client, sides):
    login(client, sides["other_judge"].username)
    token = csrf_token(client, "/prevention/risk")
    assert client.post(f"{sides['path']}/evaluate", data={"csrf_token": token}).status_code == 404


def test_without_the_csrf_token_nothing_is_evaluated(app, client, sides):
    login(client, sides["judge"].username)
    assert client.post(f"{sides['path']}/evaluate", data={}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RiskLevelRow)) == 0


def test_postgres_a_press_during_the_nightly_run_says_so(app, client, sides):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's advisory lock; SQLite serialises writers (tests/services/test_warnings_on_demand.py)")
        holder = db.engine.connect()
        holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": NIGHTLY_KEY})
        holder.commit()
    try:
        login(client, sides["judge"].username)
        response = _press(client, sides["path"])
        assert response.status_code == 303
        _, html = get_page(client, sides["path"])
        assert "flash-error" in html and ("正在评估" in html or "already being evaluated" in html)
    finally:
        holder.execute(text("SELECT pg_advisory_unlock_all()"))
        holder.commit()
        holder.close()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RiskLevelRow)) == 0
