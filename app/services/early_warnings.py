"""The early warning: build the snapshot from the database, let ``risk.warnings`` judge it,
store each project's and developer's level, and record every rise and fall.

``evaluate_warnings(now=…)`` is the nightly use-case behind ``flask warnings evaluate``
(the scheduler runs it at 02:00); ``evaluate_on_demand(project_id, …)`` is the project
page's "evaluate now" for one project's developer. Both commit once. Levels live in
``risk_levels`` (the current one, with its warnings in Chinese and English, and when it was
evaluated); a change of level adds a ``risk_level_changes`` row and a rise a warning
notice, so a second run on the same data changes nothing. docs/early-warnings.md has the rules.

What the snapshot holds: projects (units, delivered units, promised delivery), complaints
of the last 210 days by their court date, compliance inquiries, the developers' dated
obligations as milestones (a confirmed agreement's and those a judge entered; never a
homeowner's), commitments, guarantees between developers and the judges' blacklist
decisions.

Runs never overlap (docs/early-warnings.md, "Evaluation on demand"): on PostgreSQL the
nightly run holds an advisory lock exclusively and an on-demand run holds it shared plus
one for its developer, both for the transaction; a run that finds its lock taken is told
"already being evaluated" (409), the nightly run waits its turn. On SQLite every writing
transaction begins ``IMMEDIATE`` (``app.extensions``), so evaluations already take turns;
one that waited past the busy timeout is told the same.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import networkx as nx
from sqlalchemy import Date, cast, func, or_, select, text, update
from sqlalchemy.exc import OperationalError

from app.access import Permission, can
from app.extensions import db
from app.models import (
    BlacklistDecision, Commitment, Complaint, ComplianceInquiry, DeveloperGuarantee, Obligation, Project,
    RiskLevelChange, RiskLevelRow, User,
)
from app.services.errors import ConflictError, ForbiddenError, NotFoundError
from app.services.holidays import court_calendar
from app.services.reminders import remind_many
from app.services.use_case import use_case
from mediation.lifecycle import COURT_TZ, court_date
from mediation.messages import Msg
from risk import warnings as engine
from risk.warnings import DEFAULT_RULES, Evaluation, Level, Snapshot, WarningRules

#: PostgreSQL advisory-lock keys (transaction-scoped): the nightly run takes ``NIGHTLY_KEY``
#: exclusively; an on-demand run takes it shared, and (``DEVELOPER_KEY``, developer id).
NIGHTLY_KEY = 0x52574E54  # "RWNT"
DEVELOPER_KEY = 0x5257  # "RW", the first half of the two-integer form


def _day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=COURT_TZ)


def _court_day():
    """SQL for a complaint's date in Wenchang (UTC+8, no daylight saving), per database."""
    column = Complaint.__table__.c.submitted_at  # naive UTC as stored
    if db.engine.dialect.name == "postgresql":
        return cast(column + text("interval '8 hours'"), Date)
    return func.date(column, "+8 hours")


def _complaints_by_project(since: date, today: date,
                           project_ids: Collection[int] | None = None) -> dict[int, list[date]]:
    """Each project's complaint dates (court dates) from ``since`` to ``today``; only those
    of ``project_ids`` when given (an on-demand run).

    Counted per project and day in the database: half a million complaints come back as
    a few hundred thousand (project, day, count) rows, with no per-row type conversion.
    """
    day = _court_day().label("day")
    query = (select(Complaint.project_id, day, func.count())
             .where(Complaint.submitted_at >= _day_start_utc(since),
                    Complaint.submitted_at < _day_start_utc(today + timedelta(days=1))))
    if project_ids is not None:
        query = query.where(Complaint.project_id.in_(sorted(project_ids)))
    rows = db.session.execute(query.group_by(Complaint.project_id, day))
    complaints = defaultdict(list)
    for project_id, on, n in rows:
        on = on if isinstance(on, date) else date.fromisoformat(on)
        complaints[project_id].extend([on] * n)
    return complaints


def _performed_on(status: str, performed_at, confirmed_at, created_at) -> date | None:
    """The court date an obligation was performed; an old row recorded performed without
    the time (before ``performed_at`` existed) counts from its confirmation or creation."""
    if status == "open":
        return None
    return court_date(performed_at or confirmed_at or created_at)


def _milestones(developer_ids: Collection[int] | None) -> tuple:
    """The developers' dated obligations: a confirmed agreement's milestones a developer
    performs and those a judge entered by hand for the release plan. A homeowner's
    (``developer_id`` empty) never count against a developer."""
    query = (select(Obligation.id, Obligation.developer_id, Obligation.due_on, Obligation.status,
                    Obligation.performed_at, Obligation.confirmed_at, Obligation.created_at)
             .where(Obligation.developer_id.is_not(None), Obligation.due_on.is_not(None)))
    if developer_ids is not None:
        query = query.where(Obligation.developer_id.in_(sorted(developer_ids)))
    return tuple(
        engine.Milestone(id=o.id, developer_id=o.developer_id, due=o.due_on,
                         performed_on=_performed_on(o.status, o.performed_at, o.confirmed_at, o.created_at))
        for o in db.session.execute(query.order_by(Obligation.id)))


