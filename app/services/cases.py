"""Triage and the life of a case: accept, reject, merge, assign, move, represent, opt out.

A judge reviews each complaint once (立案审查): accepts it into a new pre-litigation
mediation case with a court-style number, rejects it with a reason the filer reads, or
gathers it with the other complaints about the same project and dispute into one group
case (群体性纠纷). After that the case moves only along ``mediation.lifecycle``; every
move is recorded on its timeline with who, when and why.

Numbers (案号) come from ``case_counters``, one row per court and year, incremented in the
same transaction that registers the case: a rolled-back registration gives its number
back, and two judges accepting at the same moment queue on the counter row, so the
numbers of a year run 1, 2, 3 … without gaps or duplicates. On PostgreSQL the counter
row is created with ``INSERT … ON CONFLICT DO NOTHING`` and advanced with ``UPDATE …
RETURNING`` (a row lock held to the commit); on SQLite every writing transaction begins
``IMMEDIATE`` (``app.extensions``), which serialises writers outright.

Merging cases (并案) closes the absorbed case with the outcome ``merged``: it concludes no
dispute, since the dispute goes on under the other number, so it must not count as a
concluded case in the 调撤率 (see ``Outcome.concludes_dispute``). Transferred (移送) was
not used: it counts as concluded and would lower the rate for nothing.

Every function here takes the acting user and ``now``, commits once, and raises
:class:`ServiceError` (or a subclass) with a Chinese message when it refuses; a refusal
leaves the database as it was. Decisions the parties must hear of (accept, reject, merge,
assign) queue their notices (``app.services.case_notices``) in the same transaction,
just before the commit; e-mails leave after it (``app.notify.dispatch``).
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from app.access import (
    can_manage_case, can_view_case, can_view_complaint, visible_cases, visible_complaints,
)
from app.extensions import db
from app.models import (
    AgencyTask, Case, CaseCounter, CaseEvent, CaseRepresentative, Complaint, Court, Mediator,
    MediatorConflict, Person, Project, User,
)
from app.models.types import upsert_insert
from app.services import case_notices
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.holidays import court_calendar
from mediation import groups as group_rules
from mediation.casenumber import format_case_number
from mediation.disputes import ComplaintStatus, DisputeType
from mediation.identifiers import mask_name, mask_phone, mask_resident_id
from mediation.lifecycle import (
    COURT_TZ, EXTENSION_ROLES, MEDIATION_PHASE, TRANSITIONS, AllowedTransition, CaseState,
    CaseStatus, Outcome, TransitionError, TransitionEvent, allowed_transitions,
    apply_transition, close_as_merged, court_date, date_zh, decide_complaint, extend_mediation,
    mediation_deadline,
)

__all__ = [
    "CasePage", "ClaimantRow", "MediatorOption", "OPEN_FOR_JOINING", "ProposedGroup",
    "TriageOverview", "accept_complaint", "assign_mediator", "case_page", "choose_representatives",
    "deadline_at", "merge_cases", "merge_complaints", "opt_out_of_group", "proposed_groups",
    "reject_complaint", "transition_case", "triage_overview",
]

#: Cases a complaint or another case may still join: mediation has not ended.
OPEN_FOR_JOINING = frozenset({
    CaseStatus.REGISTERED.value, CaseStatus.ASSIGNED.value, CaseStatus.SCHEDULED.value,
    CaseStatus.IN_MEDIATION.value,
})
#: A mediator's workload counted against their capacity: cases in the mediation phase.
#: After settlement a case needs follow-up visits, not sessions, so it no longer counts.
_WORKLOAD = frozenset(s.value for s in MEDIATION_PHASE)
#: Ids are 32-bit integers in the database; a larger "id" from a form is simply unknown.
_MAX_ID = 2**31 - 1
#: How many complaints the triage page lists at once (oldest first).
TRIAGE_PAGE = 200


def _use_case(fn):
    """Roll the session back when a use-case refuses or fails, so nothing is half-saved."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise

    return wrapper


# --- Small helpers ------------------------------------------------------------------------


def deadline_at(last_day: date | None) -> datetime | None:
    """The UTC instant a mediation period ends: the last second of its last day, court time."""
    if last_day is None:
        return None
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=COURT_TZ).astimezone(timezone.utc)




def _claimant_key(complaint: Complaint) -> tuple[str, int]:
    if complaint.claimant_person_id is not None:
        return ("person", complaint.claimant_person_id)
    return ("developer", complaint.claimant_developer_id)


def _ids(values: Iterable, what: str, field_name: str) -> list[int]:
    """Distinct integer ids in the order given, or a ServiceError naming the field."""
    result: list[int] = []
    for value in values or ():
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise ServiceError(f"{what}编号“{value}”无效", field_name) from None
        if not 0 < number <= _MAX_ID:
            raise ServiceError(f"{what}编号“{value}”无效", field_name)
        if number not in result:
            result.append(number)
    return result


