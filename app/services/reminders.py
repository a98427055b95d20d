"""Reminders planned by events, in the event's own transaction (docs/reminders.md).

One call, from the use-case that records the event, before its one commit::

    remind("inquiry_issued", inquiry, now=now)

looks the event up in ``EVENTS`` (event name → how to read the subject and which rule of
``mediation.reminders`` applies), finds the accounts behind each recipient role, inserts
each planned reminder under its unique ``dedupe_key`` (``INSERT … ON CONFLICT DO
NOTHING``: an event recorded twice plans nothing new) and cancels the pending reminders of
the kinds the event cancels on the same subject (those it plans again are kept). Adding
an event is one entry in ``EVENTS`` and one ``remind(...)`` line in its use-case.

Case changes need no line of their own: ``app.services.case_records.record`` — every
line of every case's timeline — marks the case, and just before the commit (a
``before_commit`` hook on the session) each marked case's reminders are recomputed from
its final state (``mediation.reminders.case_changed``). Nothing here commits.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import (
    Agreement, Case, Complaint, ComplianceInquiry, Mediator, Project, Reminder, ReminderChannel,
    ReminderStatus, Role, User, Visit, VisitCase,
)
from app.models.types import upsert_insert
from mediation import reminders as rules
from mediation.lifecycle import CaseStatus, court_date, date_zh
from mediation.reminders import Plan, Recipient
from risk.workdays import is_working_day

__all__ = ["EVENTS", "Subject", "apply_plan", "case_touched", "remind"]

KEY_MAX = 200


@dataclass
class Subject:
    """What a plan is about, and how to find the people its recipient roles name."""

    type: str
    id: int
    court_id: int | None = None
    case_ids: tuple[int, ...] = ()
    judge_ids: tuple[int, ...] = ()
    developer_ids: tuple[int, ...] = ()
    payload: dict = field(default_factory=dict)


# --- Who ---------------------------------------------------------------------------------------


def _active(query) -> list[User]:
    return list(db.session.scalars(query.where(User.active.is_(True)).order_by(User.id)))


def _judges(subject: Subject) -> list[User]:
    if subject.judge_ids:
        found = _active(select(User).where(User.id.in_(subject.judge_ids),
                                           User.role == Role.JUDGE))
        if found:
            return found
    if subject.court_id is None:
        return []
    return _active(select(User).where(User.role == Role.JUDGE, User.court_id == subject.court_id))


def _mediators(subject: Subject) -> list[User]:
    if not subject.case_ids:
        return []
    return _active(select(User).join(Mediator, Mediator.user_id == User.id)
                   .join(Case, Case.mediator_id == Mediator.id)
                   .where(Case.id.in_(subject.case_ids)))


def _developers(subject: Subject) -> list[User]:
    if not subject.developer_ids:
        return []
    return _active(select(User).where(User.role == Role.DEVELOPER,
                                      User.developer_id.in_(subject.developer_ids)))


def _parties(subject: Subject) -> list[User]:
    from app.services.case_notices import _accounts, _claimant, _respondent

    complaints = db.session.scalars(select(Complaint).where(
        Complaint.case_id.in_(subject.case_ids))).all() if subject.case_ids else []
    keys = {k for c in complaints for k in (_claimant(c), _respondent(c)) if k is not None}
    users = {u.id: u for found in _accounts(keys).values() for u in found}
    return [users[i] for i in sorted(users)]


RECIPIENTS: dict[Recipient, Callable[[Subject], list[User]]] = {
    Recipient.JUDGE: _judges, Recipient.MEDIATOR: _mediators,
    Recipient.DEVELOPER: _developers, Recipient.PARTIES: _parties,
}


# --- Applying a plan ------------------------------------------------------------------------


def apply_plan(subject: Subject, plan: Plan, *, now: datetime,
               channel: ReminderChannel = ReminderChannel.NOTICE) -> int:
    """Store ``plan``'s reminders for ``subject`` and cancel what it cancels; returns the
    number of reminders newly planned."""
    table = Reminder.__table__
    insert = upsert_insert(db.session.get_bind())
    keys: set[str] = set()
    created = 0
    people: dict[Recipient, list[User]] = {}
    for planned in plan.create:
        if planned.recipient not in people:
            people[planned.recipient] = RECIPIENTS[planned.recipient](subject)
        for user in people[planned.recipient]:
            key = f"{subject.type}:{subject.id}:{planned.dedupe_part()}:u{user.id}"
            if len(key) > KEY_MAX:
                raise ValueError(f"dedupe key longer than {KEY_MAX} characters: {key!r}")
            keys.add(key)
            row = db.session.execute(
                insert(table).values(
                    kind=planned.kind.value, recipient_id=user.id, channel=channel.value,
                    court_id=subject.court_id, subject_type=subject.type, subject_id=subject.id,
                    case_id=subject.case_ids[0] if len(subject.case_ids) == 1 else None,
                    payload={**subject.payload, "key": planned.key,
                             "recipient": planned.recipient.value},
                    due_at=planned.due_at, status=ReminderStatus.PENDING.value, attempts=0,
                    dedupe_key=key, created_at=now)
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
                .returning(table.c.id)).first()
            created += row is not None
    if plan.cancel:
        conditions = [table.c.subject_type == subject.type, table.c.subject_id == subject.id,
                      table.c.status == ReminderStatus.PENDING.value,
                      table.c.kind.in_([k.value for k in plan.cancel])]
        if keys:
            conditions.append(table.c.dedupe_key.notin_(keys))
        db.session.execute(update(table).where(*conditions).values(
            status=ReminderStatus.CANCELLED.value, settled_at=now))
    return created


# --- The events ------------------------------------------------------------------------------


def _case_subject(case: Case, **payload) -> Subject:
    project = db.session.get(Project, case.project_id)
    return Subject("case", case.id, court_id=case.court_id, case_ids=(case.id,),
                   judge_ids=(case.judge_id,) if case.judge_id else (),
                   developer_ids=(case.developer_id,),
                   payload={"number": case.number, "project": project.name if project else "",
                            **payload})


def _case_changed(case: Case, now: datetime) -> tuple[Subject, Plan]:
    deadline = court_date(case.mediation_deadline_at) if case.mediation_deadline_at else None
    status = CaseStatus(case.status)
    facts = rules.CaseFacts(
        status=status, registered_at=case.registered_at, assigned_at=case.assigned_at,
        accepted_at=case.accepted_at, mediation_deadline=deadline,
        step_due=court_date(case.response_due_at) if case.response_due_at else None)
    plan = rules.case_changed(facts, now=now, is_working_day=is_working_day)
    if status is CaseStatus.CONFIRMED:
        plan = Plan(plan.create, plan.cancel | rules.agreement_confirmed().cancel)
    step = court_date(case.response_due_at) if case.response_due_at else None
    return _case_subject(case, deadline=date_zh(deadline) if deadline else "",
                         step_due=date_zh(step) if step else ""), plan


def _inquiry_subject(inquiry: ComplianceInquiry) -> Subject:
    project = db.session.get(Project, inquiry.project_id)
    return Subject("inquiry", inquiry.id, court_id=inquiry.court_id,
                   judge_ids=(inquiry.issued_by_id,) if inquiry.issued_by_id else (),
                   developer_ids=(inquiry.developer_id,),
                   payload={"project": project.name if project else "",
                            "deadline": date_zh(inquiry.deadline_on)})


def _inquiry_issued(inquiry: ComplianceInquiry, now: datetime) -> tuple[Subject, Plan]:
    return _inquiry_subject(inquiry), rules.inquiry_issued(
        inquiry.deadline_on, now=now, is_working_day=is_working_day)


def _inquiry_answered(inquiry: ComplianceInquiry, now: datetime) -> tuple[Subject, Plan]:
    return _inquiry_subject(inquiry), rules.inquiry_answered()


def _visit_scheduled(visit: Visit, now: datetime) -> tuple[Subject, Plan]:
    case_ids = tuple(db.session.scalars(select(VisitCase.case_id).where(
        VisitCase.visit_id == visit.id).order_by(VisitCase.case_id)))
    project = db.session.get(Project, visit.project_id)
    start = visit.starts_at
    subject = Subject("visit", visit.id, court_id=visit.court_id, case_ids=case_ids,
                      payload={"project": project.name if project else "", "room": visit.room,
                               "starts": f"{date_zh(court_date(start))} "
                                         f"{start.astimezone(rules.COURT_TZ):%H:%M}"})
    version = f"m{visit.moved_at:%Y%m%d%H%M%S}" if visit.moved_at else ""
    return subject, rules.visit_scheduled(start, now=now, version=version)


def _visit_cancelled(visit: Visit, now: datetime) -> tuple[Subject, Plan]:
    return _visit_scheduled(visit, now)[0], rules.visit_cancelled()


def _agreement_effective(agreement: Agreement, now: datetime) -> tuple[Subject, Plan]:
    case = agreement.case
    milestones = [(i, date.fromisoformat(m["due"]))
                  for i, m in enumerate((agreement.content or {}).get("milestones") or ())]
    subject = _case_subject(case, agreement_id=agreement.id,
                            effective=date_zh(court_date(agreement.effective_at)),
                            milestones=[m.get("what", "") for m in
                                        (agreement.content or {}).get("milestones") or ()])
    return subject, rules.agreement_effective(agreement.effective_at, milestones, now=now)


def _warning_raised(change, now: datetime) -> tuple[Subject, Plan]:
    """A risk level rose: the developer acknowledges it (``change``: a RiskLevelChange)."""
    if change.developer_id is not None:
        developer_id, court_id, name = change.developer_id, None, ""
    else:
        project = db.session.get(Project, change.project_id)
        developer_id, court_id, name = project.developer_id, project.court_id, project.name
    subject = Subject("warning", change.id, court_id=court_id, developer_ids=(developer_id,),
                      payload={"project": name, "level": change.to_level})
    return subject, rules.warning_issued(now, now=now, is_working_day=is_working_day)


#: Event name → (subject row, now) → (the subject, the rule's plan). One line per event.
EVENTS: dict[str, Callable[..., tuple[Subject, Plan]]] = {
    "case_changed": _case_changed,
    "inquiry_issued": _inquiry_issued,
    "inquiry_answered": _inquiry_answered,
    "visit_scheduled": _visit_scheduled,
    "visit_moved": _visit_scheduled,  # the new time's reminder; the old one is cancelled
    "visit_cancelled": _visit_cancelled,
    "agreement_effective": _agreement_effective,
    "warning_raised": _warning_raised,
}


def remind(event_name: str, row, *, now: datetime) -> int:
    """Plan (and cancel) the reminders ``event_name`` calls for; in the caller's transaction."""
    db.session.flush()
    subject, plan = EVENTS[event_name](row, now)
    return apply_plan(subject, plan, now=now)


# --- Cases: recomputed at the commit ---------------------------------------------------------

_PENDING_CASES = "reminders.cases"


def case_touched(case: Case, now: datetime) -> None:
    """Mark ``case`` for recomputing its reminders just before this transaction commits."""
    db.session.info.setdefault(_PENDING_CASES, {})[id(case)] = (case, now)


@event.listens_for(Session, "before_commit")
def _plan_touched_cases(session: Session) -> None:
    touched = session.info.pop(_PENDING_CASES, None)
    if not touched:
        return
    session.flush()
    for case, now in touched.values():
        if case.id is None or case.status is None or case in session.deleted:
            continue
        subject, plan = _case_changed(case, now)
        apply_plan(subject, plan, now=now)


@event.listens_for(Session, "after_rollback")
def _forget_touched_cases(session: Session) -> None:
    session.info.pop(_PENDING_CASES, None)
