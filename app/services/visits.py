"""Site visits (上门调解): schedule one for several cases of a project, list them by week or window.

``schedule_visit`` is the mediator's: the cases must be their own accepted cases of that
project, still in the mediation phase; the visit must double-book nobody
(``mediation.visits.check_visit``: the mediator, the room of the project, every person who
is a party). Cases still ``assigned`` become ``scheduled`` (安排调解) — refused after the
30 days ended; the parties are told. ``visits_between`` answers the API and the week
calendar: a mediator sees their own visits, a judge their court's. See docs/on-site.md.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Case, Complaint, Mediator, NoticeKind, Person, Project, User, Visit, VisitCase
from app.notify.outbox import queue_notice
from app.services.case_notices import _claimant_accounts, _respondent_accounts, _day
from app.services.case_records import WORKLOAD, case_state, lock_cases, record_event, save_state
from app.services.errors import ForbiddenError, ServiceError
from app.services.ids import parse_ids
from app.services.use_case import use_case
from mediation.lifecycle import COURT_TZ, CaseStatus, TransitionError, apply_transition
from mediation.messages import Msg
from mediation.visits import BookedVisit, ProposedVisit, VisitError, check_visit

__all__ = ["schedule_visit", "visits_between"]


def _own_mediator(actor: User) -> Mediator:
    mediator = (db.session.scalar(select(Mediator).where(Mediator.user_id == actor.id))
                if actor.role == "mediator" else None)
    if mediator is None:
        raise ForbiddenError(Msg("只有调解员可以安排上门调解", "Only a mediator schedules a visit"))
    return mediator


def _party_ids(case_ids) -> dict[int, str]:
    """Person id → name, for every person who is a party to these cases."""
    rows = db.session.execute(
        select(Person.id, Person.name).join(Complaint, (Complaint.claimant_person_id == Person.id)
                                            | (Complaint.respondent_person_id == Person.id))
        .where(Complaint.case_id.in_(list(case_ids)))).all()
    return dict(rows)


@use_case
def schedule_visit(project_id, case_ids, *, room: str, starts_at: datetime | None,
                   ends_at: datetime | None, note: str = "", actor: User, now: datetime) -> Visit:
    """Book a visit of the acting mediator to ``project_id`` for ``case_ids``."""
    mediator = _own_mediator(actor)
    room = (room or "").strip()
    if not room:
        raise ServiceError(Msg("请填写调解地点（如售楼部会议室）",
                               "Give the place (e.g. the sales office's meeting room)"), "room")
    if starts_at is None:
        raise ServiceError(Msg("请填写开始时间", "Give the start"), "starts_at")
    if ends_at is None:
        raise ServiceError(Msg("请填写结束时间", "Give the end"), "ends_at")
    ids = parse_ids(case_ids, "案件", "case_ids")
    project = db.session.get(Project, int(project_id)) if str(project_id).isdigit() else None
    if project is None:
        raise ServiceError(Msg("请选择项目", "Choose the project"), "project_id")
    cases = lock_cases(ids) if ids else []
    for case in cases:
        if case.mediator_id != mediator.id or case.accepted_at is None:
            raise ServiceError(Msg("案件{n}不是您已接受的案件", "Case {n} is not one you accepted",
                                   n=case.number), "case_ids")
        if case.project_id != project.id:
            raise ServiceError(Msg("案件{n}不属于该项目", "Case {n} is not about this project",
                                   n=case.number), "case_ids")
        if case.status not in WORKLOAD:
            raise ServiceError(Msg("案件{n}已不在调解阶段", "Case {n} is no longer in mediation",
                                   n=case.number), "case_ids")
    if len(cases) != len(ids):
        raise ServiceError(Msg("案件不存在", "No such case"), "case_ids")
    names = _party_ids(ids)
    proposed = ProposedVisit(mediator_id=mediator.id, project_id=project.id, room=room,
                             starts_at=starts_at, ends_at=ends_at, case_ids=frozenset(ids),
                             party_ids=frozenset(names))
    overlapping = list(db.session.scalars(
        select(Visit).where(Visit.starts_at < ends_at, Visit.ends_at > starts_at)
        .options(selectinload(Visit.mediator).selectinload(Mediator.user),
                 selectinload(Visit.project)).with_for_update()))
    booked = []
    for other in overlapping:
        other_ids = [c for (c,) in db.session.execute(
            select(VisitCase.case_id).where(VisitCase.visit_id == other.id))]
        other_parties = _party_ids(other_ids)
        names.update(other_parties)
        booked.append(BookedVisit(
            mediator_id=other.mediator_id, project_id=other.project_id, room=other.room,
            starts_at=other.starts_at, ends_at=other.ends_at, case_ids=frozenset(other_ids),
            party_ids=frozenset(other_parties), id=other.id,
            mediator_name=other.mediator.user.name, project_name=other.project.name))
    try:
        check_visit(proposed, booked, now=now, party_names=names)
    except VisitError as error:
        raise ServiceError(error.message, error.field) from None
    visit = Visit(court_id=mediator.court_id, mediator_id=mediator.id, project_id=project.id,
                  room=room, starts_at=starts_at, ends_at=ends_at, note=(note or "").strip(),
                  created_by_id=actor.id, created_at=now)
    db.session.add(visit)
    db.session.flush()
    for case in cases:
        db.session.add(VisitCase(visit_id=visit.id, case_id=case.id))
        if case.status == CaseStatus.ASSIGNED.value:
            try:
                result = apply_transition(case_state(case), CaseStatus.SCHEDULED,
                                          actor_role=actor.role, now=now,
                                          reason=Msg("安排上门调解：{place}{room}",
                                                     "On-site mediation scheduled: {place}{room}",
                                                     place=project.name, room=room))
            except TransitionError as error:
                raise ServiceError(Msg("案件{n}：{m}", "Case {n}: {m_en}", n=case.number,
                                       m=str(error.message),
                                       m_en=getattr(error.message, "en", str(error.message))),
                                   "case_ids") from None
            save_state(case, result.state, now)
            record_event(case, result.event, actor)
    _tell_parties(visit, cases, project, room, actor=actor, now=now)
    db.session.commit()
    return visit


def _tell_parties(visit: Visit, cases: list[Case], project: Project, room: str, *, actor: User,
                  now: datetime) -> None:
    members = list(db.session.scalars(select(Complaint).where(
        Complaint.case_id.in_([c.id for c in cases]))))
    start = visit.starts_at.astimezone(COURT_TZ)
    end = visit.ends_at.astimezone(COURT_TZ)
    numbers = "、".join(c.number for c in cases)
    body = Msg("调解员{name}将于{day} {start}至{end}在{place}{room}上门调解案件{numbers}。\n"
               "请按时参加；不能参加的，请尽早与调解员联系。",
               "Mediator {name} will mediate case(s) {numbers_en} on site at {place}{room} on "
               "{day}, {start} to {end}.\nPlease attend on time; if you cannot, tell the "
               "mediator as early as you can.",
               name=actor.name, day=_day(visit.starts_at), start=f"{start:%H:%M}",
               end=f"{end:%H:%M}", place=project.name, room=room, numbers=numbers,
               numbers_en=", ".join(c.number for c in cases))
    told = {u.id: u for u, _ in _claimant_accounts(members, actor)}
    told.update({u.id: u for u, _ in _respondent_accounts(members, actor)})
    for user in sorted(told.values(), key=lambda u: u.id):
        queue_notice(user=user, kind=NoticeKind.VISIT_SCHEDULED,
                     subject=Msg("上门调解通知：{place} {at}", "On-site mediation: {place} {at}",
                                 place=project.name, at=f"{start:%m-%d %H:%M}"), body=body,
                     dedupe_key=f"visit_scheduled:visit:{visit.id}:user:{user.id}", now=now,
                     case_id=cases[0].id if len(cases) == 1 else None)


def visits_between(*, actor: User, start: datetime, end: datetime,
                   project_id: int | None = None) -> list[Visit]:
    """The visits overlapping [start, end): a mediator's own, a judge's court's."""
    query = (select(Visit).where(Visit.starts_at < end, Visit.ends_at > start)
             .options(selectinload(Visit.cases), selectinload(Visit.project),
                      selectinload(Visit.mediator).selectinload(Mediator.user))
             .order_by(Visit.starts_at, Visit.id))
    if actor.role == "mediator":
        query = query.join(Mediator, Mediator.id == Visit.mediator_id).where(
            Mediator.user_id == actor.id)
    elif actor.role == "judge":
        query = query.where(Visit.court_id == actor.court_id)
    else:
        raise ForbiddenError(Msg("只有调解员和法官可以查看上门调解安排",
                                 "Only mediators and judges see site visits"))
    if project_id is not None:
        query = query.where(Visit.project_id == project_id)
    return list(db.session.scalars(query))
