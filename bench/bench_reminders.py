"""Benchmark of the reminder dispatch against one APScheduler job per reminder.

    .venv/bin/python bench/bench_reminders.py --db sqlite
    .venv/bin/python bench/bench_reminders.py --db postgres --url postgresql+psycopg://…/db
    .venv/bin/python bench/bench_reminders.py --db sqlite --future 100000 --overdue 20000  # quick

On a fresh database (tables dropped and created; never point it at real data):

1. **Idle tick vs future rows**: ``dispatch_due(now)`` when nothing is due, averaged over
   many calls, with 0, 10 % and 100 % of ``--future`` reminders (due 1–365 days ahead) in
   the table — the due scan reads the partial index ``ix_reminders_due`` from its start and
   stops at the first future row, so the time must not grow. The query plan is printed.
2. **Backlog**: ``--overdue`` reminders due in the past on the ``log`` channel (a log record
   per reminder, to a handler writing to /dev/null), with the future rows still there;
   timed: ``dispatch_due`` until none is left (claim, mark sent, write, commit per batch).
3. **Baseline, same run**: one APScheduler 3 job per reminder — ``add_job`` with a
   ``DateTrigger`` at a past time (a reminder already due) into a paused
   ``BackgroundScheduler``, then ``resume`` and wait until every job ran; each job writes
   the same log line. ``MemoryJobStore`` with ``--baseline`` jobs (as many as the
   backlog), and ``SQLAlchemyJobStore`` on the same database — the durable store a
   reminder would need — with ``--stored-baseline`` jobs (it runs ~100–300 jobs/s).

Rows are generated with one ``INSERT … SELECT`` (``generate_series`` on PostgreSQL, a
recursive CTE on SQLite), not the ORM.
"""
from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

UTC = timezone.utc


def build_app(url: str):
    from app import create_app
    from app.config import Settings
    from app.extensions import db

    app = create_app(Settings.from_env({"SECRET_KEY": "b" * 40, "DATABASE_URL": url,
                                        "UPLOAD_DIR": tempfile.mkdtemp()}))
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def seed_user(app) -> int:
    from app.extensions import db
    from app.models import Court, User

    with app.app_context():
        court = Court(name="文昌巡回法庭", code="琼9005")
        db.session.add(court)
        db.session.flush()
        user = User(username="bench", name="法官", role="judge", court_id=court.id,
                    password_hash="x", created_at=datetime.now(UTC))
        db.session.add(user)
        db.session.commit()
        return user.id


def insert_rows(app, *, first: int, count: int, user_id: int, now: datetime, overdue: bool) -> float:
    """Insert ``count`` reminders (ids from ``first``) in one INSERT … SELECT; seconds taken."""
    from app.extensions import db

    naive = now.astimezone(UTC).replace(tzinfo=None)
    with app.app_context():
        dialect = db.engine.dialect.name
        # Future: spread over a year ahead; overdue: spread over the last day.
        if dialect == "postgresql":
            due = ("(:now - (n % 86400) * interval '1 second')" if overdue
                   else "(:now + interval '1 day' + (n % 31536000) * interval '1 second')")
            source = "FROM generate_series(:first, :last) AS n"
            prefix = ""
        else:
            due = ("datetime(:now, '-' || (n % 86400) || ' seconds')" if overdue
                   else "datetime(:now, '+1 day', '+' || (n % 31536000) || ' seconds')")
            prefix = ("WITH RECURSIVE seq(n) AS (SELECT :first UNION ALL "
                      "SELECT n + 1 FROM seq WHERE n < :last) ")
            source = "FROM seq"
        sql = (f"{prefix}INSERT INTO reminders (kind, recipient_id, channel, court_id, subject_type, "
               f"subject_id, payload, due_at, status, attempts, dedupe_key, created_at) "
               f"SELECT 'follow_up', :user, 'log', 1, 'case', n, '{{\"number\": \"bench\"}}', {due}, "
               f"'pending', 0, 'bench:' || n, :now {source}")
        started = time.perf_counter()
        db.session.execute(text(sql), {"first": first, "last": first + count - 1, "user": user_id,
                                       "now": naive})
        db.session.commit()
        if dialect == "postgresql":
            db.session.execute(text("ANALYZE reminders"))
            db.session.commit()
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        return time.perf_counter() - started


