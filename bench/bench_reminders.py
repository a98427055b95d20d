"""Benchmark of the reminder dispatch against one APScheduler job per reminder.

    .venv/bin/python bench/bench_reminders.py --db sqlite
    .venv/bin/python bench/bench_reminders.py --db postgres --url postgresql+psycopg://…/db
    .venv/bin/python bench/bench_reminders.py --db sqlite --future 100000 --overdue 20000  # quick

On a fresh database (tables dropped and created; never point it at real data), in one run:

1. **Idle tick vs future rows**: ``dispatch_due(now)`` when nothing is due, averaged over
   many calls, with 0, 10 % and 100 % of ``--future`` reminders in the table; then the
   scheduler's whole dispatch job (``app.jobs.dispatch``: reminders and the notice
   outbox) idle, against ``flask notices send`` alone (``--idle-only`` stops there). The tick
   is answered by the process's watch (``app.services.reminder_watch``): no query until
   the next due time or a change (a notification on PostgreSQL, ``PRAGMA data_version``
   on SQLite). For reference, the query the watch makes when it does ask (``SELECT
   due_at … ORDER BY due_at LIMIT 1`` on a kept connection) and a bare ``SELECT 1``.
2. **Backlog, log channel**: ``--overdue`` reminders due in the past on the ``log`` channel,
   with the future rows still there; timed: ``dispatch_due`` until none is left — claim
   a batch, mark it sent, render one log line per reminder in SQL, write them (one log
   record per batch, to a handler writing to /dev/null), commit. The due-scan plan
   (``EXPLAIN``) is printed.
3. **Backlog, notice channel** (what production does): ``--overdue`` reminders to
   ``--users`` accounts (half with an e-mail address, a tenth with a mobile number), e-mail
   switched on; timed: ``dispatch_due`` — one ``INSERT … SELECT`` into the notices (inbox,
   e-mail, SMS rows, texts in both languages rendered in SQL) and one ``UPDATE`` per batch.
   Sending the e-mail and SMS is the channel's own cost, not measured here.
4. **Row by row** (the dispatch before it was set-based, still the fallback):
   ``dispatch_batch`` on ``--row-sample`` notice reminders.
5. **Baselines, same run**: one APScheduler 3 job per reminder (``DateTrigger``), in a
   paused ``BackgroundScheduler``; each due job writes the same log line (one ``info`` call);
   timed from ``resume()`` until the last due job ran.
   a. ``MemoryJobStore`` holding what the table holds: ``--future`` future jobs and
      ``--overdue`` due ones (like for like: a job per reminder means the future
      reminders are jobs too). Jobs are added in time order (appends), not timed.
   b. ``MemoryJobStore`` with the due jobs only (the store's best case).
   c. ``SQLAlchemyJobStore`` on the same database (the durable store a reminder would
      need), ``--stored-baseline`` due jobs only.

Rows are generated with one ``INSERT … SELECT`` (``generate_series`` on PostgreSQL, a
recursive CTE on SQLite), not the ORM.
"""
from __future__ import annotations

import argparse
import logging
import os
import platform
import resource
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
PAYLOAD = ('{"number": "（2026）琼9005民诉前调1号", "project": "椰风海韵", '
           '"effective": "2026年12月1日", "effective_en": "2026-12-01", '
           '"step_due": "2026年12月2日", "step_due_en": "2026-12-02"}')


def build_app(url: str):
    from app import create_app
    from app.config import Settings
    from app.extensions import db

    app = create_app(Settings.from_env({"SECRET_KEY": "b" * 40, "DATABASE_URL": url,
                                        "UPLOAD_DIR": tempfile.mkdtemp()}))
    # E-mail on (nothing is sent here: the dispatch only writes the e-mail notices).
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=2525, MAIL_SENDER="notice@bench.example")
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def seed_users(app, count: int) -> tuple[int, int]:
    """A judge (the log channel's recipient) and ``count`` notice recipients; their ids."""
    from app.extensions import db
    from app.models import Court, User

    with app.app_context():
        court = Court(name="文昌巡回法庭", code="琼9005")
        db.session.add(court)
        db.session.flush()
        judge = User(username="bench", name="法官", role="judge", court_id=court.id,
                     password_hash="x", created_at=datetime.now(UTC))
        db.session.add(judge)
        db.session.flush()
        first = None
        for i in range(count):
            user = User(username=f"judge{i}", name=f"法官{i}", role="judge", court_id=court.id,
                        password_hash="x", created_at=datetime.now(UTC),
                        email=f"judge{i}@bench.example" if i % 2 == 0 else None,
                        phone=f"1380000{i:04d}" if i % 10 == 0 else None)
            db.session.add(user)
            db.session.flush()
            first = first or user.id
        db.session.commit()
        return judge.id, first


