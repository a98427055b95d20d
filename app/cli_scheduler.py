"""``flask scheduler`` (the one process that runs the job table), ``flask jobs list|run``.

The scheduler is APScheduler 3's ``BlockingScheduler`` over the fixed table of
``app.jobs``. Any number may run; a leader check every ``--tick`` seconds
(``app.leadership``) lets exactly one of them run the jobs, and a job of a process that
is not (or no longer) the leader returns at once. The leader's tick is its heartbeat.
SIGTERM and SIGINT stop it cleanly (the lock or lease is given up at once).
"""
from __future__ import annotations

import logging
import signal
import sys

import click
from flask import current_app
from flask.cli import AppGroup

log = logging.getLogger("app.scheduler")

jobs_cli = AppGroup("jobs", help="The scheduler's jobs (app/jobs.py), one at a time by hand.")


@jobs_cli.command("list")
def list_jobs_command():
    """List the job table: id, trigger, grace time, what it does."""
    from app.jobs import JOBS

    for job in JOBS:
        click.echo(f"{job.id:18} {str(job.trigger()):60} grace {job.misfire_grace_time:>5}s  "
                   f"{job.description}")


@jobs_cli.command("run")
@click.argument("job_id")
def run_job_command(job_id: str):
    """Run one job now, in this process (harmless when the scheduler runs it too)."""
    from app.jobs import JOBS_BY_ID, run_job
    from app.models.types import utcnow

    if job_id not in JOBS_BY_ID:
        click.echo(f"no job {job_id!r}; known: {', '.join(JOBS_BY_ID)}", err=True)
        sys.exit(2)
    from app.services.reminder_watch import forget_all

    forget_all()  # by hand: ask the database, not this process's memory of it
    click.echo(run_job(current_app._get_current_object(), job_id, now=utcnow()))


class Runner:
    """The leader check and the job wrapper of one scheduler process."""

    def __init__(self, app, leadership, *, tick_seconds: float):
        self.app = app
        self.leadership = leadership
        self.tick_seconds = tick_seconds
        self.leading = False
        self.reports: dict[str, str] = {}

    def tick(self) -> None:
        from app.leadership import beat
        from app.models.types import utcnow

        with self.app.app_context():
            from app.extensions import db

            try:
                now = utcnow()
                was = self.leading
                self.leading = self.leadership.tick(now=now)
                if self.leading != was:
                    log.warning("scheduler %s %s", self.leadership.holder,
                                "leads" if self.leading else "stands by")
                if self.leading:
                    beat(self.leadership.holder, now=now,
                         report="\n".join(f"{k}: {v}" for k, v in sorted(self.reports.items())),
                         lease=self.leadership.lease)
            except Exception:
                self.leading = False
                log.exception("leader check failed")
            finally:
                db.session.remove()

    def job(self, job_id: str):
        from app.jobs import run_job
        from app.models.types import utcnow

        def run() -> None:
            if not self.leading:
                return
            try:
                report = run_job(self.app, job_id, now=utcnow())
            except Exception as error:
                log.exception("job %s failed", job_id)
                report = f"failed: {type(error).__name__}: {error}"
            self.reports[job_id] = report
            log.info("%s: %s", job_id, report)

        return run


@click.command("scheduler")
@click.option("--tick", "tick_seconds", default=15.0, show_default=True, type=click.FloatRange(0.2, 60),
              help="Seconds between leader checks (the heartbeat).")
@click.option("--dispatch-every", default=None, type=click.FloatRange(0.2, 3600),
              help="Run the dispatch job every N seconds instead of every minute (tests).")
@click.option("--lease", "lease_seconds", default=None, type=click.FloatRange(1, 3600),
              help="SQLite lease length in seconds (default 45).")
def scheduler_command(tick_seconds: float, dispatch_every: float | None, lease_seconds: float | None):
    """Run the job table until stopped; only one scheduler of all those running is active."""
    from datetime import timedelta

    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    from app.extensions import db
    from app.jobs import JOBS
    from app.leadership import LEASE, Leadership

    app = current_app._get_current_object()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    with app.app_context():
        leadership = Leadership(db.engine, lease=timedelta(seconds=lease_seconds) if lease_seconds else LEASE)
    runner = Runner(app, leadership, tick_seconds=tick_seconds)
    scheduler = BlockingScheduler(timezone="UTC", job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 30})
    scheduler.add_job(runner.tick, IntervalTrigger(seconds=tick_seconds, timezone="UTC"),
                      id="leader", misfire_grace_time=max(1, int(tick_seconds)))
    for job in JOBS:
        trigger = job.trigger()
        if job.id == "dispatch" and dispatch_every:
            trigger = IntervalTrigger(seconds=dispatch_every, timezone="UTC")
        scheduler.add_job(runner.job(job.id), trigger, id=job.id,
                          misfire_grace_time=job.misfire_grace_time, coalesce=True, max_instances=1)

    def stop(signum, _frame):
        if scheduler.running:  # a second signal while stopping changes nothing
            log.warning("scheduler %s stopping (signal %s)", leadership.holder, signum)
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    runner.tick()  # lead (or not) from the first second, not after one interval
    click.echo(f"scheduler {leadership.holder} started; "
               f"{'leading' if runner.leading else 'standing by'}")
    try:
        scheduler.start()
    finally:
        with app.app_context():
            leadership.release()
            db.session.remove()
