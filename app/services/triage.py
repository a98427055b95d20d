"""Triage (立案审查): accept a complaint into a case, reject it, or gather several into one.

A judge reviews each complaint once: accepts it into a new pre-litigation mediation case
with a court-style number, rejects it with a reason the filer reads, or gathers it with
the other complaints about the same project and dispute into one group case (群体性纠纷).
The platform proposes those groups (``proposed_groups``) from the domain's grouping rule
(``mediation.groups``).

Every use-case here takes the acting user and ``now``, commits once, and raises
:class:`ServiceError` (or a subclass) with a Chinese message when it refuses; a refusal
leaves the database as it was. Decisions the parties must hear of queue their notices
(``app.services.case_notices``) in the same transaction, just before the commit.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.access import Permission, can, visible_complaints
from app.extensions import db
from app.models import Case, Complaint, Project, User
from app.services import case_notices
from app.services.case_records import (
    OPEN_FOR_JOINING, case_for, holding_opted_out, lock_complaints, open_case, record,
    refresh_group, reindex, visible_ids,
)
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.ids import parse_ids
from app.services.use_case import use_case
from mediation import groups as group_rules
from mediation.disputes import ComplaintStatus, DisputeType
from mediation.lifecycle import CaseStatus, TransitionError, decide_complaint
from mediation.messages import Msg

__all__ = [
    "ProposedGroup", "TRIAGE_PAGE", "TriageOverview", "accept_complaint", "merge_complaints",
    "proposed_groups", "reject_complaint", "triage_overview",
]

#: How many complaints the triage page lists at once (oldest first).
TRIAGE_PAGE = 200


def _complaint_for_judge(complaint_id: int, actor: User) -> Complaint:
    found = lock_complaints([complaint_id])
    if not found or not can(actor, Permission.COMPLAINT_VIEW, found[0]):
        raise NotFoundError(Msg("投诉不存在或您无权查看", "No such complaint, or you may not see it"))
    if not can(actor, Permission.COMPLAINT_DECIDE, found[0]):
        raise ForbiddenError(Msg("只有本院法官可以审查投诉",
                                 "Only a judge of this court can review complaints"))
    return found[0]


def _check_submitted(complaint: Complaint) -> None:
    if complaint.status != ComplaintStatus.SUBMITTED.value:
        # The status labels already read "已受理", "已合并", "不予受理": the sentence names
        # the state rather than prefixing another 已 ("已已受理").
        status = ComplaintStatus(complaint.status)
        raise ConflictError(Msg(
            "投诉{receipt}的状态为“{zh}”，不能重复处理，请刷新页面",
            "Complaint {receipt} is already {en}; it cannot be decided again. Refresh the page.",
            receipt=complaint.receipt_no, zh=status.label_zh, en=status.label_en.lower()))


def _decide(complaint: Complaint, to: ComplaintStatus, actor: User, now: datetime,
            reason: str | None = None):
    _check_submitted(complaint)
    try:
        return decide_complaint(complaint.status, to, actor_role=actor.role, now=now,
                                reason=reason)
    except TransitionError as error:
        raise ServiceError(error.message, error.field) from None


# --- Accept, reject, merge ------------------------------------------------------------------


@use_case
def accept_complaint(complaint_id: int, *, actor: User, now: datetime) -> Case:
    """Accept a submitted complaint into a new case with the next number of the court's year."""
    complaint = _complaint_for_judge(complaint_id, actor)
    _decide(complaint, ComplaintStatus.ACCEPTED, actor, now)
    case = open_case([complaint], actor=actor, now=now, reason=Msg("受理投诉{r}", "Complaint {r} accepted", r=complaint.receipt_no))
    reindex(case)
    case_notices.complaint_accepted(complaint, case, actor=actor, now=now)
    db.session.commit()
    return case


@use_case
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
        raise ServiceError(Msg("只能合并同一法院、同一项目、同一纠纷类型的投诉（群体性纠纷按项目和纠纷类型归并）",
                               "Only complaints of the same court, project and dispute type can be merged (group disputes are joined by project and dispute type)"),
                           "complaint_ids")


