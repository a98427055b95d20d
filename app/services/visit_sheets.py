"""The printable visit sheet (上门调解安排单, document kind ``visit_sheet``) of a site visit.

The visit's mediator or a judge of its court issues it; it is rendered once per state of
the visit (a second request returns the sheet already issued; moving or cancelling the
visit detaches that sheet, ``app.services.visits``, so the next print shows the new time
or the cancellation) and filed under
the visit's first case, listed with every case the visit serves (``case_documents``). The
court's side sees it; parties do not (it names the other cases' parties). Parties appear
as the mediator sees them (``mediation.people``: ID numbers masked). See docs/on-site.md.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.access import mediator_id_of
from app.documents.visit_sheet import SheetCase, SheetParty, VisitSheetData, render_visit_sheet
from app.extensions import db
from app.models import Complaint, Developer, Document, Person, User, Visit
from app.services.documents import pdf_font, store_pdf
from app.services.errors import NotFoundError
from app.services.use_case import use_case
from mediation.disputes import DisputeType
from mediation.lifecycle import COURT_TZ, date_zh
from mediation.messages import Msg
from mediation.people import Person as PersonFacts
from mediation.people import Relation, present_person

__all__ = ["issue_visit_sheet", "may_issue_sheet"]


def may_issue_sheet(user: User, visit: Visit) -> bool:
    """The visit's own mediator, or a judge of its court."""
    if user.role == "judge":
        return user.court_id == visit.court_id
    return user.role == "mediator" and visit.mediator_id == mediator_id_of(user)


def _visit_for(visit_id: int, actor: User) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None or not may_issue_sheet(actor, visit):
        raise NotFoundError(Msg("上门调解安排不存在", "No such visit"))
    return visit


def _person(person: Person, role: str) -> SheetParty:
    shown = present_person(Relation.MEDIATOR, PersonFacts(person.name, person.resident_id, person.phone))
    return SheetParty(role, shown.name, shown.resident_id, shown.phone)


def _company(developer: Developer, role: str) -> SheetParty:
    return SheetParty(role, developer.name, developer.uscc or "", developer.phone or "")


def sheet_data(visit: Visit) -> VisitSheetData:
    cases = []
    for case in visit.cases:
        complaints = db.session.scalars(select(Complaint).where(
            Complaint.case_id == case.id, Complaint.opted_out_at.is_(None)).order_by(Complaint.id)).all()
        parties: dict[tuple, SheetParty] = {}
        for c in complaints:
            if c.claimant_person_id:
                parties.setdefault(("p", c.claimant_person_id), _person(db.session.get(Person, c.claimant_person_id), "申请人"))
            if c.claimant_developer_id:
                parties.setdefault(("d", c.claimant_developer_id),
                                   _company(db.session.get(Developer, c.claimant_developer_id), "申请人"))
        for c in complaints:
            if c.respondent_person_id:
                parties.setdefault(("p", c.respondent_person_id),
                                   _person(db.session.get(Person, c.respondent_person_id), "被申请人"))
            if c.respondent_developer_id:
                parties.setdefault(("d", c.respondent_developer_id),
                                   _company(db.session.get(Developer, c.respondent_developer_id), "被申请人"))
        if not any(k[0] == "d" for k in parties):
            parties[("d", case.developer_id)] = _company(db.session.get(Developer, case.developer_id), "被申请人")
        units = "、".join(sorted({c.unit for c in complaints if c.unit}))
        cases.append(SheetCase(case.number, DisputeType.zh(case.dispute_type), units, tuple(parties.values())))
    start, end = visit.starts_at.astimezone(COURT_TZ), visit.ends_at.astimezone(COURT_TZ)
    first = visit.cases[0]
    state = (f"已取消：{visit.cancel_reason}" if visit.status == "cancelled"
             else f"已改期（{date_zh(visit.moved_at.astimezone(COURT_TZ).date())}调整）" if visit.moved_at else "")
    return VisitSheetData(
        court_name=first.court.name, sheet_number=f"{first.number}等 · 上门调解第{visit.id}号",
        project=visit.project.name, address=visit.project.address or "", room=visit.room,
        when=f"{date_zh(start.date())} {start:%H:%M}—{end:%H:%M}", mediator=visit.mediator.user.name,
        cases=tuple(cases), note=visit.note or "", state=state)


@use_case
def issue_visit_sheet(visit_id: int, *, actor: User, now: datetime) -> Document:
    """The visit's sheet: rendered, stored and recorded once; later calls return it."""
    visit = _visit_for(visit_id, actor)
    issued = db.session.scalar(select(Document).where(Document.visit_id == visit.id,
                                                      Document.kind == "visit_sheet"))
    if issued is not None:
        return issued
    data = sheet_data(visit)
    font = pdf_font()
    return store_pdf(visit.cases[0], kind="visit_sheet", title=f"{data.title}（{visit.project.name}）",
                     render=lambda code, url: render_visit_sheet(data, font=font, verify_code=code, verify_url=url),
                     actor=actor, now=now, visit_id=visit.id)