def _lock_complaints(ids: list[int]) -> list[Complaint]:
    """Load complaints in id order with a row lock (PostgreSQL; SQLite locks the database)."""
    return list(db.session.scalars(
        select(Complaint).where(Complaint.id.in_(ids)).order_by(Complaint.id)
        .with_for_update().execution_options(populate_existing=True)
    ))


def _lock_cases(ids: list[int]) -> list[Case]:
    return list(db.session.scalars(
        select(Case).where(Case.id.in_(ids)).order_by(Case.id)
        .with_for_update().execution_options(populate_existing=True)
    ))


def _complaint_for_judge(complaint_id: int, actor: User) -> Complaint:
    found = _lock_complaints([complaint_id])
    if not found or not can_view_complaint(actor, found[0]):
        raise NotFoundError("投诉不存在或您无权查看")
    if actor.role != "judge":
        raise ForbiddenError("只有本院法官可以审查投诉")
    return found[0]


def _case_for(case_id: int, actor: User) -> Case:
    """The case, locked, if ``actor`` may see it; otherwise NotFoundError (never its data)."""
    found = _lock_cases([case_id])
    if not found or not can_view_case(actor, found[0]):
        raise NotFoundError("案件不存在或您无权查看")
    return found[0]


def _check_expected(case: Case, expected_status: str | None) -> None:
    """Refuse when the case moved since the actor saw it (a double click, two people at once)."""
    if expected_status and expected_status != case.status:
        raise ConflictError(
            f"案件状态已变更为“{CaseStatus.zh(case.status)}”，请刷新页面后重试")


def _check_submitted(complaint: Complaint) -> None:
    if complaint.status != ComplaintStatus.SUBMITTED.value:
        raise ConflictError(
            f"投诉{complaint.receipt_no}已{ComplaintStatus.zh(complaint.status)}，"
            "不能重复处理，请刷新页面")


def _decide(complaint: Complaint, to: ComplaintStatus, actor: User, now: datetime,
            reason: str | None = None):
    _check_submitted(complaint)
    try:
        return decide_complaint(complaint.status, to, actor_role=actor.role, now=now,
                                reason=reason)
    except TransitionError as error:
        raise ServiceError(error.message, error.field) from None


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


def _record(case: Case, *, actor: User | None, now: datetime, from_status: str | None,
            to_status: str, reason: str | None = None, outcome: str | None = None) -> None:
    db.session.add(CaseEvent(
        case_id=case.id, at=now, actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else None, from_status=from_status,
        to_status=to_status, outcome=outcome, reason=reason))


def _record_event(case: Case, event: TransitionEvent, actor: User) -> None:
    reason = event.reason
    if event.extension_days:
        text = (f"经双方当事人同意延长调解期限{event.extension_days}日，"
                f"期限至{date_zh(event.deadline)}")
        reason = f"{text}；{reason}" if reason else text
    _record(case, actor=actor, now=event.at, from_status=event.from_status.value,
            to_status=event.to_status.value, reason=reason,
            outcome=event.outcome.value if event.outcome else None)


def _members(case: Case) -> list[Complaint]:
    return list(db.session.scalars(
        select(Complaint).where(Complaint.case_id == case.id).order_by(Complaint.id)
        .options(selectinload(Complaint.claims))))


def _refresh_group(case: Case, now: datetime) -> None:
    """Recompute the claims total and the group flag from the complaints the case holds."""
    db.session.flush()
    members = _members(case)
    claimants = {_claimant_key(c) for c in members}
    case.is_group = len(claimants) >= group_rules.GROUP_DISPUTE_MIN_CLAIMANTS
    case.claim_total_fen = sum(claim.amount_fen for c in members for claim in c.claims)
    case.updated_at = now


def _open_case(complaints: list[Complaint], *, actor: User, now: datetime, reason: str,
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
        claim_total_fen=0, judge_id=actor.id if actor.role == "judge" else judge_id,
    )
    db.session.add(case)
    db.session.flush()
    for index, complaint in enumerate(complaints):
        complaint.case_id = case.id
        status = ComplaintStatus.ACCEPTED if index == 0 else ComplaintStatus.MERGED
        complaint.status = status.value
        complaint.decided_at = complaint.decided_at or now
    _record(case, actor=actor, now=now, from_status=None, to_status=CaseStatus.REGISTERED.value,
            reason=reason)
    _refresh_group(case, now)
    return case


def _reindex(*cases: Case) -> None:
    """Bring the cases' full-text search text up to date (names and facts changed)."""
    from app.services.case_lists import refresh_case_search

    db.session.flush()
    refresh_case_search(c.id for c in cases)


def _holding_opted_out(case_ids: Iterable[int]) -> set[int]:
    """The cases that hold a claimant who left a group to go alone (they join no group)."""
    return set(db.session.scalars(select(Complaint.case_id).where(
        Complaint.case_id.in_(list(case_ids)), Complaint.opted_out_at.is_not(None))))


