"""The case page's view model: everything one viewer sees of one case, and may do to it.

``case_page`` loads the case with its claimants, timeline and the moves the viewer's role
may make, shows each person as the viewer may see them (``app.services.people``), and
(for the judge of a registered case) lists the court's mediators with why each may or may
not take it, and the agency tasks the viewer may see. Every section's data is here, so the
template only shows it. It reads only; the actions go through ``app.services.cases``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access import Permission, can, case_relation, visible_complaints
from app.extensions import db
from app.services.agreement_obligations import case_obligations
from app.models import Case, CaseEvent, Complaint, ComplaintResponse, Mediator, User
from app.services import people
from app.services.agency_tasks import TaskSection, task_section
from app.services.case_records import (
    OPEN_FOR_JOINING, case_state, claimant_key, mediator_facts, party_refusal,
)
from app.services.errors import NotFoundError
from mediation import groups as group_rules
from mediation.case_moves import offered_moves
from mediation.delegation import DueStep, due_step
from mediation.eligibility import MediatorAssessment, assess_mediator, ranking_key
from mediation.lifecycle import MEDIATION_PHASE, AllowedTransition, CaseStatus, court_date
from mediation.people import Relation
from mediation.messages import Msg

__all__ = ["CasePage", "ClaimantRow", "MediatorOption", "case_page"]


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
    timeline: list[people.TimelineEntry]
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
    #: The agency-task section (九龙治水): the tasks the viewer may see, and may they manage them.
    tasks: TaskSection
    #: Whether the receipt numbers link to the court's complaint page (judges of the court).
    links_complaints: bool = False
    #: The delegation step the case waits for (assign · accept · mediate), and by when.
    due: DueStep | None = None
    #: The viewer is the delegated mediator and has not answered yet (art. 12).
    can_accept: bool = False
    #: The case's complaints the viewer may read in full — facts, claims, evidence and the
    #: developer's responses — by the one rule of ``app.access.visible_complaints``: the
    #: court and the assigned mediator read every one, a homeowner their own, the
    #: developer those it is party to.
    complaint_details: list[Complaint] = field(default_factory=list)
    #: Obligations tracked from the case's confirmed agreements, each with who performs it
    #: (``app.services.agreement_obligations``).
    obligations: list = field(default_factory=list)
    #: The viewer may mark them performed / confirmed here: a judge of the case's court
    #: (``CASE_MANAGE``), for the developer's and the homeowners' alike.
    can_mark_obligations: bool = False


def _claimant_rows(members: list[Complaint], viewer: User, relation: Relation,
                   rep_ids: set[int], can_opt_out: bool) -> list[ClaimantRow]:
    rows: dict[tuple, ClaimantRow] = {}
    for complaint in members:
        key = claimant_key(complaint)
        row = rows.get(key)
        if row is None:
            if complaint.claimant_person_id is not None:
                person = complaint.claimant_person
                view = people.present(viewer, person, relation)
                row = ClaimantRow(
                    name=view.name, resident_id=view.resident_id, phone=view.phone,
                    person_id=person.id, is_representative=person.id in rep_ids,
                    is_viewer=view.is_self)
            else:
                developer = complaint.claimant_developer
                row = ClaimantRow(
                    name=developer.name, resident_id=developer.uscc, phone=developer.phone or "—",
                    is_developer=True,
                    is_viewer=relation is Relation.COUNTERPARTY
                    and viewer.developer_id == developer.id)
            rows[key] = row
        row.complaints.append(complaint)
        row.claim_total_fen += sum(claim.amount_fen for claim in complaint.claims)
        if can_opt_out and row.person_id is not None and row.opt_out_complaint_id is None and (
                can(viewer, Permission.COMPLAINT_OPT_OUT, complaint)):
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
    if case is None or not can(viewer, Permission.CASE_VIEW, case):
        raise NotFoundError(Msg("案件不存在或您无权查看", "No such case, or you may not see it"))
    members = list(db.session.scalars(
        select(Complaint).where(Complaint.case_id == case.id).order_by(Complaint.id)
        .options(selectinload(Complaint.claims), selectinload(Complaint.claimant_person),
                 selectinload(Complaint.claimant_developer))))
    details = list(db.session.scalars(
        visible_complaints(viewer).where(Complaint.case_id == case.id).order_by(Complaint.id)
        .options(selectinload(Complaint.claims), selectinload(Complaint.attachments),
                 selectinload(Complaint.responses).selectinload(ComplaintResponse.attachments),
                 selectinload(Complaint.responses).selectinload(ComplaintResponse.author))))
    events = list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.at, CaseEvent.id).options(selectinload(CaseEvent.actor))))
    state = case_state(case)
    role = viewer.role
    manages = can(viewer, Permission.CASE_MANAGE, case)
    moves = offered_moves(state, role, now=now,
                          party_refusal=party_refusal(case, viewer, members))
    is_open = case.status in OPEN_FOR_JOINING
    claimant_keys = {claimant_key(c) for c in members}
    multi = len(claimant_keys) > 1
    rep_ids = {r.person_id for r in case.representatives}
    relation = case_relation(viewer, case)
    claimants = _claimant_rows(members, viewer, relation, rep_ids, can_opt_out=is_open and multi)
    deadline = state.deadline
    in_phase = state.status in MEDIATION_PHASE
    days_left = (deadline - court_date(now)).days if deadline and in_phase else None
    can_assign = manages and state.status is CaseStatus.REGISTERED
    return CasePage(
        case=case, claimants=claimants, timeline=people.timeline(case, events, viewer, relation),
        moves=moves, deadline=deadline,
        days_left=days_left, overdue=days_left is not None and days_left < 0,
        can_extend=(in_phase and deadline is not None
                    and days_left >= 0  # before the period ends only
                    and can(viewer, Permission.CASE_EXTEND, case)),
        can_assign=can_assign,
        mediator_options=_mediator_options(case) if can_assign else [],
        can_choose_representatives=(case.is_group and is_open and can(
            viewer, Permission.CASE_CHOOSE_REPRESENTATIVES, case)),
        representatives_needed=(group_rules.REPRESENTATIVES_RANGE
                                if case.is_group and not (
                                    group_rules.REPRESENTATIVES_RANGE[0] <= len(rep_ids)
                                    <= group_rules.REPRESENTATIVES_RANGE[1]) else None),
        representative_ids=rep_ids, complaint_details=details,
        tasks=task_section(case, viewer=viewer, now=now),
        links_complaints=can(viewer, Permission.COMPLAINT_DECIDE, case),
        due=due_step(state, response_due=court_date(case.response_due_at)
                     if case.response_due_at else None, now=now),
        can_accept=(state.status is CaseStatus.ASSIGNED and state.accepted_at is None
                    and case.mediator is not None and case.mediator.user_id == viewer.id),
        obligations=case_obligations(viewer, case),
        can_mark_obligations=manages,
    )
