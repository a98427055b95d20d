"""The life of a registered case: merge, move, assign a mediator, choose representatives, opt out.

After triage (``app.services.triage``) a case moves only along ``mediation.lifecycle``;
every move is recorded on its timeline with who, when and why
(``app.services.case_records``).

Merging cases (并案) closes the absorbed case with the outcome ``merged``: it concludes no
dispute, since the dispute goes on under the other number, so it must not count as a
concluded case in the 调撤率 (see ``Outcome.concludes_dispute``). Transferred (移送) was
not used: it counts as concluded and would lower the rate for nothing.

Every function here takes the acting user and ``now``, commits once, and raises
:class:`ServiceError` (or a subclass) with a Chinese message when it refuses; a refusal
leaves the database as it was. Decisions the parties must hear of (merge, assign) queue
their notices (``app.services.case_notices``) in the same transaction, just before the
commit; e-mails leave after it (``app.notify.dispatch``).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update

from app.access import Permission, can, visible_cases
from app.extensions import db
from app.models import (
    AgencyTask, Case, CaseRepresentative, Complaint, Mediator, Role, User,
)
from app.services import case_notices, delegation_notices, lifecycle_notices, mediator_registry
from app.services.case_records import (
    OPEN_FOR_JOINING, case_complaints, case_for, case_state, check_expected, claimant_key,
    holding_opted_out, lock_cases, lock_complaints, mediator_facts, open_case, party_refusal,
    record, record_event, refresh_group, reindex, save_state, visible_ids,
)
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.holidays import court_calendar
from app.services.ids import parse_ids
from app.services.use_case import use_case
from mediation import groups as group_rules
from mediation.case_moves import ASSIGNMENT_REFUSAL, is_assignment
from mediation.disputes import ComplaintStatus, DisputeType
from mediation.eligibility import assess_mediator
from mediation.lifecycle import (
    EXTENSION_ROLES, TRANSITIONS, CaseStatus, TransitionError, apply_transition, close_as_merged,
    court_date, date_zh, extend_mediation,
)
from mediation.messages import Msg

__all__ = [
    "assign_mediator", "choose_representatives", "merge_cases", "opt_out_of_group",
    "transition_case",
]


@use_case
def merge_cases(case_ids: Iterable, *, actor: User, now: datetime) -> Case:
    """Join registered or assigned cases of one project and dispute type into the first (并案).

    Their complaints and open agency tasks move to the first case; each emptied case is
    closed with the outcome ``merged`` and the reason "并入（案号）".
    """
    ids = parse_ids(case_ids, "案件", "case_ids")
    if len(ids) < 2:
        raise ServiceError(Msg("请至少选择两件案件进行合并", "Choose at least two cases to merge"), "case_ids")
    found = {case.id: case for case in lock_cases(ids)}
    if len(found) != len(ids) or visible_ids(visible_cases, Case, actor, ids) != set(ids):
        raise NotFoundError(Msg("案件不存在或您无权查看", "No such case, or you may not see it"))
    if not all(can(actor, Permission.CASE_MANAGE, c) for c in found.values()):
        raise ForbiddenError(Msg("只有本院法官可以并案", "Only a judge of this court can merge cases"))
    target, others = found[ids[0]], [found[i] for i in ids[1:]]
    if target.status not in OPEN_FOR_JOINING:
        raise ServiceError(
            Msg("案件{number}状态为“{status}”，不能再并入其他案件",
                "Case {number} is “{status}” and can no longer take in other cases",
                number=target.number, status=CaseStatus.msg(target.status)),
            "case_ids")
    if len({(c.court_id, c.project_id, c.dispute_type) for c in found.values()}) > 1:
        raise ServiceError(Msg("只能合并同一项目、同一纠纷类型的案件",
                               "Only cases about the same project and of the same dispute type can be merged"), "case_ids")
    opted_out = holding_opted_out(ids)
    for case in (target, *others):
        if case.id in opted_out:
            raise ServiceError(
                Msg("案件{number}的申请人已选择退出群体案件、单独处理，不能并案",
                    "The claimant of case {number} chose to leave the group case and be handled alone; it cannot be merged",
                    number=case.number), "case_ids")
    moved = case_notices.complaint_rows(o.id for o in others)  # whom to tell, before they move
    numbers = {o.id: o.number for o in others}
    for other in others:
        try:
            result = close_as_merged(case_state(other), actor_role=actor.role, now=now,
                                     into=target.number)
        except TransitionError as error:
            raise ServiceError(Msg("案件{number}：{message}",
                                   "Case {number}: {message}",
                                   number=other.number, message=error.message), "case_ids") from None
        db.session.execute(
            update(Complaint).where(Complaint.case_id == other.id)
            .values(case_id=target.id, status=ComplaintStatus.MERGED.value)
            .execution_options(synchronize_session=False))
        db.session.execute(
            update(AgencyTask).where(AgencyTask.case_id == other.id, AgencyTask.status == "open")
            .values(case_id=target.id).execution_options(synchronize_session=False))
        db.session.execute(delete(CaseRepresentative).where(CaseRepresentative.case_id == other.id))
        save_state(other, result.state, now)
        record_event(other, result.event, actor)
    db.session.flush()
    db.session.expire_all()
    target = db.session.get(Case, ids[0])
    record(target, actor=actor, now=now, from_status=target.status, to_status=target.status,
           reason=Msg("并案：{numbers}并入本案", "Merged: {numbers_en} joined this case",
                      numbers="、".join(o.number for o in others),
                      numbers_en=", ".join(o.number for o in others)))
    refresh_group(target, now)
    reindex(target, *others)
    case_notices.cases_merged(moved, numbers, target, actor=actor, now=now)
    db.session.commit()
    return target


# --- Moving a case along its lifecycle -------------------------------------------------------


@use_case
def transition_case(case_id: int, to, *, actor: User, now: datetime, reason: str | None = None,
                    outcome=None, extension_days: int | None = None,
                    parties_consent: bool = False, expected_status: str | None = None) -> Case:
    """Move a case to ``to`` as the lifecycle table allows ``actor``'s role, and record it.

    ``to`` equal to the current status with ``extension_days`` extends the mediation period
    without a move. ``expected_status`` is the status the actor saw: if the case has moved
    since (a double click, two people at once), ConflictError and nothing changes.
    """
    case = case_for(case_id, actor)
    check_expected(case, expected_status)
    try:
        target = CaseStatus(to)
    except ValueError:
        raise ServiceError(Msg("未知的案件状态“{to}”",
                               "Unknown case status “{to}”", to=to), "status") from None
    state = case_state(case)
    extending = target is state.status and extension_days is not None
    move = None if extending else TRANSITIONS.get((state.status, target))
    roles = EXTENSION_ROLES if extending else (move.roles if move is not None else None)
    if move is not None and actor.role in move.roles:
        if is_assignment(state.status, target):
            raise ServiceError(ASSIGNMENT_REFUSAL, "mediator_id")
        refusal = party_refusal(case, actor)
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
    leaving = (db.session.get(Mediator, case.mediator_id)
               if result.state.status is CaseStatus.REGISTERED and case.mediator_id else None)
    save_state(case, result.state, now)
    record_event(case, result.event, actor)
    if leaving is not None:  # declined or recused: the case is back in the pool
        delegation_notices.declined(case, leaving, result.event.reason or "", actor=actor, now=now)
    elif not extending:
        lifecycle_notices.status_changed(case, result.state.status, reason=result.event.reason,
                                         actor=actor, now=now)
    db.session.commit()
    return case


@use_case
def assign_mediator(case_id: int, mediator_id, *, actor: User, now: datetime,
                    expected_status: str | None = None) -> Case:
    """Delegate a registered case to an eligible mediator of the court (委派调解).

    The mediator has 3 working days to accept or decline; the 30 days start at acceptance
    (``app.services.delegation``).
    """
    case = case_for(case_id, actor)
    delegate(case, mediator_id, actor=actor, now=now, expected_status=expected_status)
    db.session.commit()
    return case


def delegate(case: Case, mediator_id, *, actor: User, now: datetime,
             expected_status: str | None = None) -> Mediator:
    """Assign ``case`` (loaded and locked) to the mediator, or raise; does not commit.

    Shared by the judge's one-case choice and the accepted suggestions
    (``app.services.assignment_suggestions``), so both refuse the same way.
    """
    if not can(actor, Permission.CASE_MANAGE, case):
        raise ForbiddenError(Msg("只有本院法官可以分派调解员",
                                 "Only a judge of this court can assign a mediator"))
    check_expected(case, expected_status)
    chosen = parse_ids([mediator_id] if mediator_id not in (None, "") else [], "调解员", "mediator_id")
    if not chosen:
        raise ServiceError(Msg("请选择调解员", "Please choose a mediator"), "mediator_id")
    mediator_id = chosen[0]
    mediator = db.session.scalar(
        select(Mediator).where(Mediator.id == mediator_id).with_for_update()
        .execution_options(populate_existing=True))
    if mediator is None or mediator.court_id != case.court_id:
        raise ServiceError(Msg("请选择本院的调解员",
                               "Please choose a mediator of this court"), "mediator_id")
    facts = mediator_facts([mediator], case)[mediator.id]
    refusal = assess_mediator(facts, developer=case.developer.name).refusal
    refusal = refusal or mediator_registry.refusal_for(mediator, case, now=now)  # leave
    if refusal:
        raise ServiceError(refusal, "mediator_id")
    try:
        result = apply_transition(case_state(case), CaseStatus.ASSIGNED, actor_role=actor.role, now=now)
    except TransitionError as error:
        raise ServiceError(error.message, error.field) from None
    case.mediator_id = mediator.id
    save_state(case, result.state, now)
    db.session.flush()  # the next eligibility check counts this case in the mediator's load
    due = court_date(case.response_due_at)
    record(case, actor=actor, now=now, from_status=result.event.from_status.value,
            to_status=CaseStatus.ASSIGNED.value,
            reason=Msg("分派调解员{name}，请于{day}前接受委派或申请回避",
                       "Mediator {name} assigned; to accept or recuse by {day}",
                       name=mediator.user.name, day=Msg(date_zh(due), due.isoformat())))
    case_notices.mediator_assigned(case, mediator, due, actor=actor, now=now)
    return mediator


# --- Representatives and opting out --------------------------------------------------------


@use_case
def choose_representatives(case_id: int, person_ids: Iterable, *, actor: User,
                           now: datetime) -> Case:
    """Record the 2–5 representatives a group case's claimants chose from among themselves."""
    case = case_for(case_id, actor)
    if not can(actor, Permission.CASE_CHOOSE_REPRESENTATIVES, case):
        raise ForbiddenError(Msg("代表人由法官或调解员根据申请人的推选登记",
                                 "Representatives are registered by the judge or mediator as the claimants elected them"))
    if case.outcome is not None or case.status not in OPEN_FOR_JOINING:
        raise ServiceError(Msg("调解已结束，不能再变更代表人",
                               "The mediation is over; representatives can no longer change"), "person_ids")
    chosen_ids = parse_ids(person_ids, "申请人", "person_ids")
    members = case_complaints(case)
    claimants = list(dict.fromkeys(c.claimant_person_id for c in members
                                   if c.claimant_person_id is not None))
    try:
        chosen = group_rules.validate_representatives(claimants, chosen_ids)
    except group_rules.GroupError as error:
        raise ServiceError(error.message, "person_ids") from None
    db.session.execute(delete(CaseRepresentative).where(CaseRepresentative.case_id == case.id))
    for person_id in chosen:
        db.session.add(CaseRepresentative(case_id=case.id, person_id=person_id, chosen_at=now))
    record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
           reason=Msg("推选代表人", "Representatives chosen"), person_ids=list(chosen))
    case.updated_at = now
    db.session.commit()
    return case


