"""What every case use-case shares: loading with a lock, numbering, the timeline, the state.

Triage (``app.services.triage``), the case operations (``app.services.cases``) and the
case page (``app.services.case_page``) read and write a case through these helpers, so a
case is numbered, recorded and saved one way whichever use-case touches it.

Numbers (案号) come from ``case_counters``, one row per court and year, incremented in the
same transaction that registers the case: a rolled-back registration gives its number
back, and two judges accepting at the same moment queue on the counter row, so the
numbers of a year run 1, 2, 3 … without gaps or duplicates. On PostgreSQL the counter
row is created with ``INSERT … ON CONFLICT DO NOTHING`` and advanced with ``UPDATE …
RETURNING`` (a row lock held to the commit); on SQLite every writing transaction begins
``IMMEDIATE`` (``app.extensions``), which serialises writers outright.

Nothing here commits; the use-case that calls these helpers commits once.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from app.access import Permission, can
from app.extensions import db
from app.models import (
    Case, CaseCounter, CaseEvent, Complaint, Court, Mediator, MediatorConflict, Project, Role,
    User,
)
from app.models.types import upsert_insert
from app.services.case_search import refresh_case_search
from app.services.errors import ConflictError, NotFoundError
from app.services.reminders import case_touched
from mediation import groups as group_rules
from mediation.casenumber import format_case_number
from mediation.delegation import acceptance_due, assignment_due
from mediation.disputes import ComplaintStatus
from mediation.case_moves import withdrawal_refusal
from mediation.eligibility import WORKLOAD_STATUSES, MediatorFacts
from mediation.lifecycle import (
    COURT_TZ, CaseState, CaseStatus, Outcome, TransitionEvent, court_date, date_zh,
)
from risk.workdays import is_working_day
from mediation.messages import Msg

__all__ = [
    "OPEN_FOR_JOINING", "WORKLOAD", "case_complaints", "case_for", "case_state", "check_expected",
    "claimant_key", "deadline_at", "holding_opted_out", "lock_cases", "lock_complaints",
    "mediator_facts", "open_case", "party_key", "party_refusal", "record", "record_event",
    "refresh_group", "reindex", "save_state", "visible_ids",
]

#: Cases a complaint or another case may still join: mediation has not ended.
OPEN_FOR_JOINING = frozenset({
    CaseStatus.REGISTERED.value, CaseStatus.ASSIGNED.value, CaseStatus.SCHEDULED.value,
    CaseStatus.IN_MEDIATION.value,
})
#: The statuses counted in a mediator's workload (the rule: ``mediation.eligibility``).
WORKLOAD = frozenset(s.value for s in WORKLOAD_STATUSES)


def deadline_at(last_day: date | None) -> datetime | None:
    """The UTC instant a mediation period ends: the last second of its last day, court time."""
    if last_day is None:
        return None
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=COURT_TZ).astimezone(timezone.utc)


def claimant_key(complaint: Complaint) -> tuple[str, int]:
    if complaint.claimant_person_id is not None:
        return ("person", complaint.claimant_person_id)
    return ("developer", complaint.claimant_developer_id)


# --- Loading with a lock ---------------------------------------------------------------------


def lock_complaints(ids: list[int]) -> list[Complaint]:
    """Load complaints in id order with a row lock (PostgreSQL; SQLite locks the database)."""
    return list(db.session.scalars(
        select(Complaint).where(Complaint.id.in_(ids)).order_by(Complaint.id)
        .with_for_update().execution_options(populate_existing=True)
    ))


def lock_cases(ids: list[int]) -> list[Case]:
    return list(db.session.scalars(
        select(Case).where(Case.id.in_(ids)).order_by(Case.id)
        .with_for_update().execution_options(populate_existing=True)
    ))


def case_for(case_id: int, actor: User) -> Case:
    """The case, locked, if ``actor`` may see it; otherwise NotFoundError (never its data)."""
    found = lock_cases([case_id])
    if not found or not can(actor, Permission.CASE_VIEW, found[0]):
        raise NotFoundError(Msg("案件不存在或您无权查看", "No such case, or you may not see it"))
    return found[0]


def check_expected(case: Case, expected_status: str | None) -> None:
    """Refuse when the case moved since the actor saw it (a double click, two people at once)."""
    if expected_status and expected_status != case.status:
        raise ConflictError(
            Msg("案件状态已变更为“{status}”，请刷新页面后重试",
                "The case is now “{status}”; reload the page and try again",
                status=CaseStatus.msg(case.status)))


def case_complaints(case: Case) -> list[Complaint]:
    """The case's complaints in id order, with their claims."""
    return list(db.session.scalars(
        select(Complaint).where(Complaint.case_id == case.id).order_by(Complaint.id)
        .options(selectinload(Complaint.claims))))


