"""The scheduler's job table, its leader election and its queued jobs — without a clock:
every step is given its ``now``."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import JOBS, JOBS_BY_ID, run_job
from app.leadership import LEASE, Leadership, beat, heartbeat, take_lease
from app.models import Notice, QueuedJob, Reminder, User
from app.services import inquiries
from app.services.queued_jobs import CLAIM, queue_job, run_queued
from app.services.reminder_dispatch import dispatch_batch, dispatch_due
from tests.factories import NOW

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def test_the_job_table_is_fixed_and_every_trigger_names_its_zone_and_grace():
    assert [job.id for job in JOBS] == ["dispatch", "queued", "warnings_evaluate", "cases_expire",
                                        "tallies_fold"]
    nightly = JOBS_BY_ID["warnings_evaluate"].trigger()
    assert isinstance(nightly, CronTrigger) and str(nightly.timezone) == "Asia/Shanghai"
    first = nightly.get_next_fire_time(None, T0)  # T0 is 10:00 in Shanghai
    assert first.astimezone(timezone.utc) == datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)
    for job in JOBS:
        assert job.misfire_grace_time > 1  # never APScheduler's silent 1 s default
        assert job.trigger().timezone is not None


def test_creating_the_app_starts_no_scheduler_and_no_thread(app):
    from app import create_app
    from app.config import Settings

    before = {t.name for t in threading.enumerate()}
    create_app(Settings.from_env({"SECRET_KEY": "x" * 40, "DATABASE_URL": "sqlite://"}))
    assert {t.name for t in threading.enumerate()} == before


def test_flask_jobs_list_and_run(app):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["jobs", "list"])
    assert listed.exit_code == 0
    assert all(job.id in listed.output for job in JOBS)
    ran = runner.invoke(args=["jobs", "run", "dispatch"])
    assert ran.exit_code == 0 and "reminders: 0 sent" in ran.output
    assert runner.invoke(args=["jobs", "run", "nope"]).exit_code == 2


# --- Leadership --------------------------------------------------------------------------------


def test_the_lease_goes_to_a_second_scheduler_only_once_the_first_stopped_renewing(app):
    with app.app_context():
        assert take_lease("a", now=T0)
        assert not take_lease("b", now=T0 + timedelta(seconds=10))
        assert take_lease("a", now=T0 + timedelta(seconds=30))  # renewed
        assert not take_lease("b", now=T0 + timedelta(seconds=60))
        # "a" died after its tick at T0+30 s: "b" takes over within the lease, under a minute.
        assert LEASE < timedelta(minutes=1)
        assert take_lease("b", now=T0 + timedelta(seconds=30) + LEASE + timedelta(seconds=1))
        assert not take_lease("a", now=T0 + timedelta(seconds=80))
        beat("b", now=T0 + timedelta(seconds=80), report="dispatch: ok")
        row = heartbeat()
        assert (row.holder, row.heartbeat_at, row.last_report) == (
            "b", T0 + timedelta(seconds=80), "dispatch: ok")


def test_on_postgresql_the_advisory_lock_elects_one_and_frees_itself_when_its_holder_dies(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("advisory locks are PostgreSQL's (SQLite uses the lease row, tested above)")
        first, second = Leadership(db.engine, holder="a"), Leadership(db.engine, holder="b")
        try:
            assert first.tick(now=T0) and first.tick(now=T0)
            assert not second.tick(now=T0)
            first._connection.invalidate()  # the process died: its connection is gone
            first._connection = None
            # The server frees a dead client's locks when its backend notices the closed
            # socket, a moment later on a busy machine: the standby's next ticks take over.
            deadline = time.monotonic() + 10
            while not second.tick(now=T0) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert second.tick(now=T0)
        finally:
            first.release()
            second.release()


# --- Jobs run twice ----------------------------------------------------------------------------


@pytest.fixture
def inquiry_world(make):
    court = make.court()
    project = make.project(court=court)
    judge = make.user("judge", court=court)
    staff = make.user("developer", developer=project.developer)
    return project, judge, staff


def test_the_dispatch_job_run_twice_changes_nothing_the_second_time(app, inquiry_world):
    project, judge, _ = inquiry_world
    with app.app_context():
        inquiries.issue_inquiry(project.id, letter_type="presale_funds", working_days=10,
                                actor=db.session.get(User, judge.id), now=NOW)
    later = NOW + timedelta(days=30)
    assert run_job(app, "dispatch", now=later).startswith("reminders: 3 sent")
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Notice))
    assert run_job(app, "dispatch", now=later).startswith("reminders: 0 sent")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notice)) == count


def test_two_dispatchers_at_once_write_each_reminder_once(app, inquiry_world):
    """Two dispatch runs in parallel (two threads, two connections), batch after batch."""
    project, judge, _ = inquiry_world
    with app.app_context():
        for _ in range(20):
            inquiries.issue_inquiry(project.id, letter_type="presale_funds", working_days=10,
                                    actor=db.session.get(User, judge.id), now=NOW)
        total = db.session.scalar(select(func.count()).select_from(Reminder))
    later = NOW + timedelta(days=30)
    sent = []

    def work():
        with app.app_context():
            sent.append(dispatch_due(now=later, batch=3).sent)
            db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(sent) == total == 60
    with app.app_context():
        keys = db.session.scalars(select(Notice.dedupe_key).where(Notice.kind == "reminder")).all()
        assert len(keys) == len(set(keys)) == total
        assert db.session.scalar(select(func.count()).select_from(Reminder)
                                 .where(Reminder.status == "sent")) == total


def test_a_queued_job_runs_once_and_one_whose_scheduler_died_is_taken_again(app, tmp_path, monkeypatch):
    from app.services import queued_jobs

    calls = []
    monkeypatch.setitem(queued_jobs.KINDS, "referral_import",
                        lambda job, args, now: calls.append((job.id, args["n"])))
    with app.app_context():
        queue_job("referral_import", {"n": 1}, now=T0)
        queue_job("referral_import", {"n": 2}, now=T0)
        db.session.commit()
        # A scheduler claimed job 2 and died while running it.
        crashed = queued_jobs.claim_next(now=T0)
        assert crashed.args == {"n": 1}
        db.session.remove()
    with app.app_context():
        assert run_queued(now=T0 + timedelta(seconds=15)) == "queued jobs: 1 done, 0 failed"
        assert calls == [(2, 2)]
        assert run_queued(now=T0 + timedelta(seconds=30)) == "queued jobs: 0 done, 0 failed"
        assert run_queued(now=T0 + CLAIM + timedelta(seconds=1)) == "queued jobs: 1 done, 0 failed"
        assert calls == [(2, 2), (1, 1)]
        jobs = db.session.scalars(select(QueuedJob).order_by(QueuedJob.id)).all()
        assert [(j.status, j.attempts) for j in jobs] == [("done", 2), ("done", 1)]
        assert run_queued(now=T0 + CLAIM * 3) == "queued jobs: 0 done, 0 failed"


def test_the_nightly_evaluation_run_twice_asks_the_developer_once_to_acknowledge(app, make):
    from datetime import date

    from app.models import Project

    project = make.project()
    staff = make.user("developer", developer=project.developer)
    with app.app_context():
        row = db.session.get(Project, project.id)
        row.units_total, row.units_delivered = 100, 90
        row.promised_delivery_on = date(2026, 11, 25)  # late: the level rises
        db.session.commit()
    evening = datetime(2026, 11, 29, 18, 0, tzinfo=timezone.utc)  # 30 Nov, 02:00 in Wenchang
    run_job(app, "warnings_evaluate", now=evening)
    run_job(app, "warnings_evaluate", now=evening)
    with app.app_context():
        planned = db.session.execute(select(Reminder.kind, Reminder.recipient_id, Reminder.due_at,
                                            Reminder.payload)).all()
        # Monday 30 November + 3 working days: Thursday 3 December, 09:00 in Wenchang; once,
        # for the project's rise — the company's rise, raised only by its project, gets no
        # warning notice of its own, so there is nothing of its own to acknowledge.
        due = datetime(2026, 12, 3, 1, 0, tzinfo=timezone.utc)
        assert sorted((k, u, d, p["project"]) for k, u, d, p in planned) == [
            ("warning_ack", staff.id, due, project.name)]