def insert_rows(app, *, first: int, count: int, user: int, users: int = 1, now: datetime,
                overdue: bool, channel: str = "log") -> float:
    """Insert ``count`` reminders (keys from ``first``) in one INSERT … SELECT, to users
    ``user`` … ``user + users - 1``; seconds taken."""
    from app.extensions import db

    naive = now.astimezone(UTC).replace(tzinfo=None)
    with app.app_context():
        dialect = db.engine.dialect.name
        # Future: 1 day to a year ahead, in key order; overdue: the last day, in key order.
        if dialect == "postgresql":
            due = ("(:now - (:last - n) * interval '1 second')" if overdue
                   else "(:now + interval '1 day' + (n % 31536000) * interval '1 second')")
            source = "FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS n"
            prefix = ""
        else:
            due = ("datetime(:now, '-' || (:last - n) || ' seconds')" if overdue
                   else "datetime(:now, '+1 day', '+' || (n % 31536000) || ' seconds')")
            prefix = ("WITH RECURSIVE seq(n) AS (SELECT :first UNION ALL "
                      "SELECT n + 1 FROM seq WHERE n < :last) ")
            source = "FROM seq"
        sql = (f"{prefix}INSERT INTO reminders (kind, recipient_id, channel, court_id, subject_type, "
               f"subject_id, payload, due_at, status, attempts, dedupe_key, created_at) "
               f"SELECT CASE WHEN n % 2 = 0 THEN 'follow_up' ELSE 'assign_due' END, "
               f":user + n % :users, :channel, 1, 'case', n, :payload, {due}, "
               f"'pending', 0, 'bench:' || n, :now {source}")
        started = time.perf_counter()
        db.session.execute(text(sql), {"first": first, "last": first + count - 1, "user": user,
                                       "users": users, "now": naive, "channel": channel,
                                       "payload": PAYLOAD})
        db.session.commit()
        db.session.execute(text("ANALYZE reminders" if dialect == "postgresql" else "ANALYZE"))
        db.session.commit()
        return time.perf_counter() - started


def idle_tick(app, now: datetime, runs: int) -> tuple[float, int]:
    """Mean seconds of one ``dispatch_due`` that finds nothing due, and the queries the
    watch made during the timed runs."""
    from app.extensions import db
    from app.services.reminder_dispatch import dispatch_due
    from app.services.reminder_watch import watch_for

    with app.app_context():
        for _ in range(20):  # warm up: the watch's connection, its first read
            assert dispatch_due(now=now).sent == 0
        watch = watch_for(db.engine)
        asked = watch.queries
        started = time.perf_counter()
        for _ in range(runs):
            dispatch_due(now=now)
        elapsed = time.perf_counter() - started
        db.session.remove()
    return elapsed / runs, watch.queries - asked


