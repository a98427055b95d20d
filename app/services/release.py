"""The release plan built from the preservation records, and the approval of its stages.

The records themselves (orders, assets, guarantees and their review, obligations by hand)
are entered only through ``app.services.release_records``.

The plan is the pure planner's (``risk.planner.plan_release``) answer to a scenario built
from the database by :func:`build_scenario`; ``flask release export`` writes the same
scenario, so ``python -m risk.plan`` gives the same plan. Ids in the scenario are the
database ids with a letter: ``C`` case, ``A`` frozen asset, ``G`` counter-guarantee,
``O`` obligation; the owner is ``D<developer id>``.

What the scenario takes from the database:

* a case's exposure: its claim total less what confirmed obligations settled for it;
* an asset's value: what is still frozen (frozen less released);
* guarantees: only those a judge accepted (an offered one is not yet security, a refused
  one never is);
* obligations: those not yet confirmed; the developer's cash: what was released to it less
  the cost of the obligations it performed (the court tracks no other cash).

Approving stage *n* releases it exactly once: a conditional ``UPDATE … WHERE status =
'proposed'`` lets one request through and answers the others 409, and each asset's
``released_fen`` grows by a conditional UPDATE that cannot pass the frozen value (the
database's CHECK constraint says the same) (docs/release-in-the-app.md).
"""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select, update

from app.extensions import db
from app.models import Case, CaseEvent, Developer
from app.models.release import (
    AssetRelease, CounterGuarantee, FrozenAsset, Obligation, ObligationReduction, ReleasePlan, ReleaseStage,
)
from app.services.case_records import event_reason
from app.services.errors import ConflictError, NotFoundError
from app.services.reminders import remind
from app.services.use_case import use_case
from mediation.messages import Msg
from risk.guarantee_graph import parse_scenario
from risk.planner import plan_release


def owner_key(developer_id: int) -> str:
    return f"D{developer_id}"


@use_case
def confirm_obligation(obligation_id: int, *, now: datetime) -> Obligation:
    """The court confirms an obligation was performed: later stages may now be released."""
    obligation = db.session.get(Obligation, obligation_id)
    if obligation is None:
        raise NotFoundError(Msg("没有这项义务。", "No such obligation."))
    obligation.status, obligation.confirmed_at = "confirmed", now
    obligation.performed_at = obligation.performed_at or now
    remind("obligation_performed", obligation, now=now)
    db.session.commit()
    return obligation