def holding_opted_out(case_ids: Iterable[int]) -> set[int]:
    """The cases that hold a claimant who left a group to go alone (they join no group)."""
    return set(db.session.scalars(select(Complaint.case_id).where(
        Complaint.case_id.in_(list(case_ids)), Complaint.opted_out_at.is_not(None))))


def visible_ids(visible, model, actor: User, ids: list[int]) -> set[int]:
    """Which of ``ids`` the actor may see, in one query (``visible``: an app.access rule)."""
    return set(db.session.scalars(visible(actor, select(model.id)).where(model.id.in_(ids))))


# --- Numbers, the timeline, the state -----------------------------------------------------


def _next_seq(court_id: int, year: int) -> int:
    """Take the next sequence number of a court's year; the row stays locked to the commit."""
    table = CaseCounter.__table__
    insert = upsert_insert(db.session.get_bind())
    db.session.execute(
        insert(table).values(court_id=court_id, year=year, last_seq=0).on_conflict_do_nothing())
    return db.session.execute(
        update(table).where(table.c.court_id == court_id, table.c.year == year)
        .values(last_seq=table.c.last_seq + 1).returning(table.c.last_seq)
    ).scalar_one()


def record(case: Case, *, actor: User | None, now: datetime, from_status: str | None,
           to_status: str, reason: str | None = None, outcome: str | None = None,
           person_ids: list[int] | None = None) -> None:
    """Add a line to the case's timeline: who, when, from which status to which, why.

    ``person_ids``: the people the line names; their names are never written into
    ``reason`` but shown to each viewer as app.services.people allows. A ``reason`` the
    platform writes is a ``Msg``: its English is kept for English readers (``reason_en``)."""
    db.session.add(CaseEvent(
        case_id=case.id, at=now, actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else None, from_status=from_status,
        to_status=to_status, outcome=outcome, person_ids=person_ids or None,
        **event_reason(reason)))
    case_touched(case, now)  # its reminders follow its state (app.services.reminders)


def event_reason(reason) -> dict:
    """The ``reason``/``reason_en`` columns of a timeline line (plain text has no English)."""
    if reason is None:
        return {"reason": None, "reason_en": None}
    return {"reason": str(reason), "reason_en": reason.en if isinstance(reason, Msg) else None}


def record_event(case: Case, event: TransitionEvent, actor: User) -> None:
    """Record a move the lifecycle made (an extension names its days and new last day)."""
    reason = event.reason
    if event.extension_days:
        text = Msg("经双方当事人同意延长调解期限{days}日，期限至{day}",
                   "Mediation period extended by {days} days with both parties' consent, to {day}",
                   days=event.extension_days,
                   day=Msg(date_zh(event.deadline), event.deadline.isoformat()))
        reason = Msg("{text}；{reason}", "{text}; {reason}", text=text, reason=reason) if reason else text
    record(case, actor=actor, now=event.at, from_status=event.from_status.value,
           to_status=event.to_status.value, reason=reason,
           outcome=event.outcome.value if event.outcome else None)


def case_state(case: Case) -> CaseState:
    """The case row as the lifecycle's state."""
    return CaseState(
        status=CaseStatus(case.status),
        assigned_at=case.assigned_at,
        accepted_at=case.accepted_at,
        deadline=court_date(case.mediation_deadline_at) if case.mediation_deadline_at else None,
        extension_days=case.extension_days or 0,
        outcome=Outcome(case.outcome) if case.outcome else None,
        concluded_at=case.concluded_at,
    )


def save_state(case: Case, state: CaseState, now: datetime) -> None:
    """Write the lifecycle's state back onto the case row.

    The day the pending delegation step is due (``response_due_at``) is set when the step
    begins: 3 working days to assign from a case's return to the pool, 3 to accept from a
    delegation (人民法院在线调解规则 arts. 10, 12); none once the mediator accepted.
    """
    entering = CaseStatus(case.status) if case.status else None
    if state.status is CaseStatus.REGISTERED and entering is not CaseStatus.REGISTERED:
        case.response_due_at = deadline_at(assignment_due(now, is_working_day=is_working_day))
    elif state.status is CaseStatus.ASSIGNED and state.accepted_at is None:
        if entering is not CaseStatus.ASSIGNED:
            case.response_due_at = deadline_at(acceptance_due(now, is_working_day=is_working_day))
    elif state.status is not CaseStatus.REGISTERED:
        case.response_due_at = None
    case.accepted_at = state.accepted_at
    case.status = state.status.value
    case.outcome = state.outcome.value if state.outcome else None
    case.concluded_at = state.concluded_at
    case.assigned_at = state.assigned_at
    case.extension_days = state.extension_days
    case.mediation_deadline_at = deadline_at(state.deadline)
    if state.status is CaseStatus.CLOSED and case.closed_at is None:
        case.closed_at = now
        if state.outcome not in (Outcome.MERGED, Outcome.TRANSFERRED):  # its dispute ended here
            from app.services import ratings  # 好差评: the parties are asked to rate the service
            ratings.invite_ratings(case, now)
    if state.status is CaseStatus.LITIGATION:
        case.went_to_litigation = True
        if case.litigation_number is None:  # filed (立案): its own number, the file goes with it
            from app.services import litigation
            litigation.file_for_litigation(case, now)
    if state.status is CaseStatus.REGISTERED:
        case.mediator_id = None  # the mediator declined or recused themselves (回避)
    case.updated_at = now


