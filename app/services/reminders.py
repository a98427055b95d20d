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

from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import (
    Agreement, Case, Complaint, ComplianceInquiry, Developer, Mediator, Obligation, Project, Rating,
    Reminder, ReminderChannel, ReminderStatus, Role, User, Visit, VisitCase,
)
from app.models.types import upsert_insert
from mediation import reminders as rules
from mediation.lifecycle import CaseStatus, court_date, date_zh
from mediation.reminders import Plan, Recipient
from risk.workdays import is_working_day

__all__ = ["EVENTS", "Subject", "apply_plan", "apply_plans", "case_touched", "remind", "remind_many"]

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
    #: The homeowners (persons) the subject names: who performs an agreement's milestone.
    person_ids: tuple[int, ...] = ()
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


def _homeowners(subject: Subject) -> list[User]:
    if not subject.person_ids:
        return []
    return _active(select(User).where(User.role == Role.HOMEOWNER,
                                      User.person_id.in_(subject.person_ids)))


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
    Recipient.HOMEOWNERS: _homeowners,
}


# --- Applying a plan ------------------------------------------------------------------------


def _rows_of(subject: Subject, plan: Plan, people: Callable[[Recipient, Subject], list[User]], *,
             now: datetime, channel: ReminderChannel) -> list[dict]:
    """The reminder rows ``plan`` asks for ``subject`` (each under its dedupe key)."""
    rows = []
    for planned in plan.create:
        for user in people(planned.recipient, subject):
            key = f"{subject.type}:{subject.id}:{planned.dedupe_part()}:u{user.id}"
            if len(key) > KEY_MAX:
                raise ValueError(f"dedupe key longer than {KEY_MAX} characters: {key!r}")
            rows.append(dict(
                kind=planned.kind.value, recipient_id=user.id, channel=channel.value,
                court_id=subject.court_id, subject_type=subject.type, subject_id=subject.id,
                case_id=subject.case_ids[0] if len(subject.case_ids) == 1 else None,
                payload={**subject.payload, "key": planned.key, "recipient": planned.recipient.value},
                due_at=planned.due_at, status=ReminderStatus.PENDING.value, attempts=0,
                dedupe_key=key, created_at=now))
    return rows


#: Subjects per cancelling UPDATE of ``apply_plans`` (bound parameters stay well under the
#: databases' limits).
_CHUNK = 500


def apply_plans(items: list[tuple[Subject, Plan]], *, now: datetime,
                channel: ReminderChannel = ReminderChannel.NOTICE) -> int:
    """``apply_plan`` for many subjects at once (the nightly evaluation's thousands of
    rises): the developers' staff in one query, other recipients once per set of ids,
    every reminder in one
    multi-row insert, the cancellations in a few UPDATEs. Returns the rows offered (a
    repeat is skipped by its dedupe key, as one at a time)."""
    table = Reminder.__table__
    found: dict[tuple, list[User]] = {}
    # The developers' staff (the nightly run's recipients) in one query for every subject.
    developer_ids = sorted({d for subject, plan in items if any(p.recipient is Recipient.DEVELOPER for p in plan.create)
                            for d in subject.developer_ids})
    staff: dict[int, list[User]] = {}
    for start in range(0, len(developer_ids), 5000):
        for user in _active(select(User).where(User.role == Role.DEVELOPER,
                                               User.developer_id.in_(developer_ids[start:start + 5000]))):
            staff.setdefault(user.developer_id, []).append(user)

    def people(recipient: Recipient, subject: Subject) -> list[User]:
        if recipient is Recipient.DEVELOPER:
            return sorted((u for d in set(subject.developer_ids) for u in staff.get(d, ())), key=lambda u: u.id)
        key = (recipient, subject.court_id, subject.case_ids, subject.judge_ids, subject.developer_ids,
               subject.person_ids)
        if key not in found:
            found[key] = RECIPIENTS[recipient](subject)
        return found[key]

    rows = [row for subject, plan in items for row in _rows_of(subject, plan, people, now=now, channel=channel)]
    if rows:
        insert = upsert_insert(db.session.get_bind())
        db.session.execute(insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]), rows)
    planned: dict[tuple, set[str]] = {}
    for row in rows:
        planned.setdefault((row["subject_type"], row["subject_id"]), set()).add(row["dedupe_key"])
    by_cancel: dict[tuple, list[int]] = {}
    for subject, plan in items:
        if plan.cancel:
            by_cancel.setdefault((subject.type, tuple(sorted(k.value for k in plan.cancel))), []).append(subject.id)
    for (subject_type, kinds), ids in by_cancel.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            keys = set().union(*(planned.get((subject_type, i), set()) for i in chunk))
            conditions = [table.c.subject_type == subject_type, table.c.subject_id.in_(chunk),
                          table.c.status == ReminderStatus.PENDING.value, table.c.kind.in_(kinds)]
            if keys:
                conditions.append(table.c.dedupe_key.notin_(keys))
            db.session.execute(update(table).where(*conditions).values(
                status=ReminderStatus.CANCELLED.value, settled_at=now))
    return len(rows)