def build_scenario(developer_id: int) -> dict:
    """The planner's scenario for one developer, read from the database (module docstring).

    Column SELECTs only, no ORM rows: seven queries whatever the number of cases, and a
    developer with 1,000 cases is read in a few milliseconds (bench/bench_release_page.py)."""
    from app.models.release import CounterGuaranteeCase, FrozenAssetCase

    run = db.session.execute
    assets = run(select(FrozenAsset.id, FrozenAsset.kind, FrozenAsset.frozen_fen, FrozenAsset.released_fen,
                        FrozenAsset.divisible, FrozenAsset.disputed, FrozenAsset.applicant_consented)
                 .where(FrozenAsset.developer_id == developer_id).order_by(FrozenAsset.id)).all()
    asset_cases: dict[int, list[int]] = {}
    for asset_id, case_id in run(select(FrozenAssetCase.asset_id, FrozenAssetCase.case_id)
                                 .join(FrozenAsset, FrozenAsset.id == FrozenAssetCase.asset_id)
                                 .where(FrozenAsset.developer_id == developer_id)
                                 .order_by(FrozenAssetCase.asset_id, FrozenAssetCase.case_id)):
        asset_cases.setdefault(asset_id, []).append(case_id)
    accepted = (CounterGuarantee.developer_id == developer_id, CounterGuarantee.status == "accepted")
    guarantees = run(select(CounterGuarantee.id, CounterGuarantee.provider, CounterGuarantee.kind,
                            CounterGuarantee.value_fen, CounterGuarantee.backed_by_asset_id,
                            CounterGuarantee.backed_by_guarantee_id)
                     .where(*accepted).order_by(CounterGuarantee.id)).all()
    guarantee_cases: dict[int, list[int]] = {}
    for guarantee_id, case_id in run(select(CounterGuaranteeCase.guarantee_id, CounterGuaranteeCase.case_id)
                                     .join(CounterGuarantee, CounterGuarantee.id == CounterGuaranteeCase.guarantee_id)
                                     .where(*accepted)
                                     .order_by(CounterGuaranteeCase.guarantee_id, CounterGuaranteeCase.case_id)):
        guarantee_cases.setdefault(guarantee_id, []).append(case_id)
    obligations = run(select(Obligation.id, Obligation.cost_fen, Obligation.after_id, Obligation.status)
                      .where(Obligation.developer_id == developer_id).order_by(Obligation.id)).all()
    reductions: dict[int, list[tuple[int, int]]] = {}
    for obligation_id, case_id, amount in run(
            select(ObligationReduction.obligation_id, ObligationReduction.case_id, ObligationReduction.amount_fen)
            .join(Obligation, Obligation.id == ObligationReduction.obligation_id)
            .where(Obligation.developer_id == developer_id)
            .order_by(ObligationReduction.obligation_id, ObligationReduction.case_id)):
        reductions.setdefault(obligation_id, []).append((case_id, amount))
    secured = {c for ids in asset_cases.values() for c in ids} | {c for ids in guarantee_cases.values() for c in ids}
    open_obligations = [o for o in obligations if o.status != "confirmed"]
    secured |= {case_id for o in open_obligations for case_id, _ in reductions.get(o.id, ())}
    settled: dict[int, int] = {}
    for o in obligations:
        if o.status == "confirmed":
            for case_id, amount in reductions.get(o.id, ()):
                settled[case_id] = settled.get(case_id, 0) + amount
    # Every case a record names is the developer's (``release_records``): one indexed SELECT, no IN list.
    claims = [row for row in run(select(Case.id, Case.claim_total_fen).where(Case.developer_id == developer_id)
                                 .order_by(Case.id)) if row.id in secured]
    owner = owner_key(developer_id)
    spent = sum(o.cost_fen for o in obligations if o.status == "confirmed")
    cash = max(0, sum(a.released_fen for a in assets) - spent)
    live_assets = [a for a in assets if a.frozen_fen - a.released_fen > 0]
    live_ids = {a.id for a in live_assets}
    open_ids = {o.id for o in open_obligations}
    return {
        "title": f"developer {developer_id}",
        "cases": [{"id": f"C{case_id}", "exposure": max(0, (claim or 0) - settled.get(case_id, 0))}
                  for case_id, claim in claims],
        "assets": [{"id": f"A{a.id}", "owner": owner, "kind": a.kind, "value": a.frozen_fen - a.released_fen,
                    "secures": [f"C{c}" for c in asset_cases.get(a.id, ())], "divisible": a.divisible,
                    "release_allowed": not a.disputed or a.applicant_consented} for a in live_assets],
        "guarantees": [{"id": f"G{g.id}", "provider": g.provider, "kind": g.kind, "value": g.value_fen,
                        "secures": [f"C{c}" for c in guarantee_cases.get(g.id, ())],
                        "backed_by": ([f"A{g.backed_by_asset_id}"] if g.backed_by_asset_id in live_ids else [])
                        + ([f"G{g.backed_by_guarantee_id}"] if g.backed_by_guarantee_id else [])}
                       for g in guarantees],
        "obligations": [{"id": f"O{o.id}", "owner": owner, "cost": o.cost_fen,
                         "reduces": {f"C{c}": amount for c, amount in reductions.get(o.id, ())},
                         "after": [f"O{o.after_id}"] if o.after_id in open_ids else []}
                        for o in open_obligations],
        # The planner knows an owner only through its assets or obligations.
        "cash": {owner: cash} if live_assets or open_obligations else {},
    }


