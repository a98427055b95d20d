"""Suggestions for the judge's assignment page: the court's open cases, its mediators, the solver.

``suggestions`` builds the ``mediation.assign`` scenario from the database — the court's
registered cases, the projects they concern (their coordinates, else their town's centre),
the court's mediators with their open-case load, their leave on the day, declared
conflicts, skills and base (else their home town's centre) — and calls the pure solver: the
maximum assignment of least travel and load (docs/mediator-assignment.md). Nothing is
saved: the judge reads the reasons and accepts all, some, or overrides one.

``accept_assignments`` delegates the chosen pairs in one use-case: each through the same
check as the judge's one-case choice (``app.services.cases.delegate``), so an override
that breaks eligibility is refused with the rule's reason and nothing is assigned.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Case, Mediator, Project, User
from app.services import mediator_registry
from app.services.cases import delegate
from app.services.case_records import lock_cases
from app.services.errors import ForbiddenError, NotFoundError, ServiceError
from app.services.ids import parse_ids
from app.services.use_case import use_case
from mediation.assign import suggest_assignments
from mediation.assign.scenario import AssignmentScenario, MediatorProfile, OpenCase, ProjectSite
from mediation.lifecycle import CaseStatus, court_date
from mediation.messages import Msg

__all__ = ["SuggestionPage", "accept_assignments", "suggestions"]

#: A court assigns its backlog in pages a judge can read.
MAX_CASES = 500


@dataclass
class SuggestedRow:
    case: Case
    mediator: Mediator | None  # None: left out
    distance_km: float | None
    reasons: tuple[str, ...]


@dataclass
class SuggestionPage:
    rows: list[SuggestedRow]  # suggested first, then the left-out
    mediators: list[Mediator]  # every mediator of the court, for overrides
    total_cost: float = 0.0
    unlocated: list[str] = field(default_factory=list)  # mediators without a base


def _point(lat, lon, town):
    if lat is not None and lon is not None:
        return lat, lon
    if town is not None and town.latitude is not None and town.longitude is not None:
        return town.latitude, town.longitude
    return None


def suggestions(*, actor: User, now: datetime) -> SuggestionPage:
    """The optimal suggestion for the judge's court's registered cases, with reasons."""
    if actor.role != "judge":
        raise ForbiddenError(Msg("只有法官可以分派调解员", "Only a judge can assign a mediator"))
    court_id = actor.court_id
    cases = list(db.session.scalars(
        select(Case).where(Case.court_id == court_id, Case.status == CaseStatus.REGISTERED.value)
        .options(selectinload(Case.project).selectinload(Project.town), selectinload(Case.developer))
        .order_by(Case.registered_at, Case.id).limit(MAX_CASES)))
    mediators = list(db.session.scalars(
        select(Mediator).where(Mediator.court_id == court_id)
        .options(selectinload(Mediator.user), selectinload(Mediator.home_town),
                 selectinload(Mediator.leaves), selectinload(Mediator.conflicts))
        .order_by(Mediator.id)))
    loads = mediator_registry.workloads(court_id)
    today = court_date(now)
    sites, open_cases, no_site = {}, [], []
    for case in cases:
        point = _point(case.project.latitude, case.project.longitude, case.project.town)
        if point is None:
            no_site.append(case)
            continue
        sites[str(case.project_id)] = ProjectSite(str(case.project_id), *point)
        open_cases.append(OpenCase(str(case.id), case.dispute_type, str(case.developer_id),
                                   str(case.project_id)))
    profiles, unlocated = [], []
    for m in mediators:
        standing = mediator_registry.standing(m, load=loads.get(m.id, 0))
        point = _point(m.base_lat, m.base_lon, m.home_town)
        if point is None:
            unlocated.append(m.user.name)
            continue
        on_leave = any(first <= today <= last for first, last in standing.leave)
        profiles.append(MediatorProfile(
            id=str(m.id), skills=standing.skills, lat=point[0], lon=point[1],
            capacity=standing.capacity_left, load=loads.get(m.id, 0),
            conflicts=standing.conflicts, available=standing.active and not on_leave))
    result = suggest_assignments(AssignmentScenario(
        cases=tuple(open_cases), projects=tuple(sites.values()), mediators=tuple(profiles)))
    by_case = {str(c.id): c for c in cases}
    by_mediator = {str(m.id): m for m in mediators}
    rows = [SuggestedRow(by_case[s.case_id], by_mediator[s.mediator_id], s.distance_km, s.reasons)
            for s in result.assignments]
    rows += [SuggestedRow(by_case[u.case_id], None, None, u.reasons) for u in result.unassigned]
    rows += [SuggestedRow(c, None, None, (Msg("项目及其所在镇均无坐标，无法计算距离，请手工分派",
                                                "Neither the project nor its town has coordinates: no distance, "
                                                "assign by hand"),))
             for c in no_site]
    return SuggestionPage(rows=rows, mediators=mediators, total_cost=result.total_cost,
                          unlocated=unlocated)


@use_case
def accept_assignments(pairs, *, actor: User, now: datetime) -> list[Case]:
    """Delegate each (case id, mediator id) pair — all, or none when one is refused."""
    if actor.role != "judge":
        raise ForbiddenError(Msg("只有法官可以分派调解员", "Only a judge can assign a mediator"))
    pairs = list(pairs)
    if not pairs:
        raise ServiceError(Msg("请至少选择一件案件", "Choose at least one case"), "case_ids")
    case_ids = parse_ids([c for c, _ in pairs], "案件", "case_ids")
    found = {c.id: c for c in lock_cases(case_ids)}
    done = []
    for case_id, mediator_id in zip(case_ids, (m for _, m in pairs)):
        case = found.get(case_id)
        if case is None or case.court_id != actor.court_id:
            raise NotFoundError(Msg("案件不存在或您无权查看", "No such case, or you may not see it"))
        try:
            delegate(case, mediator_id, actor=actor, now=now,
                     expected_status=CaseStatus.REGISTERED.value)
        except ServiceError as error:
            raw = error.raw_message
            raise type(error)(Msg("案件{n}：{m}", "Case {n}: {m_en}", n=case.number, m=str(raw),
                                  m_en=getattr(raw, "en", str(raw))), f"mediator_{case_id}") from None
        done.append(case)
    db.session.commit()
    return done
