"""Delegating a case to a mediator (委派调解): the deadlines, acceptance, and the end of the period.

The rules (人民法院在线调解规则 2021):

- art. 10: the court delegates a registered case to a mediator within **3 working days**;
- art. 12: the mediator accepts, or declines (回避 — a conflict of interest, with the
  ground), within **3 working days** of the delegation; a declined case goes back to the
  court, which delegates it again (another 3 working days from the decline);
- art. 24: mediation lasts at most **30 days from the mediator's acceptance**; both parties
  may agree to extend it, before it ends;
- art. 25: when the period ends without an agreement or an extension, the mediation ends
  (调解终止): the case goes on to litigation (立案) or closes, as the parties choose.

"Working days" are the State Council's (public holidays out, make-up working days in); the
caller passes ``is_working_day`` (``risk.workdays.is_working_day``), since the domain reads
no calendar of its own. The day the period starts is not counted (民事诉讼法, 期间).

The mediator's eligibility for a case (:func:`eligibility_refusal`) is the same rule the
assignment solver (``mediation.assign``) applies to every pair: active, not on leave on
the day, skilled in the dispute type, no declared conflict with the developer, capacity
left. A judge's override of a suggestion is checked against it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from mediation.disputes import DisputeType
from mediation.lifecycle import (
    MEDIATION_PHASE, CaseState, CaseStatus, TransitionError, TransitionEvent, TransitionResult,
    court_date, date_zh, mediation_deadline,
)
from mediation.messages import Msg

__all__ = [
    "ACCEPT_WITHIN_WORKING_DAYS", "ASSIGN_WITHIN_WORKING_DAYS", "DueStep", "MediatorStanding",
    "accept_delegation", "acceptance_due", "assignment_due", "due_step", "eligibility_refusal",
    "end_expired_mediation", "working_days_after",
]

# 在线调解规则 art. 10: the court delegates within 3 working days of registration.
ASSIGN_WITHIN_WORKING_DAYS = 3
# 在线调解规则 art. 12: the mediator accepts or declines within 3 working days.
ACCEPT_WITHIN_WORKING_DAYS = 3

IsWorkingDay = Callable[[date], bool]


def _weekday(d: date) -> bool:
    return d.weekday() < 5


def working_days_after(start: datetime | date, n: int, *, is_working_day: IsWorkingDay) -> date:
    """The ``n``-th working day after ``start``'s court date (the start day is not counted)."""
    day = court_date(start)
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def assignment_due(since: datetime, *, is_working_day: IsWorkingDay = _weekday) -> date:
    """The last day to delegate a case registered (or declined back to the court) at ``since``."""
    return working_days_after(since, ASSIGN_WITHIN_WORKING_DAYS, is_working_day=is_working_day)


def acceptance_due(assigned_at: datetime, *, is_working_day: IsWorkingDay = _weekday) -> date:
    """The last day for the mediator to accept or decline a case delegated at ``assigned_at``."""
    return working_days_after(assigned_at, ACCEPT_WITHIN_WORKING_DAYS,
                              is_working_day=is_working_day)


@dataclass(frozen=True)
class DueStep:
    """What the case waits for, by when, and whether that day has passed."""

    step: str  # "assign" (the judge) · "accept" (the mediator) · "mediate" (the 30 days)
    due: date
    overdue: bool

    @property
    def label(self) -> Msg:
        what = {"assign": ("分派", "assign"), "accept": ("接受委派", "accept"),
                "mediate": ("调解期限", "mediation deadline")}[self.step]
        if self.overdue:
            return Msg("{w}已逾期（{d}）", "{w_en} overdue ({d_en})", w=what[0], w_en=what[1],
                       d=date_zh(self.due), d_en=self.due.isoformat())
        return Msg("{w}期限{d}", "{w_en} by {d_en}", w=what[0], w_en=what[1],
                   d=date_zh(self.due), d_en=self.due.isoformat())


def due_step(state: CaseState, *, response_due: date | None, now: datetime) -> DueStep | None:
    """The deadline a case is running against now, or None when none runs.

    ``response_due`` is the stored day of the pending delegation step (assignment for a
    registered case, acceptance for a delegated one not yet accepted).
    """
    today = court_date(now)
    if state.status is CaseStatus.REGISTERED and response_due is not None:
        return DueStep("assign", response_due, today > response_due)
    if state.status is CaseStatus.ASSIGNED and state.accepted_at is None:
        if response_due is None:
            return None
        return DueStep("accept", response_due, today > response_due)
    if state.status in MEDIATION_PHASE and state.deadline is not None:
        return DueStep("mediate", state.deadline, today > state.deadline)
    return None