def idle_tick(app, now: datetime, runs: int) -> float:
    """Mean seconds of one ``dispatch_due`` that finds nothing due."""
    from app.extensions import db
    from app.services.reminder_dispatch import dispatch_due

    with app.app_context():
        for _ in range(20):  # warm up: connection, statement cache
            assert dispatch_due(now=now).sent == 0
        started = time.perf_counter()
        for _ in range(runs):
            dispatch_due(now=now)
        elapsed = time.perf_counter() - started
        db.session.remove()
    return elapsed / runs


def round_trip(app, runs: int) -> float:
    """Mean seconds of a bare ``SELECT 1`` on an autocommit connection: the floor of a tick."""
    from app.extensions import db

    with app.app_context():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for _ in range(20):
                connection.execute(text("SELECT 1"))
            started = time.perf_counter()
            for _ in range(runs):
                connection.execute(text("SELECT 1"))
            return (time.perf_counter() - started) / runs


def plan(app, now: datetime) -> str:
    from app.extensions import db

    naive = now.astimezone(UTC).replace(tzinfo=None)
    with app.app_context():
        scan = ("SELECT id FROM reminders WHERE status = 'pending' AND due_at <= :now "
                "ORDER BY due_at, id LIMIT 2000")
        if db.engine.dialect.name == "postgresql":
            rows = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {scan} FOR UPDATE SKIP LOCKED"),
                                      {"now": naive}).scalars().all()
        else:
            rows = [r[-1] for r in db.session.execute(text(f"EXPLAIN QUERY PLAN {scan}"),
                                                      {"now": naive}).all()]
        db.session.rollback()
        return "\n".join(rows)


def backlog(app, now: datetime) -> tuple[float, int]:
    from app.extensions import db
    from app.services.reminder_dispatch import dispatch_due

    with app.app_context():
        started = time.perf_counter()
        report = dispatch_due(now=now)
        elapsed = time.perf_counter() - started
        db.session.remove()
    return elapsed, report.sent


def apscheduler_baseline(count: int, store: str, url: str | None) -> float:
    """Seconds to schedule ``count`` jobs (one per reminder, already due) and run them all."""
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    log = logging.getLogger("app.reminders")
    done = threading.Event()
    lock = threading.Lock()

    jobstore = MemoryJobStore() if store == "memory" else SQLAlchemyJobStore(
        url=url, tablename="bench_apscheduler_jobs")
    scheduler = BackgroundScheduler(jobstores={"default": jobstore}, timezone="UTC",
                                    job_defaults={"misfire_grace_time": None, "coalesce": False})
    scheduler.start(paused=True)
    if store != "memory":
        scheduler.remove_all_jobs()
    _STATE.update(n=0, count=count, done=done, lock=lock, log=log)
    due = datetime.now(UTC) - timedelta(seconds=1)
    started = time.perf_counter()
    for i in range(count):
        scheduler.add_job(f"{__name__}:_job", "date", run_date=due, args=(i,), id=f"r{i}")
    scheduler.resume()
    if not done.wait(timeout=1800):
        raise RuntimeError(f"only {_STATE['n']} of {count} jobs ran")
    elapsed = time.perf_counter() - started
    scheduler.shutdown(wait=True)
    return elapsed


#: What the baseline's jobs share (a job store pickles a job's arguments, so they get an id).
_STATE: dict = {}


