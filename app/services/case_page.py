"""The case page's view model: everything one viewer sees of one case, and may do to it.

``case_page`` loads the case with its claimants, timeline and the moves the viewer's role
may make, masks what the viewer may not read in full, and (for the judge of a registered
case) lists the court's mediators with why each may or may not take it, and the
agency tasks the viewer may see. Every section's data is here, so the template only
shows it. It reads only; the actions go through ``app.services.cases``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access import can_manage_case, can_view_case
from app.extensions import db
from app.models import Case, CaseEvent, Complaint, Mediator, User
from app.services.agency_tasks import TaskSection, task_section
from app.services.case_records import (
    OPEN_FOR_JOINING, case_state, claimant_key, mediator_facts, party_refusal,
)
from app.services.errors import NotFoundError
from mediation import groups as group_rules
from mediation.identifiers import mask_name, mask_phone, mask_resident_id
from mediation.case_moves import offered_moves
from mediation.eligibility import MediatorAssessment, assess_mediator, ranking_key
from mediation.lifecycle import MEDIATION_PHASE, AllowedTransition, CaseStatus, court_date

__all__ = ["CasePage", "ClaimantRow", "MediatorOption", "case_page"]


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


@dataclass(frozen=True)
class MediatorOption:
    """One mediator the judge may pick, with the eligibility rule's verdict on them."""

    mediator: Mediator
    assessment: MediatorAssessment

    @property
    def name(self) -> str:
        return self.assessment.facts.name

    @property
    def workload(self) -> int:
        return self.assessment.facts.workload

    @property
    def capacity(self) -> int:
        return self.assessment.facts.capacity

    @property
    def skilled(self) -> bool:
        return self.assessment.facts.skilled

    @property
    def inactive(self) -> bool:
        return self.assessment.inactive

    @property
    def conflict(self) -> str | None:
        """The declared conflict with the case's developer (回避), if any."""
        return self.assessment.conflict

    @property
    def full(self) -> bool:
        return self.assessment.full

    @property
    def available(self) -> bool:
        return self.assessment.available


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
    #: The agency-task section (九龙治水): the tasks the viewer may see, and may they manage them.
    tasks: TaskSection


def _claimant_rows(members: list[Complaint], viewer: User,
                   rep_ids: set[int], can_opt_out: bool) -> list[ClaimantRow]:
    rows: dict[tuple, ClaimantRow] = {}
    sees_contacts = viewer.role in ("judge", "mediator")
    for complaint in members:
        key = claimant_key(complaint)
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
    facts = mediator_facts(list(mediators), case)
    options = [MediatorOption(m, assess_mediator(facts[m.id], developer=case.developer.name))
               for m in mediators]
    return sorted(options, key=lambda o: ranking_key(o.assessment))


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
    state = case_state(case)
    role = viewer.role
    manages = can_manage_case(viewer, case)
    moves = offered_moves(state, role, now=now,
                          party_refusal=party_refusal(case, viewer, members))
    is_open = case.status in OPEN_FOR_JOINING
    claimant_keys = {claimant_key(c) for c in members}
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
        tasks=task_section(case, viewer=viewer, now=now),
    )
