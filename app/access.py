"""Who may see which case or complaint: defined once, used by web and API alike.

A homeowner sees the complaints they filed or are a claimant in, and the cases those
complaints belong to; developer staff see complaints and cases where their company is a
party; a mediator sees the cases assigned to them; a judge sees every case of their
court. Admins (court clerks) manage reference data and accounts, not case files.
"""
from __future__ import annotations

from sqlalchemy import Select, exists, false, or_, select

from app.extensions import db
from app.models import Case, Complaint, Mediator, User


def _mediator_id(user: User):
    """The user's mediator record, inside the query: a mediator account without one (an
    account being set up) matches no case, never the unassigned ones (``IS NULL``)."""
    return select(Mediator.id).where(Mediator.user_id == user.id).scalar_subquery()


def visible_cases(user: User, query: Select | None = None) -> Select:
    """Restrict a ``select(Case)`` to the cases ``user`` may see."""
    query = query if query is not None else select(Case)
    if user.role == "judge":
        return query.where(Case.court_id == user.court_id)
    if user.role == "mediator":
        return query.where(Case.mediator_id == _mediator_id(user))
    if user.role == "developer":
        return query.where(or_(
            Case.developer_id == user.developer_id,
            exists().where(Complaint.case_id == Case.id,
                           Complaint.claimant_developer_id == user.developer_id),
        ))
    if user.role == "homeowner":
        return query.where(exists().where(
            Complaint.case_id == Case.id,
            or_(Complaint.claimant_person_id == user.person_id,
                Complaint.respondent_person_id == user.person_id)))
    return query.where(false())


def visible_complaints(user: User, query: Select | None = None) -> Select:
    """Restrict a ``select(Complaint)`` to the complaints ``user`` may see."""
    query = query if query is not None else select(Complaint)
    if user.role == "judge":
        return query.where(Complaint.court_id == user.court_id)
    if user.role == "developer":
        return query.where(or_(Complaint.respondent_developer_id == user.developer_id,
                               Complaint.claimant_developer_id == user.developer_id))
    if user.role == "homeowner":
        return query.where(or_(Complaint.claimant_person_id == user.person_id,
                               Complaint.respondent_person_id == user.person_id,
                               Complaint.filed_by_id == user.id))
    if user.role == "mediator":
        return query.where(Complaint.case_id.in_(
            select(Case.id).where(Case.mediator_id == _mediator_id(user))))
    return query.where(false())


def can_view_case(user: User, case: Case) -> bool:
    return db.session.scalar(visible_cases(user, select(Case.id)).where(Case.id == case.id)) is not None


def can_view_complaint(user: User, complaint: Complaint) -> bool:
    query = visible_complaints(user, select(Complaint.id)).where(Complaint.id == complaint.id)
    return db.session.scalar(query) is not None


def can_manage_case(user: User, case: Case) -> bool:
    """Judges of the case's court triage, assign and rule; nobody else."""
    return user.role == "judge" and user.court_id == case.court_id