def _visible_ids(visible, model, actor: User, ids: list[int]) -> set[int]:
    """Which of ``ids`` the actor may see, in one query (``visible``: an app.access rule)."""
    return set(db.session.scalars(visible(actor, select(model.id)).where(model.id.in_(ids))))


# --- Triage: accept, reject, merge ----------------------------------------------------------


@_use_case
def accept_complaint(complaint_id: int, *, actor: User, now: datetime) -> Case:
    """Accept a submitted complaint into a new case with the next number of the court's year."""
    complaint = _complaint_for_judge(complaint_id, actor)
    _decide(complaint, ComplaintStatus.ACCEPTED, actor, now)
    case = _open_case([complaint], actor=actor, now=now, reason=f"受理投诉{complaint.receipt_no}")
    _reindex(case)
    case_notices.complaint_accepted(complaint, case, actor=actor, now=now)
    db.session.commit()
    return case


@_use_case
def reject_complaint(complaint_id: int, *, actor: User, now: datetime, reason: str) -> Complaint:
    """Reject a submitted complaint; the filer reads ``reason`` on their complaint."""
    complaint = _complaint_for_judge(complaint_id, actor)
    decision = _decide(complaint, ComplaintStatus.REJECTED, actor, now, reason)
    complaint.status = ComplaintStatus.REJECTED.value
    complaint.decision_reason = decision.reason
    complaint.decided_at = now
    case_notices.complaint_rejected(complaint, actor=actor, now=now)
    db.session.commit()
    return complaint


def _check_same_dispute(complaints: list[Complaint], case: Case | None = None) -> None:
    keys = {(c.court_id, c.project_id, c.dispute_type) for c in complaints}
    if case is not None:
        keys.add((case.court_id, case.project_id, case.dispute_type))
    if len(keys) > 1:
        raise ServiceError("只能合并同一法院、同一项目、同一纠纷类型的投诉（群体性纠纷按项目和纠纷类型归并）",
                           "complaint_ids")


@_use_case
def merge_complaints(complaint_ids: Iterable, *, actor: User, now: datetime,
                     into_case_id: int | None = None) -> Case:
    """Gather submitted complaints of one project and dispute type into one (group) case.

    Without ``into_case_id`` the earliest complaint opens a new case and the others join
    it; with it, they all join that open case.
    """
    ids = _ids(complaint_ids, "投诉", "complaint_ids")
    if not ids:
        raise ServiceError("请选择要合并的投诉", "complaint_ids")
    if into_case_id is None and len(ids) < group_rules.MIN_GROUP_COMPLAINTS:
        raise ServiceError("请至少选择两件投诉进行合并", "complaint_ids")
    complaints = _lock_complaints(ids)
    visible = _visible_ids(visible_complaints, Complaint, actor, ids)
    if len(complaints) != len(ids) or visible != set(ids):
        raise NotFoundError("投诉不存在或您无权查看")
    if actor.role != "judge":
        raise ForbiddenError("只有本院法官可以合并投诉")
    for complaint in complaints:
        _check_submitted(complaint)
        if complaint.opted_out_at is not None:
            raise ServiceError(f"投诉{complaint.receipt_no}的申请人已选择退出群体案件，不能再并入",
                               "complaint_ids")

    if into_case_id is None:
        _check_same_dispute(complaints)
        ordered = sorted(complaints, key=lambda c: (c.submitted_at, c.id))
        _decide(ordered[0], ComplaintStatus.ACCEPTED, actor, now)
        for complaint in ordered[1:]:
            _decide(complaint, ComplaintStatus.MERGED, actor, now)
        case = _open_case(ordered, actor=actor, now=now,
                          reason=f"合并受理投诉{len(ordered)}件：{case_notices.receipts_text(ordered)}")
    else:
        case = _case_for(_ids([into_case_id], "案件", "into_case_id")[0], actor)
        if not can_manage_case(actor, case):
            raise ForbiddenError("只有本院法官可以合并投诉")
        if case.status not in OPEN_FOR_JOINING:
            raise ServiceError(
                f"案件{case.number}状态为“{CaseStatus.zh(case.status)}”，调解已结束，不能再并入投诉",
                "into_case_id")
        if case.id in _holding_opted_out([case.id]):
            raise ServiceError(f"案件{case.number}的申请人已选择退出群体案件、单独处理，不能并入其他投诉",
                               "into_case_id")
        _check_same_dispute(complaints, case)
        for complaint in complaints:
            _decide(complaint, ComplaintStatus.MERGED, actor, now)
            complaint.status = ComplaintStatus.MERGED.value
            complaint.case_id = case.id
            complaint.decided_at = now
        _record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
                reason=f"并入投诉{len(complaints)}件：{case_notices.receipts_text(complaints)}")
        _refresh_group(case, now)
    _reindex(case)
    case_notices.complaints_merged(complaints, case, actor=actor, now=now,
                                   new_case=into_case_id is None)
    db.session.commit()
    return case