def apply_plan(subject: Subject, plan: Plan, *, now: datetime,
               channel: ReminderChannel = ReminderChannel.NOTICE) -> int:
    """Store ``plan``'s reminders for ``subject`` and cancel what it cancels; returns the
    number of reminders newly planned."""
    table = Reminder.__table__
    insert = upsert_insert(db.session.get_bind())
    people: dict[Recipient, list[User]] = {}

    def of(recipient: Recipient, subject: Subject) -> list[User]:
        if recipient not in people:
            people[recipient] = RECIPIENTS[recipient](subject)
        return people[recipient]

    rows = _rows_of(subject, plan, of, now=now, channel=channel)
    keys = {row["dedupe_key"] for row in rows}
    created = 0
    for row in rows:
        inserted = db.session.execute(insert(table).values(**row)
                                      .on_conflict_do_nothing(index_elements=["dedupe_key"])
                                      .returning(table.c.id)).first()
        created += inserted is not None
    if plan.cancel:
        conditions = [table.c.subject_type == subject.type, table.c.subject_id == subject.id,
                      table.c.status == ReminderStatus.PENDING.value,
                      table.c.kind.in_([k.value for k in plan.cancel])]
        if keys:
            conditions.append(table.c.dedupe_key.notin_(keys))
        db.session.execute(update(table).where(*conditions).values(
            status=ReminderStatus.CANCELLED.value, settled_at=now))
    if plan.cancel_keys:
        # The dedupe key starts with subject, kind and key (Planned.dedupe_part).
        prefixes = [f"{subject.type}:{subject.id}:{kind.value}:{key}:" for kind, key in
                    sorted(plan.cancel_keys)]
        db.session.execute(update(table).where(
            table.c.subject_type == subject.type, table.c.subject_id == subject.id,
            table.c.status == ReminderStatus.PENDING.value,
            or_(*[table.c.dedupe_key.startswith(p, autoescape=True) for p in prefixes]))
            .values(status=ReminderStatus.CANCELLED.value, settled_at=now))
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
                         deadline_en=deadline.isoformat() if deadline else "",
                         step_due=date_zh(step) if step else "",
                         step_due_en=step.isoformat() if step else ""), plan


def _inquiry_subject(inquiry: ComplianceInquiry) -> Subject:
    project = db.session.get(Project, inquiry.project_id)
    return Subject("inquiry", inquiry.id, court_id=inquiry.court_id,
                   judge_ids=(inquiry.issued_by_id,) if inquiry.issued_by_id else (),
                   developer_ids=(inquiry.developer_id,),
                   payload={"project": project.name if project else "",
                            "deadline": date_zh(inquiry.deadline_on),
                            "deadline_en": inquiry.deadline_on.isoformat()})


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
                                         f"{start.astimezone(rules.COURT_TZ):%H:%M}",
                               "starts_en": f"{start.astimezone(rules.COURT_TZ):%H:%M} on "
                                            f"{court_date(start).isoformat()}"})
    version = f"m{visit.moved_at:%Y%m%d%H%M%S}" if visit.moved_at else ""
    return subject, rules.visit_scheduled(start, now=now, version=version)


def _visit_cancelled(visit: Visit, now: datetime) -> tuple[Subject, Plan]:
    return _visit_scheduled(visit, now)[0], rules.visit_cancelled()


def _agreement_effective(agreement: Agreement, now: datetime) -> tuple[Subject, Plan]:
    """Each milestone reminds whoever the agreement says performs it (its ``who``: the
    developer, or the homeowner who signed it — app.services.agreement_obligations reads
    the words the same way when the milestones become obligations)."""
    from app.services.agreement_obligations import performers
    from app.services.agreements import case_parties

    case = agreement.case
    parties = case_parties(case, agreement.claimant_person_id)
    developer = db.session.get(Developer, case.developer_id)
    milestones, person_ids = [], set()
    for i, m in enumerate((agreement.content or {}).get("milestones") or ()):
        keys = performers(m.get("who", ""), parties, developer)
        people = {int(k.partition(":")[2]) for k in keys if k.startswith("person:")}
        person_ids |= people
        performer = {Recipient.HOMEOWNERS} if people else set()
        if any(k.startswith("developer:") for k in keys):
            performer.add(Recipient.DEVELOPER)
        milestones.append((i, date.fromisoformat(m["due"]), performer))
    subject = _case_subject(case, agreement_id=agreement.id,
                            effective=date_zh(court_date(agreement.effective_at)),
                            effective_en=court_date(agreement.effective_at).isoformat(),
                            milestones=[m.get("what", "") for m in
                                        (agreement.content or {}).get("milestones") or ()])
    subject.person_ids = tuple(sorted(person_ids))
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


