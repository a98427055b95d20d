"""The mediator registry the clerk keeps, and each mediator's standing on a given day.

The clerk (admin) of a court edits its mediators: kind, skills (dispute types), base town
and coordinates, capacity, active or not, leave (date ranges), declared conflicts
(developers). The assignment — a judge's choice or the suggestions — reads the same rows
through :func:`standing`, so "eligible" means one thing everywhere
(``mediation.delegation.eligibility_refusal``). See docs/on-site.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import Case, Developer, Mediator, MediatorConflict, MediatorLeave, Town, User
from app.models.mediators import MEDIATOR_KINDS
from app.services.case_records import WORKLOAD
from app.services.errors import NotFoundError, ServiceError
from app.services.use_case import use_case
from mediation.delegation import MediatorStanding, eligibility_refusal
from mediation.disputes import DisputeType
from mediation.lifecycle import court_date
from mediation.messages import Msg

__all__ = [
    "MediatorEdit", "add_conflict", "add_leave", "court_mediators", "mediator_for_clerk",
    "refusal_for", "remove_conflict", "remove_leave", "standing", "update_mediator", "workloads",
]

#: A base far outside any court would put every project thousands of km away; the form
#: still accepts any point on Earth, the database checks the ranges.
MAX_CAPACITY = 500


def workloads(court_id: int) -> dict[int, int]:
    """Open cases (the mediation phase) per mediator of the court."""
    rows = db.session.execute(
        select(Case.mediator_id, func.count()).where(
            Case.court_id == court_id, Case.mediator_id.is_not(None), Case.status.in_(WORKLOAD))
        .group_by(Case.mediator_id)).all()
    return {mediator_id: n for mediator_id, n in rows}


def _load(mediator_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Case).where(
        Case.mediator_id == mediator_id, Case.status.in_(WORKLOAD)))


def standing(mediator: Mediator, *, load: int | None = None) -> MediatorStanding:
    """The mediator as eligibility sees it (leave ranges, conflicts, capacity left)."""
    load = _load(mediator.id) if load is None else load
    return MediatorStanding(
        name=mediator.user.name,
        active=bool(mediator.active and mediator.user.active),
        skills=frozenset(mediator.skills or ()),
        conflicts=frozenset(str(c.developer_id) for c in mediator.conflicts),
        leave=tuple((leave.starts_on, leave.ends_on) for leave in mediator.leaves),
        capacity_left=max(mediator.capacity - load, 0),
    )


def refusal_for(mediator: Mediator, case: Case, *, now: datetime) -> Msg | None:
    """Why ``mediator`` may not take ``case`` today, or None."""
    return eligibility_refusal(standing(mediator), dispute_type=case.dispute_type,
                               developer_id=str(case.developer_id),
                               developer_name=case.developer.name, on=court_date(now))


def court_mediators(court_id: int) -> list[Mediator]:
    return list(db.session.scalars(
        select(Mediator).join(User, User.id == Mediator.user_id)
        .where(Mediator.court_id == court_id).order_by(Mediator.active.desc(), User.name)))


def mediator_for_clerk(mediator_id: int, actor: User) -> Mediator:
    """The mediator, if it belongs to the clerk's court; NotFoundError otherwise."""
    mediator = db.session.get(Mediator, mediator_id)
    if mediator is None or actor.role != "admin" or mediator.court_id != actor.court_id:
        raise NotFoundError(Msg("调解员不存在", "No such mediator"))
    return mediator


@dataclass(frozen=True)
class MediatorEdit:
    """The clerk's form, already typed by the form layer (WTForms)."""

    kind: str
    skills: tuple[str, ...]
    home_town_id: int | None
    base_lat: float | None
    base_lon: float | None
    capacity: int
    active: bool


