"""The nightly early warning: build the snapshot from the database, let ``risk.warnings``
judge it, store each project's and developer's level, and record every rise and fall.

``evaluate_warnings(now=…)`` is the use-case behind ``flask warnings evaluate`` (the
scheduler will run it at 02:00) and the project page's "evaluate now". It commits once.
Levels live in ``risk_levels`` (the current one, with its warnings in Chinese and
English); a change of level adds a ``risk_level_changes`` row, so a second run on the same
data changes nothing. docs/early-warnings.md has the rules.

What the snapshot holds today: projects (units, delivered units, promised delivery),
complaints of the last 210 days by their court date, compliance inquiries, commitments,
guarantees between developers and the judges' blacklist decisions. Agreement milestones
are not stored by the platform yet, so ``milestone_overdue`` cannot fire from the app.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, cast, func, select, text

from app.extensions import db
from app.models import (
    BlacklistDecision, Commitment, Complaint, ComplianceInquiry, DeveloperGuarantee, Project,
    RiskLevelChange, RiskLevelRow,
)
from app.services.holidays import court_calendar
from app.services.reminders import remind_many
from app.services.use_case import use_case
from mediation.lifecycle import COURT_TZ, court_date
from risk import warnings as engine
from risk.warnings import DEFAULT_RULES, Evaluation, Level, Snapshot, WarningRules


def _day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=COURT_TZ)


def _court_day():
    """SQL for a complaint's date in Wenchang (UTC+8, no daylight saving), per database."""
    column = Complaint.__table__.c.submitted_at  # naive UTC as stored
    if db.engine.dialect.name == "postgresql":
        return cast(column + text("interval '8 hours'"), Date)
    return func.date(column, "+8 hours")


def _complaints_by_project(since: date, today: date) -> dict[int, list[date]]:
    """Each project's complaint dates (court dates) from ``since`` to ``today``.

    Counted per project and day in the database: half a million complaints come back as
    a few hundred thousand (project, day, count) rows, with no per-row type conversion.
    """
    day = _court_day().label("day")
    rows = db.session.execute(
        select(Complaint.project_id, day, func.count())
        .where(Complaint.submitted_at >= _day_start_utc(since),
               Complaint.submitted_at < _day_start_utc(today + timedelta(days=1)))
        .group_by(Complaint.project_id, day))
    complaints = defaultdict(list)
    for project_id, on, n in rows:
        on = on if isinstance(on, date) else date.fromisoformat(on)
        complaints[project_id].extend([on] * n)
    return complaints


def build_snapshot(today: date, rules: WarningRules = DEFAULT_RULES) -> Snapshot:
    """Everything the rules read, as of the court date ``today``."""
    since = today - timedelta(days=rules.surge_window_days + rules.surge_baseline_days - 1)
    complaints = _complaints_by_project(since, today)
    projects = tuple(
        engine.Project(id=p.id, developer_id=p.developer_id, units=p.units_total,
                       delivered_units=min(p.units_delivered, p.units_total),
                       promised_delivery=p.promised_delivery_on,
                       complaints=tuple(complaints.get(p.id, ())))
        for p in db.session.execute(
            select(Project.id, Project.developer_id, Project.units_total, Project.units_delivered,
                   Project.promised_delivery_on).order_by(Project.id)))
    inquiries = tuple(
        engine.Inquiry(id=i.id, project_id=i.project_id, deadline=i.deadline_on,
                       answered_on=court_date(i.answered_at) if i.answered_at else None,
                       review=i.review, rectify_by=i.rectify_by, rectified_on=i.rectified_on)
        for i in db.session.scalars(select(ComplianceInquiry).order_by(ComplianceInquiry.id)))
    kept = {"kept": True, "broken": False, "open": None}
    commitments = tuple(
        engine.Commitment(id=c.id, developer_id=c.developer_id, due=c.due_on, kept=kept[c.status])
        for c in db.session.scalars(select(Commitment).order_by(Commitment.id)))
    guarantees = tuple(
        engine.Guarantee(g.guarantor_id, g.debtor_id)
        for g in db.session.scalars(select(DeveloperGuarantee).order_by(DeveloperGuarantee.id)))
    blacklisted = tuple(db.session.scalars(
        select(BlacklistDecision.developer_id).where(BlacklistDecision.lifted_at.is_(None))
        .order_by(BlacklistDecision.developer_id).distinct()))
    return Snapshot(today, projects, inquiries, (), commitments, guarantees, blacklisted)