def _state(case: Case) -> CaseState:
    return CaseState(
        status=CaseStatus(case.status),
        assigned_at=case.assigned_at,
        deadline=court_date(case.mediation_deadline_at) if case.mediation_deadline_at else None,
        extension_days=case.extension_days or 0,
        outcome=Outcome(case.outcome) if case.outcome else None,
        concluded_at=case.concluded_at,
    )


def _save_state(case: Case, state: CaseState, now: datetime) -> None:
    case.status = state.status.value
    case.outcome = state.outcome.value if state.outcome else None
    case.concluded_at = state.concluded_at
    case.assigned_at = state.assigned_at
    case.extension_days = state.extension_days
    case.mediation_deadline_at = deadline_at(state.deadline)
    if state.status is CaseStatus.CLOSED and case.closed_at is None:
        case.closed_at = now
    if state.status is CaseStatus.LITIGATION:
        case.went_to_litigation = True
    if state.status is CaseStatus.REGISTERED:
        case.mediator_id = None  # the mediator declined or recused themselves (回避)
    case.updated_at = now


@_use_case
def merge_cases(case_ids: Iterable, *, actor: User, now: datetime) -> Case:
    """Join registered or assigned cases of one project and dispute type into the first (并案).

    Their complaints and open agency tasks move to the first case; each emptied case is
    closed with the outcome ``merged`` and the reason "并入（案号）".
    """
    ids = _ids(case_ids, "案件", "case_ids")
    if len(ids) < 2:
        raise ServiceError("请至少选择两件案件进行合并", "case_ids")
    found = {case.id: case for case in _lock_cases(ids)}
    if len(found) != len(ids) or _visible_ids(visible_cases, Case, actor, ids) != set(ids):
        raise NotFoundError("案件不存在或您无权查看")
    if not all(can_manage_case(actor, c) for c in found.values()):
        raise ForbiddenError("只有本院法官可以并案")
    target, others = found[ids[0]], [found[i] for i in ids[1:]]
    if target.status not in OPEN_FOR_JOINING:
        raise ServiceError(
            f"案件{target.number}状态为“{CaseStatus.zh(target.status)}”，不能再并入其他案件",
            "case_ids")
    if len({(c.court_id, c.project_id, c.dispute_type) for c in found.values()}) > 1:
        raise ServiceError("只能合并同一项目、同一纠纷类型的案件", "case_ids")
    opted_out = _holding_opted_out(ids)
    for case in (target, *others):
        if case.id in opted_out:
            raise ServiceError(
                f"案件{case.number}的申请人已选择退出群体案件、单独处理，不能并案", "case_ids")
    moved = case_notices.complaint_rows(o.id for o in others)  # whom to tell, before they move
    numbers = {o.id: o.number for o in others}
    for other in others:
        try:
            result = close_as_merged(_state(other), actor_role=actor.role, now=now,
                                     into=target.number)
        except TransitionError as error:
            raise ServiceError(f"案件{other.number}：{error.message}", "case_ids") from None
        db.session.execute(
            update(Complaint).where(Complaint.case_id == other.id)
            .values(case_id=target.id, status=ComplaintStatus.MERGED.value)
            .execution_options(synchronize_session=False))
        db.session.execute(
            update(AgencyTask).where(AgencyTask.case_id == other.id, AgencyTask.status == "open")
            .values(case_id=target.id).execution_options(synchronize_session=False))
        db.session.execute(delete(CaseRepresentative).where(CaseRepresentative.case_id == other.id))
        _save_state(other, result.state, now)
        _record_event(other, result.event, actor)
    db.session.flush()
    db.session.expire_all()
    target = db.session.get(Case, ids[0])
    _record(target, actor=actor, now=now, from_status=target.status, to_status=target.status,
            reason="并案：" + "、".join(o.number for o in others) + "并入本案")
    _refresh_group(target, now)
    _reindex(target, *others)
    case_notices.cases_merged(moved, numbers, target, actor=actor, now=now)
    db.session.commit()
    return target


# --- Proposed groups ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProposedGroup:
    """A group the platform proposes: the domain's group with its project, and the open
    case of the same project and dispute type the complaints could join, if there is one."""

    group: group_rules.ProposedGroup
    project: Project
    existing_case: Case | None = None

    @property
    def project_id(self):
        return self.group.project_id

    @property
    def dispute_type(self) -> DisputeType:
        return self.group.dispute_type

    @property
    def complaint_ids(self) -> tuple:
        return self.group.complaint_ids

    @property
    def claimant_count(self) -> int:
        return self.group.claimant_count

    @property
    def is_group_dispute(self) -> bool:
        return self.group.is_group_dispute

    @property
    def representatives_required(self) -> tuple[int, int] | None:
        return self.group.representatives_required