@use_case
def opt_out_of_group(complaint_id: int, *, actor: User, now: datetime) -> Case:
    """Take a claimant out of a group case; their complaints get a case of their own.

    The claimant (a homeowner) does it, or a judge records it for them. Returns the new case.
    """
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or not can(actor, Permission.COMPLAINT_VIEW, complaint):
        raise NotFoundError(Msg("投诉不存在或您无权查看", "No such complaint, or you may not see it"))
    if not can(actor, Permission.COMPLAINT_OPT_OUT, complaint):
        raise ForbiddenError(Msg("只有申请人本人可以退出群体案件",
                                 "Only the claimant in person can leave a group case") if actor.role == Role.HOMEOWNER
                             else Msg("只有申请人本人或法官可以办理退出群体案件",
                                      "Only the claimant in person or a judge can take a claimant out of a group case"))
    if complaint.case_id is None:
        raise ServiceError(Msg("该投诉尚未并入案件，无需退出",
                               "This complaint is not part of a case; there is nothing to leave"))
    # Lock the case before its complaints, in the same order as merging cases does.
    group_case = lock_cases([complaint.case_id])[0]
    complaint = lock_complaints([complaint_id])[0]
    if complaint.case_id != group_case.id:
        raise ConflictError(Msg("该投诉已转入其他案件，请刷新页面",
                                "This complaint has moved to another case; reload the page"))
    if group_case.status not in OPEN_FOR_JOINING:
        raise ServiceError(
            Msg("案件状态为“{status}”，调解已结束，不能再退出",
                "The case is “{status}”: the mediation is over, nobody can leave it now",
                status=CaseStatus.msg(group_case.status)))
    members = case_complaints(group_case)
    key = claimant_key(complaint)
    proposal = group_rules.ProposedGroup(
        project_id=group_case.project_id, dispute_type=DisputeType(group_case.dispute_type),
        members=tuple((c.id, claimant_key(c)) for c in members))
    if proposal.claimant_count < 2:
        raise ServiceError(Msg("本案只有一名申请人，无需退出群体案件",
                               "This case has a single claimant; there is no group case to leave"))
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
    new_case = open_case(leaving, actor=actor, now=now, judge_id=group_case.judge_id,
                         reason=Msg("申请人（投诉{r}）退出群体案件{n}，单独立案",
                                    "The claimant (complaint {r}) left group case {n}; a case of its own",
                                    r=complaint.receipt_no, n=group_case.number))
    record(group_case, actor=actor, now=now, from_status=group_case.status,
           to_status=group_case.status,
           reason=Msg("申请人（投诉{r}）退出本案，另立{n}",
                      "The claimant (complaint {r}) left this case, now case {n}",
                      r=complaint.receipt_no, n=new_case.number))
    refresh_group(group_case, now)
    reindex(group_case, new_case)
    db.session.commit()
    return new_case
