"""The delegated mediator's answer, and the end of a period run out (人民法院在线调解规则 arts. 12, 24, 25).

- ``accept_case``: the case's own mediator accepts; the 30-day period starts that day
  (``mediation.delegation.accept_delegation``); the claimants are told.
- ``decline_case``: the mediator declines or recuses (回避) with the ground; the case goes
  back to the pool (registered, 3 working days to delegate it again) and the judge is told.
- ``end_expired_mediations``: every case of the court(s) whose period ended without an
  agreement or an extension becomes 调解不成 with the ground of art. 25; parties and judge
  are told. Run daily (``flask cases expire``); harmless when run twice — an ended case is
  no longer in the mediation phase.

See docs/on-site.md.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Case, Mediator, User
from app.services import delegation_notices
from app.services.case_records import (
    WORKLOAD, case_for, case_state, check_expected, lock_cases, record, record_event, save_state,
)
from app.services.errors import ForbiddenError, ServiceError
from app.services.use_case import use_case
from mediation.delegation import accept_delegation, end_expired_mediation
from mediation.lifecycle import CaseStatus, TransitionError, apply_transition
from mediation.messages import Msg
from app.services.holidays import court_calendar

__all__ = ["accept_case", "decline_case", "end_expired_mediations"]


def _own_delegation(case: Case, actor: User) -> Mediator:
    mediator = db.session.get(Mediator, case.mediator_id) if case.mediator_id else None
    if actor.role != "mediator" or mediator is None or mediator.user_id != actor.id:
        raise ForbiddenError(Msg("只有受委派的调解员可以答复委派",
                                 "Only the delegated mediator can answer the delegation"))
    return mediator


@use_case
def accept_case(case_id: int, *, actor: User, now: datetime,
                expected_status: str | None = None) -> Case:
    """The delegated mediator accepts the case: the 30-day mediation period starts now."""
    case = case_for(case_id, actor)
    check_expected(case, expected_status)
    mediator = _own_delegation(case, actor)
    try:
        # The clerk's holiday notices count (an estimated year otherwise).
        result = accept_delegation(case_state(case), actor_role=actor.role, now=now,
                                   is_working_day=court_calendar().is_working_day)
    except TransitionError as error:
        raise ServiceError(error.message, error.field) from None
    save_state(case, result.state, now)
    record_event(case, result.event, actor)
    delegation_notices.accepted(case, mediator, result.state.deadline, actor=actor, now=now)
    db.session.commit()
    return case


@use_case
def decline_case(case_id: int, reason: str, *, actor: User, now: datetime,
                 expected_status: str | None = None) -> Case:
    """The delegated mediator declines or recuses (回避) with the ground; the judge is told."""
    case = case_for(case_id, actor)
    check_expected(case, expected_status)
    mediator = _own_delegation(case, actor)
    reason = (reason or "").strip()
    try:
        result = apply_transition(case_state(case), CaseStatus.REGISTERED, actor_role=actor.role,
                                  now=now, reason=reason)
    except TransitionError as error:
        raise ServiceError(error.message, error.field) from None
    save_state(case, result.state, now)
    record(case, actor=actor, now=now, from_status=result.event.from_status.value,
           to_status=CaseStatus.REGISTERED.value,
           reason=Msg("调解员{name}拒绝或回避：{reason}；案件退回待分派",
                      "Mediator {name} declined or recused: {reason}; the case is back in the pool",
                      name=mediator.user.name, reason=reason))
    delegation_notices.declined(case, mediator, reason, actor=actor, now=now)
    db.session.commit()
    return case


@use_case
def end_expired_mediations(*, now: datetime, court_id: int | None = None) -> list[str]:
    """End every mediation whose period ran out (art. 25); return the case numbers ended."""
    query = select(Case.id).where(Case.status.in_(WORKLOAD), Case.mediation_deadline_at < now)
    if court_id is not None:
        query = query.where(Case.court_id == court_id)
    ids = list(db.session.scalars(query.order_by(Case.id)))
    ended = []
    for case in lock_cases(ids) if ids else []:
        state = case_state(case)
        if not state.is_overdue(now):
            continue  # extended or ended meanwhile
        result = end_expired_mediation(state, now=now)
        save_state(case, result.state, now)
        record(case, actor=None, now=now, from_status=result.event.from_status.value,
               to_status=result.event.to_status.value, reason=result.event.reason)
        delegation_notices.expired(case, state.deadline, now=now)
        ended.append(case.number)
    db.session.commit()
    return ended
