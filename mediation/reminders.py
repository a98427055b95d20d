"""Reminders and follow-ups: which deadline reminds whom, and when (DESIGN §6).

Deadlines drive this court, and the rules that set them are the court's own:

- a registered case is delegated within **3 working days** (人民法院在线调解规则 art. 10):
  the judge is reminded on the morning of the last day;
- a delegated case is accepted or declined within **3 working days** (art. 12): the
  mediator is reminded on the morning of the last day;
- mediation lasts **30 days from acceptance** (art. 24): mediator and judge are reminded
  3 days before the last day (time to agree on an extension, which must come before the
  end) and told the morning after it ended (art. 25: the mediation ends);
- a site visit or session tomorrow: every party is reminded the day before at 09:00;
- a compliance inquiry (合规性函询) is answered within N working days: the developer is
  reminded 3 and 1 working days before the last day; the judge is told the morning after
  an unanswered deadline (escalation); an answer cancels what is left;
- a performance milestone (履行节点) of an agreement: whoever performs it (the developer's
  staff, or the homeowner the agreement names) 3 days before it is due, the judge the
  morning after it was due; the court confirming it performed cancels both (that
  milestone's only);
- an agreement in effect may be judicially confirmed on a joint application within
  **30 days** (民事诉讼法 art. 205): the mediator is reminded 7 days before the window
  closes; confirmation cancels it;
- follow-up visits (回访) 7 and 30 days after the agreement took effect (mediator);
- a bad rating (1 or 2 stars of 5): the judge is reminded on the morning of the
  follow-up's last day; recording the follow-up cancels it;
- an early warning issued to a developer waits for its acknowledgement: the developer is
  reminded after 3 working days, and acknowledging cancels it.

Every rule is a pure function of an event's facts and ``now``: it returns the reminders
to create (kind, recipient role, due time in UTC, a key part) and the kinds of earlier
reminders on the same subject that the event cancels. A pending reminder of a cancelled
kind whose key the event creates again is kept, so recomputing a plan changes nothing
(the service stores each reminder under a unique key). Working days are the State
Council's; the caller passes ``is_working_day`` (``risk.workdays.is_working_day``).
A reminder whose time has already passed is due at once (``now``), never dropped — unless
the event itself is already past its purpose (a visit that has begun).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum

from mediation.delegation import acceptance_due, assignment_due
from mediation.lifecycle import COURT_TZ, CaseStatus, court_date

__all__ = [
    "CASE_KINDS", "CaseFacts", "Planned", "Plan", "Recipient", "ReminderKind",
    "agreement_effective", "agreement_confirmed", "case_changed", "followup_done", "inquiry_answered",
    "inquiry_issued", "milestone_met", "rating_given", "visit_cancelled", "visit_scheduled",
    "warning_acknowledged", "warning_issued", "working_days_before",
]

IsWorkingDay = Callable[[date], bool]

#: The hour a "morning" reminder is due, court time: the start of the court's working day.
MORNING = time(9, 0)
#: Days before the 30-day period ends that the mediator and judge are warned: enough to
#: obtain both parties' consent to an extension, which must be agreed before the end.
MEDIATION_WARN_DAYS = 3
#: Working days before an inquiry's deadline that the developer is reminded.
INQUIRY_WARN_WORKING_DAYS = (3, 1)
#: Days before a milestone is due that the developer is reminded.
MILESTONE_WARN_DAYS = 3
#: 民事诉讼法 art. 205: the joint application for confirmation within 30 days of effect.
CONFIRMATION_WINDOW_DAYS = 30
#: The mediator is reminded this many days before the confirmation window closes.
CONFIRMATION_WARN_DAYS = 7
#: Follow-up visits (回访) after an agreement took effect, in days (the court's practice).
FOLLOW_UP_DAYS = (7, 30)
#: A rating at or below this (of 5) is followed up by the judge.
BAD_RATING_MAX = 2
#: Working days a developer has to acknowledge an early warning before being reminded.
WARNING_ACK_WORKING_DAYS = 3


class ReminderKind(StrEnum):
    ASSIGN_DUE = "assign_due"
    ACCEPT_DUE = "accept_due"
    MEDIATION_ENDING = "mediation_ending"
    MEDIATION_ENDED = "mediation_ended"
    VISIT_TOMORROW = "visit_tomorrow"
    INQUIRY_DUE = "inquiry_due"
    INQUIRY_OVERDUE = "inquiry_overdue"
    MILESTONE_DUE = "milestone_due"
    MILESTONE_OVERDUE = "milestone_overdue"
    CONFIRMATION_WINDOW = "confirmation_window"
    FOLLOW_UP = "follow_up"
    RATING_FOLLOW_UP = "rating_follow_up"
    WARNING_ACK = "warning_ack"


class Recipient(StrEnum):
    """Who a reminder is for, as a role on the subject; the service finds the accounts."""

    JUDGE = "judge"  # the case's judge (else the court's judges)
    MEDIATOR = "mediator"  # the mediator the case is delegated to
    PARTIES = "parties"  # every party with an account
    DEVELOPER = "developer"  # the developer's staff
    HOMEOWNERS = "homeowners"  # the homeowners the subject names (who perform a milestone)


#: The kinds that follow a case's status (recomputed from the state at each change).
CASE_KINDS = frozenset({ReminderKind.ASSIGN_DUE, ReminderKind.ACCEPT_DUE,
                        ReminderKind.MEDIATION_ENDING, ReminderKind.MEDIATION_ENDED})


@dataclass(frozen=True)
class Planned:
    """One reminder to create: ``key`` tells two reminders of one kind and subject apart."""

    kind: ReminderKind
    recipient: Recipient
    due_at: datetime
    key: str = ""

    def dedupe_part(self) -> str:
        """The part of the unique key the rule decides: kind, key and due minute."""
        return f"{self.kind.value}:{self.key}:{self.due_at:%Y%m%d%H%M}"


@dataclass(frozen=True)
class Plan:
    """What an event does to the reminders of its subject."""

    create: tuple[Planned, ...] = ()
    cancel: frozenset[ReminderKind] = field(default_factory=frozenset)
    #: Single reminders to cancel: (kind, key) — one milestone of several, say.
    cancel_keys: frozenset[tuple[ReminderKind, str]] = field(default_factory=frozenset)


def _at(day: date, when: time = MORNING) -> datetime:
    """``when`` o'clock court time on ``day``, in UTC."""
    return datetime.combine(day, when, tzinfo=COURT_TZ).astimezone(timezone.utc)


