"""Judicial confirmation (司法确认) of an effective agreement: the parties' joint application,
the judge's ruling, the ruling PDF, and the agreement's obligations tracked from then on.

- ``apply_for_confirmation``: each party of the agreement applies for itself (the joint
  application is complete when the last party has applied) within 30 days of the agreement
  taking effect (民事诉讼法 art. 205, ``mediation.confirmation``); the agreement must still
  verify (its text is what everyone signed). Complete, it waits for a judge, who is told.
- ``decide_confirmation``: a judge of the court confirms, or refuses with the ground
  (art. 206). Either way a ruling (民事裁定书, number 民特) is issued as PDFs — the court's
  copy and one per party — in the same commit. Confirmation moves the case to 已司法确认
  once every effective agreement of the case is confirmed, and turns the payments and
  milestones into tracked ``Obligation`` rows with their due days — the developer's (the
  release planner and the warnings read them) and the homeowners'
  (``app.services.agreement_obligations``). The parties and the mediator are told.
See docs/on-site.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app.access import Permission, can
from app.documents.agreement import Milestone
from app.documents.confirmation_ruling import RulingData, render_ruling
from app.extensions import db
from app.models import (
    Agreement, Case, ConfirmationApplicant, ConfirmationApplication, NoticeKind, User,
)
from app.services import onsite_notices as notices
from app.services.agreement_obligations import ObligationRow, case_obligations, track_obligations
from app.services.agreements import (
    agreement_verifies, case_parties, copies_for, document_party, party_keys, signer_key,
)
from app.services.case_numbers import CONFIRMATION, next_number
from app.services.case_records import case_state, record, record_event, save_state
from app.services.documents import pdf_font, store_copies
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.use_case import use_case
from mediation.agreements import Content, ownership_only_terms
from mediation.amounts import format_yuan
from mediation.confirmation import ConfirmationError, application_deadline, check_application
from mediation.lifecycle import CaseStatus, TransitionError, apply_transition, court_date, date_zh
from mediation.messages import Msg
from risk.workdays import is_working_day

__all__ = ["apply_for_confirmation", "confirmation_page", "decide_confirmation"]



def _agreement_for(agreement_id: int, actor: User, *, lock: bool = False) -> Agreement:
    query = select(Agreement).where(Agreement.id == agreement_id)
    agreement = db.session.scalar(query.with_for_update() if lock else query)
    if agreement is None or not can(actor, Permission.CASE_VIEW, agreement.case):
        raise NotFoundError(Msg("调解协议不存在", "No such agreement"))
    return agreement


def _application(agreement: Agreement) -> ConfirmationApplication | None:
    return db.session.scalar(select(ConfirmationApplication).where(
        ConfirmationApplication.agreement_id == agreement.id))


@use_case
def apply_for_confirmation(agreement_id: int, *, actor: User, now: datetime, ip: str) -> ConfirmationApplication:
    """The actor's party joins the joint application; the last one completes it."""
    agreement = _agreement_for(agreement_id, actor, lock=True)
    key = signer_key(actor)
    parties = party_keys(agreement)
    if key is None or key not in parties:
        raise ForbiddenError(Msg("只有协议的当事人可以申请司法确认", "Only a party to the agreement applies"))
    if agreement.status != "effective" or not agreement_verifies(agreement):
        raise ServiceError(Msg("调解协议尚未生效或内容已变动，不能申请司法确认",
                               "The agreement is not in effect, or its text changed: it cannot be confirmed"))
    case = agreement.case
    if case.status != CaseStatus.MEDIATED.value:
        raise ServiceError(Msg("案件状态为“{s}”，不能申请司法确认", "A case that is “{s_en}” cannot apply",
                               s=CaseStatus.zh(case.status), s_en=CaseStatus(case.status).label_en))
    deadline = application_deadline(agreement.effective_at, is_working_day=is_working_day)
    if court_date(now) > deadline:
        try:
            check_application(agreement.effective_at, now, applicants=parties, parties=parties,
                              is_working_day=is_working_day)
        except ConfirmationError as error:
            raise ServiceError(error.message) from None
    application = _application(agreement)
    if application is None:
        application = ConfirmationApplication(case_id=case.id, agreement_id=agreement.id, status="applying",
                                              deadline_on=deadline, created_at=now)
        db.session.add(application)
        db.session.flush()
    if any(a.party_key == key for a in application.applicants):
        raise ConflictError(Msg("您已申请司法确认", "You have applied already"))
    db.session.add(ConfirmationApplicant(application=application, party_key=key, user_id=actor.id, applied_at=now,
                                         ip=(ip or "unknown")[:45]))
    db.session.flush()
    applied = {a.party_key for a in application.applicants}
    record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
           reason=f"{actor.name}申请司法确认")
    if applied >= parties:
        try:
            check_application(agreement.effective_at, now, applicants=applied, parties=parties,
                              is_working_day=is_working_day)
        except ConfirmationError as error:
            raise ServiceError(error.message, error.field) from None
        application.status, application.applied_at = "pending", now
        notices.tell_all(notices.judges(case), actor, NoticeKind.CONFIRMATION_APPLIED,
                         Msg("司法确认申请待审查：{n}", "Judicial confirmation to decide: {n}", n=case.number),
                         Msg("案件{n}的当事人已共同申请司法确认调解协议，请审查并作出裁定。",
                             "The parties of case {n} jointly applied for judicial confirmation of their "
                             "agreement; please decide.", n=case.number),
                         key=f"confirmation_applied:{application.id}", now=now, case_id=case.id)
    else:
        waiting = notices.party_users(case, parties - applied)
        notices.tell_all(waiting, actor, NoticeKind.CONFIRMATION_APPLIED,
                         Msg("对方已申请司法确认：{n}", "The other party applied for judicial confirmation: {n}",
                             n=case.number),
                         Msg("案件{n}的调解协议已有当事人申请司法确认。司法确认须由双方共同申请，请于{d}前在平台上申请。",
                             "A party to the agreement of case {n} applied for judicial confirmation. It needs a "
                             "joint application: apply on the platform by {d_en}.", n=case.number,
                             d=date_zh(deadline), d_en=deadline.isoformat()),
                         key=f"confirmation_joined:{application.id}:{key}", now=now, case_id=case.id)
    case.updated_at = now
    db.session.commit()
    return application


