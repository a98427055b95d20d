"""Long jobs a page asks for and the scheduler runs (``queued_jobs``; the ``queued`` job).

A web view never starts a thread: it stores a ``QueuedJob`` row (status ``queued``) in the
same transaction as the record the job fills, and answers at once. The scheduler claims
the oldest queued job with a conditional update (``queued`` → ``running``, ``claimed_until``
set; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), commits, runs it and marks it ``done`` or
``failed``. A job whose scheduler died while running is claimed again after
``claimed_until``; each kind's function must be harmless to run again (the referral
import refuses an import already processed).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from app.extensions import db
from app.models import QueuedJob, QueuedJobStatus, User
from app.services.use_case import use_case
from mediation.messages import Msg

log = logging.getLogger("app.jobs")

#: How long a run holds its job; a job still running after this is taken again.
CLAIM = timedelta(minutes=30)
#: Jobs one tick runs at most (the next tick, 15 s later, runs more).
PER_TICK = 5
ERROR_MAX = 500


def queue_job(kind: str, args: dict, *, now: datetime, **links) -> QueuedJob:
    """Add a job to the caller's transaction (it runs once that commits)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = QueuedJob(kind=kind, args=args, status=QueuedJobStatus.QUEUED.value, created_at=now,
                    attempts=0, **links)
    db.session.add(job)
    return job


@use_case
def claim_next(*, now: datetime) -> QueuedJob | None:
    """Take the oldest runnable job for this run, committed before it runs."""
    table = QueuedJob.__table__
    runnable = or_(table.c.status == QueuedJobStatus.QUEUED.value,
                   (table.c.status == QueuedJobStatus.RUNNING.value) & (table.c.claimed_until < now))
    job_id = db.session.scalar(select(table.c.id).where(runnable)
                               .order_by(table.c.created_at, table.c.id).limit(1)
                               .with_for_update(skip_locked=True))
    if job_id is None:
        db.session.commit()
        return None
    taken = db.session.execute(update(table).where(table.c.id == job_id, runnable).values(
        status=QueuedJobStatus.RUNNING.value, claimed_until=now + CLAIM, started_at=now,
        attempts=table.c.attempts + 1).returning(table.c.id)).first()
    db.session.commit()
    return db.session.get(QueuedJob, job_id) if taken else None


def _settle(job_id: int, status: QueuedJobStatus, *, now: datetime, error: str | None = None) -> None:
    db.session.rollback()
    db.session.execute(update(QueuedJob).where(QueuedJob.id == job_id).values(
        status=status.value, finished_at=now, claimed_until=None, error=error)
        .execution_options(synchronize_session=False))
    db.session.commit()


def run_queued(*, now: datetime, limit: int = PER_TICK) -> str:
    """Run up to ``limit`` queued jobs, oldest first; return a one-line report."""
    done = failed = 0
    for _ in range(limit):
        job = claim_next(now=now)
        if job is None:
            break
        job_id, kind, args = job.id, job.kind, dict(job.args or {})
        try:
            KINDS[kind](job, args, now)
        except Exception as error:
            log.exception("queued job %s (%s) failed", job_id, kind)
            _settle(job_id, QueuedJobStatus.FAILED, now=now,
                    error=f"{type(error).__name__}: {error}"[:ERROR_MAX])
            failed += 1
        else:
            _settle(job_id, QueuedJobStatus.DONE, now=now)
            done += 1
    return f"queued jobs: {done} done, {failed} failed"


def _referral_import(job: QueuedJob, args: dict, now: datetime) -> None:
    """Run a referral import queued by the upload page; the file is removed afterwards."""
    from app.services import referrals
    from app.services.errors import ServiceError

    path = args["path"]
    import_id = job.referral_import_id
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        actor = db.session.get(User, args["actor_id"])
        try:
            referrals.run_referral_import(import_id, data, actor=actor, now=now)
        except ServiceError:  # already processed (a run taken again): nothing to do
            db.session.rollback()
    except Exception:  # the import row must not stay "validating" after a bug
        db.session.rollback()
        referrals.fail_import(import_id, now=now, message=Msg(
            "导入时发生系统错误，未导入任何投诉，请稍后重试或联系管理员",
            "The import failed on a system error; nothing was imported. "
            "Try again later or ask the administrator"))
        raise
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def _release_suggestion(job: QueuedJob, args: dict, now: datetime) -> None:
    """The smallest unblocking guarantee for a blocked plan page (``release_suggestions``)."""
    from app.services.release_suggestions import compute

    compute(job, args, now)


#: Job kind → function(job, args, now). One line per kind of long job.
KINDS: dict[str, Callable[[QueuedJob, dict, datetime], None]] = {
    "referral_import": _referral_import,
    "release_suggestion": _release_suggestion,
}


def job_for_import(import_id: int) -> QueuedJob | None:
    """The queued job of a referral import (its page shows queued/running/done)."""
    return db.session.scalar(select(QueuedJob).where(QueuedJob.referral_import_id == import_id)
                             .order_by(QueuedJob.id.desc()).limit(1))