def proposed_groups(court_id: int) -> list[ProposedGroup]:
    """Submitted complaints of a court grouped by project and dispute type (two or more)."""
    rows = db.session.execute(
        select(Complaint.id, Complaint.project_id, Complaint.dispute_type,
               Complaint.claimant_person_id, Complaint.claimant_developer_id,
               Complaint.opted_out_at)
        .where(Complaint.court_id == court_id,
               Complaint.status == ComplaintStatus.SUBMITTED.value)
        .order_by(Complaint.submitted_at, Complaint.id)
    ).all()
    facts = [
        group_rules.ComplaintFact(
            id=row.id, project_id=row.project_id, dispute_type=DisputeType(row.dispute_type),
            claimant_key=("person", row.claimant_person_id) if row.claimant_person_id is not None
            else ("developer", row.claimant_developer_id),
            status=ComplaintStatus.SUBMITTED, opted_out=row.opted_out_at is not None)
        for row in rows
    ]
    found = group_rules.propose_groups(facts)
    if not found:
        return []
    project_ids = {g.project_id for g in found}
    projects = {p.id: p for p in db.session.scalars(
        select(Project).where(Project.id.in_(project_ids))
        .options(selectinload(Project.developer)))}
    open_cases: dict[tuple, Case] = {}
    alone = select(Complaint.case_id).where(Complaint.opted_out_at.is_not(None),
                                            Complaint.case_id.is_not(None))
    for case in db.session.scalars(
        select(Case).where(Case.court_id == court_id, Case.project_id.in_(project_ids),
                           Case.status.in_(OPEN_FOR_JOINING), Case.id.not_in(alone))
        .order_by(Case.registered_at, Case.id)
    ):
        open_cases.setdefault((case.project_id, case.dispute_type), case)
    return [
        ProposedGroup(group=g, project=projects[g.project_id],
                      existing_case=open_cases.get((g.project_id, g.dispute_type.value)))
        for g in found
    ]


@dataclass
class TriageOverview:
    complaints: list[Complaint]
    total: int
    groups: list[ProposedGroup]
    #: Complaint id -> the group proposal it belongs to (index in ``groups``).
    group_of: dict[int, int] = field(default_factory=dict)


def triage_overview(court_id: int, *, limit: int = TRIAGE_PAGE) -> TriageOverview:
    """What awaits a court's triage: the oldest submitted complaints and proposed groups."""
    where = (Complaint.court_id == court_id, Complaint.status == ComplaintStatus.SUBMITTED.value)
    total = db.session.scalar(select(func.count()).select_from(Complaint).where(*where))
    complaints = list(db.session.scalars(
        select(Complaint).where(*where).order_by(Complaint.submitted_at, Complaint.id).limit(limit)
        .options(selectinload(Complaint.claims), selectinload(Complaint.claimant_person),
                 selectinload(Complaint.claimant_developer), selectinload(Complaint.project),
                 selectinload(Complaint.duplicate_of))))
    groups = proposed_groups(court_id)
    group_of = {cid: index for index, g in enumerate(groups) for cid in g.complaint_ids}
    return TriageOverview(complaints=complaints, total=total, groups=groups, group_of=group_of)


# --- Moving a case along its lifecycle -------------------------------------------------------


def _party_refusal(case: Case, actor: User, members: list[Complaint] | None = None) -> str | None:
    """Why a party may not withdraw this case's application, or None if it may.

    A party withdraws only its own application: every complaint of the case must be its
    own. In a case with several claimants one claimant cannot withdraw for the others;
    they may opt out instead. ``members``: the case's complaints, if already loaded.
    """
    members = _members(case) if members is None else members
    if actor.role == "homeowner":
        own = [c for c in members if c.claimant_person_id == actor.person_id]
    elif actor.role == "developer":
        own = [c for c in members if c.claimant_developer_id == actor.developer_id]
    else:
        return None
    if not own:
        return "只有申请人可以撤回申请"
    if len(own) != len(members):
        return "本案有多名申请人，您不能代表其他申请人撤回申请；如不愿继续参加群体案件，可以选择退出"
    return None


@_use_case
def transition_case(case_id: int, to, *, actor: User, now: datetime, reason: str | None = None,
                    outcome=None, extension_days: int | None = None,
                    parties_consent: bool = False, expected_status: str | None = None) -> Case:
    """Move a case to ``to`` as the lifecycle table allows ``actor``'s role, and record it.

    ``to`` equal to the current status with ``extension_days`` extends the mediation period
    without a move. ``expected_status`` is the status the actor saw: if the case has moved
    since (a double click, two people at once), ConflictError and nothing changes.
    """
    case = _case_for(case_id, actor)
    _check_expected(case, expected_status)
    try:
        target = CaseStatus(to)
    except ValueError:
        raise ServiceError(f"未知的案件状态“{to}”", "status") from None
    state = _state(case)
    extending = target is state.status and extension_days is not None
    move = None if extending else TRANSITIONS.get((state.status, target))
    roles = EXTENSION_ROLES if extending else (move.roles if move is not None else None)
    if move is not None and actor.role in move.roles:
        if (state.status, target) == (CaseStatus.REGISTERED, CaseStatus.ASSIGNED):
            raise ServiceError("请在“分派调解员”中选择调解员", "mediator_id")
        refusal = _party_refusal(case, actor)
        if refusal:
            raise ForbiddenError(refusal)
    try:
        if extending:
            result = extend_mediation(state, extension_days, actor_role=actor.role, now=now,
                                      parties_consent=parties_consent, reason=reason)
        else:
            result = apply_transition(
                state, target, actor_role=actor.role, now=now, reason=reason,
                outcome=outcome or None, extension_days=extension_days,
                parties_consent=parties_consent)
    except TransitionError as error:
        if roles is not None and actor.role not in roles:
            raise ForbiddenError(error.message) from None
        raise ServiceError(error.message, error.field) from None
    _save_state(case, result.state, now)
    _record_event(case, result.event, actor)
    db.session.commit()
    return case