@use_case
def merge_complaints(complaint_ids: Iterable, *, actor: User, now: datetime,
                     into_case_id: int | None = None) -> Case:
    """Gather submitted complaints of one project and dispute type into one (group) case.

    Without ``into_case_id`` the earliest complaint opens a new case and the others join
    it; with it, they all join that open case.
    """
    ids = parse_ids(complaint_ids, "投诉", "complaint_ids")
    if not ids:
        raise ServiceError(Msg("请选择要合并的投诉",
                               "Please choose the complaints to merge"), "complaint_ids")
    if into_case_id is None and len(ids) < group_rules.MIN_GROUP_COMPLAINTS:
        raise ServiceError(Msg("请至少选择两件投诉进行合并",
                               "Choose at least two complaints to merge"), "complaint_ids")
    complaints = lock_complaints(ids)
    visible = visible_ids(visible_complaints, Complaint, actor, ids)
    if len(complaints) != len(ids) or visible != set(ids):
        raise NotFoundError(Msg("投诉不存在或您无权查看", "No such complaint, or you may not see it"))
    if not all(can(actor, Permission.COMPLAINT_DECIDE, c) for c in complaints):
        raise ForbiddenError(Msg("只有本院法官可以合并投诉", "Only a judge of this court can merge complaints"))
    for complaint in complaints:
        _check_submitted(complaint)
        if complaint.opted_out_at is not None:
            raise ServiceError(Msg("投诉{receipt_no}的申请人已选择退出群体案件，不能再并入",
                                   "The claimant of complaint {receipt_no} chose to leave the group case; it cannot be merged in",
                                   receipt_no=complaint.receipt_no),
                               "complaint_ids")

    if into_case_id is None:
        _check_same_dispute(complaints)
        ordered = sorted(complaints, key=lambda c: (c.submitted_at, c.id))
        _decide(ordered[0], ComplaintStatus.ACCEPTED, actor, now)
        for complaint in ordered[1:]:
            _decide(complaint, ComplaintStatus.MERGED, actor, now)
        case = open_case(ordered, actor=actor, now=now,
                         reason=Msg("合并受理投诉{n}件：{receipts}", "{n} complaints accepted together: {receipts}",
                                    n=len(ordered), receipts=case_notices.receipts_text(ordered)))
    else:
        case = case_for(parse_ids([into_case_id], "案件", "into_case_id")[0], actor)
        if not can(actor, Permission.CASE_MANAGE, case):
            raise ForbiddenError(Msg("只有本院法官可以合并投诉",
                                     "Only a judge of this court can merge complaints"))
        if case.status not in OPEN_FOR_JOINING:
            raise ServiceError(
                Msg("案件{number}状态为“{status}”，调解已结束，不能再并入投诉",
                    "Case {number} is “{status}”: the mediation is over, no more complaints can be merged in",
                    number=case.number, status=CaseStatus.msg(case.status)),
                "into_case_id")
        if case.id in holding_opted_out([case.id]):
            raise ServiceError(Msg("案件{number}的申请人已选择退出群体案件、单独处理，不能并入其他投诉",
                                   "The claimant of case {number} chose to leave the group case and be handled alone; it cannot take in other complaints",
                                   number=case.number),
                               "into_case_id")
        _check_same_dispute(complaints, case)
        for complaint in complaints:
            _decide(complaint, ComplaintStatus.MERGED, actor, now)
            complaint.status = ComplaintStatus.MERGED.value
            complaint.case_id = case.id
            complaint.decided_at = now
        record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
               reason=Msg("并入投诉{n}件：{receipts}", "{n} complaint(s) joined: {receipts}",
                          n=len(complaints), receipts=case_notices.receipts_text(complaints)))
        refresh_group(case, now)
    reindex(case)
    case_notices.complaints_merged(complaints, case, actor=actor, now=now,
                                   new_case=into_case_id is None)
    db.session.commit()
    return case


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