def plan_for(developer_id: int) -> tuple[dict, dict]:
    """The scenario and the planner's plan (its JSON contract) for a developer."""
    scenario = build_scenario(developer_id)
    return scenario, plan_release(parse_scenario(scenario)).to_json()


def guarantee_expiry(developer_id: int, scenario: dict, plan: dict) -> list[dict]:
    """The guarantees of a planned scenario that lapse before the plan ends or before an
    obligation on their cases is due (``risk.guarantee_expiry``), with today's records'
    validity and due days; each ``{guarantee, provider, valid_until, plan_ends_on, stage,
    obligations}``."""
    from risk.guarantee_expiry import GuaranteeTerm, ObligationTerm, expiring_guarantees

    valid = {f"G{i}": (provider, until) for i, provider, until in db.session.execute(
        select(CounterGuarantee.id, CounterGuarantee.provider, CounterGuarantee.valid_until)
        .where(CounterGuarantee.developer_id == developer_id))}
    due = {f"O{i}": day for i, day in db.session.execute(
        select(Obligation.id, Obligation.due_on).where(Obligation.developer_id == developer_id))}
    guarantees = [GuaranteeTerm(g["id"], valid[g["id"]][0], valid[g["id"]][1], tuple(g["secures"]))
                  for g in scenario["guarantees"] if g["id"] in valid]
    obligations = [ObligationTerm(o["id"], due.get(o["id"]), tuple(o["reduces"])) for o in scenario["obligations"]]
    return [flag.to_json() for flag in expiring_guarantees(guarantees, obligations, plan)]


def kept_plan_expiry(plan: ReleasePlan) -> list[dict]:
    """:func:`guarantee_expiry` of a kept plan: its own scenario and plan, today's dates."""
    return guarantee_expiry(plan.developer_id, json.loads(plan.scenario_json), json.loads(plan.plan_json))


@use_case
def propose_plan(developer_id: int, *, actor_id: int | None, now: datetime) -> ReleasePlan:
    """Plan from the database and keep the plan, its stages proposed for approval."""
    if db.session.get(Developer, developer_id) is None:
        raise NotFoundError(Msg("没有这个开发商。", "No such developer."))
    scenario, plan = plan_for(developer_id)
    record = ReleasePlan(developer_id=developer_id, scenario_json=json.dumps(scenario, ensure_ascii=False),
                         plan_json=json.dumps(plan, ensure_ascii=False), status=plan["status"],
                         created_by_id=actor_id, created_at=now)
    record.stages = [ReleaseStage(number=s["stage"], status="proposed") for s in plan["stages"]]
    db.session.add(record)
    db.session.commit()
    return record


def _db_id(key: str) -> int:
    return int(key[1:])


def stage_preconditions_unmet(plan: ReleasePlan, number: int) -> list[str]:
    """Why stage ``number`` cannot be released yet: earlier stages not released, or the
    obligations they perform not confirmed by the court."""
    data = json.loads(plan.plan_json)
    reasons = [f"stage {s.number} not released" for s in plan.stages if s.number < number and s.status != "released"]
    for stage in data["stages"]:
        if stage["stage"] < number:
            for key in stage["perform"]:
                obligation = db.session.get(Obligation, _db_id(key))
                if obligation is None or obligation.status != "confirmed":
                    reasons.append(f"obligation {key} not confirmed")
    return reasons