def idle_job(app, now: datetime, runs: int) -> tuple[float, float, int]:
    """The scheduler's whole dispatch job when idle (reminders and the notice outbox, both
    through their watches), and ``flask notices send`` alone (no watch: a claim
    transaction) for comparison; mean seconds, and the watches' queries."""
    from app.extensions import db
    from app.jobs import dispatch
    from app.notify.dispatch import deliver_pending
    from app.services.reminder_watch import watch_for

    with app.app_context():
        for _ in range(20):
            dispatch(now)
        watches = [watch_for(db.engine, what) for what in ("reminders", "notices")]
        asked = sum(w.queries for w in watches)
        started = time.perf_counter()
        for _ in range(runs):
            dispatch(now)
        job = (time.perf_counter() - started) / runs
        asked = sum(w.queries for w in watches) - asked
        started = time.perf_counter()
        for _ in range(max(runs // 10, 100)):
            deliver_pending(now=now)
        send = (time.perf_counter() - started) / max(runs // 10, 100)
        db.session.remove()
    return job, send, asked


def round_trips(app, runs: int) -> tuple[float, float]:
    """Mean seconds of the watch's query (the next due time) and of a bare ``SELECT 1``,
    each on a kept autocommit connection: what a tick costs when it does ask."""
    from app.extensions import db
    from app.services.reminder_watch import _NEXT_DUE

    results = []
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for sql in (_NEXT_DUE, "SELECT 1"):
                for _ in range(20):
                    connection.exec_driver_sql(sql).all()
                started = time.perf_counter()
                for _ in range(runs):
                    connection.exec_driver_sql(sql).all()
                results.append((time.perf_counter() - started) / runs)
    return results[0], results[1]


def plan(app, now: datetime) -> str:
    from app.extensions import db
    from app.services.reminder_dispatch import _FIRST_DUE

    naive = now.astimezone(UTC).replace(tzinfo=None)
    with app.app_context():
        params = {"now": naive, "limit": 5000}
        if db.engine.dialect.name == "postgresql":
            rows = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {_FIRST_DUE} "
                                           "FOR UPDATE SKIP LOCKED"), params).scalars().all()
        else:
            rows = [r[-1] for r in db.session.execute(text(f"EXPLAIN QUERY PLAN {_FIRST_DUE}"),
                                                      params).all()]
        db.session.rollback()
        return "\n".join(rows)


def backlog(app, now: datetime):
    from app.extensions import db
    from app.services.reminder_dispatch import dispatch_due

    with app.app_context():
        started = time.perf_counter()
        report = dispatch_due(now=now)
        elapsed = time.perf_counter() - started
        db.session.remove()
    assert report.row_batches == 0, "the set-based path failed"
    return elapsed, report


def row_by_row(app, now: datetime):
    from app.extensions import db
    from app.services.reminder_dispatch import ReminderReport, dispatch_batch

    with app.app_context():
        report = ReminderReport()
        started = time.perf_counter()
        while True:
            dispatch_batch(now=now, limit=2000, report=report)
            if report.claimed_last < 2000:
                break
        elapsed = time.perf_counter() - started
        db.session.remove()
    return elapsed, report


def count_notices(app) -> int:
    from app.extensions import db

    with app.app_context():
        return db.session.execute(text("SELECT count(*) FROM notices")).scalar()


def apscheduler_baseline(due_count: int, future_count: int, store: str, url: str | None
                         ) -> tuple[float, float]:
    """Seconds to run ``due_count`` already-due jobs (one per reminder) from a store that
    also holds ``future_count`` future ones; and the seconds it took to add them all."""
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
    _STATE.update(n=0, count=due_count, done=done, lock=lock, log=log)
    now = datetime.now(UTC)
    added = time.perf_counter()
    # In time order, so that each add is an append to the store's sorted list.
    for i in range(due_count):
        scheduler.add_job(f"{__name__}:_job", "date", run_date=now - timedelta(seconds=due_count - i),
                          args=(i,), id=f"r{i}")
    for i in range(future_count):
        scheduler.add_job(f"{__name__}:_noop", "date",
                          run_date=now + timedelta(days=1, seconds=i % 31536000), id=f"f{i}")
    added = time.perf_counter() - added
    started = time.perf_counter()
    scheduler.resume()
    if not done.wait(timeout=3600):
        raise RuntimeError(f"only {_STATE['n']} of {due_count} jobs ran")
    elapsed = time.perf_counter() - started
    scheduler.shutdown(wait=False)
    return elapsed, added


#: What the baseline's jobs share (a job store pickles a job's arguments, so they get an id).
_STATE: dict = {}


def _job(i):
    """The baseline's job: the same log line a reminder on the log channel writes."""
    _STATE["log"].info("reminder %s (%s) to user %s", i, "follow_up", 1)
    with _STATE["lock"]:
        _STATE["n"] += 1
        if _STATE["n"] == _STATE["count"]:
            _STATE["done"].set()


def _noop():  # a future job (never runs during the benchmark)
    pass


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--future", type=int, default=1_000_000)
    parser.add_argument("--overdue", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--row-sample", type=int, default=20_000,
                        help="notice reminders written row by row (the fallback path)")
    parser.add_argument("--baseline-future", type=int, default=None,
                        help="future jobs in the like-for-like job store (default: --future)")
    parser.add_argument("--stored-baseline", type=int, default=2_000,
                        help="jobs for the SQLAlchemyJobStore baseline (about 100-300 jobs/s)")
    parser.add_argument("--idle-runs", type=int, default=20_000)
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--idle-only", action="store_true", help="stop after the idle ticks")
    args = parser.parse_args()
    baseline_future = args.future if args.baseline_future is None else args.baseline_future

    if args.db == "sqlite":
        url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    else:
        url = args.url or "postgresql+psycopg://postgres@127.0.0.1:5432/test_reminders"
    handler = logging.FileHandler(os.devnull)
    logging.getLogger("app.reminders").addHandler(handler)
    logging.getLogger("app.reminders").setLevel(logging.INFO)
    logging.getLogger("app.reminders").propagate = False

    print(f"# {args.db} · Python {platform.python_version()} · {os.cpu_count()} cores · "
          f"nice {os.nice(0)} · load {load()} · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    app = build_app(url)
    judge, first_user = seed_users(app, args.users)
    now = datetime.now(UTC)

    probe, floor = round_trips(app, 2000)
    print(f"the watch's query when it asks (next due time): {probe * 1e3:.3f} ms; "
          f"a bare SELECT 1: {floor * 1e3:.3f} ms")
    tick0, q0 = idle_tick(app, now, args.idle_runs)
    tenth = args.future // 10
    seconds = insert_rows(app, first=1, count=tenth, user=judge, now=now, overdue=False)
    tick1, q1 = idle_tick(app, now, args.idle_runs)
    seconds += insert_rows(app, first=tenth + 1, count=args.future - tenth, user=judge, now=now,
                           overdue=False)
    tick2, q2 = idle_tick(app, now, args.idle_runs)
    print(f"future rows inserted: {args.future:,} in {seconds:.1f} s")
    print(f"idle tick (dispatch_due, nothing due), {args.idle_runs:,} ticks each: "
          f"{tick0 * 1e6:.1f} µs with 0 future rows, {tick1 * 1e6:.1f} µs with {tenth:,}, "
          f"{tick2 * 1e6:.1f} µs with {args.future:,} (queries during the timed ticks: {q0}, {q1}, {q2})")
    job, send, asked = idle_job(app, now, args.idle_runs)
    print(f"idle dispatch job (reminders + notice outbox), {args.idle_runs:,} ticks: {job * 1e6:.1f} µs "
          f"(queries: {asked}); flask notices send alone, no watch: {send * 1e3:.3f} ms")
    if args.idle_only:
        return 0

    key = args.future + 1
    insert_rows(app, first=key, count=args.overdue, user=judge, now=now, overdue=True)
    key += args.overdue
    print("due scan plan (5,000 of the overdue rows, 1,000,000 future behind them):\n  "
          + plan(app, now).replace("\n", "\n  "))
    print(f"load before the backlog: {load()}")
    elapsed, report = backlog(app, now)
    assert report.sent == args.overdue, (report.sent, args.overdue)
    log_rate = report.sent / elapsed
    print(f"backlog, log channel: {report.sent:,} overdue reminders in {elapsed:.2f} s = "
          f"{log_rate:,.0f} /s ({report.batches} batches; {args.future:,} future rows in the table)")

    insert_rows(app, first=key, count=args.overdue, user=first_user, users=args.users, now=now,
                overdue=True, channel="notice")
    key += args.overdue
    before = count_notices(app)
    elapsed, report = backlog(app, now)
    assert report.sent == args.overdue, (report.sent, args.overdue)
    written = count_notices(app) - before
    notice_rate = report.sent / elapsed
    print(f"backlog, notice channel: {report.sent:,} overdue reminders into {written:,} notices "
          f"in {elapsed:.2f} s = {notice_rate:,.0f} reminders/s, {written / elapsed:,.0f} notices/s")

    if args.row_sample:
        insert_rows(app, first=key, count=args.row_sample, user=first_user, users=args.users,
                    now=now, overdue=True, channel="notice")
        key += args.row_sample
        elapsed, report = row_by_row(app, now)
        row_rate = report.sent / elapsed
        print(f"row by row (the fallback; the dispatch before): {report.sent:,} notice reminders in "
              f"{elapsed:.2f} s = {row_rate:,.0f} /s → the set is {notice_rate / row_rate:.1f}× faster")

    tick3, q3 = idle_tick(app, now, args.idle_runs)
    print(f"idle tick after the backlogs: {tick3 * 1e6:.1f} µs (queries: {q3})")
    if args.skip_baselines:
        return 0

    print(f"load before the baselines: {load()}")
    memory, added = apscheduler_baseline(args.overdue, baseline_future, "memory", None)
    rate_a = args.overdue / memory
    print(f"APScheduler MemoryJobStore, {args.overdue:,} due + {baseline_future:,} future jobs "
          f"(added in {added:.1f} s, max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB): "
          f"{memory:.2f} s = {rate_a:,.0f} /s → log channel {log_rate / rate_a:.1f}×, "
          f"notice channel {notice_rate / rate_a:.1f}×")
    memory, _ = apscheduler_baseline(args.overdue, 0, "memory", None)
    rate_b = args.overdue / memory
    print(f"APScheduler MemoryJobStore, {args.overdue:,} due jobs only: {memory:.2f} s = "
          f"{rate_b:,.0f} /s → log channel {log_rate / rate_b:.1f}×, notice channel {notice_rate / rate_b:.1f}×")
    small = args.stored_baseline
    stored, _ = apscheduler_baseline(small, 0, "sqlalchemy", url)
    rate_c = small / stored
    print(f"APScheduler SQLAlchemyJobStore ({args.db}), {small:,} due jobs only: {stored:.2f} s = "
          f"{rate_c:,.0f} /s → log channel {log_rate / rate_c:.0f}×")
    print(f"load at the end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
