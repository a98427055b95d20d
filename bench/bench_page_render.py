"""What a case-list page costs when it is rendered afresh, against a bare endpoint (issue 8).

    .venv/bin/python bench/bench_page_render.py --database-url sqlite:///$PWD/bench/out/cases.sqlite3
    .venv/bin/python bench/bench_page_render.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_pagecache

On a database built by bench/generate_cases.py (any size: the page's cost does not depend on
it), in one run:

1. In-process (Flask's test client, ``PAGE_CACHE=off``): the median time of the bare
   ``/healthz`` and of the judge's list (page 1 of every case, and filtered by late
   delivery), requests interleaved, in wall time and in this process's CPU time (which
   the machine's load does not inflate: on PostgreSQL it leaves out the server's work);
   the page's size; where the time goes (cProfile, the
   functions with the most own time and the biggest cumulative steps).
2. Over HTTP (gunicorn, 2 sync workers unless ``--workers``, wrk, 1 thread and 4
   connections): the same pages
   with the page cache off (every request renders) and on (a repeated page is a hit), each
   round measuring the bare endpoint right before the page, so a change of load on the
   shared machine hits both sides of a ratio alike. Medians of the rounds.

Results go to bench/out/page_render_<dialect>.json and .md.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from bench.bench_case_list import PASSWORD, SECRET, Server, load, log, machine  # noqa: E402

PAGES = {
    "judge's list, all cases": "/court/cases",
    "judge's list, late delivery": "/court/cases?" + urlencode({"dispute_type": "late_delivery"}),
}

AFTER_WRITE = "judge's list, late delivery, first after a write (choices read again)"
COLD = "judge's list, late delivery, nothing kept (choices, filter form, bulk bar, navigation built again)"


def _client(url: str):
    os.environ.update(DATABASE_URL=url, SECRET_KEY=SECRET, PAGE_CACHE="off")
    from app import create_app

    app = create_app()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": "bench_judge", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return app, client


def in_process(url: str, repeat: int) -> dict:
    app, client = _client(url)

    cpu: dict[str, list[float]] = {}

    def get(path: str, label: str | None = None) -> float:
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if label:  # this process's CPU time: what the machine's load does not inflate
            cpu.setdefault(label, []).append((time.thread_time() - started_cpu) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        return elapsed

    from app.web import case_lists as web_lists

    def after_a_write(path: str) -> float:
        getattr(web_lists, "_OPTIONS", {}).clear()  # a new data version: the choices are read again
        return get(path, AFTER_WRITE)

    def cold(path: str) -> float:
        """Nothing kept at all: a worker's first request for this query string."""
        getattr(web_lists, "_OPTIONS", {}).clear()
        getattr(web_lists, "_FORMS", {}).clear()
        try:
            from app.web import fragments
        except ImportError:  # before the third pass
            pass
        else:
            fragments.forget()
        return get(path, COLD)

    for path in ("/healthz", *PAGES.values()):
        get(path)  # warm: templates compiled, statements cached, pool filled
    times = {"bare /healthz": [], **{label: [] for label in PAGES}, AFTER_WRITE: [], COLD: []}
    for _ in range(repeat):
        for label, path in PAGES.items():
            times["bare /healthz"].append(get("/healthz", "bare /healthz"))
            times[label].append(get(path, label))
        times[AFTER_WRITE].append(after_a_write(PAGES["judge's list, late delivery"]))
        times[COLD].append(cold(PAGES["judge's list, late delivery"]))
    result = {label: {"median_ms": round(statistics.median(values), 2),
                      "cpu_ms": round(statistics.median(cpu[label]), 2)}
              for label, values in times.items()}
    for label in (AFTER_WRITE, COLD):
        result[label]["vs_bare"] = round(result["bare /healthz"]["median_ms"]
                                         / result[label]["median_ms"], 3)
    for label in result:
        result[label]["cpu_vs_bare"] = round(result["bare /healthz"]["cpu_ms"]
                                             / result[label]["cpu_ms"], 3)
    for label, path in PAGES.items():
        html = client.get(path).get_data()
        result[label]["kb"] = round(len(html) / 1024, 1)
        result[label]["rows"] = html.count(b'data-case-id="')
        result[label]["vs_bare"] = round(result["bare /healthz"]["median_ms"]
                                         / result[label]["median_ms"], 3)
    for label, path in {"bare /healthz": "/healthz", **PAGES}.items():
        result[label]["python_calls"] = python_calls(client, path)
    result["profile"] = profile(client, PAGES["judge's list, late delivery"])
    return result


def python_calls(client, path: str, requests: int = 5) -> int:
    """Python function calls a request makes: the cost measure the machine's load cannot blur."""
    calls = [0]

    def count(frame, event, arg):
        if event == "call":
            calls[0] += 1

    sys.setprofile(count)
    try:
        for _ in range(requests):
            client.get(path)
    finally:
        sys.setprofile(None)
    return calls[0] // requests