@use_case
def approve_stage(plan_id: int, number: int, *, actor_id: int | None, actor_role: str | None,
                  now: datetime) -> ReleaseStage:
    """Approve and release a stage, once. 409 (ConflictError) when it was already released
    or its preconditions are unmet; nothing is half-saved."""
    plan = db.session.get(ReleasePlan, plan_id)
    stage = next((s for s in plan.stages if s.number == number), None) if plan else None
    if stage is None:
        raise NotFoundError(Msg("没有这个解封阶段。", "No such release stage."))
    if stage.status != "proposed":
        raise ConflictError(Msg("这一阶段已经批准解封。", "This stage was already approved."))
    unmet = stage_preconditions_unmet(plan, number)
    if unmet:
        raise ConflictError(Msg("前序条件尚未满足：" + "；".join(unmet) + "。",
                                "Preconditions unmet: " + "; ".join(unmet) + "."))
    taken = db.session.execute(
        update(ReleaseStage).where(ReleaseStage.id == stage.id, ReleaseStage.status == "proposed")
        .values(status="released", approved_by_id=actor_id, approved_at=now)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:  # another request approved it between our read and this UPDATE
        raise ConflictError(Msg("这一阶段已经批准解封。", "This stage was already approved."))
    data = json.loads(plan.plan_json)
    releases = next(s for s in data["stages"] if s["stage"] == number)["release"]
    cases: set[int] = set()
    ledger: list[AssetRelease] = []
    for item in releases:
        asset_id, amount = _db_id(item["asset"]), item["amount"]
        grown = db.session.execute(
            update(FrozenAsset).where(FrozenAsset.id == asset_id,
                                      FrozenAsset.released_fen + amount <= FrozenAsset.frozen_fen)
            .values(released_fen=FrozenAsset.released_fen + amount).execution_options(synchronize_session=False))
        if grown.rowcount != 1:
            raise ConflictError(Msg("解封金额将超过冻结金额，已拒绝。",
                                    "The release would exceed the frozen value; refused."))
        ledger.append(AssetRelease(asset_id=asset_id, stage_id=stage.id, amount_fen=amount, released_at=now))
        db.session.add(ledger[-1])
        asset = db.session.get(FrozenAsset, asset_id)
        cases |= {c.id for c in asset.cases}
    for case_id in sorted(cases):
        case = db.session.get(Case, case_id)
        db.session.add(CaseEvent(case_id=case_id, at=now, actor_id=actor_id, actor_role=actor_role,
                                 from_status=case.status, to_status=case.status,
                                 **event_reason(Msg("解封计划 {plan} 第 {n} 阶段经批准解封",
                                                    "Release plan {plan}, stage {n} approved for release",
                                                    plan=plan.id, n=number))))
    _issue_ruling(plan, number, releases, sorted(cases), ledger, actor_id=actor_id, now=now)  # commits
    db.session.refresh(stage)
    return stage


_KIND_LABELS = {"bank_account": "银行存款", "presale_account": "预售资金监管账户", "unit": "房产", "equity": "股权"}


def _issue_ruling(plan: ReleasePlan, number: int, releases: list[dict], case_ids: list[int],
                  ledger: list[AssetRelease], *, actor_id: int | None, now: datetime) -> None:
    """The release ruling (解除保全裁定) of the stage, in the file of the first case the released
    assets secured, committed with the release and the housing bureau's tasks for the
    pre-sale accounts released (``app.services.release_bureau``); no case secured, no ruling
    and no task (just the commit)."""
    from app.services.release_bureau import report_presale_releases

    if not case_ids:
        db.session.commit()
        return
    from app.documents.release import ReleaseLine, ReleaseRulingData
    from app.services.documents import store_release_ruling
    from mediation.lifecycle import court_date

    db.session.flush()
    cases = [db.session.get(Case, c) for c in case_ids]
    lines = []
    for item in releases:
        asset = db.session.get(FrozenAsset, _db_id(item["asset"]))
        db.session.refresh(asset, ["released_fen"])
        lines.append(ReleaseLine(label=asset.label, kind_label=_KIND_LABELS.get(asset.kind, asset.kind),
                                 ruling_no=asset.order.ruling_no, amount_fen=item["amount"],
                                 remaining_fen=asset.frozen_fen - asset.released_fen))
    confirmed = db.session.scalars(select(Obligation.description).where(
        Obligation.developer_id == plan.developer_id, Obligation.status == "confirmed").order_by(Obligation.id)).all()
    developer = db.session.get(Developer, plan.developer_id)
    data = ReleaseRulingData(court_name=cases[0].court.name, case_number=cases[0].number,
                             developer_name=developer.name, plan_id=plan.id, stage=number, lines=tuple(lines),
                             case_numbers=tuple(c.number for c in cases), performed=tuple(confirmed),
                             ruled_on=court_date(now))
    store_release_ruling(cases[0].id, data, developer_id=plan.developer_id, actor_id=actor_id, now=now,
                         before_commit=lambda ruling: report_presale_releases(
                             ledger, ruling=ruling, actor_id=actor_id, now=now))


def plan_view(plan_id: int) -> ReleasePlan:
    plan = db.session.get(ReleasePlan, plan_id)
    if plan is None:
        raise NotFoundError(Msg("没有这个解封计划。", "No such release plan."))
    return plan


def asset_view(asset_id: int) -> FrozenAsset:
    asset = db.session.get(FrozenAsset, asset_id)
    if asset is None:
        raise NotFoundError(Msg("没有这项财产。", "No such asset."))
    return asset


def plans_of(developer_id: int) -> list[ReleasePlan]:
    return list(db.session.scalars(select(ReleasePlan).where(ReleasePlan.developer_id == developer_id)
                                   .order_by(ReleasePlan.id)))


def developer_overview(developer_id: int) -> dict:
    """What a developer sees of its own preservation: its frozen assets, its guarantees, its
    plans' stages and the obligations it must perform next (those whose predecessor is
    confirmed). Never another developer's: the caller passes the user's own developer id."""
    assets = db.session.scalars(select(FrozenAsset).where(FrozenAsset.developer_id == developer_id)
                                .order_by(FrozenAsset.id)).all()
    guarantees = db.session.scalars(select(CounterGuarantee).where(CounterGuarantee.developer_id == developer_id)
                                    .order_by(CounterGuarantee.id)).all()
    obligations = db.session.scalars(select(Obligation).where(Obligation.developer_id == developer_id)
                                     .order_by(Obligation.id)).all()
    confirmed = {o.id for o in obligations if o.status == "confirmed"}
    upcoming = [o for o in obligations if o.status != "confirmed" and (o.after_id is None or o.after_id in confirmed)]
    return {"assets": assets, "guarantees": guarantees, "plans": plans_of(developer_id), "next": upcoming}


def release_figures(court_id: int, first: date, last: date) -> dict:
    """``counter_guarantee_cases``: the court's cases covered by an accepted counter-guarantee;
    ``released_fen``: what stages released in the period (Asia/Shanghai days, inclusive) from
    assets securing the court's cases."""
    from sqlalchemy import distinct, exists, func

    from app.models.release import CounterGuaranteeCase, FrozenAssetCase

    covered = db.session.scalar(
        select(func.count(distinct(CounterGuaranteeCase.case_id)))
        .join(CounterGuarantee, CounterGuarantee.id == CounterGuaranteeCase.guarantee_id)
        .join(Case, Case.id == CounterGuaranteeCase.case_id)
        .where(CounterGuarantee.status == "accepted", Case.court_id == court_id))
    start, end = _day_bounds(first, last)
    of_court = exists().where(FrozenAssetCase.asset_id == AssetRelease.asset_id,
                              FrozenAssetCase.case_id == Case.id, Case.court_id == court_id)
    released = db.session.scalar(
        select(func.coalesce(func.sum(AssetRelease.amount_fen), 0))
        .where(AssetRelease.released_at >= start, AssetRelease.released_at < end, of_court))
    return {"counter_guarantee_cases": int(covered or 0), "released_fen": int(released or 0)}


def _day_bounds(first: date, last: date):
    from datetime import time, timedelta
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    return (datetime.combine(first, time(), shanghai),
            datetime.combine(last + timedelta(days=1), time(), shanghai))
