"""Benchmark the case lists (issue 3) on a database built by bench/generate_cases.py.

    .venv/bin/python bench/bench_case_list.py --database-url sqlite:///$PWD/bench/out/cases.sqlite3
    .venv/bin/python bench/bench_case_list.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

What it measures, in one run:

1. Query plans (EXPLAIN QUERY PLAN / EXPLAIN) of every filter × sort the list offers, with
   the time of the page query and of the capped count, flagging a sort the index does
   not cover ("USE TEMP B-TREE FOR ORDER BY" on SQLite, a Sort node on PostgreSQL).
2. Keyset against OFFSET: the page after 20,000 rows (page 401 of 50) both ways.
3. Full-text search against a full LIKE scan, and one- and two-character queries.
4. Under gunicorn (2 sync workers, loopback) with wrk (or a small threaded client): the
   bare /healthz endpoint, the judge's filtered list page 1, the same list 20,000 rows
   deep, and a search page, alternating with the bare endpoint so load changes on the
   machine hit both sides of each ratio alike.

Results go to bench/out/case_list_<dialect>.json and .md (BENCHMARKS.md quotes them).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

PASSWORD = "Bench@2026"
SECRET = "bench-secret-" + "k" * 40
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)  # the generator's "now"

#: The judge's filtered list measured over HTTP (late delivery: the court's commonest dispute).
FILTER = {"dispute_type": "late_delivery"}
DEEP_ROWS = 20_000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def median_ms(fn, repeat: int = 7) -> float:
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# --- In-process: plans, keyset vs OFFSET, search ---------------------------------------------


def analyse(url: str) -> dict:
    os.environ["DATABASE_URL"] = url
    os.environ["SECRET_KEY"] = SECRET
    from sqlalchemy import event, select, text

    from app import create_app
    from app.extensions import db
    from app.models import Case, Mediator, Project, User
    from app.services import case_lists, case_paging, case_search
    from app.services.case_lists import CaseFilters, list_cases

    app = create_app()
    result: dict = {}
    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name
        judge = db.session.scalar(select(User).where(User.username == "bench_judge"))
        mediator = db.session.scalar(select(User).where(User.username == "bench_mediator"))
        project_id = db.session.scalar(select(Case.project_id).order_by(Case.id.desc()).limit(1))
        developer_id = db.session.scalar(select(Case.developer_id).order_by(Case.id.desc()).limit(1))
        town_id = db.session.scalar(select(Project.town_id).where(Project.id == project_id))
        mediator_id = db.session.scalar(select(Mediator.id).order_by(Mediator.id).limit(1))
        name = db.session.scalar(text(
            "SELECT p.name FROM complaints c JOIN persons p ON p.id = c.claimant_person_id "
            "WHERE length(p.name) = 3 ORDER BY c.id DESC LIMIT 1"))
        filters = {
            "none": {},
            "status": {"status": ("in_mediation",)},
            "statuses": {"status": ("assigned", "scheduled", "in_mediation")},
            "dispute_type": {"dispute_type": "late_delivery"},
            "project": {"project_id": project_id},
            "developer": {"developer_id": developer_id},
            "town": {"town_id": town_id},
            "mediator": {"mediator_id": mediator_id},
            "overdue": {"deadline": "overdue"},
            "due3": {"deadline": "due3"},
            "q (3+ chars)": {"q": name},
            "q (1 char)": {"q": name[:1]},
            "status+type+town": {"status": ("closed",), "dispute_type": "quality", "town_id": town_id},
        }
        captured: list[tuple[str, object]] = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            captured.append((statement, parameters))

        def explain(statement, parameters) -> list[str]:
            conn = db.session.connection()
            if dialect == "sqlite":
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                return [row[3] for row in rows]
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            return [row[0] for row in rows]

        def time_statement(statement, parameters) -> float:
            conn = db.session.connection()
            with case_lists._planned_for_their_values():  # as list_cases runs them
                return median_ms(lambda: conn.exec_driver_sql(statement, parameters).all(), 5)

        plans = []
        for fname, fvalues in filters.items():
            for sort in case_lists.SORTS:
                page_filters = CaseFilters(**fvalues, sort=sort)
                captured.clear()
                event.listen(engine, "before_cursor_execute", capture)
                try:
                    page = list_cases(judge, page_filters, now=NOW)
                finally:
                    event.remove(engine, "before_cursor_execute", capture)
                page_sql = [(s, p) for s, p in captured if "ORDER BY" in s and "FROM cases" in s
                            and "count(" not in s]
                count_sql = [(s, p) for s, p in captured if "count(*)" in s]
                lines, sorted_ = [], False
                for statement, parameters in page_sql:
                    plan = explain(statement, parameters)
                    lines.append(plan)
                    if dialect == "sqlite":
                        sorted_ |= any("TEMP B-TREE FOR ORDER BY" in line for line in plan)
                    else:
                        sorted_ |= any(re.search(r"^\s*(->\s*)?(Incremental )?Sort\b", line) for line in plan)
                page_ms = sum(time_statement(s, p) for s, p in page_sql)
                count_ms = sum(time_statement(s, p) for s, p in count_sql)
                count_plan = explain(*count_sql[0]) if count_sql else []
                plans.append({"filter": fname, "sort": sort, "sorted": sorted_, "plans": lines,
                              "count_plan": count_plan, "page_ms": round(page_ms, 2),
                              "count_ms": round(count_ms, 2), "total": page.total,
                              "rows": len(page.items)})
                flag = "SORT" if sorted_ else "index order"
                log(f"plan {fname:18s} {sort:16s} {flag:11s} page {page_ms:7.2f} ms · "
                    f"count {count_ms:7.2f} ms · total {page.total}")
        result["plans"] = plans

        # Keyset against OFFSET, 20,000 rows deep (page 401 of 50 rows).
        def deep_cursor(values: dict) -> str:
            cursor = None
            for _ in range(DEEP_ROWS // 200):
                cursor = list_cases(judge, values, cursor=cursor, limit=200, now=NOW).next_cursor
            return cursor

        keyset = {}
        for label, values in (("all cases", {}), ("late delivery", FILTER)):
            cursor = deep_cursor(values)
            keyset.setdefault("cursors", {})[label] = cursor
            base = case_lists._base_query(judge, CaseFilters(**values), NOW, [Case.id, Case.registered_at])
            first = base.order_by(Case.registered_at.desc(), Case.id.desc()).limit(51)
            offset = first.offset(DEEP_ROWS - 1)
            decoded = case_paging.decode_cursor(cursor, "registered_desc")
            seek = base.where(case_paging.seek_after(case_paging.SORT_SEGMENTS["registered_desc"][0],
                                                 decoded.key, decoded.id, forward=True))
            seek = seek.order_by(Case.registered_at.desc(), Case.id.desc()).limit(51)
            timings = {name: median_ms(lambda q=q: db.session.execute(q).all())
                       for name, q in (("page 1", first), ("keyset page 401", seek),
                                       ("OFFSET page 401", offset))}
            keyset[label] = {k: round(v, 2) for k, v in timings.items()}
            log(f"keyset/offset {label}: {keyset[label]}")
        result["keyset"] = keyset

        # Full-text search against a full LIKE scan.
        from sqlalchemy import func

        from app.models.types import contains_pattern

        searches = {}
        phrase = "卫生间渗漏"
        for label, q in ((f"a name ({name})", name), (f"a phrase ({phrase})", phrase),
                         ("a case number", f"民诉前调{1234}号"), ("1 character", name[:1]),
                         ("2 characters", name[:2]),
                         (f"that phrase and 1 character ({phrase} {name[:1]})", f"{phrase} {name[:1]}")):
            terms = case_search.search_terms(q)
            where = case_search.search_conditions(terms)
            searched = select(func.count()).select_from(Case).where(Case.court_id == judge.court_id, *where)
            if dialect == "sqlite":
                like = select(func.count()).select_from(Case).where(
                    Case.court_id == judge.court_id,
                    *[Case.search_text.like(contains_pattern(t), escape="\\") for t in terms])
                like_ms = median_ms(lambda: db.session.execute(like).scalar(), 3)
            else:
                like = select(func.count()).select_from(Case).where(
                    Case.court_id == judge.court_id,
                    *[Case.search_text.like(contains_pattern(t), escape="\\") for t in terms])

                def run_like():
                    db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
                    db.session.execute(like).scalar()
                    db.session.rollback()
                like_ms = median_ms(run_like, 3)
            matches = db.session.execute(searched).scalar()
            search_ms = median_ms(lambda: db.session.execute(searched).scalar(), 5)
            page_ms = median_ms(lambda: list_cases(judge, {"q": q}, now=NOW), 5)
            # The search's answer is the list page: its capped count and its first rows.
            searches[label] = {"q": q, "matches": matches, "index_ms": round(search_ms, 2),
                               "like_scan_ms": round(like_ms, 2),
                               "ratio": round(page_ms / like_ms, 4) if like_ms else None,
                               "list_page_ms": round(page_ms, 2)}
            log(f"search {label}: {searches[label]}")
        result["search"] = searches
        result["name"] = name
        result["counts"] = {
            "cases": db.session.execute(text("SELECT count(*) FROM cases")).scalar(),
            "complaints": db.session.execute(text("SELECT count(*) FROM complaints")).scalar(),
        }
        db.session.remove()
        engine.dispose()
    return result


# --- HTTP: gunicorn + wrk ---------------------------------------------------------------------


class Server:
    def __init__(self, url: str, port: int, page_cache: str = "memory", workers: int = 2):
        self.port = port
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET, APP_ENV="development",
                   PAGE_CACHE=page_cache)
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
        self.process = subprocess.Popen(
            [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
             "wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not come up")

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, response.getheaders(), data

    def get(self, path, cookie=None):
        status, headers, data = self.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        return status, data.decode()

    def login(self, username: str) -> str:
        status, headers, data = self.request("GET", "/login")
        cookie = "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', data.decode()).group(1)
        body = urlencode({"username": username, "password": PASSWORD, "csrf_token": token})
        status, headers, _ = self.request("POST", "/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        assert status == 302, f"login failed: {status}"
        return "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def load(port: int, path: str, cookie: str | None, seconds: float, connections: int) -> float:
    """Requests per second on ``path`` for ``seconds`` (wrk when installed)."""
    if shutil.which("wrk"):
        command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True,
                                text=True, timeout=seconds + 60).stdout
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        if errors:
            raise RuntimeError(f"{path}: {errors.group(1)} error responses\n{output}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    done = [0]
    stop = time.time() + seconds

    def worker():
        while time.time() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            conn.close()
            done[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.time() - started)


#: Measured with the page cache off too (every request renders the page afresh).
UNCACHED = ("list page 1 (late delivery)", "list 20,000 rows deep (late delivery)",
            "search page (a phrase)")


def serve_and_measure(url: str, port: int, seconds: float, connections: int, rounds: int,
                      cursors: dict, name: str, page_cache: str = "memory") -> dict:
    server = Server(url, port, page_cache)
    try:
        cookie = server.login("bench_judge")
        filtered = "/court/cases?" + urlencode(FILTER)
        pages = {
            "bare /healthz": ("/healthz", None),
            "list page 1 (late delivery)": (filtered, cookie),
            "list 20,000 rows deep (late delivery)": (
                filtered + "&" + urlencode({"cursor": cursors["late delivery"]}), cookie),
            "list page 1 (all cases)": ("/court/cases", cookie),
            "list 20,000 rows deep (all cases)": (
                "/court/cases?" + urlencode({"cursor": cursors["all cases"]}), cookie),
            "search page (a name)": ("/court/cases?" + urlencode({"q": name}), cookie),
            "search page (a phrase)": ("/court/cases?" + urlencode({"q": "卫生间渗漏"}), cookie),
        }
        if page_cache == "off":
            pages = {label: page for label, page in pages.items()
                     if label in UNCACHED or label == "bare /healthz"}
        for label, (path, page_cookie) in pages.items():
            status, html = server.get(path, page_cookie)
            assert status == 200, (label, status)
            if page_cookie:  # each worker keeps its own pages: a few requests reach both
                served = set()
                for _ in range(6):
                    _, headers, _ = server.request("GET", path, headers={"Cookie": page_cookie})
                    served.add(dict((k.lower(), v) for k, v in headers).get("x-page-cache"))
                assert ("hit" in served) == (page_cache != "off"), (label, served)
            if page_cookie:
                assert 'data-case-id="' in html, label
                info = re.search(r'data-testid="page-info">(.*?)</p>', html, re.S)
                log(f"{label}: {' '.join(re.sub('<[^>]+>', '', info.group(1)).split())}")
        figures: dict[str, list[float]] = {label: [] for label in pages}
        bare_pairs: dict[str, list[float]] = {label: [] for label in pages}
        for round_ in range(rounds):
            for label, (path, page_cookie) in pages.items():
                if label == "bare /healthz":
                    continue
                bare_before = load(port, "/healthz", None, seconds, connections)
                rps = load(port, path, page_cookie, seconds, connections)
                figures[label].append(rps)
                figures["bare /healthz"].append(bare_before)
                bare_pairs[label].append(bare_before)
                log(f"round {round_ + 1}: bare {bare_before:8.1f} rps · {label} {rps:8.1f} rps "
                    f"({rps / bare_before:.2f}x)")
        summary = {}
        for label in pages:
            rps = statistics.median(figures[label])
            entry = {"rps": round(rps, 1), "runs": [round(x, 1) for x in figures[label]]}
            if label != "bare /healthz":
                ratios = [r / b for r, b in zip(figures[label], bare_pairs[label])]
                entry["vs_bare"] = round(statistics.median(ratios), 3)
            summary[label] = entry
        return summary
    finally:
        server.stop()


def machine(url: str) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "load_average": os.getloadavg(),
            "wrk": bool(shutil.which("wrk"))}
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.connect() as conn:
            info["postgresql"] = conn.execute(text("SHOW server_version")).scalar()
        engine.dispose()
    return info


def markdown(result: dict) -> str:
    m = result["machine"]
    lines = [f"### {result['dialect']} — {result['analysis']['counts']['cases']:,} cases, "
             f"{result['analysis']['counts']['complaints']:,} complaints",
             "", f"Machine: {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, SQLite {m['sqlite']}"
             + (f", PostgreSQL {m['postgresql']}" if m.get("postgresql") else "")
             + f"; load average at start {', '.join(f'{x:.1f}' for x in m['load_average'])}.", ""]
    for key, title in (("http", "page cache on (the default; a repeated page is served "
                                "from the cache)"),
                       ("http_uncached", "page cache off (PAGE_CACHE=off: every page rendered)")):
        if result.get(key):
            lines += [f"HTTP, {title}:", "",
                      "| endpoint (gunicorn, 2 workers) | req/s | × bare (same round) |",
                      "|---|---:|---:|"]
            for label, entry in result[key].items():
                lines.append(f"| {label} | {entry['rps']:,.0f} | {entry.get('vs_bare', 1):.2f} |")
            lines.append("")
    lines += ["| keyset vs OFFSET (page query, ms) | page 1 | keyset page 401 | OFFSET page 401 |",
              "|---|---:|---:|---:|"]
    for label in ("all cases", "late delivery"):
        k = result["analysis"]["keyset"][label]
        lines.append(f"| {label} | {k['page 1']} | {k['keyset page 401']} | {k['OFFSET page 401']} |")
    lines += ["", "| search | matches | full LIKE scan (ms) | answer: capped count + page 1 (ms) "
              "| answer ÷ LIKE | every match through the index (ms) |",
              "|---|---:|---:|---:|---:|---:|"]
    for label, s in result["analysis"]["search"].items():
        lines.append(f"| {label} | {s['matches']:,} | {s['like_scan_ms']} | {s['list_page_ms']} | "
                     f"{s['ratio']} | {s['index_ms']} |")
    lines += ["", "| filter | sort | page plan | page (ms) | count (ms) | total |", "|---|---|---|---:|---:|---:|"]
    for p in result["analysis"]["plans"]:
        plan = " / ".join(line.strip() for plan in p["plans"] for line in plan
                          if "SEARCH" in line or "SCAN" in line or "TEMP" in line or "Index" in line
                          or "Sort" in line or "Scan" in line)[:160]
        lines.append(f"| {p['filter']} | {p['sort']} | {'**sort** ' if p['sorted'] else ''}{plan} | "
                     f"{p['page_ms']} | {p['count_ms']} | {p['total'] if p['total'] is not None else '>cap'} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-http", action="store_true",
                        help="measure plans and searches only; keep the last run's HTTP figures")
    parser.add_argument("--reuse-analysis", action="store_true",
                        help="take the plans and timings from the last run's JSON, measure HTTP only")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    dialect = "postgresql" if args.database_url.startswith("postgresql") else "sqlite"
    OUT.mkdir(parents=True, exist_ok=True)
    result = {"dialect": dialect, "machine": machine(args.database_url)}
    log(f"machine: {result['machine']}")
    saved = OUT / f"case_list_{dialect}.json"
    previous = json.loads(saved.read_text()) if saved.exists() else {}
    if args.reuse_analysis and saved.exists():
        result["analysis"] = json.loads(saved.read_text())["analysis"]
    else:
        result["analysis"] = analyse(args.database_url)
        saved.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    if args.skip_http:  # keep the last run's HTTP figures in the report
        result.update({k: previous[k] for k in ("http", "http_uncached") if k in previous})
    else:
        for mode, key in (("memory", "http"), ("off", "http_uncached")):
            log(f"HTTP with PAGE_CACHE={mode}")
            result[key] = serve_and_measure(args.database_url, args.port, args.seconds,
                                            args.connections, args.rounds,
                                            result["analysis"]["keyset"]["cursors"],
                                            result["analysis"]["name"], page_cache=mode)
    result["machine"]["load_average_end"] = os.getloadavg()
    (OUT / f"case_list_{dialect}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1,
                                                               default=str))
    (OUT / f"case_list_{dialect}.md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
