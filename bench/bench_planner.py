"""Benchmark of the release planner (risk.plan) on generated province-scale scenarios.

    .venv/bin/python bench/bench_planner.py                       # 1k, 10k, 100k cases
    .venv/bin/python bench/bench_planner.py --sizes 10000 --write # and update BENCHMARKS.md
    .venv/bin/python bench/bench_planner.py --whole 0 0.333 --sizes 10000   # with and without whole assets
    .venv/bin/python bench/bench_planner.py --dump /tmp/s.json --sizes 10000

The generator follows the shape of the circuit court's caseload: each developer has a few
projects; its bank account and equity are frozen for all its cases, unsold units for one
project's cases, single units for one or two buyers; banks and insurers give project-wide
counter-guarantees, a few third parties guarantee each other in circles (担保圈) and some
developers guarantee for themselves. Agreement milestones run in chains per project, now
and then waiting for a milestone of another project. Amounts are realistic fen (cases of
50万–300万元), so every developer's total is far beyond int32.

Ratios per 10,000 cases: 2,000 assets, 1,000 guarantees, 5,000 obligations (the issue's
target scenario). By default a third of the assets are whole (``divisible: false``): every
equity stake and, drawn at random, enough unsold and single units to make up the third; bank
accounts stay divisible.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402

from risk import flow as flow_module  # noqa: E402
from risk.guarantee_graph import parse_scenario  # noqa: E402
from risk.planner import plan_release  # noqa: E402

CASES_PER_DEVELOPER = 50
PROJECTS_PER_DEVELOPER = 4
SECTION = "## Release planner (risk.plan)"


DEFAULT_WHOLE = 1 / 3


def generate_scenario(n_cases: int, seed: int = 7, whole: float = DEFAULT_WHOLE) -> dict:
    """A scenario with n cases, n/5 assets, n/10 guarantees and n/2 obligations, a share
    ``whole`` of the assets indivisible."""
    rng = random.Random(seed)
    cases, assets, guarantees, obligations = [], [], [], []
    cash: dict[str, int] = {}
    n_dev = max(1, n_cases // CASES_PER_DEVELOPER)
    n_assets, n_guarantees, n_obligations = n_cases // 5, n_cases // 10, n_cases // 2
    case_no = 0
    project_cases: list[tuple[str, list[str]]] = []
    dev_cases: dict[str, list[str]] = {}
    for d in range(n_dev):
        dev = f"D{d + 1}"
        share = n_cases // n_dev + (1 if d < n_cases % n_dev else 0)
        ids = []
        for _ in range(share):
            case_no += 1
            cid = f"C{case_no}"
            cases.append({"id": cid, "exposure": rng.randrange(50, 300) * 1_000_000})  # 50万–300万元
            ids.append(cid)
        dev_cases[dev] = ids
        chunk = max(1, -(-len(ids) // PROJECTS_PER_DEVELOPER))
        for p in range(0, len(ids), chunk):
            project_cases.append((dev, ids[p : p + chunk]))
        cash[dev] = rng.randrange(0, 50) * 1_000_000
    exposure = {c["id"]: c["exposure"] for c in cases}

    def add_asset(owner, kind, secures, cover):
        value = int(sum(exposure[c] for c in secures) * cover) // 100 * 100
        assets.append({"id": f"F{len(assets) + 1}", "owner": owner, "kind": kind, "value": value, "secures": secures})

    # whole-developer assets first, then projects, then single units, until the budget is used
    for dev, ids in dev_cases.items():
        add_asset(dev, "bank_account", ids, rng.uniform(0.4, 0.6))
        add_asset(dev, "equity", ids, rng.uniform(0.1, 0.2))
    for dev, ids in project_cases:
        add_asset(dev, "unsold_unit", ids, rng.uniform(0.2, 0.4))
    while len(assets) < n_assets:
        dev, ids = rng.choice(project_cases)
        add_asset(dev, "unit", rng.sample(ids, min(len(ids), rng.choice([1, 1, 2]))), rng.uniform(0.3, 0.8))

    providers = [f"B{i + 1}" for i in range(20)] + [f"I{i + 1}" for i in range(10)]
    for dev, ids in project_cases:
        if len(guarantees) >= n_guarantees:
            break
        guarantees.append(
            {
                "id": f"G{len(guarantees) + 1}",
                "provider": rng.choice(providers),
                "kind": rng.choice(["bank_letter", "insurance"]),
                "value": int(sum(exposure[c] for c in ids) * rng.uniform(0.05, 0.2)) // 100 * 100,
                "secures": ids,
                "backed_by": [],
            }
        )
    developers = list(dev_cases)
    while len(guarantees) < n_guarantees:
        dev = rng.choice(developers)
        ids = rng.sample(dev_cases[dev], min(8, len(dev_cases[dev])))
        self_given = rng.random() < 0.1
        guarantees.append(
            {
                "id": f"G{len(guarantees) + 1}",
                "provider": dev if self_given else f"T{rng.randrange(1, 200)}",
                "kind": "third_party",
                "value": int(sum(exposure[c] for c in ids) * rng.uniform(0.1, 0.3)) // 100 * 100,
                "secures": ids,
                "backed_by": [],
            }
        )
    # third parties that back one another: a circle every ~100 guarantees
    third = [g for g in guarantees if g["kind"] == "third_party"]
    for k in range(0, len(third) - 2, 100):
        ring = third[k : k + rng.choice([2, 3])]
        for a, b in zip(ring, ring[1:] + ring[:1]):
            a["backed_by"].append(b["id"])

    per_project = max(1, n_obligations // len(project_cases))
    last_of: dict[int, str] = {}
    remaining = {c["id"]: c["exposure"] for c in cases}
    p = 0
    while len(obligations) < n_obligations:
        dev, ids = project_cases[p % len(project_cases)]
        targets = rng.sample(ids, min(len(ids), rng.randrange(2, 5)))
        reduces = {}
        for c in targets:
            amount = min(remaining[c], exposure[c] // per_project + rng.randrange(0, 10) * 100_000)
            if amount > 0:
                reduces[c] = amount
                remaining[c] -= amount
        after = [last_of[p % len(project_cases)]] if p % len(project_cases) in last_of else []
        if obligations and rng.random() < 0.05:
            other = rng.choice(obligations)["id"]
            if other not in after:
                after.append(other)
        oid = f"O{len(obligations) + 1}"
        obligations.append(
            {
                "id": oid,
                "owner": dev,
                "cost": int(sum(reduces.values()) * rng.uniform(0.8, 1.0)) // 100 * 100,
                "reduces": reduces,
                "after": after,
            }
        )
        last_of[p % len(project_cases)] = oid
        p += 1
    # the last milestone of each project settles what is left of its cases
    for key, oid in last_of.items():
        dev, ids = project_cases[key]
        o = next(x for x in reversed(obligations) if x["id"] == oid)
        for c in ids:
            if remaining[c] > 0:
                o["reduces"][c] = o["reduces"].get(c, 0) + remaining[c]
                remaining[c] = 0
    # Whole assets come from their own random stream, so the rest of the scenario is the same
    # whatever the share.
    wanted = round(len(assets) * whole)
    picker = random.Random(seed + 1)
    equity = [a for a in assets if a["kind"] == "equity"]
    units = [a for a in assets if a["kind"] in ("unit", "unsold_unit")]
    chosen = picker.sample(equity, min(wanted, len(equity)))
    chosen += picker.sample(units, min(len(units), wanted - len(chosen)))
    for asset in chosen:
        asset["divisible"] = False
    return {
        "cases": cases,
        "assets": assets,
        "guarantees": guarantees,
        "obligations": obligations,
        "cash": cash,
        "policy": {"circular_guarantees": "exclude"},
    }


# --------------------------------------------------------------------------- measuring


def machine() -> str:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"nproc {os.cpu_count()}, CPU {model}, Python {platform.python_version()}, {platform.system()}; "
        f"load average {load:.1f} when the run started (the machine is shared)"
    )


STEPS = {
    "validate (parse_scenario)": "guarantee_graph.py:.*\\(parse_scenario\\)",
    "networkx (guarantee circles, milestone order)": None,
    "max flow in scipy (maximum_flow + csr build)": "flow.py:.*\\(_solve_int32\\)",
    "batch assembly (solve_batch, excluding the solver)": None,
    "whole-asset trials (release_whole)": "release_stage.py:.*\\(release_whole\\)",
    "release greedy (keep_greedy, all of it)": "release_stage.py:.*\\(keep_greedy\\)",
    "perform obligations": "planner.py:.*\\(_perform\\)",
    "explanations": "planner.py:.*\\(_explain_releases\\)",
    "discharge": "planner.py:.*\\(_dischargeable\\)",
    "blocked suggestion": "planner.py:.*\\(_blocked\\)",
    "confirm the suggestion by a full re-plan (cumulative, overlaps the rows above)": "planner.py:.*\\(_confirm_suggestion\\)",
    "JSON output (to_json + json.dumps)": "bench_planner.py:.*\\(emit\\)",
}


def emit(plan) -> str:
    return json.dumps(plan.to_json(), ensure_ascii=False)


def profile_steps(data: dict) -> dict[str, float]:
    profiler = cProfile.Profile()
    profiler.enable()
    scenario = parse_scenario(data)
    plan = plan_release(scenario)
    emit(plan)
    profiler.disable()
    stats = pstats.Stats(profiler)
    cumulative: dict[str, float] = {}
    for (filename, line, name), (_, _, _, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        cumulative[f"{Path(filename).name}:{line}({name})"] = max(cumulative.get(f"{Path(filename).name}:{line}({name})", 0), ct)

    def grab(pattern: str) -> float:
        return sum(t for key, t in cumulative.items() if re.fullmatch(pattern, key))

    out = {}
    for label, pattern in STEPS.items():
        if pattern:
            out[label] = grab(pattern)
    nx_parts = [
        "guarantee_graph.py:.*\\(screen_guarantees\\)",
        "guarantee_graph.py:.*\\(order_obligations\\)",
    ]
    validate_order = grab("guarantee_graph.py:.*\\(order_obligations\\)") / 2  # also called inside validation
    out["networkx (guarantee circles, milestone order)"] = sum(grab(p) for p in nx_parts) - validate_order
    out["batch assembly (solve_batch, excluding the solver)"] = grab("flow.py:.*\\(solve_batch\\)") - grab(
        "flow.py:.*\\(_solve_int32\\)"
    )
    out["total under the profiler"] = sum(
        t for key, t in cumulative.items() if re.fullmatch(".*\\((plan_release|parse_scenario|emit)\\)", key)
    )
    return out


def count_solver_calls(data: dict) -> int:
    calls = 0
    original = flow_module._solve_int32

    def counting(*args):
        nonlocal calls
        calls += 1
        return original(*args)

    flow_module._solve_int32 = counting
    try:
        plan_release(parse_scenario(data))
    finally:
        flow_module._solve_int32 = original
    return calls


def networkx_vs_scipy(data: dict) -> tuple[float, float, int, int]:
    """The initial secured amount of the whole scenario with networkx and with risk.flow."""
    graph = nx.DiGraph()
    tails, heads, caps = [], [], []
    index = {"s": 0, "t": 1}

    def node(name):
        return index.setdefault(name, len(index))

    for item in (*data["assets"], *data["guarantees"]):
        graph.add_edge("s", item["id"], capacity=item["value"])
        tails.append(0), heads.append(node(item["id"])), caps.append(item["value"])
        for c in item["secures"]:
            graph.add_edge(item["id"], c, capacity=item["value"])
            tails.append(node(item["id"])), heads.append(node(c)), caps.append(item["value"])
    for c in data["cases"]:
        graph.add_edge(c["id"], "t", capacity=c["exposure"])
        tails.append(node(c["id"])), heads.append(1), caps.append(c["exposure"])
    start = time.perf_counter()
    nx_value = nx.maximum_flow_value(graph, "s", "t")
    nx_time = time.perf_counter() - start
    start = time.perf_counter()
    sp_value, _ = flow_module.max_flow(len(index), np.array(tails), np.array(heads), np.array(caps, dtype=np.int64))
    sp_time = time.perf_counter() - start
    return nx_time, sp_time, nx_value, sp_value


def bench(n_cases: int, compare_networkx: bool, whole: float = DEFAULT_WHOLE, repeats: int | None = None) -> dict:
    data = generate_scenario(n_cases, whole=whole)
    text = json.dumps(data)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if repeats is None:
        repeats = 5 if n_cases <= 10_000 else 1
    walls, parts = [], []
    cpus = []
    for _ in range(repeats):  # the machine is shared: report the median of a few runs
        cpu = time.process_time()
        start = time.perf_counter()
        scenario = parse_scenario(json.loads(text))
        validated = time.perf_counter()
        plan = plan_release(scenario)
        planned = time.perf_counter()
        output = emit(plan)
        done = time.perf_counter()
        cpus.append(time.process_time() - cpu)
        walls.append(done - start)
        parts.append((validated - start, planned - validated, done - planned))
    median = sorted(range(repeats), key=walls.__getitem__)[repeats // 2]
    result = {
        "load": load,
        "cases": len(data["cases"]),
        "assets": len(data["assets"]),
        "whole": sum(1 for a in data["assets"] if a.get("divisible") is False),
        "guarantees": len(data["guarantees"]),
        "obligations": len(data["obligations"]),
        "wall": walls[median],
        "wall_min": min(walls),
        "wall_max": max(walls),
        "cpu": cpus[median],
        "runs": repeats,
        "read_s": parts[median][0],
        "plan_s": parts[median][1],
        "write_s": parts[median][2],
        "status": plan.status,
        "stages": len(plan.stages),
        "released_yuan": plan.total_released // 100,
        "excluded": len(plan.excluded_guarantees),
        "cycles": len(plan.guarantee_cycles),
        "output_mb": len(output.encode()) / 1e6,
        "solver_calls": count_solver_calls(data),
        "steps": profile_steps(data),
    }
    if compare_networkx:
        nx_time, sp_time, nx_value, sp_value = networkx_vs_scipy(data)
        assert nx_value == sp_value
        result.update(nx_flow=nx_time, scipy_flow=sp_time)
    return result


def report(results: list[dict]) -> str:
    lines = [SECTION, ""]
    lines.append(f"Measured {time.strftime('%Y-%m-%d')} on {machine()}, with")
    lines.append("`.venv/bin/python bench/bench_planner.py --write` (the generator is seeded: same scenarios every run).")
    lines.append("")
    lines.append(
        "| cases | assets | whole | guarantees | obligations | total (s), median | min–max (s) | runs | CPU (s) "
        "| read+validate | plan_release | JSON out | stages | status | circles | scipy calls | output (MB) |"
    )
    lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    for r in results:
        lines.append(
            f"| {r['cases']:,} | {r['assets']:,} | {r['whole']:,} | {r['guarantees']:,} | {r['obligations']:,} "
            f"| **{r['wall']:.2f}** | {r['wall_min']:.2f}–{r['wall_max']:.2f} | {r['runs']} | {r['cpu']:.2f} "
            f"| {r['read_s']:.2f} | {r['plan_s']:.2f} | {r['write_s']:.2f} | {r['stages']} | {r['status']} "
            f"| {r['cycles']} | {r['solver_calls']} | {r['output_mb']:.1f} |"
        )
    lines.append("")
    lines.append("Total = read and validate the JSON scenario, plan, write the plan as JSON (what `python -m risk.plan` does")
    lines.append("minus interpreter start-up), wall clock, the median of the runs (the run's own columns beside it);")
    lines.append("CPU = process time of that run. *whole* = assets with `divisible: false` (every equity stake and")
    lines.append("enough units to make a third). The machine is shared with eight other processes doing their own")
    lines.append("work, so single runs vary; the min–max column shows by how much.")
    lines.append("")
    loads = [r.get("load", 0.0) for r in results]
    cores = os.cpu_count() or 1
    if max(loads) > cores:
        lines.append(
            f"Read the wall-clock figures with the load in mind: the 1-minute load average was {min(loads):.0f} to "
            f"{max(loads):.0f} on {cores} cores while these ran, so the (single-threaded) planner got about "
            f"{cores / max(loads):.0%} of a core at worst and waited the rest; "
            "CPU time is the fairer measure, and even it is inflated by the neighbours sharing caches and cores."
        )
        lines.append("")
    scaled = [r for r in results if r["whole"] * 3 >= r["assets"] - 1]
    if len(scaled) > 1:
        base = scaled[0]
        ratios = ", ".join(f"{r['cases'] // base['cases']}× cases → {r['wall'] / base['wall']:.1f}× time" for r in scaled[1:])
        lines.append(f"Scaling against {base['cases']:,} cases (a third whole): {ratios}.")
        lines.append("")
    lines.append("Where the time goes (cumulative seconds under cProfile, which inflates Python-heavy steps):")
    lines.append("")
    header = "| step | " + " | ".join(f"{r['cases']:,} cases, {r['whole']:,} whole" for r in results) + " |"
    lines.append(header)
    lines.append("|---|" + "---:|" * len(results))
    for step in results[0]["steps"]:
        lines.append(f"| {step} | " + " | ".join(f"{r['steps'][step]:.2f}" for r in results) + " |")
    lines.append("")
    dominant = []
    for r in results:
        steps = {k: v for k, v in r["steps"].items() if not k.startswith("total") and "overlaps" not in k}
        top = max(steps, key=steps.__getitem__)
        dominant.append(f"{r['cases']:,} cases: {top} ({steps[top] / r['steps']['total under the profiler']:.0%})")
    lines.append("Dominant step — " + "; ".join(dominant) + ".")
    lines.append("")
    lines.append(
        "How it is computed. networkx answers the two graph questions: guarantee circles come from the strongly\n"
        "connected components and `simple_cycles` of the `backed_by` digraph, the order of milestones from\n"
        "`lexicographical_topological_sort` of the `after` digraph. Every maximum flow is\n"
        "scipy's compiled `maximum_flow` (Dinic): the items and cases split into independent groups (one per\n"
        "developer here), and all the flows a step needs — over all groups — are solved in one call with the groups\n"
        "side by side, so a stage costs a handful of solver calls (the *scipy calls* column counts them for the\n"
        "whole plan, with the check of the suggested guarantee by a full re-plan). A stage first tries the whole\n"
        "assets (`divisible: false`), fewest open cases first, all groups in one call per round; an asset that\n"
        "carries no flow goes and one that carries more than all other items' unused value stays without a solve\n"
        "(seven trials in ten here). Then the divisible assets: the greedy vertex of the coverage polymatroid\n"
        "(fixed items first, then assets from the most to the fewest open cases, each keeping what it adds to the\n"
        "secured amount); its prefix flows are bisected, skipping runs that keep nothing or everything. Only groups\n"
        "whose exposure changed, or that received a guarantee, are recomputed at a stage, and the stage-end flow is\n"
        "reused as the next stage's starting point. docs/release-planner.md has the rules.\n"
        "\n"
        "int32. scipy stores capacities and flows as int32 (≤ 2,147,483,647 fen ≈ 2147万元 per arc) and silently\n"
        "wraps larger ones; these scenarios hold 10⁹–10¹⁰ fen per developer. `risk.flow.max_flow` stays exact for\n"
        "any amount up to the validated bound (10¹⁵ fen each, 2⁶² in total) by capacity scaling: it solves with\n"
        "capacities shifted right until they fit, then restores the dropped bits a few at a time, solving each time\n"
        "only for the missing flow on the residual network, whose capacities can be clipped to the bound\n"
        "m·(2^step − 1) on that missing flow. A property test plans every random scenario again with all amounts\n"
        "multiplied by 3·2³¹+5 and gets the same plan scaled."
    )
    lines.append("")
    pairs = [(a, b) for a in results for b in results
             if a["cases"] == b["cases"] and a["whole"] > 0 and b["whole"] == 0]
    for a, b in pairs:
        lines.append(
            f"Whole assets at {a['cases']:,} cases: {a['whole']:,} whole vs none — median total {a['wall']:.2f} s vs "
            f"{b['wall']:.2f} s, CPU {a['cpu']:.2f} s vs {b['cpu']:.2f} s ({a['cpu'] / b['cpu']:.2f}×), "
            f"{a['solver_calls']} vs {b['solver_calls']} solver calls."
        )
        lines.append("")
    if any(r["cases"] >= 100_000 for r in results):
        lines.append(
            "At 100k cases the planning itself is no longer the main cost: reading and validating the scenario and\n"
            "above all writing the plan — the coverage of every case at every stage, as the plan contract asks — take\n"
            "most of the time."
        )
        lines.append("")
    compared = [r for r in results if "nx_flow" in r]
    if compared:
        lines.append("One maximum flow over the whole scenario (the secured amount at the start), same run:")
        lines.append("")
        lines.append("| cases | networkx `maximum_flow_value` (s) | `risk.flow.max_flow` on scipy (s) | ratio |")
        lines.append("|---:|---:|---:|---:|")
        for r in compared:
            lines.append(f"| {r['cases']:,} | {r['nx_flow']:.2f} | {r['scipy_flow']:.3f} | {r['nx_flow'] / r['scipy_flow']:.0f}× |")
        lines.append("")
    return "\n".join(lines)


def write_section(text: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    if path.exists():
        current = path.read_text(encoding="utf-8")
    else:
        current = "# Benchmarks\n\nMeasured figures of the platform's heavier computations; each section says how to reproduce it.\n"
    start = current.find(SECTION)
    if start < 0:
        updated = current.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    else:
        nxt = current.find("\n## ", start + len(SECTION))
        tail = "" if nxt < 0 else current[nxt:]
        updated = current[:start] + text.rstrip("\n") + "\n" + tail
    path.write_text(updated, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--whole", type=float, nargs="+", default=[DEFAULT_WHOLE],
                        help="share(s) of whole assets; each size runs with each share")
    parser.add_argument("--repeats", type=int, help="runs per scenario (default 5 up to 10k cases, else 1)")
    parser.add_argument("--networkx-up-to", type=int, default=10000, help="compare with networkx up to this size")
    parser.add_argument("--write", action="store_true", help="update the section of BENCHMARKS.md")
    parser.add_argument("--dump", help="write the generated scenario (first size) to this file")
    args = parser.parse_args()
    if args.dump:
        Path(args.dump).write_text(json.dumps(generate_scenario(args.sizes[0], whole=args.whole[0]), ensure_ascii=False),
                                   encoding="utf-8")
        return
    results = []
    for n in args.sizes:
        for share in args.whole:
            r = bench(n, compare_networkx=n <= args.networkx_up_to and share == args.whole[0], whole=share,
                      repeats=args.repeats)
            print(json.dumps(r, ensure_ascii=False), flush=True)
            results.append(r)
    text = report(results)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