def _check(edit: MediatorEdit) -> None:
    if edit.kind not in MEDIATOR_KINDS:
        raise ServiceError(Msg("未知的调解员类别", "Unknown kind of mediator"), "kind")
    unknown = [s for s in edit.skills if s not in {t.value for t in DisputeType}]
    if unknown:
        raise ServiceError(Msg("未知的纠纷类型：{s}", "Unknown dispute type: {s}",
                               s="、".join(unknown)), "skills")
    if not 0 <= edit.capacity <= MAX_CAPACITY:
        raise ServiceError(Msg("接案上限应在0至{m}件之间", "Capacity must be between 0 and {m}",
                               m=MAX_CAPACITY), "capacity")
    if (edit.base_lat is None) != (edit.base_lon is None):
        field = "base_lon" if edit.base_lon is None else "base_lat"
        raise ServiceError(Msg("经度和纬度须同时填写", "Give both latitude and longitude"), field)
    if edit.base_lat is not None and not -90 <= edit.base_lat <= 90:
        raise ServiceError(Msg("纬度应在-90至90之间", "Latitude must be between -90 and 90"),
                           "base_lat")
    if edit.base_lon is not None and not -180 <= edit.base_lon <= 180:
        raise ServiceError(Msg("经度应在-180至180之间", "Longitude must be between -180 and 180"),
                           "base_lon")
    if edit.home_town_id is not None and db.session.get(Town, edit.home_town_id) is None:
        raise ServiceError(Msg("请选择所在镇", "Choose the base town"), "home_town_id")


@use_case
def update_mediator(mediator_id: int, edit: MediatorEdit, *, actor: User, now: datetime) -> Mediator:
    """Save the clerk's edit of a mediator's registry entry."""
    mediator = mediator_for_clerk(mediator_id, actor)
    _check(edit)
    mediator.kind = edit.kind
    mediator.skills = sorted(set(edit.skills))
    mediator.home_town_id = edit.home_town_id
    mediator.base_lat, mediator.base_lon = edit.base_lat, edit.base_lon
    mediator.capacity = edit.capacity
    mediator.active = edit.active
    db.session.commit()
    return mediator


@use_case
def add_leave(mediator_id: int, starts_on: date | None, ends_on: date | None, reason: str, *,
              actor: User, now: datetime) -> MediatorLeave:
    """Record a leave (both days included); overlapping an existing leave is refused."""
    mediator = mediator_for_clerk(mediator_id, actor)
    if starts_on is None:
        raise ServiceError(Msg("请填写休假开始日期", "Give the first day of leave"), "starts_on")
    if ends_on is None:
        raise ServiceError(Msg("请填写休假结束日期", "Give the last day of leave"), "ends_on")
    if ends_on < starts_on:
        raise ServiceError(Msg("结束日期不能早于开始日期",
                               "The last day cannot be before the first"), "ends_on")
    for other in mediator.leaves:
        if other.starts_on <= ends_on and starts_on <= other.ends_on:
            raise ServiceError(Msg("与已登记的休假（{a}至{b}）重叠",
                                   "Overlaps the leave already recorded ({a} to {b})",
                                   a=other.starts_on.isoformat(), b=other.ends_on.isoformat()),
                               "starts_on")
    leave = MediatorLeave(mediator_id=mediator.id, starts_on=starts_on, ends_on=ends_on,
                          reason=(reason or "").strip()[:200])
    db.session.add(leave)
    db.session.commit()
    return leave


@use_case
def remove_leave(mediator_id: int, leave_id: int, *, actor: User, now: datetime) -> None:
    mediator = mediator_for_clerk(mediator_id, actor)
    db.session.execute(delete(MediatorLeave).where(MediatorLeave.id == leave_id,
                                                   MediatorLeave.mediator_id == mediator.id))
    db.session.commit()


@use_case
def add_conflict(mediator_id: int, developer_id: int | None, reason: str, *, actor: User,
                 now: datetime) -> MediatorConflict:
    """Record a declared conflict with a developer (never assigned its cases)."""
    mediator = mediator_for_clerk(mediator_id, actor)
    developer = db.session.get(Developer, developer_id) if developer_id else None
    if developer is None:
        raise ServiceError(Msg("请选择开发企业", "Choose the developer"), "developer_id")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(Msg("请填写利益冲突的事由", "Give the ground of the conflict"), "reason")
    if any(c.developer_id == developer.id for c in mediator.conflicts):
        raise ServiceError(Msg("已登记与{d}的利益冲突", "A conflict with {d} is already recorded",
                               d=developer.name), "developer_id")
    conflict = MediatorConflict(mediator_id=mediator.id, developer_id=developer.id,
                                reason=reason[:200])
    db.session.add(conflict)
    db.session.commit()
    return conflict


@use_case
def remove_conflict(mediator_id: int, conflict_id: int, *, actor: User, now: datetime) -> None:
    mediator = mediator_for_clerk(mediator_id, actor)
    db.session.execute(delete(MediatorConflict).where(MediatorConflict.id == conflict_id,
                                                      MediatorConflict.mediator_id == mediator.id))
    db.session.commit()
