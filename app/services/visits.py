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

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Case, Complaint, Document, Mediator, NoticeKind, Person, Project, User, Visit, VisitCase
from app.notify.outbox import queue_notice
from app.services.case_notices import _claimant_accounts, _respondent_accounts, _day
from app.services.case_records import WORKLOAD, case_state, lock_cases, record, record_event, save_state
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.ids import parse_ids
from app.services.reminders import remind
from app.services.use_case import use_case
from mediation.lifecycle import COURT_TZ, CaseStatus, TransitionError, apply_transition
from mediation.messages import Msg
from mediation.visits import BookedVisit, ProposedVisit, VisitError, check_visit

__all__ = ["cancel_visit", "move_visit", "schedule_visit", "visits_between"]


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
    _check_clashes(ProposedVisit(mediator_id=mediator.id, project_id=project.id, room=room,
                                 starts_at=starts_at, ends_at=ends_at, case_ids=frozenset(ids),
                                 party_ids=frozenset()), now=now)
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
    remind("visit_scheduled", visit, now=now)
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


def _check_clashes(proposed: ProposedVisit, *, now: datetime, exclude_id: int | None = None) -> None:
    """Refuse a visit that double-books its mediator, its room or a party (ServiceError on
    the field), against every planned visit overlapping it but ``exclude_id`` (the visit
    being moved). Locks the overlapping rows so two bookings cannot both pass."""
    names = _party_ids(proposed.case_ids)
    proposed = ProposedVisit(mediator_id=proposed.mediator_id, project_id=proposed.project_id,
                             room=proposed.room, starts_at=proposed.starts_at, ends_at=proposed.ends_at,
                             case_ids=proposed.case_ids, party_ids=frozenset(names))
    query = (select(Visit).where(Visit.starts_at < proposed.ends_at, Visit.ends_at > proposed.starts_at,
                                 Visit.status == "planned")
             .options(selectinload(Visit.mediator).selectinload(Mediator.user), selectinload(Visit.project))
             .with_for_update())
    if exclude_id is not None:
        query = query.where(Visit.id != exclude_id)
    booked = []
    for other in db.session.scalars(query):
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


# --- Moving and cancelling -------------------------------------------------------------------


def may_change(user: User, visit: Visit) -> bool:
    """The visit's own mediator, or a judge of its court (as for its sheet)."""
    if user.role == "judge":
        return user.court_id == visit.court_id
    return user.role == "mediator" and visit.mediator.user_id == user.id


def visit_for_change(visit_id: int, actor: User) -> Visit:
    """The visit ``actor`` may move or cancel; a NotFoundError for anyone else's."""
    visit = db.session.scalar(select(Visit).where(Visit.id == visit_id).with_for_update())
    if visit is None or not may_change(actor, visit):
        raise NotFoundError(Msg("上门调解安排不存在", "No such visit"))
    return visit


def _changeable(visit: Visit, now: datetime) -> None:
    if visit.status == "cancelled":
        raise ConflictError(Msg("该次上门调解已取消", "This visit was cancelled"))
    if visit.starts_at <= now:
        raise ConflictError(Msg("该次上门调解已经开始，不能再改期或取消",
                                "This visit has begun; it can no longer be moved or cancelled"))


def _detach_sheet(visit: Visit) -> None:
    """The printed sheet shows the old state: keep it in the file, but the next print makes
    a new one (``documents.visit_id`` is unique per visit)."""
    db.session.execute(update(Document).where(Document.visit_id == visit.id).values(visit_id=None)
                       .execution_options(synchronize_session=False))


@use_case
def move_visit(visit_id: int, *, room: str, starts_at: datetime | None, ends_at: datetime | None,
               actor: User, now: datetime) -> Visit:
    """Move a planned visit to a new time and/or place at the site; the clash checks run
    again (the visit itself aside), the parties are told, the reminders re-planned."""
    visit = visit_for_change(visit_id, actor)
    _changeable(visit, now)
    room = (room or "").strip()
    if not room:
        raise ServiceError(Msg("请填写调解地点（如售楼部会议室）",
                               "Give the place (e.g. the sales office's meeting room)"), "room")
    if starts_at is None:
        raise ServiceError(Msg("请填写开始时间", "Give the start"), "starts_at")
    if ends_at is None:
        raise ServiceError(Msg("请填写结束时间", "Give the end"), "ends_at")
    if (room, starts_at, ends_at) == (visit.room, visit.starts_at, visit.ends_at):
        raise ServiceError(Msg("时间和地点都没有变化", "Neither the time nor the place changed"), "starts_at")
    cases = list(visit.cases)
    _check_clashes(ProposedVisit(mediator_id=visit.mediator_id, project_id=visit.project_id, room=room,
                                 starts_at=starts_at, ends_at=ends_at,
                                 case_ids=frozenset(c.id for c in cases), party_ids=frozenset()),
                   now=now, exclude_id=visit.id)
    before = _span(visit.starts_at, visit.ends_at) + visit.room
    visit.room, visit.starts_at, visit.ends_at = room, starts_at, ends_at
    visit.moved_at, visit.changed_by_id = now, actor.id
    _detach_sheet(visit)
    for case in cases:
        record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
               reason=Msg("上门调解改期：由{a}改为{b}", "Site visit moved from {a} to {b}",
                          a=before, b=_span(starts_at, ends_at) + room))
    _tell_change(visit, cases, actor=actor, now=now, cancelled=False, before=before)
    remind("visit_moved", visit, now=now)
    db.session.commit()
    return visit


