"""The plan page's plan, and the smallest unblocking guarantee computed by a queued job.

The planner's search for the smallest extra counter-guarantee (``risk.suggestion``) takes
seconds on a large blocked plan, so the page plans without it (``plan_release(...,
suggest=False)``: same stages, same block) and asks a queued job (``app.services.queued_jobs``,
run by the scheduler every 15 s) for the full planner's ``blocked`` answer on the same
scenario. The answer is kept under the sha256 of the scenario's canonical JSON
(``ReleaseSuggestion.scenario_hash``, unique): one row and one job per scenario however often
the page is loaded, and a changed record gives a new key, so the answer shown is always the
one for today's records (docs/release-in-the-app.md).
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import QueuedJob
from app.models.release import ReleaseSuggestion
from app.services.release import build_scenario
from app.services.use_case import use_case
from risk.guarantee_graph import parse_scenario
from risk.planner import plan_release

JOB_KIND = "release_suggestion"


def scenario_hash(scenario: dict) -> str:
    """sha256 of the scenario's canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(scenario, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def page_plan(developer_id: int, *, now: datetime) -> tuple[dict, dict, dict | None]:
    """The scenario, the plan for the page, and the state of the suggestion when blocked:
    ``{"state": "ready"}`` (the plan's ``blocked`` is then the full planner's) or
    ``{"state": "computing", "queued_at": …, "job_status": …}``; None when not blocked."""
    scenario = build_scenario(developer_id)
    plan = plan_release(parse_scenario(scenario), suggest=False).to_json()
    if plan["blocked"] is None:
        return scenario, plan, None
    key = scenario_hash(scenario)
    row = db.session.scalar(select(ReleaseSuggestion).where(ReleaseSuggestion.scenario_hash == key))
    if row is None:
        row = _ask(developer_id, scenario, key, now=now)
    if row.computed_at is not None:
        plan["blocked"] = json.loads(row.blocked_json)
        return scenario, plan, {"state": "ready", "computed_at": row.computed_at}
    job = db.session.get(QueuedJob, row.queued_job_id) if row.queued_job_id else None
    return scenario, plan, {"state": "computing", "queued_at": row.created_at,
                            "job_status": job.status if job else None}


def _ask(developer_id: int, scenario: dict, key: str, *, now: datetime) -> ReleaseSuggestion:
    """Queue the job for this scenario once: a concurrent request that queued it first wins
    the unique key, and this one reads its row."""
    from app.services.queued_jobs import queue_job

    try:
        job = queue_job(JOB_KIND, {"scenario_hash": key, "scenario": scenario}, now=now)
        db.session.flush()
        row = ReleaseSuggestion(scenario_hash=key, developer_id=developer_id, created_at=now,
                                queued_job_id=job.id)
        db.session.add(row)
        db.session.commit()
        return row
    except IntegrityError:
        db.session.rollback()
        return db.session.scalar(select(ReleaseSuggestion).where(ReleaseSuggestion.scenario_hash == key))


@use_case
def compute(job, args: dict, now: datetime) -> None:
    """The queued job: the full planner on the stored scenario; its ``blocked`` is kept.
    Running it again writes the same answer."""
    plan = plan_release(parse_scenario(args["scenario"])).to_json()
    db.session.execute(update(ReleaseSuggestion).where(ReleaseSuggestion.scenario_hash == args["scenario_hash"])
                       .values(blocked_json=json.dumps(plan["blocked"], ensure_ascii=False), computed_at=now)
                       .execution_options(synchronize_session=False))
    db.session.commit()