# --- Registering and regrouping --------------------------------------------------------------


def refresh_group(case: Case, now: datetime) -> None:
    """Recompute the claims total and the group flag from the complaints the case holds."""
    db.session.flush()
    held = case_complaints(case)
    claimants = {claimant_key(c) for c in held}
    case.is_group = len(claimants) >= group_rules.GROUP_DISPUTE_MIN_CLAIMANTS
    case.claim_total_fen = sum(claim.amount_fen for c in held for claim in c.claims)
    case.updated_at = now


def open_case(complaints: list[Complaint], *, actor: User, now: datetime, reason: str,
              judge_id: int | None = None) -> Case:
    """Register a new case for ``complaints`` (the first opens it, the others join it)."""
    lead = complaints[0]
    court = db.session.get(Court, lead.court_id)
    project = db.session.get(Project, lead.project_id)
    year = court_date(now).year
    seq = _next_seq(court.id, year)
    case = Case(
        court_id=court.id, year=year, seq=seq, number=format_case_number(year, court.code, seq),
        project_id=project.id, developer_id=project.developer_id,
        dispute_type=lead.dispute_type, status=CaseStatus.REGISTERED.value,
        received_at=min(c.submitted_at for c in complaints), registered_at=now, updated_at=now,
        claim_total_fen=0, judge_id=actor.id if actor.role == Role.JUDGE else judge_id,
        response_due_at=deadline_at(assignment_due(now, is_working_day=is_working_day)),
    )
    db.session.add(case)
    db.session.flush()
    for index, complaint in enumerate(complaints):
        complaint.case_id = case.id
        status = ComplaintStatus.ACCEPTED if index == 0 else ComplaintStatus.MERGED
        complaint.status = status.value
        complaint.decided_at = complaint.decided_at or now
    record(case, actor=actor, now=now, from_status=None, to_status=CaseStatus.REGISTERED.value,
           reason=reason)
    refresh_group(case, now)
    return case


def reindex(*cases: Case) -> None:
    """Bring the cases' full-text search text up to date (names and facts changed)."""
    db.session.flush()
    refresh_case_search(c.id for c in cases)


def party_key(user: User) -> tuple[str, int] | None:
    """The claimant key a party's complaints carry (see :func:`claimant_key`); None otherwise."""
    if user.role == Role.HOMEOWNER:
        return ("person", user.person_id)
    if user.role == Role.DEVELOPER:
        return ("developer", user.developer_id)
    return None


def party_refusal(case: Case, actor: User, held: list[Complaint] | None = None) -> str | None:
    """Why ``actor`` may not withdraw this case's application, or None if they may
    (the rule: ``mediation.case_moves.withdrawal_refusal``). ``held``: the case's
    complaints, if already loaded."""
    if party_key(actor) is None:
        return None
    held = case_complaints(case) if held is None else held
    return withdrawal_refusal(actor.role, party_key(actor), [claimant_key(c) for c in held])


def mediator_facts(mediators: list[Mediator], case: Case) -> dict[int, MediatorFacts]:
    """What the eligibility rule (``mediation.eligibility``) needs of each of ``mediators``
    for ``case``: their declared conflict with its developer and their workload, in two
    queries whatever their number."""
    ids = [m.id for m in mediators]
    if not ids:
        return {}
    conflicts = dict(db.session.execute(
        select(MediatorConflict.mediator_id, MediatorConflict.reason).where(
            MediatorConflict.developer_id == case.developer_id,
            MediatorConflict.mediator_id.in_(ids))).all())
    workloads = dict(db.session.execute(
        select(Case.mediator_id, func.count()).where(
            Case.mediator_id.in_(ids), Case.status.in_(WORKLOAD))
        .group_by(Case.mediator_id)).all())
    return {
        m.id: MediatorFacts(
            name=m.user.name, active=m.active and m.user.active,
            workload=workloads.get(m.id, 0), capacity=m.capacity, conflict=conflicts.get(m.id),
            skilled=case.dispute_type in (m.skills or []))
        for m in mediators
    }
