"""The assignment against a brute force that shares nothing with it, on random small courts.

The brute force tries every way of giving each case one eligible mediator or none,
checking eligibility and capacity itself, and keeps the best by (most cases assigned,
least cost), the cost computed straight from the rule's words with its own haversine.
"""

from __future__ import annotations

import itertools
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediation.assign import parse_scenario, suggest_assignments

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TYPES = ["late_delivery", "quality", "title_delay"]
DEVELOPERS = ["D1", "D2", "D3"]


def km(a, b) -> float:
    """Great-circle km, written out independently of the solver (R = 6371.0088)."""
    (lat1, lon1), (lat2, lon2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def eligible(case, mediator) -> bool:
    return (mediator["available"] and case["dispute_type"] in mediator["skills"]
            and case["developer_id"] not in mediator["conflicts"] and mediator["capacity"] > 0)


def brute_force(data) -> tuple[int, float]:
    """(most cases assigned, least total cost among those) over every assignment."""
    sites = {p["id"]: (p["lat"], p["lon"]) for p in data["projects"]}
    mediators, weight = data["mediators"], data["load_weight_km"]
    options = [[None] + [j for j, m in enumerate(mediators) if eligible(c, m)] for c in data["cases"]]
    best = (0, 0.0)
    for choice in itertools.product(*options):
        given = [choice.count(j) for j in range(len(mediators))]
        if any(n > m["capacity"] for n, m in zip(given, mediators)):
            continue
        cost = sum(km(sites[c["project_id"]], (mediators[j]["lat"], mediators[j]["lon"]))
                   for c, j in zip(data["cases"], choice) if j is not None)
        cost += weight * sum(m["load"] + k for n, m in zip(given, mediators) for k in range(1, n + 1))
        assigned = len(choice) - choice.count(None)
        if assigned > best[0] or (assigned == best[0] and cost < best[1]):
            best = (assigned, cost)
    return best


@st.composite
def courts(draw):
    """Up to 6 cases over 2 projects and up to 3 mediators near Wenchang; many are ineligible."""
    coordinate = st.tuples(st.floats(19.3, 20.1), st.floats(110.4, 111.1))
    projects = [{"id": f"P{i}", "lat": lat, "lon": lon} for i, (lat, lon) in enumerate(draw(st.lists(coordinate, min_size=1, max_size=2)))]
    cases = [
        {"id": f"K{i}", "dispute_type": draw(st.sampled_from(TYPES[:2])), "developer_id": draw(st.sampled_from(DEVELOPERS[:2])),
         "project_id": draw(st.sampled_from([p["id"] for p in projects]))}
        for i in range(draw(st.integers(0, 6)))
    ]
    mediators = []
    for j in range(draw(st.integers(0, 3))):
        lat, lon = draw(coordinate)
        mediators.append({
            "id": f"M{j}", "lat": lat, "lon": lon,
            "skills": draw(st.lists(st.sampled_from(TYPES), unique=True, max_size=3)),
            "capacity": draw(st.integers(0, 3)), "load": draw(st.integers(0, 6)),
            "conflicts": draw(st.lists(st.sampled_from(DEVELOPERS), unique=True, max_size=2)),
            "available": draw(st.booleans() | st.just(True)),
        })
    weight = draw(st.sampled_from([0, 0.5, 5, 40]))
    return {"cases": cases, "projects": projects, "mediators": mediators, "load_weight_km": weight}


@SETTINGS
@given(courts(), st.booleans())
def test_count_and_cost_equal_the_brute_force_optimum(data, group_identical):
    """Does the suggestion assign as many cases as any assignment can, at the least cost among those?"""
    result = suggest_assignments(parse_scenario(data), group_identical=group_identical)
    assigned, cost = brute_force(data)
    assert result.assigned == assigned
    assert abs(result.total_cost - cost) < 1e-6


@SETTINGS
@given(courts())
def test_every_pair_is_eligible_and_no_capacity_is_exceeded(data):
    """Is every suggested mediator available, skilled, unconflicted and within its capacity?"""
    result = suggest_assignments(parse_scenario(data))
    cases = {c["id"]: c for c in data["cases"]}
    mediators = {m["id"]: m for m in data["mediators"]}
    for s in result.assignments:
        assert eligible(cases[s.case_id], mediators[s.mediator_id])
    for m in data["mediators"]:
        assert sum(s.mediator_id == m["id"] for s in result.assignments) <= m["capacity"]
    assert sorted([s.case_id for s in result.assignments] + [u.case_id for u in result.unassigned]) == sorted(cases)


@SETTINGS
@given(courts())
def test_the_reported_cost_is_the_rule_applied_to_the_suggestion(data):
    """Is total_cost exactly Σ distance + w × Σ (load+1)+…+(load+n) of the pairs suggested?"""
    result = suggest_assignments(parse_scenario(data))
    mediators = {m["id"]: m for m in data["mediators"]}
    sites = {p["id"]: (p["lat"], p["lon"]) for p in data["projects"]}
    cases = {c["id"]: c for c in data["cases"]}
    distance = 0.0
    for s in result.assignments:
        m = mediators[s.mediator_id]
        expected = km(sites[cases[s.case_id]["project_id"]], (m["lat"], m["lon"]))
        assert abs(s.distance_km - expected) < 1e-9
        distance += expected
    given = {mid: sum(s.mediator_id == mid for s in result.assignments) for mid in mediators}
    load = sum(mediators[mid]["load"] + k for mid, n in given.items() for k in range(1, n + 1))
    assert abs(result.total_cost - (distance + data["load_weight_km"] * load)) < 1e-9


@st.composite
def busier_courts(draw):
    """Up to 40 cases in a few identical groups, 5 mediators with contended capacity."""
    projects = [{"id": f"P{i}", "lat": 19.4 + 0.1 * i, "lon": 110.6 + 0.07 * i} for i in range(3)]
    cases = [{"id": f"K{i}", "dispute_type": draw(st.sampled_from(TYPES)), "developer_id": draw(st.sampled_from(DEVELOPERS)),
              "project_id": draw(st.sampled_from(["P0", "P1", "P2"]))} for i in range(draw(st.integers(10, 40)))]
    mediators = [{"id": f"M{j}", "lat": draw(st.floats(19.3, 20.1)), "lon": draw(st.floats(110.4, 111.1)),
                  "skills": draw(st.lists(st.sampled_from(TYPES), unique=True, min_size=1, max_size=3)),
                  "capacity": draw(st.integers(0, 8)), "load": draw(st.integers(0, 20)),
                  "conflicts": draw(st.lists(st.sampled_from(DEVELOPERS), unique=True, max_size=1)),
                  "available": draw(st.booleans() | st.just(True))} for j in range(5)]
    return {"cases": cases, "projects": projects, "mediators": mediators, "load_weight_km": draw(st.sampled_from([0, 5, 12]))}


def assignment_by_scipy(data) -> tuple[int, float]:
    """The same optimum from scipy's linear_sum_assignment on a case × slot matrix built here.

    Slot k of a mediator costs distance + w·(load + k); a case may also take its own
    "unassigned" column at price BIG > cases × the dearest eligible slot, so one more case
    assigned always outweighs any saving in cost."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    sites = {p["id"]: (p["lat"], p["lon"]) for p in data["projects"]}
    cases, mediators, w = data["cases"], data["mediators"], data["load_weight_km"]
    slots = [(j, k) for j, m in enumerate(mediators) for k in range(1, m["capacity"] + 1)]
    price = np.full((len(cases), len(slots)), np.inf)
    for i, c in enumerate(cases):
        for s, (j, k) in enumerate(slots):
            m = mediators[j]
            if eligible(c, m):
                price[i, s] = km(sites[c["project_id"]], (m["lat"], m["lon"])) + w * (m["load"] + k)
    finite = price[np.isfinite(price)]
    big = (len(cases) + 1) * (float(finite.max()) + 1 if finite.size else 1.0)
    matrix = np.hstack([np.where(np.isfinite(price), price, big * 2), np.full((len(cases), len(cases)), big)])
    rows, cols = linear_sum_assignment(matrix)
    chosen = [(r, c) for r, c in zip(rows, cols) if c < len(slots) and np.isfinite(price[r, c])]
    return len(chosen), float(sum(price[r, c] for r, c in chosen))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(busier_courts())
def test_on_busier_courts_the_count_and_cost_equal_scipys_assignment(data):
    """With 10–40 cases in identical groups and scarce capacity, do we match scipy's exact assignment?"""
    result = suggest_assignments(parse_scenario(data))
    assigned, cost = assignment_by_scipy(data)
    assert result.assigned == assigned
    assert abs(result.total_cost - cost) < 1e-6
