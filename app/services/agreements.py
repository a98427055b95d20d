"""Mediation agreements: the mediator records the terms, the parties sign online, and the
last signature makes the agreement effective and the case mediated.

- **Recording** (:func:`record_agreement`): the case's mediator (or a judge of the court)
  writes terms, payment schedule, milestones and guarantee clauses while the case is in
  mediation. A new version supersedes an unsigned one; signatures already given to the old
  text do not carry over. Terms that only confirm ownership come back as warnings
  (``mediation.agreements.warnings_for``; 民诉法解释 art. 355).
- **Signing** (:func:`sign_agreement`): each party — every claimant and respondent of the
  case — signs for itself by typing its password again, or by a one-time code texted to
  its phone (:func:`send_signing_code`; bound to that party and that text's SHA-256). The signature stores the time, the
  IP address, the method and the SHA-256 of the content signed. The last signature makes
  the agreement effective (调解协议自各方签名之日起生效), moves the case to mediated (the
  only way there: ``Transition.by_agreement``) and issues the agreement PDF
  (``app.documents.agreement``), the court's copy and one per party, all in one commit.
- **Verifying** (:func:`agreement_verifies`): an agreement verifies only while its content
  still hashes to what every party signed; change a term afterwards and it no longer does.

See docs/settlement.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from app.access import Permission, can
from app.documents.agreement import AgreementData, AgreementParty, Milestone, Payment
from app.extensions import db
from app.models import Agreement, AgreementSignature, Case, Complaint, Developer, Person, User
from app.services import agreement_notices, phone_codes
from app.services.accounts import verify_password
from app.services.case_records import case_state, record, record_event, save_state
from app.services.documents import Copy, store_agreement
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.reminders import remind
from app.services.use_case import use_case
from mediation.agreements import (
    AgreementError, Content, content_digest, effective_at, signatures_hold, validate_content,
    warnings_for,
)
from mediation.lifecycle import COURT_TZ, CaseStatus, Outcome, TransitionError, apply_transition, court_date
from mediation.messages import Msg

__all__ = [
    "agreement_verifies", "case_agreements", "party_keys", "record_agreement", "send_signing_code",
    "sign_agreement", "signer_key",
]


# --- Who the parties are -------------------------------------------------------------------


def _held(case: Case) -> list[Complaint]:
    return list(db.session.scalars(select(Complaint).where(
        Complaint.case_id == case.id, Complaint.opted_out_at.is_(None)).order_by(Complaint.id)))


def _parties(case: Case, claimant_person_id: int | None = None) -> list[tuple[str, str]]:
    """(party key, role) of everyone who must sign, claimants first, in filing order.

    ``claimant_person_id``: for a group case's per-claimant agreement, only that claimant.
    """
    found: dict[str, str] = {}
    for c in _held(case):
        if claimant_person_id is not None and c.claimant_person_id != claimant_person_id:
            continue
        if c.claimant_person_id:
            found.setdefault(f"person:{c.claimant_person_id}", "申请人")
        if c.claimant_developer_id:
            found.setdefault(f"developer:{c.claimant_developer_id}", "申请人")
    for c in _held(case):
        if claimant_person_id is not None and c.claimant_person_id != claimant_person_id:
            continue
        if c.respondent_person_id:
            found.setdefault(f"person:{c.respondent_person_id}", "被申请人")
        if c.respondent_developer_id:
            found.setdefault(f"developer:{c.respondent_developer_id}", "被申请人")
    if not any(k.startswith("developer:") for k in found):
        found.setdefault(f"developer:{case.developer_id}", "被申请人")
    return list(found.items())


#: (party key, role) of everyone who signs for a case (sessions and confirmation use it too).
case_parties = _parties


def party_keys(agreement: Agreement) -> set[str]:
    """The keys of the parties who must sign ``agreement``."""
    return {key for key, _ in _parties(agreement.case, agreement.claimant_person_id)}


def signer_key(user: User) -> str | None:
    """The party key a user signs for: its person or its developer; None for the court's side."""
    if user.role == "homeowner" and user.person_id:
        return f"person:{user.person_id}"
    if user.role == "developer" and user.developer_id:
        return f"developer:{user.developer_id}"
    return None


