"""Preservation records, the plan built from them, and releasing a stage exactly once."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Case, CaseEvent
from app.models.release import AssetRelease, FrozenAsset
from app.services import release, release_records
from app.services.errors import ConflictError, ServiceError

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)


def offer(developer_id: int, *, provider: str, kind: str, value_fen: int, cases, valid_from: date,
          valid_until: date, provider_developer_id: int | None = None):
    """A counter-guarantee offered, as a judge enters it, for the developer's cases in their court."""
    court_id = db.session.get(Case, cases[0]).court_id
    return release_records.offer_guarantee(
        developer_id, court_id=court_id, provider=provider, provider_developer_id=provider_developer_id, kind=kind,
        value_fen=value_fen, cases=cases, valid_from=valid_from, valid_until=valid_until, backed_by=None,
        actor=None, now=NOW)


def blacklist_refusal(error: ServiceError) -> str:
    """The reasons a refused review gives, next to its fields."""
    return " ".join(str(e["message"]) for e in error.raw_errors)


@pytest.fixture
def frozen_developer(app, make):
    """One developer, two cases of 60万元 and 40万元; its account (80万元) and a unit (50万元)
    frozen; a bank letter of 30万元 accepted; an obligation of 20万元 settling 30万元 of the first, then one of 20万元 settling the second."""
    with app.app_context():
        project = make.project()
        first, second = make.case(project=project), make.case(project=project)
        for case, claim in ((first, 60_000_000), (second, 40_000_000)):
            db.session.execute(update(Case).where(Case.id == case.id).values(claim_total_fen=claim))
        db.session.commit()
        developer_id, court_id = project.developer_id, project.court_id
        order = release_records.record_order(
            developer_id, court_id=court_id, ruling_no="(2026)琼9005财保1号", ruled_on=date(2026, 6, 1),
            expires_on=date(2027, 6, 1), actor=None, now=NOW,
            asset={"kind": "bank_account", "label": "基本户", "frozen_fen": 80_000_000, "cases": [first.id, second.id]})
        release_records.add_asset(order.id, court_id=court_id, actor=None, now=NOW, asset={
            "kind": "unit", "label": "1栋101", "frozen_fen": 50_000_000, "cases": [first.id]})
        letter = offer(developer_id, provider="海南银行", kind="bank_letter", value_fen=30_000_000, cases=[first.id],
                       valid_from=date(2026, 6, 1), valid_until=date(2027, 12, 31))
        release_records.review_guarantee(letter.id, accept=True, reason="银行保函，足额有效", actor=None, now=NOW)
        obligation = release_records.add_obligation(
            developer_id, court_id=court_id, description="支付违约金", cost_fen=20_000_000, due_on=None, after_id=None,
            reduces=[(first.id, 30_000_000)], actor=None, now=NOW)
        then = release_records.add_obligation(
            developer_id, court_id=court_id, description="退还购房款", cost_fen=20_000_000, due_on=None,
            after_id=obligation.id, reduces=[(second.id, 40_000_000)], actor=None, now=NOW)
        return {"developer": developer_id, "cases": (first.id, second.id),
                "obligations": (obligation.id, then.id),
                "assets": [a.id for a in order.assets]}


def judge_of_the_cases(app, make, frozen):
    """A judge of the court that holds the frozen developer's cases (the judges who see it)."""
    with app.app_context():
        court = db.session.get(Case, frozen["cases"][0]).court
    return make.user("judge", court=court)


def test_the_plan_from_the_database_is_what_the_command_line_planner_says(app, frozen_developer, tmp_path):
    with app.app_context():
        _, plan = release.plan_for(frozen_developer["developer"])
    target = tmp_path / "scenario.json"
    result = app.test_cli_runner().invoke(args=["release", "export", str(frozen_developer["developer"]),
                                                "-o", str(target)])
    assert result.exit_code == 0, result.output
    cli = subprocess.run([sys.executable, "-m", "risk.plan", str(target)], capture_output=True, text=True)
    assert json.loads(cli.stdout) == plan
    assert plan["status"] == "complete" and plan["total_released"] > 0


def test_export_of_an_unknown_developer_is_one_line_on_stderr(app):
    result = app.test_cli_runner().invoke(args=["release", "export", "999"])
    assert result.exit_code == 2
    assert "no developer with id 999" in result.output


