"""Real ``flask scheduler`` processes on one database: one leads, each due reminder is
written once, and when the leader is killed (-9) another takes over within a minute.

The reminders are due in the past, so no test waits for a clock: it waits only for the
processes to start and to finish their work (polling the database, with a time-out)."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import Reminder, SchedulerLease
from app.models.types import utcnow

ROOT = Path(__file__).resolve().parents[2]
WAIT = 120.0  # seconds a step may take on a busy machine before the test fails


def _env(database_url, tmp_path) -> dict:
    return dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="s" * 40, MAIL_SERVER="",
                UPLOAD_DIR=str(tmp_path), PYTHONUNBUFFERED="1")


def _start(env, log_path: Path) -> subprocess.Popen:
    handle = open(log_path, "w")
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "--tick", "0.5",
         "--dispatch-every", "1", "--lease", "4"],
        cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def _until(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(*processes):
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _holder(app):
    with app.app_context():
        row = db.session.get(SchedulerLease, "scheduler")
        holder = row.holder if row else None
        db.session.remove()
        return holder


def test_two_schedulers_write_each_due_reminder_once(app, make, database_url, tmp_path):
    user = make.user("judge", court=make.court())
    now = utcnow()
    with app.app_context():
        db.session.execute(insert(Reminder), [dict(
            kind="follow_up", recipient_id=user.id, channel="log", subject_type="case",
            subject_id=i, payload={"number": f"（2026）琼9005民诉前调{i}号"},
            due_at=now - timedelta(minutes=i % 50), status="pending", attempts=0,
            dedupe_key=f"proc:{i}", created_at=now) for i in range(300)])
        db.session.commit()
    env = _env(database_url, tmp_path)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    processes = [_start(env, logs[0]), _start(env, logs[1])]
    try:
        def all_sent():
            with app.app_context():
                left = db.session.scalar(select(func.count()).select_from(Reminder)
                                         .where(Reminder.status == "pending"))
                db.session.remove()
                return left == 0
        _until(all_sent, "every reminder to be written")
        # While both run, exactly one leads. (Once the leader is stopped the standby may take
        # over in the shutdown window: that is the takeover working, so it is read before.)
        running = [path.read_text() for path in logs]
        assert sum("leads" in out for out in running) == 1, running
    finally:
        _stop(*processes)
    outputs = [path.read_text() for path in logs]
    written = Counter(int(m) for out in outputs for m in re.findall(r"reminder (\d+) \(", out))
    assert len(written) == 300 and set(written.values()) == {1}


def test_a_killed_leader_is_replaced_within_a_minute(app, database_url, tmp_path):
    env = _env(database_url, tmp_path)
    first = _start(env, tmp_path / "first.log")
    second = None
    try:
        _until(lambda: (_holder(app) or "").endswith(f":{first.pid}"), "the first to lead")
        second = _start(env, tmp_path / "second.log")
        _until(lambda: "standing by" in (tmp_path / "second.log").read_text(),
               "the second to stand by")
        assert (_holder(app) or "").endswith(f":{first.pid}")
        killed_at = time.monotonic()
        first.send_signal(signal.SIGKILL)
        first.wait()
        _until(lambda: (_holder(app) or "").endswith(f":{second.pid}"), "the second to take over")
        assert time.monotonic() - killed_at < 60
    finally:
        _stop(*(p for p in (first, second) if p is not None))


def test_a_reminder_planned_by_another_process_goes_out_at_the_next_dispatch(app, make, database_url,
                                                                             tmp_path):
    """The scheduler's idle ticks answer from memory (app.services.reminder_watch); a
    reminder a web worker commits afterwards — here this test process — must still be
    seen: a notification on PostgreSQL, PRAGMA data_version on SQLite."""
    user = make.user("judge", court=make.court())
    env = _env(database_url, tmp_path)
    log = tmp_path / "watch.log"
    scheduler = _start(env, log)
    try:
        # Idle first: it has read the (empty) table and keeps its answer in memory.
        _until(lambda: log.read_text().count("dispatch: reminders: 0 sent") >= 2, "idle dispatches")
        with app.app_context():
            now = utcnow()
            db.session.execute(insert(Reminder), [dict(
                kind="rating_follow_up", recipient_id=user.id, channel="log", subject_type="case",
                subject_id=1, payload={"number": "web"}, due_at=now, status="pending", attempts=0,
                dedupe_key="web:worker", created_at=now)])
            db.session.commit()
            db.session.remove()

        def sent():
            with app.app_context():
                status = db.session.scalar(select(Reminder.status))
                db.session.remove()
                return status == "sent"
        _until(sent, "the web worker's reminder to be written")
    finally:
        _stop(scheduler)
    assert "reminders: 1 sent" in log.read_text()
