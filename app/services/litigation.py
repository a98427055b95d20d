"""Failed mediation → litigation (转立案): the case gets its own number and keeps its file.

When a case moves to ``litigation`` (the judge's 转立案, however it is made), it receives a
first-instance number in the court's style (（2026）琼9005民初123号, ``case_numbers``) and
keeps its pre-litigation number (``Case.number``); the parties are told both. Its file —
the complaints with their claims and facts, the evidence, the session records, every
agreement draft and the documents issued — travels with it: ``litigation_file`` gathers it
for the litigation page, under the same access as the case (docs/on-site.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.access import Permission, can
from app.extensions import db
from app.models import Agreement, Attachment, Case, Complaint, Document, MediationSession, NoticeKind, User
from app.services import onsite_notices as notices
from app.services.case_numbers import FIRST_INSTANCE, next_number
from app.services.documents import case_documents
from app.services.errors import NotFoundError
from mediation.messages import Msg

__all__ = ["file_for_litigation", "litigation_file"]


def file_for_litigation(case: Case, now: datetime) -> str:
    """Number the lawsuit and tell the parties (inside the moving use-case's transaction)."""
    case.litigation_number = next_number(case, FIRST_INSTANCE, now)
    case.litigation_filed_at = now
    notices.tell_all(notices.party_users(case), None, NoticeKind.CASE_IN_LITIGATION,
                     Msg("案件已转入诉讼：{l}", "Your case was filed for litigation: {l}", l=case.litigation_number),
                     Msg("诉前调解案件{n}调解不成，已转入诉讼立案，案号{l}。诉前调解中的申请材料、证据、调解笔录和协议草稿已随案移送。",
                         "Pre-litigation case {n} was not settled and has been filed for litigation as {l}. The "
                         "complaint, evidence, session records and agreement drafts went with it.",
                         n=case.number, l=case.litigation_number),
                     key=f"case_in_litigation:{case.id}", now=now, case_id=case.id)
    return case.litigation_number


@dataclass(frozen=True)
class LitigationFile:
    case: Case
    complaints: list[Complaint]
    evidence: list[Attachment]
    sessions: list[MediationSession]
    agreements: list[Agreement]
    documents: list[Document]


def litigation_file(user: User, case_id: int) -> LitigationFile:
    """The file that went with a case into litigation, as ``user`` may see it (404 otherwise)."""
    case = db.session.get(Case, case_id)
    if case is None or not can(user, Permission.CASE_VIEW, case) or case.litigation_number is None:
        raise NotFoundError(Msg("案件不存在", "No such case"))
    complaints = [c for c in db.session.scalars(select(Complaint).where(Complaint.case_id == case.id)
                                                .order_by(Complaint.id))
                  if can(user, Permission.COMPLAINT_VIEW, c)]
    evidence = list(db.session.scalars(select(Attachment).where(
        Attachment.complaint_id.in_([c.id for c in complaints])).order_by(Attachment.id))) if complaints else []
    sessions = list(db.session.scalars(select(MediationSession).where(MediationSession.case_id == case.id)
                                       .order_by(MediationSession.held_at)))
    drafts = list(db.session.scalars(select(Agreement).where(Agreement.case_id == case.id).order_by(Agreement.id)))
    return LitigationFile(case, complaints, evidence, sessions, drafts, case_documents(user, case.id))