def _job(i):
    """The baseline's job: the same log line a reminder on the log channel writes."""
    _STATE["log"].info("reminder %s (%s) to user %s", i, "follow_up", 1)
    with _STATE["lock"]:
        _STATE["n"] += 1
        if _STATE["n"] == _STATE["count"]:
            _STATE["done"].set()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--future", type=int, default=1_000_000)
    parser.add_argument("--overdue", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=100_000,
                        help="jobs for the MemoryJobStore baseline (default: as many as the backlog)")
    parser.add_argument("--stored-baseline", type=int, default=5_000,
                        help="jobs for the SQLAlchemyJobStore baseline (about 100-300 jobs/s)")
    parser.add_argument("--idle-runs", type=int, default=2000)
    args = parser.parse_args()

    if args.db == "sqlite":
        url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    else:
        url = args.url or "postgresql+psycopg://postgres@127.0.0.1:5432/test_reminders"
    handler = logging.FileHandler(os.devnull)
    logging.getLogger("app.reminders").addHandler(handler)
    logging.getLogger("app.reminders").setLevel(logging.INFO)
    logging.getLogger("app.reminders").propagate = False

    print(f"# {args.db} · {platform.python_version()} · {platform.processor() or platform.machine()} · "
          f"{os.cpu_count()} cores · load {os.getloadavg()[0]:.1f} · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    app = build_app(url)
    user_id = seed_user(app)
    now = datetime.now(UTC)

    floor = round_trip(app, args.idle_runs) if args.db == "postgres" else None
    if floor is not None:
        print(f"a bare SELECT 1 round trip (autocommit): {floor * 1e3:.3f} ms")
    tick0 = idle_tick(app, now, args.idle_runs)
    tenth = args.future // 10
    seconds = insert_rows(app, first=1, count=tenth, user_id=user_id, now=now, overdue=False)
    tick1 = idle_tick(app, now, args.idle_runs)
    seconds += insert_rows(app, first=tenth + 1, count=args.future - tenth, user_id=user_id, now=now,
                           overdue=False)
    tick2 = idle_tick(app, now, args.idle_runs)
    print(f"future rows inserted: {args.future:,} in {seconds:.1f} s")
    print(f"idle tick (dispatch_due, nothing due): {tick0 * 1e3:.3f} ms with 0 future rows, "
          f"{tick1 * 1e3:.3f} ms with {tenth:,}, {tick2 * 1e3:.3f} ms with {args.future:,}")
    insert_rows(app, first=args.future + 1, count=args.overdue, user_id=user_id, now=now, overdue=True)
    print("due scan plan:\n  " + plan(app, now).replace("\n", "\n  "))
    elapsed, sent = backlog(app, now)
    assert sent == args.overdue, (sent, args.overdue)
    ours = sent / elapsed
    print(f"backlog: {sent:,} overdue reminders dispatched in {elapsed:.2f} s = {ours:,.0f} /s "
          f"(with {args.future:,} future rows in the table)")
    tick3 = idle_tick(app, now, args.idle_runs)
    print(f"idle tick after the backlog: {tick3 * 1e3:.3f} ms")
    if args.db == "postgres":
        # The 100,000 rows just sent left dead entries at the head of the partial index;
        # the probe steps over them until (auto)vacuum removes them.
        from app.extensions import db

        with app.app_context():
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM reminders"))
        print(f"idle tick after VACUUM: {idle_tick(app, now, args.idle_runs) * 1e3:.3f} ms")

    memory = apscheduler_baseline(args.baseline, "memory", None)
    memory_rate = args.baseline / memory
    print(f"APScheduler MemoryJobStore: {args.baseline:,} jobs in {memory:.2f} s = {memory_rate:,.0f} /s "
          f"→ ratio {ours / memory_rate:.1f}×")
    small = args.stored_baseline
    stored = apscheduler_baseline(small, "sqlalchemy", url)
    stored_rate = small / stored
    print(f"APScheduler SQLAlchemyJobStore ({args.db}): {small:,} jobs in {stored:.2f} s = "
          f"{stored_rate:,.0f} /s → ratio {ours / stored_rate:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