# --- Recording -----------------------------------------------------------------------------


def _case_for_agreement(case_id: int, actor: User) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can(actor, Permission.CASE_VIEW, case):
        raise NotFoundError(Msg("案件不存在", "No such case"))
    return case


@use_case
def record_agreement(case_id: int, content: Content, *, actor: User, now: datetime,
                     claimant_person_id: int | None = None) -> tuple[Agreement, list]:
    """Record the agreed terms for signing; return the agreement and the mediator's warnings."""
    case = _case_for_agreement(case_id, actor)
    if not can(actor, Permission.DOCUMENT_ISSUE, case):
        raise ForbiddenError(Msg("只有本案调解员或本院法官可以录入调解协议",
                                 "Only the case's mediator or a judge of this court can record a mediation agreement"))
    if case.status != CaseStatus.IN_MEDIATION.value:
        raise ServiceError(Msg("案件状态为“{status}”，只有调解中的案件可以录入调解协议",
                               "The case is “{status}”; only a case in mediation can record a mediation agreement",
                               status=CaseStatus.msg(case.status)))
    try:
        content = validate_content(content)
    except AgreementError as error:
        raise ServiceError(error.message, error.field) from None
    same_claimant = (Agreement.claimant_person_id.is_(None) if claimant_person_id is None
                     else Agreement.claimant_person_id == claimant_person_id)
    db.session.execute(
        update(Agreement).where(Agreement.case_id == case.id, Agreement.status == "signing", same_claimant)
        .values(status="superseded").execution_options(synchronize_session=False))
    data = content.as_dict()
    agreement = Agreement(case_id=case.id, claimant_person_id=claimant_person_id, status="signing",
                          content=data, content_sha256=content_digest(data), created_by_id=actor.id,
                          created_at=now)
    db.session.add(agreement)
    db.session.flush()
    agreement_notices.agreement_to_sign(case, agreement, party_keys(agreement), actor=actor, now=now)
    record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
           reason=Msg("录入调解协议（{n}项条款），待各方当事人签署",
                      "Mediation agreement recorded ({n} terms), awaiting the parties' signatures",
                      n=len(content.terms)))
    case.updated_at = now
    db.session.commit()
    return agreement, warnings_for(content)


def case_agreements(user: User, case_id: int) -> list[Agreement]:
    """The agreements of a case ``user`` may see, newest first (404 for someone else's case)."""
    case = _case_for_agreement(case_id, user)
    rows = db.session.scalars(select(Agreement).where(Agreement.case_id == case.id)
                              .order_by(Agreement.created_at.desc(), Agreement.id.desc()))
    if user.role in ("homeowner", "developer"):
        key = signer_key(user)
        return [a for a in rows if key in party_keys(a)]
    return list(rows)


# --- Signing -------------------------------------------------------------------------------


def _signable(agreement_id: int, actor: User) -> tuple[Agreement, str, set[str]]:
    """The agreement the actor may sign now, its party key and the keys of every signer;
    else the refusal (404 for someone else's agreement)."""
    agreement = db.session.scalar(select(Agreement).where(Agreement.id == agreement_id).with_for_update())
    if agreement is None or not can(actor, Permission.CASE_VIEW, agreement.case):
        raise NotFoundError(Msg("调解协议不存在", "No such mediation agreement"))
    key = signer_key(actor)
    required = party_keys(agreement)
    if key is None or key not in required:
        raise ForbiddenError(Msg("只有协议的当事人本人可以签署", "Only a party to the agreement can sign it"))
    if agreement.status != "signing":
        raise ServiceError(Msg("该协议已生效或已被新版本取代，不能再签署",
                               "This agreement is already in force or replaced by a newer version; it can no longer be signed"))
    if any(s.party_key == key for s in agreement.signatures):
        raise ConflictError(Msg("您已签署该协议", "You have already signed this agreement"))
    if content_digest(agreement.content) != agreement.content_sha256:
        raise ServiceError(Msg("协议内容与录入时不一致，请联系调解员重新录入",
                               "The agreement's text differs from what was recorded; ask the mediator to record it again"))
    if agreement.case.status != CaseStatus.IN_MEDIATION.value:
        raise ServiceError(Msg("案件状态为“{status}”，不能签署调解协议",
                               "The case is “{status}”; the mediation agreement cannot be signed",
                               status=CaseStatus.msg(agreement.case.status)))
    return agreement, key, required