def test_a_stage_is_released_once_and_never_beyond_the_frozen_value(app, frozen_developer):
    with app.app_context():
        plan = release.propose_plan(frozen_developer["developer"], actor_id=None, now=NOW)
        stage = release.approve_stage(plan.id, 1, actor_id=None, actor_role="judge", now=NOW)
        assert stage.status == "released"
        with pytest.raises(ConflictError):
            release.approve_stage(plan.id, 1, actor_id=None, actor_role="judge", now=NOW)
        first_stage = json.loads(plan.plan_json)["stages"][0]
        ledger = db.session.query(AssetRelease).all()
        assert sorted((f"A{r.asset_id}", r.amount_fen) for r in ledger) == sorted(
            (r["asset"], r["amount"]) for r in first_stage["release"])
        for asset in db.session.query(FrozenAsset):
            db.session.refresh(asset)
            assert 0 <= asset.released_fen <= asset.frozen_fen
        assert db.session.query(CaseEvent).filter(CaseEvent.reason.like("解封计划%")).count() >= 1


def test_a_later_stage_waits_until_the_earlier_obligations_are_performed_and_confirmed(app, frozen_developer):
    with app.app_context():
        plan = release.propose_plan(frozen_developer["developer"], actor_id=None, now=NOW)
        assert [s.number for s in plan.stages] == [1, 2]
        with pytest.raises(ConflictError, match="stage 1 not released"):
            release.approve_stage(plan.id, 2, actor_id=None, actor_role="judge", now=NOW)
        release.approve_stage(plan.id, 1, actor_id=None, actor_role="judge", now=NOW)
        with pytest.raises(ConflictError, match="not confirmed"):
            release.approve_stage(plan.id, 2, actor_id=None, actor_role="judge", now=NOW)
        for obligation in frozen_developer["obligations"]:
            release.confirm_obligation(obligation, now=NOW)
        assert release.approve_stage(plan.id, 2, actor_id=None, actor_role="judge", now=NOW).status == "released"
        account = db.session.get(FrozenAsset, frozen_developer["assets"][0])
        assert (account.released_fen, account.remaining_fen) == (80_000_000, 0)


def test_a_guarantee_is_reviewed_once_and_only_with_a_reason(app, frozen_developer):
    with app.app_context():
        guarantee = offer(frozen_developer["developer"], provider="某担保公司", kind="surety",
                          value_fen=1_000_000, cases=[frozen_developer["cases"][0]],
                          valid_from=date(2026, 6, 1), valid_until=date(2026, 7, 1))
        with pytest.raises(ServiceError):
            release_records.review_guarantee(guarantee.id, accept=False, reason=" ", actor=None, now=NOW)
        release_records.review_guarantee(guarantee.id, accept=False, reason="担保人资信不足", actor=None, now=NOW)
        with pytest.raises(ConflictError):
            release_records.review_guarantee(guarantee.id, accept=True, reason="再审", actor=None, now=NOW)
        scenario = release.build_scenario(frozen_developer["developer"])
        assert f"G{guarantee.id}" not in {g["id"] for g in scenario["guarantees"]}


def test_approvals_releases_and_refusals_are_on_the_case_timelines(app, frozen_developer):
    first, second = frozen_developer["cases"]
    with app.app_context():
        refused = offer(frozen_developer["developer"], provider="某担保公司", kind="surety",
                        value_fen=1_000_000, cases=[first], valid_from=date(2026, 6, 1),
                        valid_until=date(2026, 7, 1))
        release_records.review_guarantee(refused.id, accept=False, reason="担保人资信不足", actor=None, now=NOW)
        plan_id = release.propose_plan(frozen_developer["developer"], actor_id=None, now=NOW).id
        release.approve_stage(plan_id, 1, actor_id=None, actor_role="judge", now=NOW)
        lines = {case_id: [e.reason for e in db.session.query(CaseEvent).filter_by(case_id=case_id)]
                 for case_id in (first, second)}
    assert any("不予接受：担保人资信不足" in line for line in lines[first])
    assert not any("不予接受" in line for line in lines[second])  # it covered only the first case
    for case_id in (first, second):  # the account securing both was released
        assert any(f"解封计划 {plan_id} 第 1 阶段经批准解封" in line for line in lines[case_id]), lines[case_id]



def test_a_blacklisted_developers_guarantee_is_refused(app, make, frozen_developer):
    from app.models.risk import BlacklistDecision

    with app.app_context():
        listed = make.developer()
        db.session.add(BlacklistDecision(developer_id=listed.id, decided_at=NOW, reason="逾期交房且拒不履行"))
        db.session.commit()
        guarantee = offer(frozen_developer["developer"], provider=listed.name, kind="surety",
                          provider_developer_id=listed.id, value_fen=1_000_000,
                          cases=[frozen_developer["cases"][0]], valid_from=date(2026, 6, 1),
                          valid_until=date(2027, 6, 1))
        with pytest.raises(ServiceError) as refused:
            release_records.review_guarantee(guarantee.id, accept=True, reason="足额", actor=None, now=NOW)
        assert "失信" in blacklist_refusal(refused.value)
        assert db.session.get(release.CounterGuarantee, guarantee.id).status == "offered"
