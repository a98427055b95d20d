"""Benchmark the nightly early warning (issue 10): 10,000 projects, 1,000,000 complaints.

    .venv/bin/python bench/bench_warnings.py                       # the pure engine only
    .venv/bin/python bench/bench_warnings.py --database-url sqlite:///$PWD/bench/out/warnings.sqlite3
    .venv/bin/python bench/bench_warnings.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_warnings

1. The engine alone (``risk.warnings.assess``) on an in-memory snapshot: 10,000 projects of
   2,000 developers, 100 complaints each spread over the last two years, 2,000 inquiries,
   3,000 commitments, 1,500 guarantees, 20 blacklisted developers.
2. With ``--database-url``: a fresh database built by the app's migrations, loaded with the
   same data (executemany on SQLite, COPY on PostgreSQL), then ``evaluate_warnings`` run
   twice — the first stores every level, records every rise and creates its warning notice,
   queues the staff's inbox notices and e-mails (one member of staff per developer) and plans
   their reminders; the second finds nothing changed — with the time of each step, the rows
   written and the plan of the complaints query. ``--skip-load --reset`` evaluates an already
   loaded database again from nothing. Then, as the baseline of the same run, the first
   evaluation again with each rise told one statement at a time (``remind`` and
   ``queue_notice`` per rise, as before the batches).

Results are printed and written to bench/out/warnings_<kind>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 29, 18, 0, tzinfo=timezone.utc)  # 02:00 on 30 Nov in Wenchang
PROJECTS, DEVELOPERS, PER_PROJECT = 10_000, 2_000, 100


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def data(seed: int = 2026):
    """Rows of the benchmark, the same for the engine and the database."""
    rng = random.Random(seed)
    projects = []
    for p in range(1, PROJECTS + 1):
        units = rng.randint(50, 800)
        promised = TODAY + timedelta(days=rng.randint(-400, 400))
        delivered = units if promised > TODAY or rng.random() < 0.6 else rng.randint(0, units)
        projects.append((p, 1 + (p - 1) % DEVELOPERS, units, delivered, promised))
    complaints = [(p, TODAY - timedelta(days=int(rng.random() ** 1.5 * 730)))
                  for p in range(1, PROJECTS + 1) for _ in range(PER_PROJECT)]
    inquiries = [(i, rng.randint(1, PROJECTS), TODAY - timedelta(days=rng.randint(-20, 60)),
                  rng.random() < 0.6) for i in range(1, 2_001)]
    commitments = [(c, rng.randint(1, DEVELOPERS), TODAY - timedelta(days=rng.randint(-60, 500)),
                    rng.random() < 0.85) for c in range(1, 3_001)]
    guarantees = {(a, b) for a, b in ((rng.randint(1, DEVELOPERS), rng.randint(1, DEVELOPERS))
                                      for _ in range(1_500)) if a != b}
    blacklisted = rng.sample(range(1, DEVELOPERS + 1), 20)
    return projects, complaints, inquiries, commitments, sorted(guarantees), blacklisted


def bench_engine(rows) -> dict:
    from risk import warnings as w

    projects, complaints, inquiries, commitments, guarantees, blacklisted = rows
    by_project: dict[int, list] = {}
    for p, day in complaints:
        by_project.setdefault(p, []).append(day)
    snapshot = w.Snapshot(
        TODAY,
        tuple(w.Project(p, d, u, dl, pr, tuple(by_project.get(p, ()))) for p, d, u, dl, pr in projects),
        tuple(w.Inquiry(i, p, dl, dl if answered else None) for i, p, dl, answered in inquiries),
        (),
        tuple(w.Commitment(c, d, due, kept) for c, d, due, kept in commitments),
        tuple(w.Guarantee(a, b) for a, b in guarantees), tuple(blacklisted))
    start = time.perf_counter()
    evaluation = w.assess(snapshot)
    seconds = time.perf_counter() - start
    levels: dict[str, int] = {}
    for a in evaluation.projects:
        levels[a.level.code] = levels.get(a.level.code, 0) + 1
    result = {"seconds": round(seconds, 2), "per_project_ms": round(seconds / PROJECTS * 1000, 3),
              "project_levels": levels,
              "contagion": sum(any(x.rule == "contagion" for x in a.warnings) for a in evaluation.developers)}
    log(f"engine: {result}")
    return result


def load_database(url: str, rows) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db

    os.environ["DATABASE_URL"] = url
    app = create_app()
    projects, complaints, inquiries, commitments, guarantees, blacklisted = rows
    created = NOW.replace(tzinfo=None)
    with app.app_context():
        upgrade()
        engine = db.engine
        with engine.begin() as conn:
            if conn.execute(text("SELECT count(*) FROM projects")).scalar():
                sys.exit("the database is not empty; give a fresh one")
            conn.execute(text("INSERT INTO courts (id, name, code) VALUES (1, '文昌市人民法院', '琼9005')"))
            conn.execute(text("INSERT INTO towns (id, county, name) VALUES (1, '文昌市', '文城镇')"))
            conn.execute(text("INSERT INTO developers (id, name, uscc, created_at) VALUES (:i, :n, :u, :c)"),
                         [{"i": d, "n": f"开发企业{d}", "u": f"B{d:017d}", "c": created}
                          for d in range(1, DEVELOPERS + 1)])
            conn.execute(text("INSERT INTO projects (id, developer_id, court_id, town_id, name, units_total, "
                              "units_delivered, promised_delivery_on, created_at) "
                              "VALUES (:i, :d, 1, 1, :n, :u, :dl, :pr, :c)"),
                         [{"i": p, "d": d, "n": f"项目{p}", "u": u, "dl": dl, "pr": pr, "c": created}
                          for p, d, u, dl, pr in projects])
        log("developers and projects loaded")
        developer_of = {p: d for p, d, *_ in projects}
        complaint_rows = [(n, f"BW{n:010d}", p, developer_of[p], developer_of[p],
                           datetime.combine(day, datetime.min.time()) + timedelta(hours=2))
                          for n, (p, day) in enumerate(complaints, 1)]
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            columns = ("id, receipt_no, court_id, project_id, claimant_developer_id, respondent_developer_id, "
                       "dispute_type, channel, facts, status, submitted_at")
            if engine.dialect.name == "postgresql":
                with cur.copy(f"COPY complaints ({columns}) FROM STDIN") as copy:
                    for n, r, p, d1, d2, at in complaint_rows:
                        copy.write_row((n, r, 1, p, d1, d2, "quality", "online", "房屋质量", "submitted", at))
            else:
                cur.executemany(f"INSERT INTO complaints ({columns}) VALUES (?, ?, 1, ?, ?, ?, 'quality', "
                                "'online', '房屋质量', 'submitted', ?)",
                                [(n, r, p, d1, d2, at.isoformat(sep=" ")) for n, r, p, d1, d2, at in complaint_rows])
            raw.commit()
        finally:
            raw.close()
        log(f"{len(complaint_rows):,} complaints loaded")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO compliance_inquiries (id, court_id, developer_id, project_id, letter_type, issued_at, "
                "deadline_working_days, deadline_on, deadline_estimated, answered_at) "
                "VALUES (:i, 1, :d, :p, 'presale_funds', :c, 10, :dl, false, :a)"),
                [{"i": i, "d": developer_of[p], "p": p, "c": created, "dl": dl,
                  "a": created if answered else None} for i, p, dl, answered in inquiries])
            conn.execute(text(
                "INSERT INTO commitments (id, developer_id, text, due_on, status, made_at, settled_at) "
                "VALUES (:i, :d, '按期整改', :due, :s, :c, :st)"),
                [{"i": c, "d": d, "due": due, "s": "kept" if kept else ("broken" if due < TODAY else "open"),
                  "c": created, "st": None if (not kept and due >= TODAY) else created}
                 for c, d, due, kept in commitments])
            conn.execute(text("INSERT INTO developer_guarantees (guarantor_id, debtor_id) VALUES (:a, :b)"),
                         [{"a": a, "b": b} for a, b in guarantees])
            conn.execute(text("INSERT INTO blacklist_decisions (developer_id, decided_at, reason) "
                              "VALUES (:d, :c, '法官决定')"), [{"d": d, "c": created} for d in blacklisted])
            add_staff(conn)
            if engine.dialect.name == "postgresql":
                for table in ("courts", "towns", "developers", "projects", "complaints",
                              "compliance_inquiries", "commitments"):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                      f"(SELECT max(id) FROM {table}))"))
            conn.execute(text("ANALYZE"))
        log("inquiries, commitments, guarantees, blacklist loaded; analyzed")
        db.session.remove()
        engine.dispose()


def add_staff(conn) -> None:
    """One member of staff per developer, reachable in the inbox and by e-mail: each rise
    then queues what it does in production (notices, e-mails, reminders)."""
    from sqlalchemy import text

    created = NOW.replace(tzinfo=None)
    conn.execute(text(
        "INSERT INTO users (username, name, role, password_hash, email, developer_id, active, created_at) "
        "VALUES (:u, :n, 'developer', '!', :e, :d, true, :c)"),
        [{"u": f"staff{d}", "n": f"联络员{d}", "e": f"staff{d}@example.com", "d": d, "c": created}
         for d in range(1, DEVELOPERS + 1)])


#: What an evaluation writes, cleared by --reset so a loaded database is evaluated afresh.
OUTPUT_TABLES = ("reminders", "notices", "warning_notices", "risk_level_changes", "risk_levels")


def reset_database(url: str) -> None:
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db

    os.environ["DATABASE_URL"] = url
    app = create_app()
    with app.app_context():
        with db.engine.begin() as conn:
            for table in OUTPUT_TABLES:
                conn.execute(text(f"DELETE FROM {table}"))
            if not conn.execute(text("SELECT count(*) FROM users WHERE role = 'developer'")).scalar():
                add_staff(conn)
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("ANALYZE"))
        log("previous evaluation cleared: " + ", ".join(OUTPUT_TABLES))
        db.session.remove()
        db.engine.dispose()


@contextmanager
def one_at_a_time():
    """The evaluation as it was before the batches: ``remind`` and ``queue_notice`` per rise."""
    from app.notify.outbox import queue_notice
    from app.services import early_warnings, warning_notices
    from app.services.reminders import remind

    def remind_each(event_name, rows, *, now):
        return sum(remind(event_name, row, now=now) for row in rows)

    def queue_each(notices, *, now):
        return sum(len(queue_notice(user=n.user, kind=n.kind, subject=n.subject, body=n.body,
                                    dedupe_key=n.dedupe_key, now=now)) for n in notices)

    saved = early_warnings.remind_many, warning_notices.queue_notices
    early_warnings.remind_many, warning_notices.queue_notices = remind_each, queue_each
    try:
        yield
    finally:
        early_warnings.remind_many, warning_notices.queue_notices = saved


def explain_aggregate(engine, captured: list) -> list[str]:
    """The plan of the complaints aggregate exactly as ``build_snapshot`` sent it (captured
    from the cursor), with its actual rows and time on PostgreSQL (EXPLAIN ANALYZE)."""
    statement, parameters = captured[0]
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(prefix + statement, parameters)
        rows = cursor.fetchall()
    finally:
        raw.close()
    return [" ".join(str(c) for c in row) for row in rows]


def bench_on_demand(db) -> dict:
    """A judge's "evaluate now" after the nightly run (nothing changes): for a developer with
    no guarantees, and for one in the largest guarantee component (its whole component is
    the snapshot). Median of 3 presses each."""
    import statistics

    import networkx as nx
    from sqlalchemy import select

    from app.models import DeveloperGuarantee, Project, User
    from app.services.early_warnings import evaluate_on_demand

    judge = db.session.scalar(select(User).where(User.username == "bench_judge"))
    if judge is None:
        judge = User(username="bench_judge", name="法官", role="judge", court_id=1, password_hash="-",
                     created_at=NOW)
        db.session.add(judge)
        db.session.commit()
    graph = nx.Graph(list(db.session.execute(select(DeveloperGuarantee.guarantor_id, DeveloperGuarantee.debtor_id))))
    largest = max(nx.connected_components(graph), key=len)
    alone = next(d for d in range(1, DEVELOPERS + 1) if d not in graph)
    result = {}
    for name, developer, size in (("no_guarantees", alone, 1), ("largest_component", min(largest), len(largest))):
        project_id = db.session.scalar(select(Project.id).where(Project.developer_id == developer).limit(1))
        times = []
        for _ in range(3):
            start = time.perf_counter()
            evaluate_on_demand(project_id, actor=db.session.get(User, judge.id), now=NOW)
            times.append(time.perf_counter() - start)
        result[name] = {"developers_in_snapshot": size, "seconds_median": round(statistics.median(times), 3)}
        log(f"on demand, {name} ({size} developers in the snapshot): {statistics.median(times):.3f} s")
    return result


def bench_database(url: str) -> dict:
    from sqlalchemy import event, text

    from app import create_app
    from app.extensions import db
    from app.services.early_warnings import build_snapshot, evaluate_warnings

    os.environ["DATABASE_URL"] = url
    app = create_app()
    result = {}
    with app.app_context():
        captured: list = []

        @event.listens_for(db.engine, "before_cursor_execute")
        def capture(conn, cursor, statement, parameters, context, executemany):
            if "FROM complaints" in statement and "GROUP BY" in statement:
                captured.append((statement, parameters))

        start = time.perf_counter()
        snapshot = build_snapshot(TODAY)
        result["snapshot_seconds"] = round(time.perf_counter() - start, 2)
        log(f"snapshot built in {result['snapshot_seconds']} s")
        result["complaints_in_window"] = sum(len(p.complaints) for p in snapshot.projects)
        result["complaints_plan"] = explain_aggregate(db.engine, captured)
        log("plan of the complaints aggregate:\n  " + "\n  ".join(result["complaints_plan"]))
        event.remove(db.engine, "before_cursor_execute", capture)
        db.session.rollback()
        for run in ("first", "second"):
            start = time.perf_counter()
            summary = evaluate_warnings(now=NOW)
            seconds = time.perf_counter() - start
            result[f"{run}_run_seconds"] = round(seconds, 2)
            result[f"{run}_run"] = summary.line()
            log(f"{run} evaluation: {seconds:.1f} s — {summary.line()}")
        result["per_project_ms"] = round(result["first_run_seconds"] / PROJECTS * 1000, 3)
        result["on_demand"] = bench_on_demand(db)
        for table in OUTPUT_TABLES:
            result[f"{table}_rows"] = db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
        log("rows written: " + ", ".join(f"{t} {result[t + '_rows']:,}" for t in OUTPUT_TABLES))
        # The baseline of the same run: the rises told one at a time, as before the batches.
        for table in OUTPUT_TABLES:
            db.session.execute(text(f"DELETE FROM {table}"))
        db.session.commit()
        with one_at_a_time():
            start = time.perf_counter()
            summary = evaluate_warnings(now=NOW)
            result["one_at_a_time_first_run_seconds"] = round(time.perf_counter() - start, 2)
        log(f"first evaluation telling each rise one at a time: {result['one_at_a_time_first_run_seconds']} s "
            f"— {summary.line()}")
        result["batched_vs_one_at_a_time"] = round(
            result["one_at_a_time_first_run_seconds"] / result["first_run_seconds"], 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--skip-load", action="store_true", help="the database is already loaded")
    parser.add_argument("--reset", action="store_true",
                        help="with --skip-load: clear a previous evaluation's output first")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    rows = data()
    log(f"generated {PROJECTS:,} projects, {len(rows[1]):,} complaints")
    result = {"engine": bench_engine(rows)}
    kind = "engine"
    if args.database_url:
        kind = "postgresql" if args.database_url.startswith("postgresql") else "sqlite"
        if args.skip_load and args.reset:
            reset_database(args.database_url)
        if not args.skip_load:
            start = time.perf_counter()
            load_database(args.database_url, rows)
            result["load_seconds"] = round(time.perf_counter() - start, 1)
        result["database"] = bench_database(args.database_url)
    (OUT / f"warnings_{kind}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