def _warning_acknowledged(notice, now: datetime) -> tuple[Subject, Plan]:
    """The developer signed for the warning notice of a rise (``notice``: a WarningNotice)."""
    return Subject("warning", notice.change_id), rules.warning_acknowledged()


def _milestone_index(obligation, agreement: Agreement) -> int | None:
    """Which milestone of its agreement an obligation is (``confirmation._track_obligations``
    made it from the milestone's text and due day); None: a payment, or entered by hand."""
    for index, milestone in enumerate((agreement.content or {}).get("milestones") or ()):
        if (str(milestone.get("due")) == str(obligation.due_on)
                and obligation.description.startswith((milestone.get("what") or "")[:200])):
            return index
    return None


def _others_owe(obligation) -> bool:
    """Another obligor of the same milestone (same agreement, text and day) not yet confirmed."""
    return db.session.scalar(select(Obligation.id).where(
        Obligation.agreement_id == obligation.agreement_id, Obligation.id != obligation.id,
        Obligation.description == obligation.description, Obligation.due_on == obligation.due_on,
        Obligation.status != "confirmed").limit(1)) is not None


def _obligation_performed(obligation, now: datetime) -> tuple[Subject, Plan]:
    """The court confirmed an obligation performed (``obligation``: an Obligation, the
    developer's or a homeowner's): its milestone's reminders go (the agreement's reminders
    are the case's) — once every obligor of that milestone (several buyers) has performed."""
    agreement = db.session.get(Agreement, obligation.agreement_id) if obligation.agreement_id else None
    index = _milestone_index(obligation, agreement) if agreement is not None else None
    if index is None or obligation.case_id is None or _others_owe(obligation):
        return Subject("case", obligation.case_id or 0), Plan()
    return Subject("case", obligation.case_id), rules.milestone_met(index)


def _followup_subject(followup) -> Subject:
    case = db.session.get(Case, followup.case_id)
    return Subject("followup", followup.id, court_id=followup.court_id, case_ids=(case.id,),
                   judge_ids=(case.judge_id,) if case.judge_id else (),
                   payload={"number": case.number, "deadline": date_zh(followup.due_on),
                            "deadline_en": followup.due_on.isoformat()})


def _bad_rating(followup, now: datetime) -> tuple[Subject, Plan]:
    """A bad rating opened a follow-up (``followup``: a FollowUp, due in 5 working days)."""
    rating = db.session.get(Rating, followup.rating_id)
    return _followup_subject(followup), rules.rating_given(rating.score, now=now,
                                                           followup_due=followup.due_on)


def _followup_done(followup, now: datetime) -> tuple[Subject, Plan]:
    return Subject("followup", followup.id), rules.followup_done()


#: Event name → (subject row, now) → (the subject, the rule's plan). One line per event.
EVENTS: dict[str, Callable[..., tuple[Subject, Plan]]] = {
    "case_changed": _case_changed,
    "inquiry_issued": _inquiry_issued,
    "inquiry_answered": _inquiry_answered,
    "visit_scheduled": _visit_scheduled,
    "visit_moved": _visit_scheduled,  # the new time's reminder; the old one is cancelled
    "visit_cancelled": _visit_cancelled,
    "agreement_effective": _agreement_effective,
    "obligation_performed": _obligation_performed,
    "warning_raised": _warning_raised,
    "warning_acknowledged": _warning_acknowledged,
    "bad_rating": _bad_rating,
    "followup_done": _followup_done,
}


def remind(event_name: str, row, *, now: datetime) -> int:
    """Plan (and cancel) the reminders ``event_name`` calls for; in the caller's transaction."""
    db.session.flush()
    subject, plan = EVENTS[event_name](row, now)
    return apply_plan(subject, plan, now=now)


def remind_many(event_name: str, rows: list, *, now: datetime) -> int:
    """``remind`` for many rows of one event in one go (``apply_plans``): one flush, one
    insert. Returns the reminder rows offered."""
    if not rows:
        return 0
    db.session.flush()
    return apply_plans([EVENTS[event_name](row, now) for row in rows], now=now)


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