def build_snapshot(today: date, rules: WarningRules = DEFAULT_RULES, *,
                   developer_ids: Collection[int] | None = None) -> Snapshot:
    """Everything the rules read, as of the court date ``today``: of every developer, or
    only of ``developer_ids`` (their projects, obligations, commitments, guarantees)."""
    def only(column, query):
        return query if developer_ids is None else query.where(column.in_(sorted(developer_ids)))

    rows = list(db.session.execute(only(Project.developer_id, select(
        Project.id, Project.developer_id, Project.units_total, Project.units_delivered,
        Project.promised_delivery_on)).order_by(Project.id)))
    since = today - timedelta(days=rules.surge_window_days + rules.surge_baseline_days - 1)
    complaints = _complaints_by_project(since, today, None if developer_ids is None else [p.id for p in rows])
    projects = tuple(
        engine.Project(id=p.id, developer_id=p.developer_id, units=p.units_total,
                       delivered_units=min(p.units_delivered, p.units_total),
                       promised_delivery=p.promised_delivery_on,
                       complaints=tuple(complaints.get(p.id, ())))
        for p in rows)
    inquiries = tuple(
        engine.Inquiry(id=i.id, project_id=i.project_id, deadline=i.deadline_on,
                       answered_on=court_date(i.answered_at) if i.answered_at else None,
                       review=i.review, rectify_by=i.rectify_by, rectified_on=i.rectified_on)
        for i in db.session.scalars(
            (select(ComplianceInquiry) if developer_ids is None
             else select(ComplianceInquiry).where(ComplianceInquiry.project_id.in_([p.id for p in rows])))
            .order_by(ComplianceInquiry.id)))
    kept = {"kept": True, "broken": False, "open": None}
    commitments = tuple(
        engine.Commitment(id=c.id, developer_id=c.developer_id, due=c.due_on, kept=kept[c.status])
        for c in db.session.scalars(only(Commitment.developer_id, select(Commitment)).order_by(Commitment.id)))
    guarantees = tuple(
        engine.Guarantee(g.guarantor_id, g.debtor_id)
        for g in db.session.scalars(only(DeveloperGuarantee.guarantor_id, select(DeveloperGuarantee))
                                    .order_by(DeveloperGuarantee.id)))
    blacklisted = tuple(db.session.scalars(
        only(BlacklistDecision.developer_id, select(BlacklistDecision.developer_id))
        .where(BlacklistDecision.lifted_at.is_(None))
        .order_by(BlacklistDecision.developer_id).distinct()))
    return Snapshot(today, projects, inquiries, _milestones(developer_ids), commitments, guarantees, blacklisted)


def guarantee_component(developer_id: int) -> set[int]:
    """The developers linked to ``developer_id`` through guarantees, either way, any number
    of steps, itself included: all that contagion can reach it from, so evaluating them
    gives it the level the nightly run over everyone would."""
    graph = nx.Graph()
    graph.add_node(developer_id)
    graph.add_edges_from(db.session.execute(select(DeveloperGuarantee.guarantor_id, DeveloperGuarantee.debtor_id)))
    return set(nx.node_connected_component(graph, developer_id))


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


def _store(evaluation: Evaluation, *, now: datetime, developer_id: int | None = None) -> tuple[int, int, list]:
    """Store every level, or (``developer_id``) only that developer's and its projects'."""
    today = evaluation.today
    scope = []
    projects, developers = evaluation.projects, evaluation.developers
    if developer_id is not None:
        developers = [a for a in developers if a.id == developer_id]
        mine = {a.id for a in projects} & set(db.session.scalars(
            select(Project.id).where(Project.developer_id == developer_id)))
        projects = [a for a in projects if a.id in mine]
        scope = [or_(RiskLevelRow.developer_id == developer_id, RiskLevelRow.project_id.in_(sorted(mine)))]
    current = {(row.subject, row.project_id or row.developer_id): row
               for row in db.session.scalars(select(RiskLevelRow).where(*scope))}
    rises = falls = 0
    risen = []
    subjects = [("project", a) for a in projects] + [("developer", a) for a in developers]
    for subject, assessment in subjects:
        ids = {"project_id": assessment.id} if subject == "project" else {"developer_id": assessment.id}
        row = current.get((subject, assessment.id))
        level = assessment.level.code
        warnings = _warnings_json(assessment)
        before = row.level if row is not None else Level.NONE.code
        if row is None:
            row = RiskLevelRow(subject=subject, since_on=today, evaluated_on=today, evaluated_at=now, **ids)
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
        row.level, row.blacklisted = level, assessment.blacklisted  # written only when changed
    db.session.flush()
    # The evaluation's day and time on every row in one statement, not an UPDATE a row.
    db.session.execute(update(RiskLevelRow).where(*scope).values(evaluated_on=today, evaluated_at=now)
                       .execution_options(synchronize_session="evaluate"))
    return rises, falls, risen