def accept_delegation(state: CaseState, *, actor_role: str, now: datetime,
                      is_working_day: IsWorkingDay | None = None) -> TransitionResult:
    """The mediator accepts the delegated case: the 30-day period starts (art. 24).

    With ``is_working_day``, a last day falling on a holiday moves to the next working day.
    """
    if actor_role != "mediator":
        raise TransitionError(Msg("只有受委派的调解员可以接受委派",
                                  "Only the delegated mediator can accept the case"))
    if state.status is not CaseStatus.ASSIGNED:
        raise TransitionError(Msg("案件状态为“{s}”，不是待接受的委派",
                                  "The case is “{s_en}”: there is no delegation to accept",
                                  s=state.status.label_zh, s_en=state.status.label_en))
    if state.accepted_at is not None:
        raise TransitionError(Msg("已于{d}接受委派", "The case was already accepted on {d_en}",
                                  d=date_zh(court_date(state.accepted_at)),
                                  d_en=court_date(state.accepted_at).isoformat()))
    last_day = mediation_deadline(now, is_working_day=is_working_day)
    new = replace(state, accepted_at=now, deadline=last_day, extension_days=0)
    event = TransitionEvent(
        from_status=state.status, to_status=state.status, actor_role=actor_role, at=now,
        reason=Msg("调解员接受委派，调解期限自{start}起30日，至{end}",
                   "The mediator accepted; the mediation runs 30 days from {start_en} to {end_en}",
                   start=date_zh(court_date(now)), end=date_zh(last_day),
                   start_en=court_date(now).isoformat(), end_en=last_day.isoformat()),
        deadline=last_day)
    return TransitionResult(state=new, event=event)


#: The reason recorded when the period runs out (art. 25).
EXPIRY_REASON = Msg("调解期限届满，未达成调解协议且未经双方当事人同意延长，调解终止（人民法院在线调解规则第二十五条）",
                    "The mediation period ended without an agreement or an extension agreed by both "
                    "parties: the mediation is over (Online Mediation Rules of the People's Courts, "
                    "art. 25)")


def end_expired_mediation(state: CaseState, *, now: datetime) -> TransitionResult:
    """End a mediation whose period has run out without agreement or extension (art. 25).

    The case becomes ``failed`` (调解不成) with the ground; from there the judge files it
    for litigation or the applicant withdraws and it closes, as the lifecycle allows. The
    move is the court's by operation of the rules, not a person's: the event's role is
    ``"system"``.
    """
    if not state.is_overdue(now):
        raise TransitionError(Msg("调解期限尚未届满", "The mediation period has not ended"))
    new = replace(state, status=CaseStatus.FAILED)
    event = TransitionEvent(from_status=state.status, to_status=CaseStatus.FAILED,
                            actor_role="system", at=now, reason=EXPIRY_REASON,
                            deadline=state.deadline)
    return TransitionResult(state=new, event=event)


@dataclass(frozen=True)
class MediatorStanding:
    """What eligibility needs to know about one mediator on the day."""

    name: str
    active: bool
    skills: frozenset[str]
    conflicts: frozenset[str]  # developer ids (as strings) the mediator declared
    leave: tuple[tuple[date, date], ...] = ()  # (first, last) court dates, inclusive
    capacity_left: int = 0


def eligibility_refusal(mediator: MediatorStanding, *, dispute_type: str, developer_id: str,
                        developer_name: str = "", on: date) -> Msg | None:
    """Why ``mediator`` may not take the case on court date ``on``, or None when eligible."""
    if not mediator.active:
        return Msg("调解员{n}已停用", "Mediator {n} is inactive", n=mediator.name)
    for first, last in mediator.leave:
        if first <= on <= last:
            return Msg("调解员{n}{a}至{b}休假", "Mediator {n} is on leave from {a_en} to {b_en}",
                       n=mediator.name, a=date_zh(first), b=date_zh(last),
                       a_en=first.isoformat(), b_en=last.isoformat())
    if dispute_type not in mediator.skills:
        label = DisputeType(dispute_type)
        return Msg("调解员{n}不擅长{t}纠纷", "Mediator {n} has no skill in {t_en} disputes",
                   n=mediator.name, t=label.label_zh, t_en=label.label_en.lower())
    if developer_id in mediator.conflicts:
        who = developer_name or developer_id
        return Msg("调解员{n}已声明与{d}存在利益冲突，应当回避",
                   "Mediator {n} declared a conflict of interest with {d}", n=mediator.name, d=who)
    if mediator.capacity_left <= 0:
        return Msg("调解员{n}已无接案余量", "Mediator {n} has no capacity left", n=mediator.name)
    return None