def _open_workload(mediator_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Case).where(
        Case.mediator_id == mediator_id, Case.status.in_(_WORKLOAD)))


@_use_case
def assign_mediator(case_id: int, mediator_id, *, actor: User, now: datetime,
                    expected_status: str | None = None) -> Case:
    """Delegate a registered case to a mediator of the court (委派调解); the 30 days start."""
    case = _case_for(case_id, actor)
    if not can_manage_case(actor, case):
        raise ForbiddenError("只有本院法官可以分派调解员")
    _check_expected(case, expected_status)
    chosen = _ids([mediator_id] if mediator_id not in (None, "") else [], "调解员", "mediator_id")
    if not chosen:
        raise ServiceError("请选择调解员", "mediator_id")
    mediator_id = chosen[0]
    mediator = db.session.scalar(
        select(Mediator).where(Mediator.id == mediator_id).with_for_update()
        .execution_options(populate_existing=True))
    if mediator is None or mediator.court_id != case.court_id:
        raise ServiceError("请选择本院的调解员", "mediator_id")
    if not mediator.active or not mediator.user.active:
        raise ServiceError(f"调解员{mediator.user.name}已停用", "mediator_id")
    conflict = db.session.scalar(select(MediatorConflict).where(
        MediatorConflict.mediator_id == mediator.id,
        MediatorConflict.developer_id == case.developer_id))
    if conflict is not None:
        raise ServiceError(
            f"调解员{mediator.user.name}与{case.developer.name}存在利益冲突（{conflict.reason}），"
            "应当回避", "mediator_id")
    workload = _open_workload(mediator.id)
    if workload >= mediator.capacity:
        raise ServiceError(
            f"调解员{mediator.user.name}在办案件{workload}件，已达上限{mediator.capacity}件",
            "mediator_id")
    try:
        result = apply_transition(_state(case), CaseStatus.ASSIGNED, actor_role=actor.role, now=now)
    except TransitionError as error:
        raise ServiceError(error.message, error.field) from None
    # A period whose last day is a holiday ends on the next working day (民事诉讼法 期间).
    last_day = mediation_deadline(now, is_working_day=court_calendar().is_working_day)
    state = replace(result.state, deadline=last_day)
    _save_state(case, state, now)
    case.mediator_id = mediator.id
    _record(case, actor=actor, now=now, from_status=result.event.from_status.value,
            to_status=CaseStatus.ASSIGNED.value,
            reason=f"分派调解员{mediator.user.name}，调解期限至{date_zh(last_day)}")
    case_notices.mediator_assigned(case, mediator, last_day, actor=actor, now=now)
    db.session.commit()
    return case


# --- Representatives and opting out --------------------------------------------------------


@_use_case
def choose_representatives(case_id: int, person_ids: Iterable, *, actor: User,
                           now: datetime) -> Case:
    """Record the 2–5 representatives a group case's claimants chose from among themselves."""
    case = _case_for(case_id, actor)
    if actor.role not in ("judge", "mediator"):
        raise ForbiddenError("代表人由法官或调解员根据申请人的推选登记")
    if case.outcome is not None or case.status not in OPEN_FOR_JOINING:
        raise ServiceError("调解已结束，不能再变更代表人", "person_ids")
    chosen_ids = _ids(person_ids, "申请人", "person_ids")
    members = _members(case)
    claimants = list(dict.fromkeys(c.claimant_person_id for c in members
                                   if c.claimant_person_id is not None))
    try:
        chosen = group_rules.validate_representatives(claimants, chosen_ids)
    except group_rules.GroupError as error:
        raise ServiceError(error.message, "person_ids") from None
    db.session.execute(delete(CaseRepresentative).where(CaseRepresentative.case_id == case.id))
    for person_id in chosen:
        db.session.add(CaseRepresentative(case_id=case.id, person_id=person_id, chosen_at=now))
    names = dict(db.session.execute(
        select(Person.id, Person.name).where(Person.id.in_(chosen))).all())
    _record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
            reason="推选代表人：" + "、".join(names[p] for p in chosen))
    case.updated_at = now
    db.session.commit()
    return case


