"""Benchmark of the mediator assignment (mediation.assign) on a generated Wenchang caseload.

    .venv/bin/python bench/bench_assign.py                    # 5,000 cases × 200 mediators, 7 runs
    .venv/bin/python bench/bench_assign.py --references       # and the other solvers, at 1,000 × 40
    .venv/bin/python bench/bench_assign.py --dump /tmp/s.json # the scenario, for python -m mediation.assign

The generator follows the court's shape: 150 projects in Wenchang's 17 towns (approximate
town coordinates, projects scattered ±3 km), 40 developers; complaints concentrate on a
few projects (Pareto weights: a stalled building sends hundreds) and on late delivery and
title delay; mediators live in the towns, know 2–5 dispute types (most know late
delivery), carry 0–30 open cases with room for 0–45 more, 15 % declared a conflict with one
or two developers and 8 % are on leave. Remaining capacity (≈4,200) is below the open
cases, so the maximum assignment leaves some out — the hard case for the solver.

Timed: ``suggest_assignments`` on the parsed scenario (eligibility, grouping, the flow,
the explanations), wall clock, median of the runs. The references solve the *same* problem
(same count and cost, checked) with scipy's ``linear_sum_assignment`` on the dense case ×
slot matrix, ``min_weight_full_bipartite_matching`` on the sparse eligible graph with one
dummy column per case, scipy's HiGHS on the grouped flow as a linear programme, and
networkx's ``max_flow_min_cost`` (network simplex in Python) on the grouped flow.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from scipy.optimize import linear_sum_assignment, linprog  # noqa: E402
from scipy.sparse import coo_matrix, csr_matrix  # noqa: E402
from scipy.sparse.csgraph import min_weight_full_bipartite_matching  # noqa: E402

from mediation.assign import parse_scenario, suggest_assignments  # noqa: E402
from mediation.assign.solver import build_network  # noqa: E402

TOWNS = [  # approximate town centres (demo data)
    (19.543, 110.797), (19.418, 110.607), (19.545, 110.556), (19.470, 110.730), (19.780, 110.620),
    (19.640, 110.610), (19.660, 110.840), (19.680, 110.910), (19.560, 110.880), (19.640, 111.000),
    (19.790, 110.940), (19.890, 110.870), (19.840, 110.700), (19.970, 110.780), (19.990, 110.700),
    (20.030, 110.580), (19.780, 110.780),
]
TYPES = ["late_delivery", "title_delay", "quality", "area", "rescission", "advertising", "presale_funds",
         "stalled", "property_mgmt", "other"]
TYPE_WEIGHTS = [30, 20, 15, 5, 8, 5, 4, 5, 6, 2]


def generate_scenario(n_cases: int, n_mediators: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    n_projects, n_developers = max(1, n_cases * 3 // 100), 40
    projects = []
    for p in range(n_projects):
        lat, lon = rng.choice(TOWNS)
        projects.append({"id": f"P{p + 1}", "lat": round(lat + rng.uniform(-0.03, 0.03), 5),
                         "lon": round(lon + rng.uniform(-0.03, 0.03), 5), "developer_id": f"D{p % n_developers + 1}"})
    weights = [rng.paretovariate(1.2) for _ in projects]
    cases = []
    for i in range(n_cases):
        project = rng.choices(projects, weights)[0]
        cases.append({"id": f"K{i + 1}", "dispute_type": rng.choices(TYPES, TYPE_WEIGHTS)[0],
                      "developer_id": project["developer_id"], "project_id": project["id"]})
    mediators = []
    for m in range(n_mediators):
        lat, lon = rng.choice(TOWNS)
        skills = set(rng.sample(TYPES, rng.randint(2, 5)))
        if rng.random() < 0.6:
            skills.add("late_delivery")
        conflicts = [f"D{d}" for d in rng.sample(range(1, n_developers + 1), rng.randint(1, 2))] if rng.random() < 0.15 else []
        mediators.append({"id": f"M{m + 1}", "skills": sorted(skills), "lat": lat, "lon": lon,
                          "capacity": rng.randint(0, 45), "load": rng.randint(0, 30), "conflicts": conflicts,
                          "available": rng.random() < 0.92})
    return {"cases": cases, "projects": [{k: p[k] for k in ("id", "lat", "lon")} for p in projects],
            "mediators": mediators, "load_weight_km": 5}


def timed(fn, runs: int):
    times, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), value


# --------------------------------------------------------------------------- reference solvers


def _slots(net):
    demand = np.bincount(net.pair_mediator, weights=net.size[net.pair_group], minlength=len(net.capacity))
    slots = np.minimum(net.capacity, demand.astype(np.int64))
    start = np.concatenate([[0], np.cumsum(slots)])
    return slots, start


def _case_rows(net):
    """(case row, mediator, km) for every eligible case × mediator pair."""
    rows, meds, kms = [], [], []
    for p in range(len(net.pair_group)):
        members = net.group_cases[net.pair_group[p]]
        rows.extend(members)
        meds.extend([net.pair_mediator[p]] * len(members))
        kms.extend([net.pair_km[p]] * len(members))
    return np.array(rows), np.array(meds), np.array(kms)


def _big(net, n):
    worst = net.pair_km.max(initial=0) + net.weight * (net.load + net.capacity).max(initial=0)
    return (n + 1) * (worst + 1)  # one unassigned case costs more than any whole assignment


def reference_dense_lsa(net):
    n = int(net.size.sum())
    slots, start = _slots(net)
    rows, meds, kms = _case_rows(net)
    big = _big(net, n)
    cost = np.full((n, max(int(start[-1]), n)), big)
    for r, m, d in zip(rows, meds, kms):
        k = np.arange(1, slots[m] + 1)
        cost[r, start[m]:start[m + 1]] = d + net.weight * (net.load[m] + k)
    r, c = linear_sum_assignment(cost)
    real = cost[r, c] < big
    return int(real.sum()), float(cost[r, c][real].sum())


def reference_sparse_lapjvsp(net):
    n = int(net.size.sum())
    slots, start = _slots(net)
    rows, meds, kms = _case_rows(net)
    big = _big(net, n)
    ri, ci, vals = [np.arange(n)], [start[-1] + np.arange(n)], [np.full(n, big)]  # one dummy per case
    for r, m, d in zip(rows, meds, kms):
        k = np.arange(1, slots[m] + 1)
        ri.append(np.full(len(k), r))
        ci.append(start[m] + k - 1)
        vals.append(d + net.weight * (net.load[m] + k))
    graph = csr_matrix((np.concatenate(vals), (np.concatenate(ri), np.concatenate(ci))), shape=(n, int(start[-1]) + n))
    r, c = min_weight_full_bipartite_matching(graph)
    real = c < start[-1]
    return int(real.sum()), float(np.asarray(graph[r[real], c[real]]).sum())


def reference_highs_lp(net):
    """The grouped flow as an LP (integral: a network matrix), unassigned cases at a large price."""
    n_groups, n_med = len(net.size), len(net.capacity)
    slots, start = _slots(net)
    slot_m = np.repeat(np.arange(n_med), slots)
    slot_cost = net.weight * (net.load[slot_m] + np.arange(len(slot_m)) - start[slot_m] + 1)
    n_pairs, n_slots = len(net.pair_group), len(slot_m)
    big = _big(net, int(net.size.sum()))
    cost = np.concatenate([net.pair_km, slot_cost, np.full(n_groups, big)])
    ix, iy, iu = np.arange(n_pairs), n_pairs + np.arange(n_slots), n_pairs + n_slots + np.arange(n_groups)
    rows = np.concatenate([net.pair_group, n_groups + net.pair_mediator, n_groups + slot_m, np.arange(n_groups)])
    cols = np.concatenate([ix, ix, iy, iu])
    vals = np.concatenate([np.ones(2 * n_pairs), -np.ones(n_slots), np.ones(n_groups)])
    a_eq = coo_matrix((vals, (rows, cols)), shape=(n_groups + n_med, len(cost))).tocsr()
    b_eq = np.concatenate([net.size, np.zeros(n_med)])
    upper = np.concatenate([np.full(n_pairs, np.inf), np.ones(n_slots), np.full(n_groups, np.inf)])
    res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=np.column_stack([np.zeros(len(cost)), upper]), method="highs-ds")
    x = np.rint(res.x)
    return int(x[:n_pairs].sum()), float(cost[:n_pairs + n_slots] @ x[:n_pairs + n_slots])


def reference_networkx(net, scale=10**6):
    g = nx.DiGraph()
    slots, _ = _slots(net)
    for i, size in enumerate(net.size):
        g.add_edge("s", ("g", i), capacity=int(size), weight=0)
    for p in range(len(net.pair_group)):
        gi, m = int(net.pair_group[p]), int(net.pair_mediator[p])
        g.add_edge(("g", gi), ("m", m), capacity=int(net.size[gi]), weight=int(round(net.pair_km[p] * scale)))
    for m, count in enumerate(slots):
        for k in range(1, int(count) + 1):  # a DiGraph has no parallel arcs: one node per slot
            g.add_edge(("m", m), ("k", m, k), capacity=1, weight=int(round(net.weight * (net.load[m] + k) * scale)))
            g.add_edge(("k", m, k), "t", capacity=1, weight=0)
    flow = nx.max_flow_min_cost(g, "s", "t")
    assigned = sum(flow["s"].values())
    return assigned, nx.cost_of_flow(g, flow) / scale


# --------------------------------------------------------------------------- main


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?") \
        if os.path.exists("/proc/cpuinfo") else platform.processor()
    return (f"{cpu}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
            f"load average {os.getloadavg()[0]:.1f} at start (the machine is shared with eight other processes)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--mediators", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--references", action="store_true", help="also time the other solvers at 1,000 × 40")
    parser.add_argument("--dump", help="write the scenario JSON here and stop")
    args = parser.parse_args()
    data = generate_scenario(args.cases, args.mediators)
    if args.dump:
        Path(args.dump).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return
    print(machine())
    scenario = parse_scenario(data)
    net = build_network(scenario)
    print(f"{args.cases:,} cases in {len(net.size):,} groups of identical cases, {args.mediators} mediators, "
          f"{len(net.pair_group):,} eligible group × mediator pairs, capacity left {int(net.capacity[net.eligible.any(0)].sum()):,}")
    med, best, result = timed(lambda: suggest_assignments(scenario), args.runs)
    print(f"suggest_assignments (grouped):   median {med:.3f} s, best {best:.3f} s — assigned {result.assigned:,}, "
          f"cost {result.total_cost:,.3f}")
    med, best, single = timed(lambda: suggest_assignments(scenario, group_identical=False), max(3, args.runs // 2))
    print(f"suggest_assignments (per case):  median {med:.3f} s, best {best:.3f} s — assigned {single.assigned:,}, "
          f"cost {single.total_cost:,.3f}")
    start = time.perf_counter()
    text = json.dumps(data)
    from mediation.assign.__main__ import main as cli  # noqa: PLC0415
    import contextlib  # noqa: PLC0415
    import io  # noqa: PLC0415
    sys.stdin = io.StringIO(text)
    with contextlib.redirect_stdout(io.StringIO()):
        cli(["-"])
    print(f"the whole command minus interpreter start-up (read, validate, solve, JSON out): {time.perf_counter() - start:.3f} s")

    if args.references:
        small = parse_scenario(generate_scenario(1000, 40))
        small_net = build_network(small)
        ours = suggest_assignments(small)
        print(f"\nreferences at 1,000 cases × 40 mediators ({len(small_net.size)} groups); ours: "
              f"assigned {ours.assigned}, cost {ours.total_cost:,.3f}")
        med, _, _ = timed(lambda: suggest_assignments(small), 5)
        print(f"  suggest_assignments (OR-tools, grouped)      {med:8.3f} s")
        for name, fn in [("scipy HiGHS LP on the grouped flow", reference_highs_lp),
                         ("networkx max_flow_min_cost, grouped", reference_networkx),
                         ("scipy min_weight_full_bipartite_matching", reference_sparse_lapjvsp),
                         ("scipy linear_sum_assignment (dense)", reference_dense_lsa)]:
            start = time.perf_counter()
            assigned, cost = fn(small_net)
            elapsed = time.perf_counter() - start
            same = assigned == ours.assigned and abs(cost - ours.total_cost) < 1e-3
            print(f"  {name:<44} {elapsed:8.3f} s  assigned {assigned}, cost {cost:,.3f} {'(same)' if same else '(DIFFERS)'}")


if __name__ == "__main__":
    main()