@dataclass(frozen=True)
class EvaluationSummary:
    today: date
    projects: int
    developers: int
    rises: int
    falls: int
    by_level: dict

    def line(self) -> str:
        levels = " ".join(f"{level}={n}" for level, n in self.by_level.items())
        return (f"{self.today.isoformat()}: {self.projects} projects, {self.developers} developers "
                f"evaluated; {self.rises} rose, {self.falls} fell; {levels}")


def _warnings_json(assessment) -> list[dict]:
    return [{"rule": w.rule, "level": w.level.code, "facts_zh": w.facts_zh, "facts_en": w.facts_en}
            for w in assessment.warnings]


def _store(evaluation: Evaluation) -> tuple[int, int, list]:
    today = evaluation.today
    current = {(row.subject, row.project_id or row.developer_id): row
               for row in db.session.scalars(select(RiskLevelRow))}
    rises = falls = 0
    risen = []
    subjects = ([("project", a) for a in evaluation.projects]
                + [("developer", a) for a in evaluation.developers])
    for subject, assessment in subjects:
        ids = {"project_id": assessment.id} if subject == "project" else {"developer_id": assessment.id}
        row = current.get((subject, assessment.id))
        level = assessment.level.code
        warnings = _warnings_json(assessment)
        before = row.level if row is not None else Level.NONE.code
        if row is None:
            row = RiskLevelRow(subject=subject, since_on=today, **ids)
            db.session.add(row)
        if before != level:
            change = RiskLevelChange(subject=subject, from_level=before, to_level=level,
                                     evaluated_on=today, warnings=warnings, **ids)
            db.session.add(change)
            row.since_on = today
            if Level.from_code(level) > Level.from_code(before):
                rises += 1
                risen.append(change)
            else:
                falls += 1
        if row.warnings != warnings:  # unchanged rows get only their evaluation date
            row.warnings = warnings
        row.level, row.evaluated_on, row.blacklisted = level, today, assessment.blacklisted
    return rises, falls, risen


def _projects_of(changes: list[RiskLevelChange]):
    ids = sorted({c.project_id for c in changes if c.project_id is not None})
    for start in range(0, len(ids), 5000):
        yield from db.session.scalars(select(Project).where(Project.id.in_(ids[start:start + 5000])))


@use_case
def evaluate_warnings(*, now: datetime, rules: WarningRules = DEFAULT_RULES) -> EvaluationSummary:
    """Evaluate every project and developer on the court date of ``now`` and store the result."""
    today = court_date(now)
    evaluation = engine.assess(build_snapshot(today, rules), rules, court_calendar())
    rises, falls, risen = _store(evaluation)
    db.session.flush()
    # The projects the reminders name, loaded at once (held here, so each ``get`` is in memory).
    projects = list(_projects_of(risen))  # noqa: F841
    # The developer acknowledges a raised level (docs/reminders.md): only the rises that get a
    # notice to acknowledge (notices_for_rises), all in one batch.
    remind_many("warning_raised", [change for change in risen if change.warnings], now=now)
    if risen:
        from app.services.warning_notices import notices_for_rises

        db.session.flush()
        notices_for_rises(risen, now=now)  # a notice per rise, told to the developer's staff
    db.session.commit()
    by_level = {level.code: 0 for level in Level}
    for assessment in evaluation.projects:
        by_level[assessment.level.code] += 1
    return EvaluationSummary(today, len(evaluation.projects), len(evaluation.developers), rises, falls,
                             {k: v for k, v in by_level.items() if v})
