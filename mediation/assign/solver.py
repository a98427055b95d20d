"""The optimisation under the suggestion: a maximum flow of minimum cost.

**The problem.** Eligible pairs (case, mediator) only. First assign as many cases as
possible; among those assignments, minimise

    Σ distance(case's project, mediator's base)  +  w × Σ_m [(load_m + 1) + … + (load_m + n_m)]

where ``n_m`` is the number of new cases given to mediator ``m`` and ``w`` is
``load_weight_km``.

**Slot expansion is exact.** The load term of a mediator is a sum whose k-th summand,
``w·(load_m + k)``, grows with k. Give each mediator one *slot* per unit of capacity, slot k
costing ``w·(load_m + k)``, and let a case take a slot of a mediator it is eligible for at
the price of its distance plus the slot's price. A mediator that receives n cases in a
cheapest solution uses its slots 1…n: were slot k+1 used while slot k stayed empty,
moving that case to slot k would be cheaper by w > 0 (or the same when w = 0). So the
cheapest use of the slots costs exactly the objective above, and the slot problem is the
assignment problem itself, not an approximation.

**As a flow.** source → group of identical cases (capacity: the group's size, cost 0) →
mediator (capacity: min(group size, mediator capacity), cost: distance) → slot k of that
mediator (capacity 1, cost w·(load + k)) → sink. Cases of one project, dispute type and
developer have the same eligible mediators at the same distances, so they are one node
with a supply instead of one row each (5,000 open cases in the court's shape form about
900 groups; ``bench/bench_assign.py`` measures both). An integral flow is an assignment
(the flow polytope is integral), and Google OR-tools' network solver computes the
*maximum flow of minimum cost* (``solve_max_flow_with_min_cost``): it first finds the
largest flow, then the cheapest among flows of that value. That is the lexicographic
objective itself — no large constant per unassigned case is needed, so nothing has to be
proven to dominate the cost differences, and no precision is lost to one.

**Why this solver.** scipy's ``linear_sum_assignment`` on the dense case × slot matrix and
``min_weight_full_bipartite_matching`` on the sparse eligible graph solve the same
problem exactly, but at 5,000 cases × 200 mediators (≈4,200 slots, 9.6 million
case-slot edges) they took 87 s and 53 s here, and scipy's HiGHS on the flow as a linear
programme 1.1 s; the network simplex of OR-tools takes ≈0.2 s (BENCHMARKS.md).

**Precision.** The network solver works in integers: costs are scaled by ``scale`` (10⁹
per km for any court-sized scenario, smaller only when that would overflow int64) and
rounded, so the cost of the returned assignment is within ``cases / scale`` km of the
true optimum (5·10⁻⁶ km for 5,000 cases) — below the metre the output shows. The cost
reported is recomputed in floating point from the chosen pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from mediation.assign.scenario import AssignmentScenario

__all__ = ["EARTH_RADIUS_KM", "Network", "build_network", "great_circle_km", "solve"]

# IUGG mean earth radius (R1 = (2a + b) / 3 of WGS 84), the figure the court's contract fixes.
EARTH_RADIUS_KM = 6371.0088

# Integer costs: at most this many units per kilometre (1 µm), and never so many that the
# solver's cost scaling (costs × number of nodes) could leave int64.
MAX_SCALE = 1e9
INT64_HEADROOM = 2.0**62


def great_circle_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km by the haversine formula (arrays broadcast)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(lon2) - np.radians(lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


@dataclass
class Network:
    """The scenario as arrays: groups of identical cases × mediators, and who may take what.

    ``skilled``, ``ready`` (skilled and available), ``free`` (… and no conflict) and
    ``eligible`` (… and capacity left) are group × mediator masks, kept so that a case
    left out can say which test its candidates failed.
    """

    group_cases: list[list[int]]  # case indices (input order) of each group
    size: np.ndarray  # cases per group
    skilled: np.ndarray
    ready: np.ndarray
    free: np.ndarray
    eligible: np.ndarray
    pair_group: np.ndarray  # eligible pairs, sorted by group then distance
    pair_mediator: np.ndarray
    pair_km: np.ndarray
    capacity: np.ndarray
    load: np.ndarray
    weight: float


def build_network(scenario: AssignmentScenario, *, group_identical: bool = True) -> Network:
    """Group identical cases and work out every eligible (group, mediator) pair and its distance."""
    keys: dict[object, int] = {}
    group_cases: list[list[int]] = []
    for i, case in enumerate(scenario.cases):
        key = (case.project_id, case.dispute_type, case.developer_id) if group_identical else i
        g = keys.setdefault(key, len(group_cases))
        if g == len(group_cases):
            group_cases.append([])
        group_cases[g].append(i)
    first = [scenario.cases[members[0]] for members in group_cases]
    mediators = scenario.mediators
    n_groups, n_mediators = len(group_cases), len(mediators)

    type_index = {t: i for i, t in enumerate(dict.fromkeys(c.dispute_type for c in first))}
    developer_index = {d: i for i, d in enumerate(dict.fromkeys(c.developer_id for c in first))}
    skill = np.zeros((len(type_index), n_mediators), dtype=bool)
    conflict = np.zeros((len(developer_index), n_mediators), dtype=bool)
    for j, m in enumerate(mediators):
        skill[[type_index[s] for s in m.skills if s in type_index], j] = True
        conflict[[developer_index[d] for d in m.conflicts if d in developer_index], j] = True
    available = np.array([m.available for m in mediators], dtype=bool)
    capacity = np.array([m.capacity for m in mediators], dtype=np.int64)
    load = np.array([m.load for m in mediators], dtype=np.int64)

    group_type = np.array([type_index[c.dispute_type] for c in first], dtype=np.intp)
    group_developer = np.array([developer_index[c.developer_id] for c in first], dtype=np.intp)
    skilled = skill[group_type].reshape(n_groups, n_mediators)
    ready = skilled & available
    free = ready & ~conflict[group_developer].reshape(n_groups, n_mediators)
    eligible = free & (capacity > 0)

    project_index = {p.id: i for i, p in enumerate(scenario.projects)}
    group_project = np.array([project_index[c.project_id] for c in first], dtype=np.intp)
    site = np.array([(p.lat, p.lon) for p in scenario.projects], dtype=float).reshape(-1, 2)
    base = np.array([(m.lat, m.lon) for m in mediators], dtype=float).reshape(-1, 2)
    pair_group, pair_mediator = np.nonzero(eligible)
    pair_km = great_circle_km(site[group_project[pair_group], 0], site[group_project[pair_group], 1],
                              base[pair_mediator, 0], base[pair_mediator, 1])
    order = np.lexsort((pair_mediator, pair_km, pair_group))
    return Network(
        group_cases=group_cases,
        size=np.array([len(members) for members in group_cases], dtype=np.int64),
        skilled=skilled, ready=ready, free=free, eligible=eligible,
        pair_group=pair_group[order], pair_mediator=pair_mediator[order], pair_km=pair_km[order],
        capacity=capacity, load=load, weight=float(scenario.load_weight_km),
    )


def solve(net: Network) -> np.ndarray:
    """Cases sent along each eligible pair in a maximum assignment of minimum cost."""
    n_pairs = len(net.pair_group)
    if n_pairs == 0:
        return np.zeros(0, dtype=np.int64)
    n_groups, n_mediators = len(net.size), len(net.capacity)
    # A mediator never needs more slots than the cases that may go to it.
    demand = np.bincount(net.pair_mediator, weights=net.size[net.pair_group], minlength=n_mediators)
    slots = np.minimum(net.capacity, demand.astype(np.int64))
    slot_mediator = np.repeat(np.arange(n_mediators), slots)
    slot_k = np.arange(len(slot_mediator)) - np.repeat(np.cumsum(slots) - slots, slots) + 1
    slot_km = net.weight * (net.load[slot_mediator] + slot_k)

    source, sink = n_groups + n_mediators, n_groups + n_mediators + 1
    largest = max(float(net.pair_km.max()), float(slot_km.max(initial=0.0)), 1.0)
    scale = min(MAX_SCALE, INT64_HEADROOM / ((sink + 2) * largest * 4))
    tails = np.concatenate([np.full(n_groups, source), net.pair_group, n_groups + slot_mediator])
    heads = np.concatenate([np.arange(n_groups), n_groups + net.pair_mediator, np.full(len(slot_mediator), sink)])
    capacities = np.concatenate([net.size, np.minimum(net.size[net.pair_group], net.capacity[net.pair_mediator]),
                                 np.ones(len(slot_mediator), dtype=np.int64)])
    costs = np.concatenate([np.zeros(n_groups), np.rint(net.pair_km * scale), np.rint(slot_km * scale)])

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacities.astype(np.int64), costs.astype(np.int64))
    total = int(net.size.sum())
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:  # cannot happen for a checked scenario: say so loudly
        raise RuntimeError(f"the network solver stopped with status {status}")
    return np.asarray(flow.flows(arcs[n_groups:n_groups + n_pairs]), dtype=np.int64)
