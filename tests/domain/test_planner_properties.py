"""Property-based checks of the release planner (risk.planner) over random scenarios.

Every plan is re-checked from its JSON with code that shares nothing with the planner's
flow machinery: secured amounts with networkx's max-flow, the largest allowed release with
an LP solved by scipy's HiGHS (scipy.optimize.linprog). The scenarios mix whole assets
(``divisible: false``), assets that may not be released (``release_allowed: false``) and
guarantees backed by frozen assets, circles and self-given guarantees.

Maximal and maximum. After every stage, releasing any remaining whole asset, or one more
fen of any remaining divisible asset, must lower the secured amount (maximal). Where no
whole asset can be released the stage's release must also be the LP's maximum, with the
assets that may not be released pinned at their value.
"""

from __future__ import annotations

import copy

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from risk.flow import max_flow
from risk.guarantee_graph import parse_scenario
from risk.planner import plan_release

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MANY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ASSET_KINDS = ["bank_account", "unsold_unit", "equity"]
GUARANTEE_KINDS = ["bank_letter", "insurance", "third_party"]


# --------------------------------------------------------------------------- scenarios


@st.composite
def scenarios(draw, max_owners: int = 3, amounts: int = 100, frozen_owners_perform: bool = False,
              cost_share: float = 2 / 3, min_exposure: int = 0, min_assets: int = 0, max_assets: int = 4,
              whole: bool = True, unreleasable: bool = True):
    """Small random scenarios: several owners, shared cases, circles, self-given guarantees,
    guarantees backed by frozen assets, whole and unreleasable assets.

    With ``frozen_owners_perform`` only owners of frozen assets have obligations (the usual
    case: the developer whose accounts are frozen performs the agreement).
    """
    amount = st.integers(0, amounts)
    n_cases = draw(st.integers(1, 5))
    case_ids = [f"C{i + 1}" for i in range(n_cases)]
    owners = [f"D{i + 1}" for i in range(draw(st.integers(1, max_owners)))]
    some_cases = st.lists(st.sampled_from(case_ids), unique=True, max_size=n_cases)
    cases = [{"id": c, "exposure": draw(st.integers(min_exposure, amounts))} for c in case_ids]
    assets = [
        {
            "id": f"F{i + 1}",
            "owner": draw(st.sampled_from(owners)),
            "kind": draw(st.sampled_from(ASSET_KINDS)),
            "value": draw(st.integers(0, amounts * 2)),
            "secures": draw(some_cases),
        }
        for i in range(draw(st.integers(min_assets, max_assets)))
    ]
    for asset in assets:  # absent (default true), or drawn; whole assets are common
        if whole and draw(st.integers(0, 2)) > 0:
            asset["divisible"] = draw(st.booleans())
        if unreleasable and draw(st.integers(0, 3)) == 0:
            asset["release_allowed"] = draw(st.booleans())
    n_guarantees = draw(st.integers(0, 3))
    guarantee_ids = [f"G{i + 1}" for i in range(n_guarantees)]
    backers = guarantee_ids + [a["id"] for a in assets]
    guarantees = [
        {
            "id": g,
            "provider": draw(st.sampled_from(owners + ["P1", "P2"])),
            "kind": draw(st.sampled_from(GUARANTEE_KINDS)),
            "value": draw(amount),
            "secures": draw(some_cases),
            "backed_by": draw(st.lists(st.sampled_from(backers), unique=True, max_size=2)) if backers else [],
        }
        for g in guarantee_ids
    ]
    performers = sorted({a["owner"] for a in assets}) if frozen_owners_perform and assets else owners
    obligations = []
    for i in range(draw(st.integers(0, 6))):
        earlier = [o["id"] for o in obligations]
        obligations.append(
            {
                "id": f"O{i + 1}",
                "owner": draw(st.sampled_from(performers)),
                # milestones usually cost less than the exposure they settle (delivery, repair)
                "cost": draw(st.integers(0, int(amounts * cost_share))),
                "reduces": draw(st.dictionaries(st.sampled_from(case_ids), amount, min_size=1, max_size=n_cases)),
                "after": draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else [],
            }
        )
    used = {a["owner"] for a in assets} | {o["owner"] for o in obligations}
    cash = {o: draw(st.integers(0, amounts // 2)) for o in owners if o in used and draw(st.booleans())}
    policy = {"circular_guarantees": draw(st.sampled_from(["exclude", "include"]))}
    return {
        "cases": cases,
        "assets": assets,
        "guarantees": guarantees,
        "obligations": obligations,
        "cash": cash,
        "policy": policy,
    }


def plan_of(data: dict) -> dict:
    return plan_release(parse_scenario(data)).to_json()


# --------------------------------------------------------------------------- independent checks


def effective_guarantees(data: dict) -> list[dict]:
    """Guarantees that count, recomputed here: circles via SCCs and self-given via owners
    (policy exclude), then anything that reaches a frozen asset or one of those through
    ``backed_by`` (any policy)."""
    backing = nx.DiGraph()
    backing.add_nodes_from(g["id"] for g in data["guarantees"])
    for g in data["guarantees"]:
        backing.add_edges_from((g["id"], b) for b in g.get("backed_by", []))
    bad = {a["id"] for a in data["assets"]}
    if data.get("policy", {}).get("circular_guarantees", "exclude") == "exclude":
        bad |= {n for scc in nx.strongly_connected_components(backing) if len(scc) > 1 for n in scc}
        bad |= {u for u, v in backing.edges if u == v}
        owners = {a["owner"] for a in data["assets"]}
        bad |= {g["id"] for g in data["guarantees"] if g["provider"] in owners}
    return [g for g in data["guarantees"]
            if g["id"] not in bad and not (nx.descendants(backing, g["id"]) & bad)]


def releasable(asset: dict) -> bool:
    return asset.get("release_allowed", True)


def whole(asset: dict) -> bool:
    return releasable(asset) and not asset.get("divisible", True)


def secured(data: dict, exposure: dict, values: dict, guarantees: list[dict]) -> int:
    """Secured amount with networkx's max flow (independent of the planner's scipy path)."""
    net = nx.DiGraph()
    net.add_node("s")
    net.add_node("t")
    items = [(a["id"], values[a["id"]], a["secures"]) for a in data["assets"]]
    items += [(g["id"], g["value"], g["secures"]) for g in guarantees]
    for ident, value, secures in items:
        net.add_edge("s", ("i", ident), capacity=value)
        for c in secures:
            net.add_edge(("i", ident), ("c", c), capacity=value)
    for c, e in exposure.items():
        net.add_edge(("c", c), "t", capacity=e)
    return nx.maximum_flow_value(net, "s", "t")


def lp_kept(data, exposure, values, guarantees, fixed_kept=None, target=None):
    """Least total frozen value keeping the secured amount (HiGHS), optionally focusing one asset.

    Returns the optimal kept vector. ``fixed_kept`` pins some assets' kept values;
    ``target`` minimises only that asset's kept value.
    """
    assets = data["assets"]
    s_now = secured(data, exposure, values, guarantees)
    items = [(a["secures"], None) for a in assets] + [(g["secures"], g["value"]) for g in guarantees]
    arcs = [(i, c) for i, (secures, _) in enumerate(items) for c in secures]
    n_k = len(assets)
    n = n_k + len(arcs)
    if n_k == 0:
        return []
    cases = list(exposure)
    a_ub, b_ub = [], []
    for i, (_, cap) in enumerate(items):
        row = np.zeros(n)
        for j, (item, _) in enumerate(arcs):
            if item == i:
                row[n_k + j] = 1
        if cap is None:
            row[i] = -1
            b_ub.append(0)
        else:
            b_ub.append(cap)
        a_ub.append(row)
    for c in cases:
        row = np.zeros(n)
        for j, (_, cc) in enumerate(arcs):
            if cc == c:
                row[n_k + j] = 1
        a_ub.append(row)
        b_ub.append(exposure[c])
    row = np.zeros(n)
    row[n_k:] = -1
    a_ub.append(row)
    b_ub.append(-s_now)
    # an asset that may not be released keeps its value; a whole asset is pinned too (the
    # LP is the reference for the divisible part)
    bounds = [(0, values[a["id"]]) if releasable(a) and not whole(a) else (values[a["id"]], values[a["id"]])
              for a in assets] + [(0, None)] * len(arcs)
    for k, kept in (fixed_kept or {}).items():
        bounds[k] = (kept, kept)
    cost = np.zeros(n)
    if target is None:
        cost[:n_k] = 1
    else:
        cost[target] = 1
    result = linprog(cost, A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub or None, bounds=bounds, method="highs")
    assert result.status == 0, result.message
    return [round(x) for x in result.x[:n_k]]


def replay(data: dict, plan: dict, check_lp: bool = True, check_order: bool = False):
    """Walk the plan stage by stage and check every rule; return the final state."""
    all_guarantees = effective_guarantees(data)
    assert sorted(plan["excluded_guarantees"]) == sorted(
        g["id"] for g in data["guarantees"] if g not in all_guarantees
    )
    exposure = {c["id"]: c["exposure"] for c in data["cases"]}
    values = {a["id"]: a["value"] for a in data["assets"]}
    owner_of = {a["id"]: a["owner"] for a in data["assets"]}
    assets = {a["id"]: a for a in data["assets"]}
    obligations = {o["id"]: o for o in data["obligations"]}
    owners = {a["owner"] for a in data["assets"]} | {o["owner"] for o in data["obligations"]} | set(data["cash"])
    cash = {o: data["cash"].get(o, 0) for o in owners}
    done: set[str] = set()
    released_total = 0
    for number, stage in enumerate(plan["stages"], start=1):
        assert stage["stage"] == number
        assert stage["release"] or stage["perform"], "an empty stage was emitted"
        guarantees = [g for g in all_guarantees if g.get("from_stage", 1) <= number]
        before = secured(data, exposure, values, guarantees)
        release = {r["asset"]: r["amount"] for r in stage["release"]}
        if check_lp and not any(whole(a) and values[a["id"]] > 0 for a in data["assets"]):
            kept = lp_kept(data, exposure, values, guarantees)
            assert sum(release.values()) == sum(values.values()) - sum(kept), "release is not the largest allowed"
        if check_order:
            check_fewest_cases_first(data, exposure, values, guarantees, release)
        for asset, amount in release.items():
            assert 0 < amount <= values[asset], "released beyond the frozen value"
            assert releasable(assets[asset]), f"{asset} may not be released"
            if whole(assets[asset]):
                assert amount == values[asset], f"whole asset {asset} was cut"
            values[asset] -= amount
            cash[owner_of[asset]] += amount
            released_total += amount
        assert secured(data, exposure, values, guarantees) == before, "a release lowered coverage"
        assert_maximal(data, exposure, values, guarantees)
        for oid in stage["perform"]:
            o = obligations[oid]
            assert oid not in done
            assert all(p in done for p in o.get("after", [])), "precedence broken"
            cash[o["owner"]] -= o["cost"]
            assert cash[o["owner"]] >= 0, "cash went negative"
            for c, r in o["reduces"].items():
                exposure[c] = max(0, exposure[c] - r)
            done.add(oid)
        assert stage["cash_after"] == {o: cash[o] for o in stage["cash_after"]}
        assert set(stage["cash_after"]) == owners
        assert {c: v["exposure"] for c, v in stage["coverage"].items()} == exposure
        assert all(0 <= v["secured"] <= v["exposure"] for v in stage["coverage"].values())
        assert sum(v["secured"] for v in stage["coverage"].values()) == secured(data, exposure, values, guarantees)
        for oid, o in obligations.items():  # every payable obligation was performed
            if oid not in done and all(p in done for p in o.get("after", [])):
                assert o["cost"] > cash[o["owner"]], f"{oid} was payable but not performed"
    assert plan["total_released"] == released_total
    guarantees = all_guarantees
    assert plan["still_frozen"] == {a: v for a, v in values.items() if v > 0}
    assert_maximal(data, exposure, values, guarantees)  # nothing is still releasable at the end
    if not any(whole(a) and values[a["id"]] > 0 for a in data["assets"]):
        end_kept = lp_kept(data, exposure, values, guarantees)
        assert sum(end_kept) == sum(values.values()), "something is still releasable at the end"
    if plan["status"] == "complete":
        assert done == set(obligations)
        assert plan["blocked"] is None
    else:
        assert plan["status"] == "blocked"
        blocked = plan["blocked"]
        o = obligations[blocked["obligation"]]
        assert blocked["obligation"] not in done
        assert all(p in done for p in o.get("after", []))
        assert blocked["shortfall"] == o["cost"] - cash[o["owner"]] > 0
    kept_guarantees = [g for g in guarantees if g["id"] not in plan["discharge"]]
    assert secured(data, exposure, values, kept_guarantees) == secured(data, exposure, values, guarantees)
    return exposure, values, cash, done


def assert_maximal(data, exposure, values, guarantees):
    """No remaining whole asset, and no fen of a divisible one, can go without lowering coverage."""
    now = secured(data, exposure, values, guarantees)
    for a in data["assets"]:
        if not releasable(a) or values[a["id"]] == 0:
            continue
        trial = dict(values)
        trial[a["id"]] = 0 if whole(a) else values[a["id"]] - 1
        assert secured(data, exposure, trial, guarantees) < now, f"{a['id']} could still be released"


def open_cases(a, exposure):
    return sum(1 for c in a["secures"] if exposure[c] > 0)


def check_fewest_cases_first(data, exposure, values, guarantees, release):
    """The court's order: whole assets tried fewest open cases first, each released when
    coverage holds without it; then each divisible asset, fewest open cases first, released
    as much as possible (the lexicographic maximum, by LP)."""
    assets = data["assets"]
    order = sorted(range(len(assets)), key=lambda k: (open_cases(assets[k], exposure), k))
    now = secured(data, exposure, values, guarantees)
    trial = dict(values)
    for k in order:
        a = assets[k]
        if whole(a) and values[a["id"]] > 0:
            without = dict(trial, **{a["id"]: 0})
            goes = secured(data, exposure, without, guarantees) == now
            assert (release.get(a["id"], 0) == values[a["id"]]) == goes, f"whole {a['id']} decided wrongly"
            if goes:
                trial = without
    fixed: dict[int, int] = {k: trial[a["id"]] for k, a in enumerate(assets) if not releasable(a) or whole(a)}
    for k in order:
        if k in fixed:
            continue
        best = lp_kept(data, exposure, trial, guarantees, fixed_kept=fixed, target=k)[k]
        planned = values[assets[k]["id"]] - release.get(assets[k]["id"], 0)
        assert planned == best, f"{assets[k]['id']} keeps {planned}, could keep only {best}"
        fixed[k] = best


# --------------------------------------------------------------------------- properties


@FAST
@given(scenarios(max_owners=1))
def test_single_owner_plans_keep_every_rule(data):
    """With one developer: coverage never drops, releases are maximal, precedence and cash hold."""
    replay(data, plan_of(data))


@FAST
@given(scenarios(max_owners=3))
def test_several_owner_plans_keep_every_rule(data):
    """With several developers sharing cases the same rules hold."""
    replay(data, plan_of(data))


@SLOW
@given(scenarios(max_owners=3))
def test_assets_securing_fewest_cases_are_released_first(data):
    """Each release is the lexicographic maximum in "fewest open cases first" order."""
    replay(data, plan_of(data), check_lp=False, check_order=True)


@FAST
@given(scenarios(max_owners=3))
def test_a_complete_plan_leaves_nothing_releasable(data):
    """Re-planning the end state of a complete plan releases nothing and performs nothing."""
    plan = plan_of(data)
    if plan["status"] != "complete":
        return
    exposure, values, cash, _ = replay(data, plan, check_lp=False)
    end = copy.deepcopy(data)
    for c in end["cases"]:
        c["exposure"] = exposure[c["id"]]
    for a in end["assets"]:
        a["value"] = values[a["id"]]
    end["obligations"] = []
    end["cash"] = {o: v for o, v in cash.items() if o in {a["owner"] for a in end["assets"]}}
    assert plan_of(end)["stages"] == []


@MANY
@given(scenarios(max_owners=3, frozen_owners_perform=True, min_exposure=40, min_assets=2, cost_share=1.5))
def test_the_suggested_guarantee_unblocks_and_one_fen_less_does_not(data):
    check_suggestion(data)


@MANY
@given(scenarios(max_owners=2, frozen_owners_perform=True, min_exposure=40, min_assets=2, max_assets=5,
                 cost_share=1.5, unreleasable=False))
def test_with_whole_assets_the_suggested_guarantee_unblocks_and_one_fen_less_does_not(data):
    """The owner's value comes in lumps: still the re-plan performs, and one fen less does not."""
    check_suggestion(data)


def check_suggestion(data):
    """Re-planning with the suggested guarantee performs the blocked obligation; one fen less cannot."""
    plan = plan_of(data)
    if plan["status"] != "blocked":
        return None
    blocked = plan["blocked"]
    owner = blocked["owner"]
    assets = {a["id"]: a for a in data["assets"]}
    frozen = sum(v for a, v in plan["still_frozen"].items() if assets[a]["owner"] == owner and releasable(assets[a]))
    suggestion = blocked["suggested_guarantee"]
    if suggestion is None:
        assert frozen < blocked["shortfall"]
        return
    assert frozen >= blocked["shortfall"]
    k = blocked["after_stage"]

    def replan(value, from_stage=None):
        extra = copy.deepcopy(data)
        guarantee = {"id": "GX", "provider": "PX", "kind": "bank_letter", "value": value,
                     "secures": suggestion["secures"], "backed_by": []}
        if from_stage is not None:
            guarantee["from_stage"] = from_stage
        extra["guarantees"].append(guarantee)
        return extra, plan_of(extra)

    def performs(p):
        return any(blocked["obligation"] in st["perform"] for st in p["stages"])

    # The contract: re-planning with the guarantee added (from the start) performs the obligation.
    extra, from_start = replan(suggestion["value"])
    replay(extra, from_start, check_lp=False)
    assert performs(from_start)

    if suggestion["from_stage"] == 1 and k > 0:
        # Raised for the from-start re-plan: one fen less does not perform it.
        _, short = replan(suggestion["value"] - 1)
        assert not performs(short)
        return

    # Computed at the block: posted then, it performs the obligation; one fen less cannot.
    assert suggestion["from_stage"] == k + 1
    extra, again = replan(suggestion["value"], k + 1)
    replay(extra, again, check_lp=False)
    for old, new in zip(plan["stages"], again["stages"][:k]):
        assert (old["release"], old["perform"], old["cash_after"]) == (new["release"], new["perform"], new["cash_after"])
    assert blocked["obligation"] in again["stages"][k]["perform"]

    _, short = replan(suggestion["value"] - 1, k + 1)
    owned = {a["id"] for a in data["assets"] if a["owner"] == owner}
    if len(short["stages"]) > k:
        stage = short["stages"][k]
        assert blocked["obligation"] not in stage["perform"]
        freed = sum(r["amount"] for r in stage["release"] if r["asset"] in owned)
        assert freed < blocked["shortfall"]


@SLOW
@given(scenarios(max_owners=2, amounts=12, frozen_owners_perform=True, min_exposure=5, min_assets=2, max_assets=5,
                 cost_share=1.5, unreleasable=False))
def test_no_smaller_guarantee_posted_at_the_block_performs_the_obligation(data):
    """The smallest stays the smallest: every value below the suggestion, posted after the
    block, leaves the obligation unperformed (whole assets make the freed value jump)."""
    plan = plan_of(data)
    if plan["status"] != "blocked" or plan["blocked"]["suggested_guarantee"] is None:
        return
    blocked = plan["blocked"]
    suggestion, k = blocked["suggested_guarantee"], blocked["after_stage"]
    if suggestion["from_stage"] != k + 1:
        return
    for value in range(suggestion["value"]):
        extra = copy.deepcopy(data)
        extra["guarantees"].append({"id": "GX", "provider": "PX", "kind": "bank_letter", "value": value,
                                    "secures": suggestion["secures"], "from_stage": k + 1})
        again = plan_of(extra)
        assert all(blocked["obligation"] not in stage["perform"] for stage in again["stages"][k:k + 1]), value


SCALE = 3 * 2**31 + 5  # pushes every amount past scipy's int32 capacities


@FAST
@given(scenarios(max_owners=3))
def test_amounts_beyond_int32_give_the_same_plan_scaled(data):
    """Multiplying every amount by ~6.4e9 multiplies every release and cash figure alike."""
    big = copy.deepcopy(data)
    for c in big["cases"]:
        c["exposure"] *= SCALE
    for item in big["assets"]:
        item["value"] *= SCALE
    for g in big["guarantees"]:
        g["value"] *= SCALE
    for o in big["obligations"]:
        o["cost"] *= SCALE
        o["reduces"] = {c: r * SCALE for c, r in o["reduces"].items()}
    big["cash"] = {o: v * SCALE for o, v in big["cash"].items()}
    small, large = plan_of(data), plan_of(big)
    assert large["status"] == small["status"]
    assert len(large["stages"]) == len(small["stages"])
    for s, b in zip(small["stages"], large["stages"]):
        assert b["release"] == [{"asset": r["asset"], "amount": r["amount"] * SCALE} for r in s["release"]]
        assert b["perform"] == s["perform"]
        assert b["cash_after"] == {o: v * SCALE for o, v in s["cash_after"].items()}
        assert sum(v["secured"] for v in b["coverage"].values()) == SCALE * sum(
            v["secured"] for v in s["coverage"].values()
        )
    assert large["discharge"] == small["discharge"]


@SLOW
@given(
    st.integers(3, 9).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from([1, 7, 2**31 - 1, 2**33, 10**15])),
                min_size=1,
                max_size=25,
            ),
        )
    )
)
def test_exact_max_flow_matches_networkx_at_any_size_of_amount(case):
    """The int32 solver with capacity scaling agrees with networkx on huge capacities."""
    n, raw = case
    arcs = {}
    for u, v, cap in raw:
        if u != v and v != 0 and u != 1 and (v, u) not in arcs:
            arcs[(u, v)] = cap
    assume(arcs)
    tails = np.array([u for u, _ in arcs])
    heads = np.array([v for _, v in arcs])
    caps = np.array(list(arcs.values()), dtype=np.int64)
    value, flow = max_flow(n, tails, heads, caps)
    reference = nx.DiGraph()
    reference.add_nodes_from(range(n))
    for (u, v), cap in arcs.items():
        reference.add_edge(u, v, capacity=cap)
    assert value == nx.maximum_flow_value(reference, 0, 1)
    assert (flow >= 0).all() and (flow <= caps).all()


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])