def _binding(agreement: Agreement, key: str) -> str:
    return phone_codes.signing_binding("agreement", agreement.id, key, agreement.content_sha256)


@use_case
def send_signing_code(agreement_id: int, *, actor: User, now: datetime, ip: str) -> str:
    """Text the actor a one-time code that signs this version of the agreement for its party
    only (five minutes, one use); returns the phone masked."""
    agreement, key, _required = _signable(agreement_id, actor)
    number, digest = agreement.case.number, agreement.content_sha256[:8]
    text = lambda code: Msg(  # noqa: E731
        "【文昌巡回法庭调解平台】您正在签署案件{n}的调解协议（文本摘要{d}），验证码{code}，5分钟内有效。如非本人操作，请勿告诉他人。",
        "[Wenchang circuit court] You are signing the mediation agreement of case {n} (text digest {d}). "
        "Code {code}, valid 5 minutes. If this is not you, tell no one.", n=number, d=digest, code=code)
    return phone_codes.send_signing_code(actor, _binding(agreement, key), text, address=ip, now=now)


@use_case
def sign_agreement(agreement_id: int, *, actor: User, now: datetime, password: str | None = None,
                   code: str | None = None, ip: str) -> Agreement:
    """Sign for the actor's own party — by its password typed again, or by the one-time code
    texted for this party and this text (``code``); the last signature makes the agreement
    effective."""
    agreement, key, required = _signable(agreement_id, actor)
    if code is not None:
        phone_codes.consume_signing_code(actor, _binding(agreement, key), code, now=now)
        method = "otp"
    else:
        if not verify_password(actor, password or ""):
            raise ServiceError(Msg("密码不正确，未签署", "Wrong password; nothing was signed"), "password")
        method = "password"
    case = agreement.case
    db.session.add(AgreementSignature(agreement=agreement, party_key=key, user_id=actor.id, signed_at=now,
                                      ip=(ip or "unknown")[:45], method=method,
                                      content_sha256=agreement.content_sha256))
    db.session.flush()
    signed = {s.party_key: s.signed_at for s in agreement.signatures}
    when = effective_at(required, signed)
    record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
           reason=Msg("{name}在线签署调解协议", "{name} signed the mediation agreement online",
                      name=actor.name))
    case.updated_at = now
    if when is None:
        db.session.commit()
        return agreement
    agreement.status, agreement.effective_at = "effective", when
    db.session.flush()
    remind("agreement_effective", agreement, now=now)
    still_open = db.session.scalar(select(Agreement.id).where(
        Agreement.case_id == case.id, Agreement.status == "signing").limit(1))
    if still_open is not None:  # a group case: mediated once every claimant's agreement holds
        data = agreement_data(agreement)
        store_agreement(case, data, actor=actor, now=now, copies=_copies(required))  # commits
        return agreement
    try:
        result = apply_transition(case_state(case), CaseStatus.MEDIATED, actor_role=actor.role, now=now,
                                  outcome=Outcome.MEDIATED, agreement_signed=True,
                                  reason=Msg("各方当事人已签署调解协议，协议生效",
                                             "Every party signed the mediation agreement; it is in force"))
    except TransitionError as error:
        raise ServiceError(error.message, error.field) from None
    save_state(case, result.state, now)
    record_event(case, result.event, actor)
    agreement_notices.agreement_effective(case, agreement, required, now=now)
    data = agreement_data(agreement)
    store_agreement(case, data, actor=actor, now=now, copies=_copies(required))  # commits
    return agreement


def copies_for(required) -> list[Copy]:
    """The court's file copy and one copy per party key."""
    return _copies(required)


