"""Demo data for preservation and staged release (边履行边解封), built through the services
(the judge's ``app.services.release_records``, as the forms enter them).

The seed's story (``tests/data/plan_seed_story.json``): two developers, 13 cases mediated
through counter-guarantees (a bank letter, a preservation insurance, a guarantee company),
their frozen accounts, unsold units and equity released stage by stage as they perform —
30,000,000 yuan in all, each stage approved by the judge after the obligations of the
stages before it were confirmed. A third developer's plan is kept with its first stage
proposed and ready for approval (an over-freeze: its supervised pre-sale account holds more
than the claim; approving it reports the release to the housing bureau).
The court's stats summary then shows ``counter_guarantee_cases`` = 13 and
``released_fen`` = 3,000,000,000 (docs/release-in-the-app.md).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Case, Role, User
from mediation.lifecycle import COURT_TZ, court_date

#: The seed story per developer: cases (exposure in fen), assets, guarantees, obligations.
#: Keys are the story's ids (C01…, F1…, G1…, O1…); values as in plan_seed_story.json.
_STORY = (
    {"cases": {"C01": 180_000_000, "C02": 120_000_000, "C03": 150_000_000, "C04": 100_000_000,
               "C05": 200_000_000, "C06": 160_000_000, "C07": 140_000_000, "C08": 150_000_000},
     "assets": [("bank_account", "基本户存款", 1_200_000_000, ["C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08"]),
                ("unit", "1号楼未售房产12套", 300_000_000, ["C01", "C02", "C03", "C04"]),
                ("unit", "2号楼未售房产10套", 300_000_000, ["C05", "C06", "C07", "C08"])],
     "guarantees": [("海南某银行", "bank_letter", 200_000_000, ["C01", "C02", "C03", "C04"], "银行保函，足额有效"),
                    ("某保险公司", "insurance", 150_000_000, ["C05", "C06", "C07", "C08"], "诉讼财产保全责任保险，足额有效")],
     "obligations": [("O1", "1号楼交房并支付逾期交房违约金", 300_000_000, {"C01": 180_000_000, "C02": 120_000_000}, None),
                     ("O2", "1号楼办证、维修", 200_000_000, {"C03": 150_000_000, "C04": 100_000_000}, "O1"),
                     ("O3", "2号楼退款、交房", 450_000_000, {"C05": 200_000_000, "C06": 160_000_000}, "O1"),
                     ("O4", "2号楼面积差价、办证", 250_000_000, {"C07": 140_000_000, "C08": 150_000_000}, "O3")]},
    {"cases": {"C09": 160_000_000, "C10": 140_000_000, "C11": 120_000_000, "C12": 150_000_000, "C13": 130_000_000},
     "assets": [("bank_account", "一般户存款", 900_000_000, ["C09", "C10", "C11", "C12", "C13"]),
                ("equity", "持有项目公司股权", 300_000_000, ["C09", "C10", "C11"])],
     "guarantees": [("文昌某融资担保公司", "surety", 100_000_000, ["C09", "C10", "C11", "C12", "C13"],
                     "融资担保公司保证，资信良好")],
     "obligations": [("O5", "椰林湾退款第一期", 350_000_000, {"C09": 160_000_000, "C10": 140_000_000}, None),
                     ("O6", "椰林湾交房并维修", 250_000_000, {"C11": 120_000_000, "C12": 150_000_000}, "O5"),
                     ("O7", "椰林湾更正宣传并赔偿", 120_000_000, {"C13": 130_000_000}, "O6")]},
)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=COURT_TZ)


def _new_case(builder, developer, claim_fen: int, concluded: date) -> Case:
    project = next(p for p in builder.projects if p.developer_id == developer.id)
    case = builder.make_case(received=concluded - timedelta(days=50), status="closed", outcome="mediated",
                             concluded=concluded, pre_litigation=True, project=project)
    case.claim_total_fen = claim_fen
    return case


def build_release(builder) -> dict:
    """Called by ``app.demo.build_demo`` after the cases are committed; returns the figures.
    The records are entered as the judge enters them (``app.services.release_records``):
    the circuit court's cases, a line on each case's timeline."""
    from app.services import release
    from app.services import release_records as records

    today = court_date(builder.now)
    judge = db.session.scalar(select(User).where(User.username == "judge"))
    ruled_on = today - timedelta(days=120)
    released_fen = 0
    for n, (story, developer) in enumerate(zip(_STORY, builder.developers[:2], strict=True), start=1):
        cases = {key: _new_case(builder, developer, fen, today - timedelta(days=100)) for key, fen in story["cases"].items()}
        db.session.commit()
        ids = {key: case.id for key, case in cases.items()}
        first, *more = [{"kind": kind, "label": label, "frozen_fen": fen, "cases": [ids[c] for c in secures]}
                        for kind, label, fen, secures in story["assets"]]
        order = records.record_order(developer.id, court_id=judge.court_id,
                                     ruling_no=f"({ruled_on.year})琼9005财保{n}号", ruled_on=ruled_on,
                                     expires_on=ruled_on + timedelta(days=365 * 2), asset=first,
                                     actor=judge, now=_at(ruled_on))
        for asset in more:
            records.add_asset(order.id, court_id=judge.court_id, asset=asset, actor=judge, now=_at(ruled_on))
        for provider, kind, fen, secures, reason in story["guarantees"]:
            offered = records.offer_guarantee(developer.id, court_id=judge.court_id, provider=provider,
                                              provider_developer_id=None, kind=kind, value_fen=fen,
                                              cases=[ids[c] for c in secures], valid_from=ruled_on,
                                              valid_until=today + timedelta(days=365 * 2), backed_by=None,
                                              actor=judge, now=_at(ruled_on + timedelta(days=5)))
            records.review_guarantee(offered.id, accept=True, reason=reason, actor=judge,
                                     now=_at(ruled_on + timedelta(days=7)))
        obligations: dict[str, int] = {}
        for key, description, cost, reduces, after in story["obligations"]:
            obligations[key] = records.add_obligation(
                developer.id, court_id=judge.court_id, description=description, cost_fen=cost, due_on=None,
                after_id=obligations.get(after), reduces=[(ids[c], f) for c, f in reduces.items()],
                actor=judge, now=_at(ruled_on + timedelta(days=8))).id
        plan = release.propose_plan(developer.id, actor_id=judge.id, now=_at(ruled_on + timedelta(days=10)))
        released_fen += _release_every_stage(plan, judge, start=ruled_on + timedelta(days=14))
    # A third developer: its supervised pre-sale account holds more than the claim; its first
    # stage awaits approval (approving it gives the housing bureau its task: release_bureau).
    third = builder.developers[2]
    case = _new_case(builder, third, 50_000_000, today - timedelta(days=20))
    db.session.commit()
    records.record_order(third.id, court_id=judge.court_id, ruling_no=f"({today.year})琼9005财保3号",
                         ruled_on=today - timedelta(days=15), expires_on=today + timedelta(days=350),
                         asset={"kind": "presale_account", "label": "预售资金监管账户", "frozen_fen": 80_000_000,
                                "cases": [case.id]}, actor=judge, now=_at(today - timedelta(days=15)))
    release.propose_plan(third.id, actor_id=judge.id, now=_at(today - timedelta(days=1)))
    return {"counter_guarantee_cases": sum(len(s["cases"]) for s in _STORY), "released_fen": released_fen}


def _release_every_stage(plan, judge, *, start: date) -> int:
    """Approve the plan's stages in order, confirming first what the earlier stages perform."""
    import json

    from app.services import release

    data = json.loads(plan.plan_json)
    released, day = 0, start
    for stage in data["stages"]:
        for previous in data["stages"][:stage["stage"] - 1]:
            for key in previous["perform"]:
                release.confirm_obligation(int(key[1:]), now=_at(day))
        release.approve_stage(plan.id, stage["stage"], actor_id=judge.id, actor_role=Role.JUDGE.value, now=_at(day, 11))
        released += sum(item["amount"] for item in stage["release"])
        day += timedelta(days=10)
    return released
