"""Complaints as their parties list them: a company's complaints, a homeowner's extras.

Read-only queries for the developer's and homeowner's pages; each loads what its page
shows with the page (joined or select-in), never one query per row.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import Complaint, GroupFiling, User

__all__ = ["complaints_against", "complaints_filed_by_company", "homeowner_overview"]


#: What a company's complaint list shows of each row, loaded with the page, not per row.
_LISTED = (joinedload(Complaint.project), joinedload(Complaint.claimant_person),
           joinedload(Complaint.respondent_person), joinedload(Complaint.case),
           selectinload(Complaint.claims), selectinload(Complaint.responses))


def complaints_against(actor: User, *, before_id: int | None = None, limit: int = 50) -> list[Complaint]:
    """Complaints against the actor's company, newest first (keyset by id)."""
    query = (select(Complaint).options(*_LISTED)
             .where(Complaint.respondent_developer_id == actor.developer_id))
    if before_id is not None:
        query = query.where(Complaint.id < before_id)
    return list(db.session.scalars(query.order_by(Complaint.id.desc()).limit(limit)))


def complaints_filed_by_company(actor: User, *, limit: int = 50) -> list[Complaint]:
    """The company's own filings (e.g. against buyers in payment default), newest first."""
    return list(db.session.scalars(
        select(Complaint).options(*_LISTED)
        .where(Complaint.claimant_developer_id == actor.developer_id)
        .order_by(Complaint.id.desc()).limit(limit)))


def homeowner_overview(actor: User) -> dict:
    """What the homeowner's home page adds to their own complaints: disputes a developer
    filed about them, and the group filings they made for neighbours."""
    about_me = []
    if actor.person_id is not None:
        about_me = list(db.session.scalars(
            select(Complaint)
            .options(joinedload(Complaint.project), joinedload(Complaint.claimant_developer))
            .where(Complaint.respondent_person_id == actor.person_id)
            .order_by(Complaint.id.desc()).limit(50)))
    filings = list(db.session.scalars(
        select(GroupFiling).options(joinedload(GroupFiling.project), selectinload(GroupFiling.members))
        .where(GroupFiling.filed_by_id == actor.id)
        .order_by(GroupFiling.id.desc()).limit(20)))
    return {"complaints_about_me": about_me, "group_filings": filings}