@_use_case
def opt_out_of_group(complaint_id: int, *, actor: User, now: datetime) -> Case:
    """Take a claimant out of a group case; their complaints get a case of their own.

    The claimant (a homeowner) does it, or a judge records it for them. Returns the new case.
    """
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or not can_view_complaint(actor, complaint):
        raise NotFoundError("投诉不存在或您无权查看")
    if actor.role == "homeowner":
        if complaint.claimant_person_id != actor.person_id:
            raise ForbiddenError("只有申请人本人可以退出群体案件")
    elif actor.role != "judge":
        raise ForbiddenError("只有申请人本人或法官可以办理退出群体案件")
    if complaint.case_id is None:
        raise ServiceError("该投诉尚未并入案件，无需退出")
    # Lock the case before its complaints, in the same order as merging cases does.
    group_case = _lock_cases([complaint.case_id])[0]
    complaint = _lock_complaints([complaint_id])[0]
    if complaint.case_id != group_case.id:
        raise ConflictError("该投诉已转入其他案件，请刷新页面")
    if group_case.status not in OPEN_FOR_JOINING:
        raise ServiceError(
            f"案件状态为“{CaseStatus.zh(group_case.status)}”，调解已结束，不能再退出")
    members = _members(group_case)
    key = _claimant_key(complaint)
    proposal = group_rules.ProposedGroup(
        project_id=group_case.project_id, dispute_type=DisputeType(group_case.dispute_type),
        members=tuple((c.id, _claimant_key(c)) for c in members))
    if proposal.claimant_count < 2:
        raise ServiceError("本案只有一名申请人，无需退出群体案件")
    remaining = group_rules.opt_out(proposal, key)
    leaving_ids = set(remaining.opted_out_ids)
    leaving = sorted((c for c in members if c.id in leaving_ids),
                     key=lambda c: (c.id != complaint.id, c.submitted_at, c.id))
    for c in leaving:
        c.opted_out_at = now
    if complaint.claimant_person_id is not None:
        db.session.execute(delete(CaseRepresentative).where(
            CaseRepresentative.case_id == group_case.id,
            CaseRepresentative.person_id == complaint.claimant_person_id))
    new_case = _open_case(leaving, actor=actor, now=now, judge_id=group_case.judge_id,
                          reason=f"申请人（投诉{complaint.receipt_no}）退出群体案件{group_case.number}，单独立案")
    _record(group_case, actor=actor, now=now, from_status=group_case.status,
            to_status=group_case.status,
            reason=f"申请人（投诉{complaint.receipt_no}）退出本案，另立{new_case.number}")
    _refresh_group(group_case, now)
    _reindex(group_case, new_case)
    db.session.commit()
    return new_case


# --- The case page ---------------------------------------------------------------------------


def _mask_name(name: str | None) -> str:
    return mask_name(name) if (name or "").strip() else "—"


def _mask_id(value: str | None) -> str:
    return mask_resident_id(value) if value else "—"


def _mask_phone(value: str | None) -> str:
    return mask_phone(value) if value else "—"


@dataclass
class ClaimantRow:
    """One claimant of a case as the viewer may see them."""

    name: str
    resident_id: str
    phone: str
    is_developer: bool = False
    person_id: int | None = None
    is_representative: bool = False
    is_viewer: bool = False
    complaints: list[Complaint] = field(default_factory=list)
    claim_total_fen: int = 0
    #: The complaint whose opt-out button the viewer may press (None: no button).
    opt_out_complaint_id: int | None = None


@dataclass
class MediatorOption:
    mediator: Mediator
    name: str
    workload: int
    capacity: int
    skilled: bool
    inactive: bool = False
    #: The declared conflict with the case's developer (回避), if any.
    conflict: str | None = None

    @property
    def full(self) -> bool:
        return self.workload >= self.capacity

    @property
    def available(self) -> bool:
        return not (self.inactive or self.conflict or self.full)


@dataclass
class CasePage:
    case: Case
    claimants: list[ClaimantRow]
    events: list[CaseEvent]
    moves: list[AllowedTransition]
    deadline: date | None
    days_left: int | None
    overdue: bool
    can_extend: bool
    can_assign: bool
    mediator_options: list[MediatorOption]
    can_choose_representatives: bool
    representatives_needed: tuple[int, int] | None
    representative_ids: set[int]
    viewer_role: str


