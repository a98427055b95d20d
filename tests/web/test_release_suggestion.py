"""A blocked plan's page answers without the guarantee search; a queued job computes the
suggestion once per scenario and the page then shows it (docs/release-in-the-app.md)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, QueuedJob
from app.models.release import ReleaseSuggestion
from app.services import release, release_records, release_suggestions
from app.services.queued_jobs import run_queued
from tests.services.test_release import NOW, frozen_developer, judge_of_the_cases  # noqa: F401  (the fixture)
from tests.web.helpers import get_page, login


@pytest.fixture
def blocked_developer(app, make):
    """One case of 100万元 secured by a frozen account of 100万元; an obligation of 50万元
    settling half of it, and no cash: nothing can be released before the obligation is
    performed, so the plan is blocked and a further guarantee would unblock it."""
    from datetime import date

    from sqlalchemy import update

    from app.models import Case

    with app.app_context():
        project = make.project()
        case = make.case(project=project)
        db.session.execute(update(Case).where(Case.id == case.id).values(claim_total_fen=100_000_000))
        db.session.commit()
        developer_id = project.developer_id
        court_id = case.court_id
        order = release_records.record_order(
            developer_id, court_id=court_id, ruling_no="(2026)琼9005财保9号", ruled_on=date(2026, 6, 1),
            expires_on=date(2027, 6, 1), actor=None, now=NOW,
            asset={"kind": "bank_account", "label": "基本户", "frozen_fen": 100_000_000, "cases": [case.id]})
        obligation = release_records.add_obligation(
            developer_id, court_id=court_id, description="支付违约金", cost_fen=50_000_000, due_on=None,
            after_id=None, reduces=[(case.id, 50_000_000)], actor=None, now=NOW)
        return {"developer": developer_id, "cases": (case.id,), "obligations": (obligation.id,),
                "assets": [a.id for a in order.assets]}


def _page(client, developer_id):
    response, html = get_page(client, f"/court/developers/{developer_id}/release")
    assert response.status_code == 200
    return html


def _counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(QueuedJob)),
                db.session.scalar(select(func.count()).select_from(ReleaseSuggestion)))


def test_the_blocked_page_answers_without_the_search_and_queues_it_once(app, client, make, blocked_developer,
                                                                       monkeypatch):
    import risk.planner

    def no_search(*args, **kwargs):
        raise AssertionError("the page must not search for the guarantee")

    monkeypatch.setattr(risk.planner._Planner, "_suggest", no_search)
    login(client, judge_of_the_cases(app, make, blocked_developer).username)
    html = _page(client, blocked_developer["developer"])
    assert 'data-testid="plan-blocked"' in html and 'data-testid="suggestion-computing"' in html
    assert "追加反担保也无法筹足" not in html  # the skipped search claims nothing
    assert 'data-testid="suggested-guarantee"' not in html
    _page(client, blocked_developer["developer"])  # a reload queues nothing more
    assert _counts(app) == (1, 1)
    with app.app_context():
        job = db.session.scalar(select(QueuedJob))
        assert job.kind == "release_suggestion" and job.status == "queued"


def test_the_job_computes_what_the_command_line_planner_gives_and_the_page_shows_it(
        app, client, make, blocked_developer, tmp_path):
    developer_id = blocked_developer["developer"]
    login(client, judge_of_the_cases(app, make, blocked_developer).username)
    _page(client, developer_id)
    with app.app_context():
        assert run_queued(now=NOW) == "queued jobs: 1 done, 0 failed"
        stored = json.loads(db.session.scalar(select(ReleaseSuggestion.blocked_json)))
    target = tmp_path / "scenario.json"
    result = app.test_cli_runner().invoke(args=["release", "export", str(developer_id), "-o", str(target)])
    assert result.exit_code == 0, result.output
    cli = subprocess.run([sys.executable, "-m", "risk.plan", str(target)], capture_output=True, text=True)
    assert cli.returncode == 3, cli.stderr
    assert stored == json.loads(cli.stdout)["blocked"]
    assert stored["suggested_guarantee"]["value"] == 50_000_000
    html = _page(client, developer_id)
    assert 'data-testid="suggested-guarantee"' in html and "suggestion-computing" not in html
    assert "500,000.00" in html.split('data-testid="suggested-guarantee"', 1)[1].split("</p>", 1)[0]
    assert _counts(app) == (1, 1)


def test_a_changed_record_is_a_new_scenario_and_is_computed_again(app, client, make, blocked_developer):
    from datetime import date

    developer_id = blocked_developer["developer"]
    login(client, judge_of_the_cases(app, make, blocked_developer).username)
    _page(client, developer_id)
    with app.app_context():
        run_queued(now=NOW)
        court_id = db.session.scalar(select(Case.court_id).where(Case.id == blocked_developer["cases"][0]))
        letter = release_records.offer_guarantee(
            developer_id, court_id=court_id, provider="海南银行", provider_developer_id=None, kind="bank_letter",
            value_fen=10_000_000, cases=list(blocked_developer["cases"]), valid_from=date(2026, 6, 1),
            valid_until=date(2027, 12, 31), backed_by=None, actor=None, now=NOW)
        release_records.review_guarantee(letter.id, accept=True, reason="银行保函", actor=None, now=NOW)
    html = _page(client, developer_id)
    assert 'data-testid="suggestion-computing"' in html and 'data-testid="suggested-guarantee"' not in html
    assert _counts(app) == (2, 2)
    with app.app_context():
        assert run_queued(now=NOW) == "queued jobs: 1 done, 0 failed"
        key = release_suggestions.scenario_hash(release.build_scenario(developer_id))
        row = db.session.scalar(select(ReleaseSuggestion).where(ReleaseSuggestion.scenario_hash == key))
        assert json.loads(row.blocked_json) == release.plan_for(developer_id)[1]["blocked"]
    html = _page(client, developer_id)
    assert 'data-testid="suggested-guarantee"' in html


def test_another_courts_judge_sees_nothing_and_queues_nothing(app, client, make, blocked_developer):
    path = f"/court/developers/{blocked_developer['developer']}/release"
    login(client, make.user("judge").username)  # a court that holds no case against the developer
    assert client.get(path).status_code == 404
    assert _counts(app) == (0, 0)


def test_the_hash_is_of_the_canonical_json():
    assert release_suggestions.scenario_hash({"b": 1, "a": "甲"}) == release_suggestions.scenario_hash(
        {"a": "甲", "b": 1})
    assert len(release_suggestions.scenario_hash({})) == 64


def test_a_failed_job_is_said_on_the_page(app, client, make, blocked_developer, monkeypatch):
    from app.services import queued_jobs

    def broken(job, args, now):
        raise RuntimeError("solver crashed")

    monkeypatch.setitem(queued_jobs.KINDS, "release_suggestion", broken)
    login(client, judge_of_the_cases(app, make, blocked_developer).username)
    _page(client, blocked_developer["developer"])
    with app.app_context():
        assert run_queued(now=NOW) == "queued jobs: 0 done, 1 failed"
    html = _page(client, blocked_developer["developer"])
    assert 'data-testid="suggestion-failed"' in html and "suggestion-computing" not in html
