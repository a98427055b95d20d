"""Group cases: the representatives negotiate, each represented claimant consents, and one
agreement per consenting claimant is made in one go.

- **Consent** (:func:`record_consent`): a claimant records its own consent, or the case's
  mediator or a judge records consent given in writing. Without it the settlement does not
  bind the claimant (民事诉讼法 art. 56) and no agreement is made for it.
- **Agreements** (:func:`issue_group_agreements`): once 2–5 representatives are chosen, the
  mediator records the negotiated content once; the service makes one agreement per
  consenting claimant (signers: that claimant and the respondents), supersedes any unsigned
  earlier batch and reports who was left out for lack of consent. Opted-out claimants are no
  longer in the case and are never included. ``progress`` is called after each agreement.
- The case becomes mediated when the last signature of the last open agreement of the
  batch is given (``app.services.agreements.sign_agreement``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update

from app.extensions import db
from app.models import Agreement, Case, CaseRepresentative, Complaint, Person, SettlementConsent, User
from app.services.case_records import record
from app.services.errors import ForbiddenError, NotFoundError, ServiceError
from app.services.use_case import use_case
from app.access import Permission, can
from mediation.agreements import AgreementError, Content, content_digest, validate_content, warnings_for
from mediation.groups import REPRESENTATIVES_RANGE
from mediation.lifecycle import CaseStatus
from mediation.messages import Msg


@dataclass(frozen=True)
class GroupIssue:
    created: int
    without_consent: list[str]  # names of claimants left out
    warnings: list


def _claimants(case: Case) -> list[int]:
    return list(dict.fromkeys(db.session.scalars(
        select(Complaint.claimant_person_id).where(
            Complaint.case_id == case.id, Complaint.opted_out_at.is_(None),
            Complaint.claimant_person_id.is_not(None)).order_by(Complaint.id))))


def _group_case(case_id: int, actor: User) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can(actor, Permission.CASE_VIEW, case):
        raise NotFoundError(Msg("案件不存在", "No such case"))
    if not case.is_group:
        raise ServiceError(Msg("本案不是群体案件，请直接录入调解协议",
                               "This is not a group case; record the mediation agreement directly"))
    if case.status != CaseStatus.IN_MEDIATION.value:
        raise ServiceError(Msg("案件状态为“{status}”，只有调解中的案件可以办理",
                               "The case is “{status}”; only a case in mediation can be handled",
                               status=CaseStatus.msg(case.status)))
    return case


@use_case
def record_consent(case_id: int, person_id: int, *, actor: User, now: datetime) -> SettlementConsent:
    """Record a represented claimant's consent to the representatives' settlement."""
    case = _group_case(case_id, actor)
    if actor.role == "homeowner":
        if actor.person_id != person_id:
            raise ForbiddenError(Msg("只能由申请人本人表示同意，或由调解员、法官根据书面同意登记",
                                     "Only the claimant in person can consent, or a mediator or judge records a written consent"))
    elif not can(actor, Permission.DOCUMENT_ISSUE, case):
        raise ForbiddenError(Msg("只能由申请人本人表示同意，或由调解员、法官根据书面同意登记",
                                 "Only the claimant in person can consent, or a mediator or judge records a written consent"))
    if person_id not in _claimants(case):
        raise ServiceError(Msg("该申请人不在本案中（或已退出群体案件）",
                               "This claimant is not in this case (or has left the group case)"), "person_id")
    consent = db.session.scalar(select(SettlementConsent).where(
        SettlementConsent.case_id == case.id, SettlementConsent.person_id == person_id))
    if consent is None:
        consent = SettlementConsent(case_id=case.id, person_id=person_id, consented_at=now, recorded_by_id=actor.id)
        db.session.add(consent)
        name = db.session.get(Person, person_id).name
        record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
               reason=Msg("申请人{name}同意代表人达成的调解方案",
                          "Claimant {name} accepted the proposal the representatives reached", name=name))
    db.session.commit()
    return consent


@use_case
def issue_group_agreements(case_id: int, content: Content, *, actor: User, now: datetime,
                           progress: Callable[[int, int], None] | None = None) -> GroupIssue:
    """One agreement per consenting claimant of a group case, in one commit."""
    case = _group_case(case_id, actor)
    if not can(actor, Permission.DOCUMENT_ISSUE, case):
        raise ForbiddenError(Msg("只有本案调解员或本院法官可以录入调解协议",
                                 "Only the case's mediator or a judge of this court can record a mediation agreement"))
    reps = db.session.scalar(select(func.count()).select_from(CaseRepresentative)
                             .where(CaseRepresentative.case_id == case.id))
    low, high = REPRESENTATIVES_RANGE
    if not low <= reps <= high:
        raise ServiceError(Msg("群体案件须先推选{low}至{high}名代表人进行协商",
                               "A group case first elects {low} to {high} representatives to negotiate",
                               low=low, high=high))
    try:
        content = validate_content(content)
    except AgreementError as error:
        raise ServiceError(error.message, error.field) from None
    claimants = _claimants(case)
    consented = set(db.session.scalars(select(SettlementConsent.person_id)
                                       .where(SettlementConsent.case_id == case.id)))
    bound = [p for p in claimants if p in consented]
    if not bound:
        raise ServiceError(Msg("尚无申请人同意调解方案，调解协议对未同意的申请人不发生效力（民事诉讼法第五十六条）",
                               "No claimant has accepted the proposal yet; the agreement does not bind claimants who did not accept it (Civil Procedure Law, art. 56)"))
    db.session.execute(update(Agreement).where(Agreement.case_id == case.id, Agreement.status == "signing")
                       .values(status="superseded").execution_options(synchronize_session=False))
    data = content.as_dict()
    digest = content_digest(data)
    rows = []
    for i, person_id in enumerate(bound, 1):
        rows.append({"case_id": case.id, "claimant_person_id": person_id, "status": "signing", "content": data,
                     "content_sha256": digest, "created_by_id": actor.id, "created_at": now})
        if progress is not None and (i % 50 == 0 or i == len(bound)):
            progress(i, len(bound))
    db.session.execute(insert(Agreement), rows)
    missing = [p for p in claimants if p not in consented]
    names = dict(db.session.execute(select(Person.id, Person.name).where(Person.id.in_(missing))).all()) if missing else {}
    record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
           reason=Msg("按代表人协商结果为{n}名同意的申请人生成调解协议，待签署",
                      "Agreements drawn up from the representatives' result for {n} consenting "
                      "claimant(s), awaiting signature", n=len(bound))
                  + (Msg("；{n}名申请人未同意，协议对其不发生效力",
                         "; {n} claimant(s) did not consent and are not bound", n=len(missing))
                     if missing else Msg("", "")))
    case.updated_at = now
    db.session.commit()
    return GroupIssue(len(bound), [names[p] for p in missing], warnings_for(content))