@use_case
def decide_confirmation(application_id: int, *, actor: User, now: datetime, confirm: bool,
                        ground: str = "") -> ConfirmationApplication:
    """A judge of the court rules: confirmed, or refused with the ground; the ruling is issued."""
    application = db.session.scalar(select(ConfirmationApplication).where(
        ConfirmationApplication.id == application_id).with_for_update())
    if application is None or not can(actor, Permission.CASE_VIEW, application.case):
        raise NotFoundError(Msg("司法确认申请不存在", "No such application"))
    case = application.case
    if not can(actor, Permission.CASE_MANAGE, case):
        raise ForbiddenError(Msg("只有本院法官可以裁定司法确认", "Only a judge of the court rules on it"))
    if application.status != "pending":
        raise ConflictError(Msg("该申请已裁定或尚未由双方共同提出", "Already decided, or not yet a joint application"))
    ground = (ground or "").strip()
    if not confirm and not ground:
        raise ServiceError(Msg("驳回申请的，请写明理由", "Give the ground for refusing"), "ground")
    agreement = application.agreement
    if confirm and not agreement_verifies(agreement):
        raise ServiceError(Msg("协议内容与各方签署的不一致，不能确认", "The text differs from what was signed"))
    number = next_number(case, CONFIRMATION, now)
    application.status = "confirmed" if confirm else "refused"
    application.ground, application.decided_at, application.decided_by_id = ground, now, actor.id
    application.ruling_number = number
    record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
           reason=f"司法确认裁定{application.ruling_number}：{'确认调解协议有效' if confirm else '驳回申请：' + ground}")
    if confirm:
        track_obligations(case, agreement, case_parties(case, agreement.claimant_person_id), now)
        db.session.flush()
        if _all_confirmed(case):
            try:
                result = apply_transition(case_state(case), CaseStatus.CONFIRMED, actor_role=actor.role, now=now,
                                          reason=f"裁定确认调解协议有效（{application.ruling_number}）",
                                          confirmation_ruled=True)
            except TransitionError as error:
                raise ServiceError(error.message) from None
            save_state(case, result.state, now)
            record_event(case, result.event, actor)
    _tell_decided(case, application, actor=actor, now=now)
    case.updated_at = now
    parties = case_parties(case, agreement.claimant_person_id)
    data = _ruling_data(case, agreement, application, parties, judge=actor.name)
    font = pdf_font()
    store_copies(case, kind="confirmation_ruling", title=f"民事裁定书（{application.ruling_number}）",
                 render=lambda key, code, url: render_ruling(data, font=font, verify_code=code, verify_url=url,
                                                             copy_for=key),
                 copies=copies_for({k for k, _ in parties}), names={k: document_party(k, r).name for k, r in parties},
                 actor=actor, now=now)  # commits
    return application


def _all_confirmed(case: Case) -> bool:
    effective = db.session.scalars(select(Agreement.id).where(Agreement.case_id == case.id,
                                                              Agreement.status == "effective")).all()
    confirmed = set(db.session.scalars(select(ConfirmationApplication.agreement_id).where(
        ConfirmationApplication.case_id == case.id, ConfirmationApplication.status == "confirmed")))
    return bool(effective) and set(effective) <= confirmed


