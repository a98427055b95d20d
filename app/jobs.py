"""The scheduler's job table: what runs when, in the one ``flask scheduler`` process.

Each job is a function of ``now`` that returns a one-line report; each is also ``flask
jobs run <id>``, runs in an app context and changes nothing when run twice (its work is
claimed with a status change). Reminders are rows in the database, not APScheduler jobs:
the table below is fixed, and the dispatch job reads the due rows every minute.

Every trigger names its time zone. ``coalesce=True`` runs a job once for all the runs it
missed, ``max_instances=1`` never overlaps a job with itself, and ``misfire_grace_time``
is explicit: APScheduler's default (1 s) silently skips a run the process was too busy or
paused for, and a nightly evaluation must not be skipped because a tick ran late.

The scheduler is never started by ``create_app`` or a web worker: only ``flask
scheduler`` (``app.cli_scheduler``) builds one, and ``./run.sh`` starts one beside the web
server.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from app.extensions import db

COURT_ZONE = "Asia/Shanghai"


def dispatch(now: datetime) -> str:
    """Due reminders into notices, then the due notices out (``flask notices send``).

    Both halves first ask this process's watch (``app.services.reminder_watch``): an idle
    minute reads the next due times from memory and touches no table."""
    from app.notify.dispatch import DispatchReport, deliver_pending
    from app.notify.email import email_enabled
    from app.services.reminder_dispatch import dispatch_due
    from app.services.reminder_watch import watch_for

    reminders = dispatch_due(now=now)
    outbox = watch_for(db.engine, "notices")
    if outbox.anything_due(now):
        outbox.forget()  # what this run claims and records is read again next time
        notices = deliver_pending(now=now)
    else:
        notices = DispatchReport(disabled=not email_enabled())
    return f"{reminders.line()}; {notices.line()}"


def warnings_evaluate(now: datetime) -> str:
    """Evaluate the early warnings (``flask warnings evaluate``)."""
    from app.services.early_warnings import evaluate_warnings

    return evaluate_warnings(now=now).line()


def cases_expire(now: datetime) -> str:
    """End the mediations whose 30 days ran out (``flask cases expire``)."""
    from app.services.delegation import end_expired_mediations

    ended = end_expired_mediations(now=now)
    return f"{len(ended)} mediation(s) ended"


def queued(now: datetime) -> str:
    """Run the long jobs pages queued (referral imports, release-plan suggestions)."""
    from app.services.queued_jobs import run_queued

    return run_queued(now=now)


def tallies_fold(now: datetime) -> str:
    """Fold each court's case tally rows into one (``flask jobs run tallies_fold``)."""
    from app.services.case_tallies import fold_case_tallies

    return fold_case_tallies(now=now)


@dataclass(frozen=True)
class Job:
    id: str
    run: Callable[[datetime], str]
    trigger: Callable[[], BaseTrigger]
    #: Seconds a run may start late and still run (else the next run does its work).
    misfire_grace_time: int
    description: str


JOBS: tuple[Job, ...] = (
    Job("dispatch", dispatch, lambda: IntervalTrigger(minutes=1, timezone="UTC"), 50,
        "every minute: due reminders into notices, due e-mails out"),
    Job("queued", queued, lambda: IntervalTrigger(seconds=15, timezone="UTC"), 10,
        "every 15 s: run queued long jobs (referral imports, release suggestions)"),
    Job("warnings_evaluate", warnings_evaluate,
        lambda: CronTrigger(hour=2, minute=0, timezone=COURT_ZONE), 6 * 3600,
        "02:00 Asia/Shanghai: evaluate early warnings"),
    Job("cases_expire", cases_expire,
        lambda: CronTrigger(hour=0, minute=5, timezone=COURT_ZONE), 6 * 3600,
        "00:05 Asia/Shanghai: end the mediations whose period ran out"),
    Job("tallies_fold", tallies_fold, lambda: IntervalTrigger(minutes=5, timezone="UTC"), 240,
        "every 5 min: fold each court's case tally rows into one (the judge's list's count)"),
)
JOBS_BY_ID = {job.id: job for job in JOBS}


def run_job(app, job_id: str, *, now: datetime) -> str:
    """Run one job in an app context, with a fresh session, and return its report."""
    job = JOBS_BY_ID[job_id]
    with app.app_context():
        try:
            return job.run(now)
        finally:
            db.session.remove()
