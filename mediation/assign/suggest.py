"""The suggestion a judge reads: who takes which case, and why; which case waits, and why."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mediation.assign.scenario import AssignmentScenario, check_scenario
from mediation.assign.solver import Network, build_network, solve
from mediation.disputes import DisputeType

__all__ = ["AssignmentResult", "LeftOut", "Suggestion", "suggest_assignments"]

# Why a case is left out: the first test that no candidate passes (skill → available →
# no conflict → capacity), or, when some mediator passed them all, that the maximum
# assignment used that capacity for other cases.
NO_SKILL = "no_skill"
NONE_AVAILABLE = "none_available"
ALL_CONFLICTED = "all_conflicted"
NO_CAPACITY = "no_capacity"
CAPACITY_TAKEN = "capacity_taken"
LEFT_OUT_CODES = (NO_SKILL, NONE_AVAILABLE, ALL_CONFLICTED, NO_CAPACITY, CAPACITY_TAKEN)

# A judge reads a handful of names, not two hundred.
MAX_NAMED_MEDIATORS = 5


@dataclass(frozen=True)
class Suggestion:
    case_id: str
    mediator_id: str
    distance_km: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LeftOut:
    case_id: str
    code: str  # one of LEFT_OUT_CODES
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class AssignmentResult:
    assignments: tuple[Suggestion, ...]
    unassigned: tuple[LeftOut, ...]
    total_cost: float  # km: distances + load_weight_km × the load sums

    @property
    def assigned(self) -> int:
        return len(self.assignments)

    def to_json(self) -> dict:
        """The command's output: kilometres and cost rounded to 3 decimals."""
        return {
            "assignments": [
                {"case_id": s.case_id, "mediator_id": s.mediator_id, "distance_km": round(s.distance_km, 3),
                 "reasons": list(s.reasons)}
                for s in self.assignments
            ],
            "unassigned": [{"case_id": u.case_id, "code": u.code, "reasons": list(u.reasons)} for u in self.unassigned],
            "assigned": self.assigned,
            "total_cost": round(self.total_cost, 3),
        }


def suggest_assignments(scenario: AssignmentScenario, *, group_identical: bool = True) -> AssignmentResult:
    """Assign as many open cases as possible to eligible mediators, at the least total cost.

    ``group_identical=False`` solves one node per case instead of one per group of
    identical cases (same answer; the benchmark measures what grouping saves).
    """
    check_scenario(scenario)
    net = build_network(scenario, group_identical=group_identical)
    flows = solve(net)
    mediators, cases = scenario.mediators, scenario.cases

    given = np.bincount(net.pair_mediator, weights=flows, minlength=len(mediators)).astype(np.int64)
    chosen: dict[int, tuple[int, float]] = {}  # case index -> (mediator index, km)
    handed = [0] * len(net.group_cases)
    for p in np.flatnonzero(flows):  # pairs are sorted by group, then distance
        g, m, km = int(net.pair_group[p]), int(net.pair_mediator[p]), float(net.pair_km[p])
        members = net.group_cases[g]
        for i in members[handed[g]:handed[g] + int(flows[p])]:
            chosen[i] = (m, km)
        handed[g] += int(flows[p])

    weight = net.weight
    load_cost = sum(weight * (int(n) * int(net.load[m]) + int(n) * (int(n) + 1) / 2)
                    for m, n in enumerate(given) if n)
    total_cost = sum(km for _, km in chosen.values()) + load_cost

    group_of = np.empty(len(cases), dtype=np.intp)
    for g, members in enumerate(net.group_cases):
        group_of[members] = g
    assignments, unassigned = [], []
    explained: dict[tuple, tuple[str, ...]] = {}
    for i, case in enumerate(cases):
        if i in chosen:
            m, km = chosen[i]
            key = (int(group_of[i]), m)
            if key not in explained:
                explained[key] = _why_chosen(case.dispute_type, km, mediators[m], int(given[m]))
            assignments.append(Suggestion(case.id, mediators[m].id, km, explained[key]))
        else:
            key = (int(group_of[i]),)
            if key not in explained:
                explained[key] = _why_left_out(case, int(group_of[i]), net, mediators)
            code, *reasons = explained[key]
            unassigned.append(LeftOut(case.id, code, tuple(reasons)))
    return AssignmentResult(tuple(assignments), tuple(unassigned), total_cost)


def _why_chosen(dispute_type: str, km: float, mediator, given: int) -> tuple[str, ...]:
    return (
        f"距离{km:.1f}公里",
        f"当前在办{mediator.load}件",
        f"擅长{DisputeType.zh(dispute_type)}",
        f"本次共分派{given}件，尚可再接{mediator.capacity - given}件",
    )


def _why_left_out(case, g: int, net: Network, mediators) -> tuple[str, ...]:
    """The code, then the Chinese reasons: how many mediators each test left standing."""
    label = DisputeType.zh(case.dispute_type)
    skilled, ready = int(net.skilled[g].sum()), int(net.ready[g].sum())
    free, eligible = int(net.free[g].sum()), int(net.eligible[g].sum())
    if not skilled:
        return NO_SKILL, f"没有擅长{label}的调解员"
    reasons = [f"擅长{label}的调解员共{skilled}名"]
    if skilled - ready:
        reasons.append(f"{skilled - ready}名不在岗（停用或请假）")
    if ready - free:
        reasons.append(f"{ready - free}名与开发企业{case.developer_id}存在利益冲突，须回避")
    if free - eligible:
        reasons.append(f"{free - eligible}名已无接案余量")
    if eligible:
        names = [mediators[m].id for m in np.flatnonzero(net.eligible[g])[:MAX_NAMED_MEDIATORS]]
        more = "等" if eligible > MAX_NAMED_MEDIATORS else ""
        reasons.append(f"其余{eligible}名（{'、'.join(names)}{more}）的余量已分派给其他案件："
                       "先使分派的案件最多，再使总成本最小")
        code = CAPACITY_TAKEN
    elif not ready:
        code = NONE_AVAILABLE
    elif not free:
        code = ALL_CONFLICTED
    else:
        code = NO_CAPACITY
    return (code, *reasons)