def _claimant_rows(members: list[Complaint], viewer: User,
                   rep_ids: set[int], can_opt_out: bool) -> list[ClaimantRow]:
    rows: dict[tuple, ClaimantRow] = {}
    sees_contacts = viewer.role in ("judge", "mediator")
    for complaint in members:
        key = _claimant_key(complaint)
        row = rows.get(key)
        if row is None:
            if complaint.claimant_person_id is not None:
                person = complaint.claimant_person
                is_viewer = viewer.role == "homeowner" and viewer.person_id == person.id
                row = ClaimantRow(
                    name=person.name if is_viewer or viewer.role != "homeowner"
                    else _mask_name(person.name),
                    resident_id=person.resident_id if is_viewer else _mask_id(person.resident_id),
                    phone=(person.phone or "—") if is_viewer or sees_contacts
                    else _mask_phone(person.phone),
                    person_id=person.id, is_representative=person.id in rep_ids,
                    is_viewer=is_viewer)
            else:
                developer = complaint.claimant_developer
                row = ClaimantRow(
                    name=developer.name, resident_id=developer.uscc, phone=developer.phone or "—",
                    is_developer=True,
                    is_viewer=viewer.role == "developer" and viewer.developer_id == developer.id)
            rows[key] = row
        row.complaints.append(complaint)
        row.claim_total_fen += sum(claim.amount_fen for claim in complaint.claims)
        if can_opt_out and row.person_id is not None and row.opt_out_complaint_id is None and (
                viewer.role == "judge" or row.is_viewer):
            row.opt_out_complaint_id = complaint.id
    return list(rows.values())


def _mediator_options(case: Case) -> list[MediatorOption]:
    mediators = db.session.scalars(
        select(Mediator).where(Mediator.court_id == case.court_id)
        .options(selectinload(Mediator.user)).order_by(Mediator.id)).all()
    if not mediators:
        return []
    conflicts = dict(db.session.execute(
        select(MediatorConflict.mediator_id, MediatorConflict.reason).where(
            MediatorConflict.developer_id == case.developer_id,
            MediatorConflict.mediator_id.in_([m.id for m in mediators]))).all())
    workloads = dict(db.session.execute(
        select(Case.mediator_id, func.count()).where(
            Case.mediator_id.in_([m.id for m in mediators]), Case.status.in_(_WORKLOAD))
        .group_by(Case.mediator_id)).all())
    options = [
        MediatorOption(
            mediator=m, name=m.user.name, workload=workloads.get(m.id, 0), capacity=m.capacity,
            skilled=case.dispute_type in (m.skills or []),
            inactive=not (m.active and m.user.active), conflict=conflicts.get(m.id))
        for m in mediators
    ]
    options.sort(key=lambda o: (not o.available, not o.skilled, o.workload, o.name))
    return options


def case_page(case_id: int, *, viewer: User, now: datetime) -> CasePage:
    """Everything the case page shows ``viewer``; NotFoundError unless they may see it."""
    case = db.session.scalar(select(Case).where(Case.id == case_id).options(
        selectinload(Case.project), selectinload(Case.developer),
        selectinload(Case.mediator).selectinload(Mediator.user),
        selectinload(Case.representatives)))
    if case is None or not can_view_case(viewer, case):
        raise NotFoundError("案件不存在或您无权查看")
    members = list(db.session.scalars(
        select(Complaint).where(Complaint.case_id == case.id).order_by(Complaint.id)
        .options(selectinload(Complaint.claims), selectinload(Complaint.claimant_person),
                 selectinload(Complaint.claimant_developer))))
    events = list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.at, CaseEvent.id).options(selectinload(CaseEvent.actor))))
    state = _state(case)
    role = viewer.role
    manages = can_manage_case(viewer, case)
    moves = [m for m in allowed_transitions(state, role, now=now)
             if (state.status, m.target) != (CaseStatus.REGISTERED, CaseStatus.ASSIGNED)]
    if role in ("homeowner", "developer") and _party_refusal(case, viewer, members):
        moves = []
    is_open = case.status in OPEN_FOR_JOINING
    claimant_keys = {_claimant_key(c) for c in members}
    multi = len(claimant_keys) > 1
    rep_ids = {r.person_id for r in case.representatives}
    claimants = _claimant_rows(members, viewer, rep_ids,
                               can_opt_out=is_open and multi and role in ("judge", "homeowner"))
    deadline = state.deadline
    in_phase = state.status in MEDIATION_PHASE
    days_left = (deadline - court_date(now)).days if deadline and in_phase else None
    can_assign = manages and state.status is CaseStatus.REGISTERED
    return CasePage(
        case=case, claimants=claimants, events=events, moves=moves, deadline=deadline,
        days_left=days_left, overdue=days_left is not None and days_left < 0,
        can_extend=in_phase and deadline is not None and role in ("judge", "mediator"),
        can_assign=can_assign,
        mediator_options=_mediator_options(case) if can_assign else [],
        can_choose_representatives=(case.is_group and is_open and role in ("judge", "mediator")),
        representatives_needed=(group_rules.REPRESENTATIVES_RANGE
                                if case.is_group and not (
                                    group_rules.REPRESENTATIVES_RANGE[0] <= len(rep_ids)
                                    <= group_rules.REPRESENTATIVES_RANGE[1]) else None),
        representative_ids=rep_ids, viewer_role=role,
    )