def _not_before(moment: datetime, now: datetime) -> datetime:
    return max(moment, now)


def working_days_before(day: date, n: int, *, is_working_day: IsWorkingDay) -> date:
    """The ``n``-th working day before ``day`` (``day`` itself not counted)."""
    counted = 0
    while counted < n:
        day -= timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def _weekday(d: date) -> bool:
    return d.weekday() < 5


# --- Cases: the delegation steps and the 30 days ----------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What the case rules need from a case row."""

    status: CaseStatus
    registered_at: datetime | None = None  # entered "registered" (or came back to it)
    assigned_at: datetime | None = None
    accepted_at: datetime | None = None
    mediation_deadline: date | None = None  # the last day of the period, extensions included
    #: The last day of the pending delegation step when the case already knows it (the
    #: case row keeps it from the moment the step began); else counted from the dates above.
    step_due: date | None = None


def case_changed(facts: CaseFacts, *, now: datetime,
                 is_working_day: IsWorkingDay = _weekday) -> Plan:
    """The reminders a case in ``facts`` should have; it cancels the other case kinds.

    Called at every change of a case (registration, delegation, acceptance, decline,
    extension, conclusion): the reminders follow the state, so a declined case reminds
    the judge again, an extension moves the end-of-period reminders, and a concluded case
    has none left.
    """
    create: list[Planned] = []
    status = facts.status
    if status is CaseStatus.REGISTERED and (facts.step_due or facts.registered_at):
        due = facts.step_due or assignment_due(facts.registered_at, is_working_day=is_working_day)
        create.append(Planned(ReminderKind.ASSIGN_DUE, Recipient.JUDGE,
                              _not_before(_at(due), now)))
    elif (status is CaseStatus.ASSIGNED and facts.accepted_at is None
          and (facts.step_due or facts.assigned_at)):
        due = facts.step_due or acceptance_due(facts.assigned_at, is_working_day=is_working_day)
        create.append(Planned(ReminderKind.ACCEPT_DUE, Recipient.MEDIATOR,
                              _not_before(_at(due), now)))
    elif (status in (CaseStatus.ASSIGNED, CaseStatus.SCHEDULED, CaseStatus.IN_MEDIATION)
          and facts.accepted_at is not None and facts.mediation_deadline is not None):
        last = facts.mediation_deadline
        warn = _not_before(_at(last - timedelta(days=MEDIATION_WARN_DAYS)), now)
        ended = _not_before(_at(last + timedelta(days=1)), now)
        for who in (Recipient.MEDIATOR, Recipient.JUDGE):
            create.append(Planned(ReminderKind.MEDIATION_ENDING, who, warn, who.value))
            create.append(Planned(ReminderKind.MEDIATION_ENDED, who, ended, who.value))
    return Plan(create=tuple(create), cancel=CASE_KINDS)


# --- Visits and sessions ---------------------------------------------------------------------


def visit_scheduled(starts_at: datetime, *, now: datetime, version: str = "") -> Plan:
    """Every party is reminded at 09:00 the day before (at once if that has passed).

    ``version`` tells the arrangements of a moved visit apart (the moment it was moved):
    the reminder of the new time or place replaces the old one even when both fall due
    at the same minute, so it never states the old arrangement."""
    if starts_at <= now:
        return Plan()
    day_before = court_date(starts_at) - timedelta(days=1)
    return Plan(create=(Planned(ReminderKind.VISIT_TOMORROW, Recipient.PARTIES,
                                _not_before(_at(day_before), now), version),),
                cancel=frozenset({ReminderKind.VISIT_TOMORROW}))