def profile(client, path: str, requests: int = 40) -> dict:
    """cProfile over ``requests`` renders: own time and cumulative time per call site."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt / requests * 1000

    def rows(key: str, limit: int) -> list[dict]:
        entries = []
        for (filename, line, name), (cc, nc, tt, ct, _) in stats.stats.items():
            where = f"{Path(filename).name}:{line} {name}" if line else name
            entries.append({"function": where, "calls": round(nc / requests, 1),
                            "own_ms": round(tt / requests * 1000, 3),
                            "cumulative_ms": round(ct / requests * 1000, 3)})
        entries.sort(key=lambda e: e[key], reverse=True)
        return entries[:limit]

    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    (OUT / "page_render_profile.txt").write_text(text.getvalue())
    return {"ms_per_page_under_profiler": round(total, 2), "own": rows("own_ms", 15),
            "cumulative": rows("cumulative_ms", 40)}


def over_http(url: str, port: int, seconds: float, rounds: int, page_cache: str,
              workers: int = 2) -> dict:
    server = Server(url, port, page_cache, workers)
    try:
        cookie = server.login("bench_judge")
        for path in PAGES.values():
            for _ in range(4):
                status, _ = server.get(path, cookie)
                assert status == 200, (path, status)
        figures = {label: [] for label in PAGES}
        ratios = {label: [] for label in PAGES}
        bare = []
        for round_ in range(rounds):
            for label, path in PAGES.items():
                before = load(port, "/healthz", None, seconds, 4)
                rps = load(port, path, cookie, seconds, 4)
                bare.append(before)
                figures[label].append(rps)
                ratios[label].append(rps / before)
                log(f"PAGE_CACHE={page_cache} round {round_ + 1}: bare {before:7.1f} · "
                    f"{label} {rps:7.1f} req/s ({rps / before:.3f}×)")
        result = {"bare /healthz": {"rps": round(statistics.median(bare), 1)}}
        for label in PAGES:
            result[label] = {"rps": round(statistics.median(figures[label]), 1),
                             "vs_bare": round(statistics.median(ratios[label]), 3),
                             "runs": [round(r, 3) for r in ratios[label]]}
        return result
    finally:
        server.stop()


def markdown(result: dict) -> str:
    m = result["machine"]
    lines = [f"### {result['dialect']} — {result['cases']:,} cases", "",
             f"Machine: {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, SQLite {m['sqlite']}"
             + (f", PostgreSQL {m['postgresql']}" if m.get("postgresql") else "")
             + f"; load average {', '.join(f'{x:.1f}' for x in m['load_average'])} at the start.",
             "", "| page | in-process ms (median) | × bare | CPU ms (this process) | × bare (CPU) "
                 "| Python calls | KB | rows |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    local = result["in_process"]
    bare = local["bare /healthz"]
    lines.append(f"| bare /healthz | {bare['median_ms']} | 1 | {bare['cpu_ms']} | 1 | "
                 f"{bare['python_calls']:,} | | |")
    for label in PAGES:
        e = local[label]
        lines.append(f"| {label} | {e['median_ms']} | {e['vs_bare']} | {e['cpu_ms']} | "
                     f"{e['cpu_vs_bare']} | {e['python_calls']:,} | {e['kb']} | {e['rows']} |")
    for label in (AFTER_WRITE, COLD):
        e = local[label]
        lines.append(f"| {label} | {e['median_ms']} | {e['vs_bare']} | {e['cpu_ms']} | "
                     f"{e['cpu_vs_bare']} | | | |")
    for key, title in (("http_off", "page cache off: every request renders the page"),
                       ("http_on", "page cache on: a repeated page is a hit")):
        if key not in result:
            continue
        http = result[key]
        lines += ["", f"HTTP, {title} (gunicorn {result['workers']} sync workers, wrk; "
                      "medians of the rounds):", "",
                  "| page | req/s | × bare (same round) | each round |", "|---|---:|---:|---|"]
        lines.append(f"| bare /healthz | {http['bare /healthz']['rps']:,.0f} | 1 | |")
        for label in PAGES:
            e = http[label]
            lines.append(f"| {label} | {e['rps']:,.0f} | **{e['vs_bare']:.3f}** | "
                         f"{', '.join(f'{r:.3f}' for r in e['runs'])} |")
    p = local["profile"]
    lines += ["", f"cProfile, judge's list (late delivery), {p['ms_per_page_under_profiler']} ms "
                  "a page under the profiler — most own time:", "",
              "| function | calls a page | own ms | cumulative ms |", "|---|---:|---:|---:|"]
    for e in p["own"]:
        lines.append(f"| `{e['function']}` | {e['calls']} | {e['own_ms']} | {e['cumulative_ms']} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), required=False)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=60, help="in-process requests per page")
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn sync workers (the README's deployment runs 4)")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--no-cache-run", action="store_true",
                        help="over HTTP, measure only with the page cache off")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    dialect = "postgresql" if args.database_url.startswith("postgresql") else "sqlite"
    OUT.mkdir(parents=True, exist_ok=True)
    result = {"dialect": dialect, "machine": machine(args.database_url), "workers": args.workers}
    from sqlalchemy import create_engine, text

    engine = create_engine(args.database_url)
    with engine.connect() as conn:
        result["cases"] = conn.execute(text("SELECT count(*) FROM cases")).scalar()
    engine.dispose()
    log(f"in-process, {args.repeat} requests a page")
    result["in_process"] = in_process(args.database_url, args.repeat)
    if not args.skip_http:
        result["http_off"] = over_http(args.database_url, args.port, args.seconds, args.rounds, "off",
                                       args.workers)
        if not args.no_cache_run:
            result["http_on"] = over_http(args.database_url, args.port, args.seconds, 1, "memory",
                                          args.workers)
    result["machine"]["load_average_end"] = os.getloadavg()
    (OUT / f"page_render_{dialect}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    (OUT / f"page_render_{dialect}.md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