@use_case
def cancel_visit(visit_id: int, *, reason: str, actor: User, now: datetime) -> Visit:
    """Cancel a planned visit with its reason; it stays on the calendars, marked, and books
    nobody. The parties are told and the "visit tomorrow" reminders cancelled."""
    visit = visit_for_change(visit_id, actor)
    _changeable(visit, now)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(Msg("请写明取消的原因", "Give the reason for cancelling"), "reason")
    cases = list(visit.cases)
    visit.status, visit.cancelled_at, visit.cancel_reason, visit.changed_by_id = "cancelled", now, reason, actor.id
    _detach_sheet(visit)
    for case in cases:
        record(case, actor=actor, now=now, from_status=case.status, to_status=case.status,
               reason=Msg("取消上门调解（{w}）：{r}", "Site visit ({w}) cancelled: {r}",
                          w=_span(visit.starts_at, visit.ends_at), r=reason))
    _tell_change(visit, cases, actor=actor, now=now, cancelled=True)
    remind("visit_cancelled", visit, now=now)
    db.session.commit()
    return visit


def _span(start: datetime, end: datetime) -> str:
    a, b = start.astimezone(COURT_TZ), end.astimezone(COURT_TZ)
    return f"{a:%Y-%m-%d %H:%M}—{b:%H:%M} "


def _tell_change(visit: Visit, cases: list[Case], *, actor: User, now: datetime, cancelled: bool,
                 before: str = "") -> None:
    """Every party of the visit's cases (and the mediator, when a judge changed it)."""
    project = visit.project
    members = list(db.session.scalars(select(Complaint).where(Complaint.case_id.in_([c.id for c in cases]))))
    numbers = "、".join(c.number for c in cases)
    numbers_en = ", ".join(c.number for c in cases)
    start = visit.starts_at.astimezone(COURT_TZ)
    end = visit.ends_at.astimezone(COURT_TZ)
    if cancelled:
        subject = Msg("上门调解取消：{place} {at}", "On-site mediation cancelled: {place} {at}",
                      place=project.name, at=f"{start:%m-%d %H:%M}")
        body = Msg("原定于{day} {start}至{end}在{place}{room}进行的案件{numbers}上门调解已取消。原因：{reason}\n"
                   "调解员将另行通知新的安排。",
                   "The on-site mediation of case(s) {numbers_en} at {place}{room} on {day}, {start} to {end} "
                   "is cancelled. Reason: {reason}\nThe mediator will tell you the new arrangement.",
                   day=_day(visit.starts_at), start=f"{start:%H:%M}", end=f"{end:%H:%M}", place=project.name,
                   room=visit.room, numbers=numbers, numbers_en=numbers_en, reason=visit.cancel_reason)
        key = f"visit_cancelled:visit:{visit.id}"
        kind = NoticeKind.VISIT_CANCELLED
    else:
        subject = Msg("上门调解改期：{place} {at}", "On-site mediation moved: {place} {at}",
                      place=project.name, at=f"{start:%m-%d %H:%M}")
        body = Msg("案件{numbers}的上门调解改为{day} {start}至{end}在{place}{room}进行（原定{before}）。\n"
                   "请按新的时间参加；不能参加的，请尽早与调解员联系。",
                   "The on-site mediation of case(s) {numbers_en} is moved to {day}, {start} to {end}, at "
                   "{place}{room} (was {before}).\nPlease attend at the new time; if you cannot, tell the "
                   "mediator as early as you can.",
                   day=_day(visit.starts_at), start=f"{start:%H:%M}", end=f"{end:%H:%M}", place=project.name,
                   room=visit.room, numbers=numbers, numbers_en=numbers_en, before=before.strip())
        key = f"visit_moved:visit:{visit.id}:{now:%Y%m%d%H%M%S}"
        kind = NoticeKind.VISIT_MOVED
    told = {u.id: u for u, _ in _claimant_accounts(members, actor)}
    told.update({u.id: u for u, _ in _respondent_accounts(members, actor)})
    mediator_user = visit.mediator.user
    if mediator_user.id != actor.id:
        told[mediator_user.id] = mediator_user
    for user in sorted(told.values(), key=lambda u: u.id):
        queue_notice(user=user, kind=kind, subject=subject, body=body, dedupe_key=f"{key}:user:{user.id}",
                     now=now, case_id=cases[0].id if len(cases) == 1 else None)


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