def _tell_decided(case: Case, application: ConfirmationApplication, *, actor: User, now: datetime) -> None:
    if application.status == "confirmed":
        subject = Msg("调解协议已获司法确认：{n}", "Agreement judicially confirmed: {n}", n=case.number)
        body = Msg("法院已裁定确认案件{n}的调解协议有效（{r}）。请按协议约定的期限履行；一方拒绝履行的，对方可以申请强制执行。",
                   "The court confirmed the agreement of case {n} as valid ({r}). Perform it by the agreed dates; "
                   "if a party does not, the other may apply for enforcement.", n=case.number,
                   r=application.ruling_number)
    else:
        subject = Msg("司法确认申请被驳回：{n}", "Judicial confirmation refused: {n}", n=case.number)
        body = Msg("法院裁定驳回案件{n}调解协议的司法确认申请（{r}）。理由：{g}\n当事人可以通过调解变更原协议或者达成新协议，也可以向人民法院提起诉讼。",
                   "The court refused to confirm the agreement of case {n} ({r}). Ground: {g}\nThe parties may "
                   "mediate a new agreement or sue.", n=case.number, r=application.ruling_number,
                   g=application.ground)
    users = [*notices.party_users(case, {k for k, _ in case_parties(case, application.agreement.claimant_person_id)}),
             *notices.mediator_user(case)]
    notices.tell_all(users, actor, NoticeKind.CONFIRMATION_DECIDED, subject, body,
                     key=f"confirmation_decided:{application.id}", now=now, case_id=case.id)


def _ruling_data(case: Case, agreement: Agreement, application: ConfirmationApplication, parties, *,
                 judge: str) -> RulingData:
    content = Content.from_dict(agreement.content)
    terms = list(content.terms) + [f"{g.guarantor}自愿为{g.covers}提供担保。" for g in content.guarantees]
    terms += [f"{p.payer}于{date_zh(p.due)}前向{p.payee}支付{format_yuan(p.amount_fen)}。" for p in content.payments]
    return RulingData(
        court_name=case.court.name, ruling_number=application.ruling_number, case_number=case.number,
        parties=tuple(document_party(k, r) for k, r in parties),
        agreement_date=court_date(agreement.effective_at), applied_date=court_date(application.applied_at),
        terms=tuple(terms), milestones=tuple(Milestone(m.what, m.who, m.due, m.amount_fen, m.settles)
                                             for m in content.milestones),
        confirmed=application.status == "confirmed", ground=application.ground, judge=judge,
        dated=court_date(application.decided_at))


# --- The page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfirmationView:
    agreement: Agreement
    application: ConfirmationApplication | None
    deadline: date
    applied: list  # (role, name, applied_at or None)
    can_apply: bool
    can_decide: bool
    warnings: list  # ownership-only terms (cannot be confirmed)


@dataclass(frozen=True)
class ConfirmationPage:
    case: Case
    items: list[ConfirmationView]
    obligations: list[ObligationRow]


def confirmation_page(user: User, case_id: int) -> ConfirmationPage:
    case = db.session.get(Case, case_id)
    if case is None or not can(user, Permission.CASE_VIEW, case):
        raise NotFoundError(Msg("案件不存在", "No such case"))
    mine = signer_key(user)
    judge = can(user, Permission.CASE_MANAGE, case)
    items = []
    for agreement in db.session.scalars(select(Agreement).where(Agreement.case_id == case.id,
                                                                Agreement.status == "effective")
                                        .order_by(Agreement.id)):
        parties = case_parties(case, agreement.claimant_person_id)
        if user.role in ("homeowner", "developer") and mine not in dict(parties):
            continue
        application = _application(agreement)
        done = {a.party_key: a.applied_at for a in application.applicants} if application else {}
        deadline = application_deadline(agreement.effective_at, is_working_day=is_working_day)
        content = Content.from_dict(agreement.content)
        items.append(ConfirmationView(
            agreement, application, deadline,
            [(r, document_party(k, r).name, done.get(k)) for k, r in parties],
            mine is not None and mine in dict(parties) and mine not in done and case.status == "mediated"
            and (application is None or application.status == "applying"),
            judge and application is not None and application.status == "pending",
            [content.terms[i - 1] for i in ownership_only_terms(content.terms)]))
    return ConfirmationPage(case, items, case_obligations(user, case))


def case_id_of_agreement(user: User, agreement_id: int) -> int | None:
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None or not can(user, Permission.CASE_VIEW, agreement.case):
        return None
    return agreement.case_id


def case_id_of_application(user: User, application_id: int) -> int | None:
    application = db.session.get(ConfirmationApplication, application_id)
    if application is None or not can(user, Permission.CASE_VIEW, application.case):
        return None
    return application.case_id
