"""Read models for each role's home page (queries only; no writes).

Every figure and row is drawn from what the user may see (``app.access.visible_cases`` /
``visible_complaints``), narrowed to what the page is about ("cases against us" for a
developer) — never from a condition restated here.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.access import visible_cases, visible_complaints
from app.extensions import db
from app.models import Case, Complaint, Court, Developer, Mediator, Person, Project, User
from app.services.agreement_obligations import obligations_of
from mediation.disputes import ComplaintStatus
from mediation.lifecycle import CaseStatus

RECENT = 10
#: What a case row shows besides its own columns, loaded with the rows (no query per row).
_CASE_ROW = (joinedload(Case.project), joinedload(Case.developer))


@dataclass
class StatusCount:
    status: str
    count: int


def _status_counts(user: User, *where) -> list[StatusCount]:
    rows = dict(db.session.execute(
        visible_cases(user, select(Case.status, func.count())).where(*where)
        .group_by(Case.status)
    ).all())
    return [StatusCount(s.value, rows[s.value]) for s in CaseStatus if s.value in rows]


def homeowner_home(user: User) -> dict:
    from app.services.complaint_lists import homeowner_overview

    complaints = db.session.scalars(
        visible_complaints(user)
        .options(joinedload(Complaint.project), joinedload(Complaint.case))
        .where(Complaint.claimant_person_id == user.person_id)
        .order_by(Complaint.submitted_at.desc()).limit(RECENT)
    ).all()
    return {"person": db.session.get(Person, user.person_id), "complaints": complaints,
            "obligations": obligations_of(user), **homeowner_overview(user)}


def developer_home(user: User) -> dict:
    where = (Case.developer_id == user.developer_id,)  # cases against the company
    recent = db.session.scalars(
        visible_cases(user).options(*_CASE_ROW).where(*where)
        .order_by(Case.registered_at.desc(), Case.id.desc()).limit(RECENT)
    ).all()
    return {
        "developer": db.session.get(Developer, user.developer_id),
        "counts": _status_counts(user, *where),
        "recent": recent,
        "obligations": obligations_of(user),
        "projects": db.session.scalars(
            select(Project).where(Project.developer_id == user.developer_id).order_by(Project.name)
        ).all(),
    }


def mediator_home(user: User) -> dict:
    mediator = db.session.scalar(select(Mediator).where(Mediator.user_id == user.id))
    if mediator is None:
        return {"mediator": None, "counts": [], "recent": []}
    recent = db.session.scalars(
        visible_cases(user).options(*_CASE_ROW).where(Case.status != CaseStatus.CLOSED)
        .order_by(Case.mediation_deadline_at.asc(), Case.id).limit(RECENT)
    ).all()
    return {"mediator": mediator, "counts": _status_counts(user), "recent": recent}


def court_home(user: User) -> dict:
    recent = db.session.scalars(
        visible_cases(user).options(*_CASE_ROW)
        .order_by(Case.registered_at.desc(), Case.id.desc()).limit(RECENT)
    ).all()
    pending = db.session.scalar(
        visible_complaints(user, select(func.count()).select_from(Complaint))
        .where(Complaint.status == ComplaintStatus.SUBMITTED)
    )
    return {
        "court": db.session.get(Court, user.court_id),
        "counts": _status_counts(user),
        "recent": recent,
        "pending_complaints": pending,
    }


def admin_home() -> dict:
    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    return {
        "figures": {
            "courts": count(Court), "users": count(User), "developers": count(Developer),
            "projects": count(Project), "mediators": count(Mediator), "cases": count(Case),
            "complaints": count(Complaint),
        },
        "users": db.session.scalars(select(User).order_by(User.role, User.username).limit(50)).all(),
    }