def visit_cancelled() -> Plan:
    return Plan(cancel=frozenset({ReminderKind.VISIT_TOMORROW}))


# --- Compliance inquiries -------------------------------------------------------------------


def inquiry_issued(deadline_on: date, *, now: datetime,
                   is_working_day: IsWorkingDay = _weekday) -> Plan:
    """The developer 3 and 1 working days before the last day; the judge the morning after."""
    create = []
    for n in INQUIRY_WARN_WORKING_DAYS:
        day = working_days_before(deadline_on, n, is_working_day=is_working_day)
        if _at(day) >= now:  # a reminder for a day already past says nothing new
            create.append(Planned(ReminderKind.INQUIRY_DUE, Recipient.DEVELOPER, _at(day),
                                  f"{n}wd"))
    create.append(Planned(ReminderKind.INQUIRY_OVERDUE, Recipient.JUDGE,
                          _not_before(_at(deadline_on + timedelta(days=1)), now)))
    return Plan(create=tuple(create),
                cancel=frozenset({ReminderKind.INQUIRY_DUE, ReminderKind.INQUIRY_OVERDUE}))


def inquiry_answered() -> Plan:
    return Plan(cancel=frozenset({ReminderKind.INQUIRY_DUE, ReminderKind.INQUIRY_OVERDUE}))


# --- Agreements -----------------------------------------------------------------------------


def agreement_effective(effective_at: datetime,
                        milestones: Iterable[tuple[int, date] | tuple[int, date, Iterable[Recipient]]],
                        *, now: datetime) -> Plan:
    """On the agreement's effect: the confirmation window, the 回访, each milestone.

    ``milestones``: (index in the agreement, due date, who performs it) of each performance
    milestone; who performs it is the developer when not said, and nobody is reminded
    before the day of a milestone that names no party (a guarantor's): the judge still
    checks it the morning after."""
    start = court_date(effective_at)
    window_closes = start + timedelta(days=CONFIRMATION_WINDOW_DAYS)
    create = [Planned(ReminderKind.CONFIRMATION_WINDOW, Recipient.MEDIATOR,
                      _not_before(_at(window_closes - timedelta(days=CONFIRMATION_WARN_DAYS)),
                                  now))]
    for days in FOLLOW_UP_DAYS:
        create.append(Planned(ReminderKind.FOLLOW_UP, Recipient.MEDIATOR,
                              _not_before(_at(start + timedelta(days=days)), now), f"{days}d"))
    for index, due, *performers in milestones:
        for performer in sorted(set(performers[0]) if performers else {Recipient.DEVELOPER}):
            create.append(Planned(ReminderKind.MILESTONE_DUE, performer,
                                  _not_before(_at(due - timedelta(days=MILESTONE_WARN_DAYS)), now),
                                  f"m{index}"))
        create.append(Planned(ReminderKind.MILESTONE_OVERDUE, Recipient.JUDGE,
                              _not_before(_at(due + timedelta(days=1)), now), f"m{index}"))
    return Plan(create=tuple(create))


def agreement_confirmed() -> Plan:
    return Plan(cancel=frozenset({ReminderKind.CONFIRMATION_WINDOW}))


def milestone_met(index: int) -> Plan:
    """Milestone ``index`` of the agreement performed: nothing more to remind of it (the
    other milestones keep theirs)."""
    key = f"m{index}"
    return Plan(cancel_keys=frozenset({(ReminderKind.MILESTONE_DUE, key),
                                       (ReminderKind.MILESTONE_OVERDUE, key)}))


# --- Ratings and warnings -----------------------------------------------------------------


def rating_given(stars: int, *, now: datetime, followup_due: date | None = None) -> Plan:
    """A rating of 1 or 2 stars: the judge follows it up — reminded on the morning of the
    follow-up's last day (``followup_due``; the judge is told of the task at once by its
    own notice), or today when there is no such day."""
    if stars > BAD_RATING_MAX:
        return Plan()
    due = _not_before(_at(followup_due), now) if followup_due else now
    return Plan(create=(Planned(ReminderKind.RATING_FOLLOW_UP, Recipient.JUDGE, due),),
                cancel=frozenset({ReminderKind.RATING_FOLLOW_UP}))


def followup_done() -> Plan:
    """The judge recorded the follow-up of a bad rating."""
    return Plan(cancel=frozenset({ReminderKind.RATING_FOLLOW_UP}))


def warning_issued(issued_at: datetime, *, now: datetime,
                   is_working_day: IsWorkingDay = _weekday) -> Plan:
    """The developer acknowledges an early warning within 3 working days, or is reminded."""
    day = court_date(issued_at)
    counted = 0
    while counted < WARNING_ACK_WORKING_DAYS:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return Plan(create=(Planned(ReminderKind.WARNING_ACK, Recipient.DEVELOPER,
                                _not_before(_at(day), now)),),
                cancel=frozenset({ReminderKind.WARNING_ACK}))


def warning_acknowledged() -> Plan:
    return Plan(cancel=frozenset({ReminderKind.WARNING_ACK}))