def _copies(required) -> list[Copy]:
    return [Copy(None)] + [
        Copy(k, person_id=int(k.split(":")[1])) if k.startswith("person:")
        else Copy(k, developer_id=int(k.split(":")[1])) for k in sorted(required)]


def agreement_verifies(agreement: Agreement) -> bool:
    """Whether the agreement's content is still what every party signed."""
    return (agreement.status == "effective"
            and content_digest(agreement.content) == agreement.content_sha256
            and signatures_hold(agreement.content, [s.content_sha256 for s in agreement.signatures]))


# --- The PDF -------------------------------------------------------------------------------

#: How a signature was given, as the agreement's signature block prints it.
SIGNING_METHODS = {"password": "登录密码", "otp": "短信验证码"}


def _party(key: str, role: str) -> AgreementParty:
    kind, _, ident = key.partition(":")
    if kind == "person":
        person = db.session.get(Person, int(ident))
        return AgreementParty(key, role, person.name, person.resident_id, True, person.phone)
    developer = db.session.get(Developer, int(ident))
    return AgreementParty(key, role, developer.name, developer.uscc, False)


#: A party key as the documents print it (name, ID number, phone).
document_party = _party


def agreement_data(agreement: Agreement) -> AgreementData:
    """What the agreement renderer needs, from the agreement and its case."""
    case = agreement.case
    content = Content.from_dict(agreement.content)
    terms = list(content.terms) + [f"{g.guarantor}自愿为{g.covers}提供担保。" for g in content.guarantees]
    mediator = case.mediator.user.name if case.mediator is not None else None
    return AgreementData(
        court_name=case.court.name, case_number=case.number,
        parties=tuple(_party(k, r) for k, r in _parties(case, agreement.claimant_person_id)),
        terms=tuple(terms), mediator=mediator,
        payments=tuple(Payment(p.due, p.payer, p.payee, p.amount_fen, p.settles) for p in content.payments),
        milestones=tuple(Milestone(m.what, m.who, m.due, m.amount_fen, m.settles) for m in content.milestones),
        dated=court_date(agreement.effective_at) if agreement.effective_at else None,
        signatures=tuple((sig.party_key, f"{sig.signed_at.astimezone(COURT_TZ):%Y-%m-%d %H:%M}",
                          SIGNING_METHODS.get(sig.method, sig.method)) for sig in agreement.signatures),
        content_sha256=agreement.content_sha256 if agreement.signatures else "")


# --- The page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementView:
    agreement: Agreement
    content: Content
    parties: list  # (key, role, name, signed_at or None)
    verifies: bool
    can_sign: bool


@dataclass(frozen=True)
class AgreementPage:
    case: Case
    agreements: list[AgreementView]
    can_record: bool


def agreement_page(user: User, case_id: int) -> AgreementPage:
    """What the agreement page shows ``user``: the agreements it may see, who signed, what it may do."""
    case = _case_for_agreement(case_id, user)
    mine = signer_key(user)
    views = []
    for agreement in case_agreements(user, case_id):
        signed = {s.party_key: s.signed_at for s in agreement.signatures}
        parties = [(k, role, _party(k, role).name, signed.get(k))
                   for k, role in _parties(case, agreement.claimant_person_id)]
        views.append(AgreementView(
            agreement, Content.from_dict(agreement.content), parties,
            agreement_verifies(agreement),
            agreement.status == "signing" and mine is not None and mine in dict((p[0], 1) for p in parties)
            and mine not in signed and case.status == CaseStatus.IN_MEDIATION.value))
    may_record = (case.status == CaseStatus.IN_MEDIATION.value and user.role in ("mediator", "judge")
                  and can(user, Permission.DOCUMENT_ISSUE, case))
    return AgreementPage(case, views, may_record)


def case_id_of(user: User, agreement_id: int) -> int | None:
    """The case of an agreement ``user`` may see, or None (as if it did not exist)."""
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None or not can(user, Permission.CASE_VIEW, agreement.case):
        return None
    return agreement.case_id
