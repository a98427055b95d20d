"""Mediation sessions: the mediator records one (attendance, what happened, offers, outcome),
the parties who attended confirm the record online, and a failed session ends the mediation.

``record_session`` is the case's mediator's (or a judge's of its court): the case must be
scheduled or in mediation — a scheduled case starts mediation with its first record
(开始调解). The record is issued as PDFs (``session_record``: the court's copy and one per
party, the others' IDs and phones masked) in the same commit. An outcome ``failed`` moves
the case to 调解不成 with the ground and tells the parties and the judge; the present
parties are asked to confirm. ``confirm_session`` asks the password again or a one-time
code texted for that party and that text (as signing an agreement does) and keeps time, IP,
method and the SHA-256 confirmed. See docs/on-site.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.access import Permission, can
from app.documents.session_record import RecordAttendance, SessionRecordData, render_session_record
from app.extensions import db
from app.models import Case, MediationSession, NoticeKind, SessionConfirmation, User
from app.services import onsite_notices as notices
from app.services import phone_codes
from app.services.accounts import verify_password
from app.services.agreements import case_parties, copies_for, document_party, signer_key
from app.services.case_records import case_state, record, record_event, save_state
from app.services.documents import pdf_font, store_copies
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.use_case import use_case
from mediation.lifecycle import COURT_TZ, CaseStatus, TransitionError, apply_transition, date_zh
from mediation.messages import Msg
from mediation.sessions import (
    SessionError, SessionOutcome, SessionRecord, confirmed, record_digest, validate_record,
)

__all__ = ["confirm_session", "record_session", "send_confirmation_code", "session_page"]

#: Where a session may be recorded: scheduled (the first one starts mediation) or in mediation.
RECORDABLE = (CaseStatus.SCHEDULED.value, CaseStatus.IN_MEDIATION.value)


def _case_for(case_id: int, actor: User) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can(actor, Permission.CASE_VIEW, case):
        raise NotFoundError(Msg("案件不存在", "No such case"))
    return case


def _move(case: Case, to: CaseStatus, actor: User, now: datetime, reason: str) -> None:
    try:
        result = apply_transition(case_state(case), to, actor_role=actor.role, now=now, reason=reason)
    except TransitionError as error:
        raise ServiceError(error.message, error.field if error.field == "reason" else None) from None
    save_state(case, result.state, now)
    record_event(case, result.event, actor)


@use_case
def record_session(case_id: int, record_in: SessionRecord, *, actor: User, now: datetime,
                   visit_id: int | None = None) -> MediationSession:
    """Record a session of ``case_id``; a failure moves the case to 调解不成."""
    case = _case_for(case_id, actor)
    if actor.role not in ("mediator", "judge") or not can(actor, Permission.DOCUMENT_ISSUE, case):
        raise ForbiddenError(Msg("只有本案调解员或本院法官可以制作调解笔录",
                                 "Only the case's mediator or a judge of its court records a session"))
    if case.status not in RECORDABLE:
        raise ServiceError(Msg("案件状态为“{s}”，不能制作调解笔录", "A case that is “{s_en}” takes no session record",
                               s=CaseStatus.zh(case.status), s_en=CaseStatus(case.status).label_en))
    parties = case_parties(case)
    try:
        checked = validate_record(record_in, parties={k for k, _ in parties}, now=now)
    except SessionError as error:
        raise ServiceError(error.message, error.field) from None
    if case.status == CaseStatus.SCHEDULED.value:
        _move(case, CaseStatus.IN_MEDIATION, actor, now, "召开调解会议")
    content = checked.as_dict()
    digest = record_digest(checked)
    session = MediationSession(case_id=case.id, visit_id=visit_id, held_at=checked.held_at,
                               outcome=checked.outcome.value, ground=checked.ground, content=content,
                               content_sha256=digest, status="confirming", created_by_id=actor.id,
                               created_at=now)
    if not checked.present:  # nobody attended: nothing to confirm
        session.status, session.confirmed_at = "confirmed", now
    db.session.add(session)
    db.session.flush()
    record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
           reason=f"制作调解笔录（{checked.outcome.label_zh}）")
    if checked.outcome is SessionOutcome.FAILED:
        _move(case, CaseStatus.FAILED, actor, now, checked.ground)
        _tell_failed(case, checked.ground, actor=actor, now=now, key=f"mediation_failed:session:{session.id}")
    _ask_to_confirm(case, session, checked, actor=actor, now=now)
    case.updated_at = now
    data = _record_data(case, checked, parties)
    font = pdf_font()
    names = {k: document_party(k, r).name for k, r in parties}
    store_copies(case, kind="session_record", title=f"调解笔录（{date_zh(checked.held_at.astimezone(COURT_TZ).date())}）",
                 render=lambda key, code, url: render_session_record(data, font=font, verify_code=code,
                                                                     verify_url=url, copy_for=key),
                 copies=copies_for({k for k, _ in parties}), names=names, actor=actor, now=now)  # commits
    return session


def _record_data(case: Case, record_: SessionRecord, parties) -> SessionRecordData:
    roles = dict(parties)
    held = record_.held_at.astimezone(COURT_TZ)
    return SessionRecordData(
        court_name=case.court.name, case_number=case.number, held=f"{date_zh(held.date())} {held:%H:%M}",
        place=record_.place, mediator=case.mediator.user.name if case.mediator else "",
        attendance=tuple(RecordAttendance(document_party(a.party_key, roles[a.party_key]), a.present, a.by)
                         for a in record_.attendance),
        notes=record_.notes, offers=tuple((o.by, o.what, o.amount_fen) for o in record_.offers),
        outcome=record_.outcome.label_zh, ground=record_.ground)


def _ask_to_confirm(case: Case, session: MediationSession, record_: SessionRecord, *, actor: User,
                    now: datetime) -> None:
    users = notices.party_users(case, record_.present)
    notices.tell_all(users, actor, NoticeKind.SESSION_TO_CONFIRM,
                     Msg("请核对案件{n}的调解笔录", "Please check the session record of case {n}", n=case.number),
                     Msg("调解员已制作案件{n}的调解笔录（{d}），请登录平台核对，无误后在线确认（再次输入登录密码，或使用短信验证码）。",
                         "The mediator recorded the session of case {n} ({d_en}). Please read it and confirm it "
                         "online (your password, or a code texted to your phone).",
                         n=case.number, d=date_zh(record_.held_at.astimezone(COURT_TZ).date()),
                         d_en=record_.held_at.astimezone(COURT_TZ).date().isoformat()),
                     key=f"session_to_confirm:{session.id}", now=now, case_id=case.id)


def _tell_failed(case: Case, ground: str, *, actor: User, now: datetime, key: str) -> None:
    body = Msg("案件{n}调解不成，调解终止。原因：{g}\n申请人可以申请转入诉讼（立案），也可以撤回申请；法院将与您联系。",
               "Mediation of case {n} failed and has ended. Ground: {g}\nThe applicant may have the case "
               "filed for litigation or withdraw; the court will contact you.", n=case.number, g=ground)
    subject = Msg("调解不成：{n}", "Mediation failed: {n}", n=case.number)
    notices.tell_all([*notices.party_users(case), *notices.judges(case)], actor, NoticeKind.MEDIATION_FAILED,
                     subject, body, key=key, now=now, case_id=case.id)


def _confirmable(session_id: int, actor: User) -> tuple[MediationSession, str]:
    session = db.session.scalar(select(MediationSession).where(MediationSession.id == session_id).with_for_update())
    if session is None or not can(actor, Permission.CASE_VIEW, session.case):
        raise NotFoundError(Msg("调解笔录不存在", "No such session record"))
    key = signer_key(actor)
    present = SessionRecord.from_dict(session.content).present
    if key is None or key not in present:
        raise ForbiddenError(Msg("只有到场的当事人可以确认笔录", "Only a party who attended confirms the record"))
    if any(c.party_key == key for c in session.confirmations):
        raise ConflictError(Msg("您已确认该笔录", "You have confirmed this record"))
    if record_digest(session.content) != session.content_sha256:
        raise ServiceError(Msg("笔录内容与制作时不一致，请联系调解员", "The record differs from what was recorded"))
    return session, key


def _binding(session: MediationSession, key: str) -> str:
    return phone_codes.signing_binding("session", session.id, key, session.content_sha256)


@use_case
def send_confirmation_code(session_id: int, *, actor: User, now: datetime, ip: str) -> str:
    """Text the actor a one-time code that confirms this record for its party only."""
    session, key = _confirmable(session_id, actor)
    number, digest = session.case.number, session.content_sha256[:8]
    text = lambda code: Msg(  # noqa: E731
        "【文昌巡回法庭调解平台】您正在确认案件{n}的调解笔录（文本摘要{d}），验证码{code}，5分钟内有效。如非本人操作，请勿告诉他人。",
        "[Wenchang circuit court] You are confirming the session record of case {n} (text digest {d}). "
        "Code {code}, valid 5 minutes. If this is not you, tell no one.", n=number, d=digest, code=code)
    return phone_codes.send_signing_code(actor, _binding(session, key), text, address=ip, now=now)


@use_case
def confirm_session(session_id: int, *, actor: User, now: datetime, password: str | None = None,
                    code: str | None = None, ip: str) -> MediationSession:
    """A present party confirms the record — password again, or the one-time code texted for
    it (``code``); the last confirmation makes it ``confirmed``."""
    session, key = _confirmable(session_id, actor)
    if code is not None:
        phone_codes.consume_signing_code(actor, _binding(session, key), code, now=now)
        method = "otp"
    else:
        if not verify_password(actor, password or ""):
            raise ServiceError(Msg("密码不正确，未确认", "Wrong password: nothing was confirmed"), "password")
        method = "password"
    db.session.add(SessionConfirmation(session=session, party_key=key, user_id=actor.id, confirmed_at=now,
                                       ip=(ip or "unknown")[:45], content_sha256=session.content_sha256,
                                       method=method))
    db.session.flush()
    if confirmed(session.content, {c.party_key: c.content_sha256 for c in session.confirmations},
                 session.content_sha256):
        session.status, session.confirmed_at = "confirmed", now
    record(session.case, actor=actor, now=now, from_status=session.case.status, to_status=session.case.status,
           reason=f"{actor.name}在线确认调解笔录")
    db.session.commit()
    return session


def session_verifies(session: MediationSession) -> bool:
    """Whether the stored record is still the text the present parties confirmed."""
    return session.status == "confirmed" and confirmed(
        session.content, {c.party_key: c.content_sha256 for c in session.confirmations}, session.content_sha256)


# --- The page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionView:
    session: MediationSession
    record: SessionRecord
    attendance: list  # (role, name, present, by, confirmed_at or None)
    can_confirm: bool
    verifies: bool


@dataclass(frozen=True)
class SessionPage:
    case: Case
    sessions: list[SessionView]
    parties: list  # (key, role, name) for the record form
    can_record: bool


def session_page(user: User, case_id: int) -> SessionPage:
    case = _case_for(case_id, user)
    parties = case_parties(case)
    roles = dict(parties)
    mine = signer_key(user)
    views = []
    for s in db.session.scalars(select(MediationSession).where(MediationSession.case_id == case.id)
                                .order_by(MediationSession.held_at, MediationSession.id)):
        rec = SessionRecord.from_dict(s.content)
        done = {c.party_key: c.confirmed_at for c in s.confirmations}
        rows = [(roles.get(a.party_key, ""), document_party(a.party_key, roles.get(a.party_key, "")).name,
                 a.present, a.by, done.get(a.party_key)) for a in rec.attendance]
        views.append(SessionView(s, rec, rows, mine is not None and mine in rec.present and mine not in done,
                                 session_verifies(s)))
    may_record = (case.status in RECORDABLE and user.role in ("mediator", "judge")
                  and can(user, Permission.DOCUMENT_ISSUE, case))
    return SessionPage(case, views, [(k, r, document_party(k, r).name) for k, r in parties], may_record)


def case_id_of(user: User, session_id: int) -> int | None:
    session = db.session.get(MediationSession, session_id)
    if session is None or not can(user, Permission.CASE_VIEW, session.case):
        return None
    return session.case_id