def _projects_of(changes: list[RiskLevelChange]):
    ids = sorted({c.project_id for c in changes if c.project_id is not None})
    for start in range(0, len(ids), 5000):
        yield from db.session.scalars(select(Project).where(Project.id.in_(ids[start:start + 5000])))


def _tell_rises(risen: list[RiskLevelChange], *, now: datetime) -> None:
    """The developer's staff are reminded of each rise, and each gets its warning notice."""
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


BEING_EVALUATED = Msg("该开发商正在评估中，请稍后刷新查看结果。",
                      "This developer is already being evaluated; reload the page in a moment for the result.")


def _is_lock_timeout(error: OperationalError) -> bool:
    return db.engine.dialect.name == "sqlite" and "database is locked" in str(error.orig)


@use_case
def evaluate_warnings(*, now: datetime, rules: WarningRules = DEFAULT_RULES) -> EvaluationSummary:
    """Evaluate every project and developer on the court date of ``now`` and store the result.
    Waits for an on-demand run that holds its lock (never runs beside one)."""
    today = court_date(now)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NIGHTLY_KEY})
    evaluation = engine.assess(build_snapshot(today, rules), rules, court_calendar())
    rises, falls, risen = _store(evaluation, now=now)
    _tell_rises(risen, now=now)
    db.session.commit()
    by_level = {level.code: 0 for level in Level}
    for assessment in evaluation.projects:
        by_level[assessment.level.code] += 1
    return EvaluationSummary(today, len(evaluation.projects), len(evaluation.developers), rises, falls,
                             {k: v for k, v in by_level.items() if v})


@dataclass(frozen=True)
class OnDemandResult:
    project_level: str
    developer_level: str
    rises: int
    falls: int


def project_to_evaluate(user: User, project_id: int) -> Project:
    """The project whose developer ``user`` may evaluate now: a judge of its court (404 for
    whoever may not see it, 403 for its own developer's staff)."""
    project = db.session.get(Project, project_id)
    if project is None or not can(user, Permission.WARNING_VIEW, project):
        raise NotFoundError(Msg("项目不存在", "No such project"))
    if not can(user, Permission.RISK_VIEW):
        raise ForbiddenError(Msg("只有法官可以发起评估", "Only a judge may start an evaluation"))
    return project


def _take_developer_lock(developer_id: int) -> None:
    """PostgreSQL: the nightly lock shared and the developer's exclusively, or a 409 at once.
    SQLite: the first statement began the transaction IMMEDIATE (``app.extensions``): it
    waited for any other writer, an evaluation included, so this run follows it."""
    if db.engine.dialect.name != "postgresql":
        return
    got = db.session.execute(text(
        "SELECT pg_try_advisory_xact_lock_shared(:nightly) AND pg_try_advisory_xact_lock(:key, :developer)"),
        {"nightly": NIGHTLY_KEY, "key": DEVELOPER_KEY, "developer": developer_id}).scalar()
    if not got:
        raise ConflictError(BEING_EVALUATED)


@use_case
def evaluate_on_demand(project_id: int, *, actor: User, now: datetime,
                       rules: WarningRules = DEFAULT_RULES) -> OnDemandResult:
    """A judge's "evaluate now" on a project page: its developer and the developer's projects
    are evaluated with the nightly engine on the court date of ``now`` and stored like the
    nightly run stores them (history, reminders, a notice per rise). The snapshot holds the
    developers linked to it through guarantees, so contagion reaches it as it would at night;
    only the developer's own levels are stored (the others wait for the nightly run)."""
    try:
        project = project_to_evaluate(actor, project_id)
        developer_id = project.developer_id
        _take_developer_lock(developer_id)
        today = court_date(now)
        snapshot = build_snapshot(today, rules, developer_ids=guarantee_component(developer_id))
        evaluation = engine.assess(snapshot, rules, court_calendar())
        rises, falls, risen = _store(evaluation, now=now, developer_id=developer_id)
        _tell_rises(risen, now=now)
        db.session.commit()
    except OperationalError as error:  # SQLite: another writer held on past the busy timeout
        if not _is_lock_timeout(error):
            raise
        raise ConflictError(BEING_EVALUATED) from error
    level = {a.id: a.level.code for a in evaluation.projects}
    developer = next(a.level.code for a in evaluation.developers if a.id == developer_id)
    return OnDemandResult(level[project_id], developer, rises, falls)
