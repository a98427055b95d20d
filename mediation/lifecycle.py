"""The life of a case, from registration to closing, in one table.

A complaint accepted by the court becomes a pre-litigation mediation case (诉前调解). The
court delegates it to a mediator (委派调解); the mediator schedules and holds mediation;
the parties settle (调解成功, an agreement is signed), withdraw (撤回申请), or fail to agree
(调解不成) and the claim is filed for litigation (转立案), where it ends by judgment,
mediation, withdrawal or dismissal. A signed agreement may be judicially confirmed
(司法确认) and is followed until performed.

    registered → assigned → scheduled → in_mediation
    in_mediation → mediated → confirmed (optional) → performing → closed
    in_mediation → withdrawn → closed
    in_mediation → failed → litigation → closed (judged | mediated | withdrawn | dismissed)

plus what real cases need: withdrawal before mediation starts or after it fails, a
mediator declining or recusing themselves (回避 — back to registered; the next assignment
starts a new 30-day period),
transfer to another court or agency (移送, closed as ``transferred``), closing a
mediated case at once when nothing is left to perform, and joining a case into another
of the same dispute (并案, closed as ``merged``: no conclusion, see
``Outcome.concludes_dispute``).

Rules applied here (sources: 民事诉讼法 2023; 人民法院在线调解规则 2021; 民诉法解释):

- Every move is in :data:`TRANSITIONS` with the roles allowed to make it; anything else is
  refused with :class:`TransitionError` whose message names both states.
- 委派调解 lasts at most :data:`MEDIATION_LIMIT_DAYS` (30) days from the day the mediator
  *accepts* the delegation (人民法院在线调解规则 art. 24), not from the assignment: until the
  mediator accepts (``mediation.delegation.accept_delegation``) no clock runs and nothing
  can be scheduled. The parties may together agree to extend the period (各方当事人同意延长
  的，不受此限) — before it ends; the consent is recorded with the extension. Once it has
  ended without an agreement or an extension the mediation is over (art. 25): no new
  scheduling or sessions; concluding the case stays possible, and
  ``mediation.delegation.end_expired_mediation`` records the failure.
- A move that concludes the case (结案) requires its outcome, and only such a move accepts
  one. The kind of withdrawal is kept — 申请撤诉 (applied for) versus 按撤诉处理 (deemed,
  e.g. the claimant did not appear) — so deemed withdrawals cannot pad the 调撤率.
- A reason is required to reject, withdraw, fail, decline or transfer.

"Concluded" (结案) is when the outcome is fixed — that date feeds the statistics; "closed"
(归档) is when nothing remains to follow (performance done). Nothing here reads the clock:
the caller passes ``now`` (a UTC datetime, naive values are taken as UTC).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

from mediation.disputes import ComplaintStatus, LabelledEnum
from mediation.messages import Msg
from mediation.roles import COURT_STAFF, JUDGES, Role
from mediation.roles import PARTIES as ROLE_PARTIES

__all__ = [
    "AllowedTransition",
    "CaseState",
    "CaseStatus",
    "COMPLAINT_TRANSITIONS",
    "ComplaintDecision",
    "EXTENSION_ROLES",
    "MEDIATION_LIMIT_DAYS",
    "MERGEABLE",
    "OUTCOME_ROLES",
    "Outcome",
    "TRANSITIONS",
    "Transition",
    "TransitionError",
    "TransitionEvent",
    "TransitionResult",
    "allowed_transitions",
    "apply_transition",
    "close_as_merged",
    "court_date",
    "decide_complaint",
    "extend_mediation",
    "mediation_deadline",
]


# --- Roles (defined once, in mediation.roles) ---------------------------------------------

PARTIES = ROLE_PARTIES
COURT = COURT_STAFF
JUDGE = JUDGES


# --- States and outcomes ---------------------------------------------------------------


class CaseStatus(LabelledEnum):
    """Where a case stands."""

    REGISTERED = "registered", "已登记", "Registered"
    ASSIGNED = "assigned", "已分派", "Assigned"
    SCHEDULED = "scheduled", "已排期", "Scheduled"
    IN_MEDIATION = "in_mediation", "调解中", "In mediation"
    MEDIATED = "mediated", "已调解", "Mediated"
    CONFIRMED = "confirmed", "已司法确认", "Judicially confirmed"
    PERFORMING = "performing", "履行中", "Performing"
    WITHDRAWN = "withdrawn", "已撤回", "Withdrawn"
    FAILED = "failed", "调解不成", "Mediation failed"
    LITIGATION = "litigation", "诉讼中", "In litigation"
    CLOSED = "closed", "已结案", "Closed"


class Outcome(LabelledEnum):
    """How a case was concluded (结案方式)."""

    MEDIATED = "mediated", "调解结案", "Mediated"
    WITHDRAWN_APPLIED = "withdrawn_applied", "申请撤诉", "Withdrawn on application"
    WITHDRAWN_DEEMED = "withdrawn_deemed", "按撤诉处理", "Deemed withdrawn"
    JUDGED = "judged", "判决", "Judgment"
    DISMISSED = "dismissed", "驳回", "Dismissed"
    TRANSFERRED = "transferred", "移送", "Transferred"
    MERGED = "merged", "并案", "Merged into another case"

    @property
    def counts_for_mediation_withdrawal_rate(self) -> bool:
        """Whether the outcome is in the numerator of 调撤率 (deemed withdrawals are not)."""
        return self in {Outcome.MEDIATED, Outcome.WITHDRAWN_APPLIED}

    @property
    def concludes_dispute(self) -> bool:
        """Whether the dispute ended with this case. A case merged into another (并案) did
        not end its dispute — it goes on under the other number — so statistics of
        concluded cases leave it out of both the numerator and the denominator."""
        return self is not Outcome.MERGED


# Who may declare each outcome. A party may withdraw its own application; deciding that
# an application is deemed withdrawn is the court's call, as are judgment, dismissal and
# transfer. (Whether the acting party is the applicant is checked by the service.)
OUTCOME_ROLES: dict[Outcome, frozenset[Role]] = {
    Outcome.MEDIATED: COURT,
    Outcome.WITHDRAWN_APPLIED: PARTIES | COURT,
    Outcome.WITHDRAWN_DEEMED: COURT,
    Outcome.JUDGED: JUDGE,
    Outcome.DISMISSED: JUDGE,
    Outcome.TRANSFERRED: JUDGE,
    Outcome.MERGED: JUDGE,
}

# 委派调解 lasts 30 days (人民法院在线调解规则): long enough for two or three
# sessions, short enough that mediation does not become a way to delay a lawsuit.
MEDIATION_LIMIT_DAYS = 30

# The phases in which the 30-day clock runs and may be extended.
MEDIATION_PHASE = frozenset({CaseStatus.ASSIGNED, CaseStatus.SCHEDULED, CaseStatus.IN_MEDIATION})

# Who may record the parties' agreed extension of the mediation period.
EXTENSION_ROLES = COURT


# --- The transition table --------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One allowed move, the roles that may make it, and what it needs."""

    source: CaseStatus
    target: CaseStatus
    roles: frozenset[Role]
    action_zh: str
    action_en: str
    outcomes: frozenset[Outcome] = frozenset()
    reason_label: str | None = None  # set when a reason is required; names the field
    continues_mediation: bool = False  # refused once the mediation deadline has passed
    by_agreement: bool = False  # made only by the last signature of an agreement, never a button
    by_ruling: bool = False  # made only by a judge's ruling on a joint application, never a button

    @property
    def concludes(self) -> bool:
        """Whether this move concludes the case (结案) and therefore needs an outcome."""
        return bool(self.outcomes)

    @property
    def reason_required(self) -> bool:
        return self.reason_label is not None


S = CaseStatus
_BEFORE_MEDIATION = (S.REGISTERED, S.ASSIGNED, S.SCHEDULED)
_WITHDRAWN_KINDS = frozenset({Outcome.WITHDRAWN_APPLIED, Outcome.WITHDRAWN_DEEMED})


def _moves(sources: Iterable[CaseStatus], target: CaseStatus, roles, zh, en, **kw):
    return [Transition(s, target, frozenset(roles), zh, en, **kw) for s in sources]


_TABLE: list[Transition] = [
    # Triage and delegation.
    *_moves([S.REGISTERED], S.ASSIGNED, JUDGE, "分派调解员", "Assign a mediator"),
    *_moves([S.ASSIGNED, S.SCHEDULED], S.REGISTERED, COURT, "拒绝或回避", "Decline or recuse",
            reason_label=Msg("拒绝或回避理由", "Reason for declining or recusal")),
    *_moves([S.ASSIGNED], S.SCHEDULED, COURT, "安排调解", "Schedule mediation",
            continues_mediation=True),
    *_moves([S.SCHEDULED], S.IN_MEDIATION, COURT, "开始调解", "Start mediation",
            continues_mediation=True),
    # Settlement and its performance.
    # Mediated is reached only when the last party signs the agreement online
    # (app.services.agreements); the signer makes the move, so parties are allowed here.
    *_moves([S.IN_MEDIATION], S.MEDIATED, PARTIES | COURT, "调解协议生效",
            "The agreement takes effect", outcomes=frozenset({Outcome.MEDIATED}),
            by_agreement=True),
    # Confirmed only by the judge's ruling on the parties' joint application (民事诉讼法
    # arts. 205–206; app.services.confirmation), never a bare button.
    *_moves([S.MEDIATED], S.CONFIRMED, JUDGE, "司法确认", "Confirm judicially", by_ruling=True),
    *_moves([S.MEDIATED, S.CONFIRMED], S.PERFORMING, COURT, "进入履行", "Start performance"),
    *_moves([S.MEDIATED, S.CONFIRMED], S.CLOSED, COURT, "无需另行履行，结案归档",
            "Close: nothing left to perform"),
    *_moves([S.PERFORMING], S.CLOSED, COURT, "履行完毕，结案归档", "Close: performed"),
    # Withdrawal, before, during or after failed mediation.
    *_moves([*_BEFORE_MEDIATION, S.IN_MEDIATION, S.FAILED], S.WITHDRAWN, PARTIES | COURT,
            "撤回申请", "Withdraw", outcomes=_WITHDRAWN_KINDS, reason_label=Msg("撤回原因", "Reason for withdrawing")),
    *_moves([S.WITHDRAWN], S.CLOSED, COURT, "结案归档", "Close"),
    # Failure and litigation.
    *_moves([S.IN_MEDIATION], S.FAILED, COURT, "调解不成", "Record failed mediation",
            reason_label=Msg("调解不成原因", "Why mediation failed")),
    *_moves([S.FAILED], S.LITIGATION, JUDGE, "转立案", "File for litigation"),
    *_moves([S.LITIGATION], S.CLOSED, JUDGE, "诉讼结案", "Conclude the lawsuit",
            outcomes=frozenset({Outcome.JUDGED, Outcome.MEDIATED, *_WITHDRAWN_KINDS,
                                Outcome.DISMISSED, Outcome.TRANSFERRED})),
    *_moves([S.LITIGATION], S.PERFORMING, JUDGE, "诉讼结案，进入履行",
            "Conclude the lawsuit and follow performance",
            outcomes=frozenset({Outcome.JUDGED, Outcome.MEDIATED})),
    # Transfer out (移送) to the competent court or agency.
    *_moves([*_BEFORE_MEDIATION, S.IN_MEDIATION, S.FAILED], S.CLOSED, JUDGE, "移送", "Transfer",
            outcomes=frozenset({Outcome.TRANSFERRED}), reason_label=Msg("移送去向及理由", "Where the case goes, and why")),
]

TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], Transition] = {}
for _t in _TABLE:
    assert (_t.source, _t.target) not in TRANSITIONS, f"duplicate move {_t.source}→{_t.target}"
    TRANSITIONS[(_t.source, _t.target)] = _t
del _t


# --- State, events, errors -------------------------------------------------------------


class TransitionError(ValueError):
    """A move the rules refuse; ``field`` names the form field at fault, if one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CaseState:
    """What the lifecycle needs to know about a case."""

    status: CaseStatus = CaseStatus.REGISTERED
    assigned_at: datetime | None = None
    accepted_at: datetime | None = None  # the mediator accepted: the 30 days run from here
    deadline: date | None = None  # last day (inclusive, court time) of 委派调解
    extension_days: int = 0  # total days added with the parties' consent
    outcome: Outcome | None = None
    concluded_at: datetime | None = None  # 结案: when the outcome was fixed

    def is_overdue(self, now: datetime) -> bool:
        """Whether the mediation period has run out while the case is still in mediation."""
        return (
            self.status in MEDIATION_PHASE
            and self.deadline is not None
            and court_date(now) > self.deadline
        )


@dataclass(frozen=True)
class TransitionEvent:
    """The record of one move: who, when, why (the case timeline stores these)."""

    from_status: CaseStatus
    to_status: CaseStatus
    actor_role: str
    at: datetime
    reason: str | None = None
    outcome: Outcome | None = None
    extension_days: int | None = None
    parties_consent: bool | None = None  # recorded whenever an extension is made
    deadline: date | None = None  # the mediation deadline after the move

    def as_dict(self) -> dict:
        """Return plain JSON-ready values (ISO dates, enum codes)."""
        return {
            "from": self.from_status.value,
            "to": self.to_status.value,
            "actor_role": self.actor_role,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "outcome": self.outcome.value if self.outcome else None,
            "extension_days": self.extension_days,
            "parties_consent": self.parties_consent,
            "deadline": self.deadline.isoformat() if self.deadline else None,
        }


@dataclass(frozen=True)
class TransitionResult:
    state: CaseState
    event: TransitionEvent


@dataclass(frozen=True)
class AllowedTransition:
    """A move a role may offer as a button."""

    target: CaseStatus
    action_zh: str
    action_en: str
    outcomes: tuple[Outcome, ...] = ()  # outcomes this role may choose; empty if none needed
    reason_required: bool = False
    reason_label: str | None = None
    needs_extension: bool = False  # the period has ended: mediation cannot go on (art. 25)


# --- Time ------------------------------------------------------------------------------

# China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact and
# needs no time-zone database.
COURT_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def date_zh(d: date) -> str:
    """A date as written in court documents: ``2026年10月10日``."""
    return f"{d.year}年{d.month}月{d.day}日"


def court_date(moment: datetime | date) -> date:
    """Return the calendar date in the court's time zone (naive datetimes are UTC)."""
    if not isinstance(moment, datetime):
        return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(COURT_TZ).date()


def mediation_deadline(
    assigned_at: datetime | date,
    *,
    extension_days: int = 0,
    is_working_day: Callable[[date], bool] | None = None,
) -> date:
    """Return the last day of 委派调解: 30 days after the day of assignment, plus extensions.

    As in every procedural period, the day the period starts is not counted (民事诉讼法,
    期间). When ``is_working_day`` is given (e.g. ``risk.workdays.is_working_day``), a last
    day falling on a public holiday or weekend moves to the next working day, as the
    same article provides for periods ending on a holiday.
    """
    last_day = court_date(assigned_at) + timedelta(days=MEDIATION_LIMIT_DAYS + extension_days)
    if is_working_day is not None:
        while not is_working_day(last_day):
            last_day += timedelta(days=1)
    return last_day


# --- Applying a move -------------------------------------------------------------------


def _quote(status) -> str:
    return f"“{status.label_zh}”"


def _quote_en(status) -> str:
    return f"“{status.label_en}”"


def _role_label(role: str) -> str:
    return Role(role).label_zh


def _role_en(role: str) -> str:
    return Role(role).label_en


def _reason_missing(label) -> Msg:
    label_en = getattr(label, "en", label)
    return Msg("请填写{label}", "Please give the {label_en}", label=label,
               label_en=label_en[:1].lower() + label_en[1:])


def _coerce(enum_cls, value, field_name: str, what: str):
    if value is None or isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(value)
    except ValueError:
        raise TransitionError(Msg("未知的{what}“{value}”", "Unknown {what_en} “{value}”",
                                  what=what[0], what_en=what[1], value=value),
                              field_name) from None


def _check_role(role: str) -> Role:
    known = Role.of(role)
    if known is None:
        raise TransitionError(Msg("未知的角色“{role}”", "Unknown role “{role}”", role=role),
                              "actor_role")
    return known


def _check_now(now: datetime) -> datetime:
    if not isinstance(now, datetime):
        raise TypeError("now must be a datetime (UTC), not " + type(now).__name__)
    return now


def _lookup(source: CaseStatus, target: CaseStatus) -> Transition:
    move = TRANSITIONS.get((source, target))
    if move is None:
        if source == target:
            raise TransitionError(Msg("案件状态已是{s}", "The case is already {s_en}",
                                      s=_quote(source), s_en=_quote_en(source)))
        raise TransitionError(Msg(
            "案件状态为{s}，不能直接变更为{t}", "A case that is {s_en} cannot become {t_en}",
            s=_quote(source), t=_quote(target), s_en=_quote_en(source), t_en=_quote_en(target)))
    return move


def _check_outcome(move: Transition, outcome: Outcome | None, role: str) -> None:
    if not move.concludes:
        if outcome is not None:
            raise TransitionError(Msg("此操作不结案，无需选择结案方式",
                                      "This step does not conclude the case: choose no outcome"),
                                  "outcome")
        return
    choices = "、".join(o.label_zh for o in Outcome if o in move.outcomes)
    choices_en = ", ".join(o.label_en for o in Outcome if o in move.outcomes)
    if outcome is None:
        raise TransitionError(Msg("此操作将结案，请选择结案方式：{c}",
                                  "This step concludes the case: choose the outcome ({c_en})",
                                  c=choices, c_en=choices_en), "outcome")
    if outcome not in move.outcomes:
        raise TransitionError(Msg(
            "结案方式{o}不适用于此操作，可选：{c}",
            "The outcome {o_en} does not fit this step; choose one of: {c_en}",
            o=_quote(outcome), o_en=_quote_en(outcome), c=choices, c_en=choices_en), "outcome")
    if role not in OUTCOME_ROLES[outcome] and not move.by_agreement:
        raise TransitionError(Msg(
            "{r}不能以{o}结案", "A {r_en} cannot conclude a case as {o_en}",
            r=_role_label(role), r_en=_role_en(role).lower(),
            o=_quote(outcome), o_en=_quote_en(outcome)), "outcome")


def _check_extension(days, parties_consent: bool) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
        raise TransitionError(Msg("延长天数应为正整数",
                                  "The extension must be a whole number of days above zero"),
                              "extension_days")
    if parties_consent is not True:
        raise TransitionError(Msg("延长调解期限须经双方当事人同意",
                                  "Extending the mediation period needs both parties' consent"),
                              "parties_consent")
    return days


def _check_not_ended(deadline: date, now: datetime) -> None:
    """An extension is granted before the period ends (art. 25: after it, mediation is over)."""
    if court_date(now) > deadline:
        raise TransitionError(Msg(
            "委派调解期限已于{d}届满，期限届满后不能再延长（人民法院在线调解规则第二十五条）",
            "The mediation period ended on {d_en}; an ended period cannot be extended "
            "(Online Mediation Rules art. 25)", d=date_zh(deadline), d_en=deadline.isoformat()),
            "extension_days")


def apply_transition(
    state: CaseState,
    to: CaseStatus | str,
    *,
    actor_role: str,
    now: datetime,
    reason: str | None = None,
    outcome: Outcome | str | None = None,
    extension_days: int | None = None,
    parties_consent: bool = False,
    agreement_signed: bool = False,
    confirmation_ruled: bool = False,
) -> TransitionResult:
    """Move a case to ``to`` if the table allows it for ``actor_role``, or raise TransitionError.

    A move ``by_agreement`` (to mediated) needs ``agreement_signed=True``: only the last
    signature of a mediation agreement makes it, so the agreement and the outcome cannot part.

    ``extension_days`` (with ``parties_consent=True``) extends the mediation deadline as
    part of the move — e.g. scheduling a session after the 30th day that both parties
    agreed to.
    """
    target = _coerce(CaseStatus, to, "status", ("案件状态", "case status"))
    outcome = _coerce(Outcome, outcome, "outcome", ("结案方式", "outcome"))
    role = _check_role(actor_role)
    now = _check_now(now)
    move = _lookup(state.status, target)

    if role not in move.roles:
        raise TransitionError(Msg(
            "{r}无权将案件由{s}变更为{t}", "A {r_en} may not move a case from {s_en} to {t_en}",
            r=_role_label(role), r_en=_role_en(role).lower(), s=_quote(move.source),
            s_en=_quote_en(move.source), t=_quote(move.target), t_en=_quote_en(move.target)))
    if move.by_agreement and not agreement_signed:
        raise TransitionError(Msg(
            "调解成功须由各方当事人在线签署调解协议，最后一方签署时协议生效、案件转为“已调解”",
            "Mediation succeeds only through an agreement every party signs online; the last "
            "signature makes it effective and the case mediated"))
    if move.by_ruling and not confirmation_ruled:
        raise TransitionError(Msg(
            "司法确认须由双方当事人在调解协议生效后三十日内共同申请，经法官审查后裁定",
            "Judicial confirmation follows the parties' joint application within 30 days of the "
            "agreement taking effect and the judge's ruling on it"))
    reason = (reason or "").strip() or None
    if move.reason_required and reason is None:
        raise TransitionError(_reason_missing(move.reason_label), "reason")
    _check_outcome(move, outcome, role)

    new = state
    consent: bool | None = None
    if extension_days is not None:
        days = _check_extension(extension_days, parties_consent)
        if state.deadline is None or target not in MEDIATION_PHASE:
            raise TransitionError(Msg("只有委派调解期间才能延长调解期限",
                                      "The period can only be extended while mediation runs"),
                                  "extension_days")
        _check_not_ended(state.deadline, now)
        new = replace(new, deadline=state.deadline + timedelta(days=days),
                      extension_days=state.extension_days + days)
        consent = True

    if (move.source, target) == (S.ASSIGNED, S.SCHEDULED) and state.accepted_at is None:
        raise TransitionError(Msg(
            "调解员尚未接受委派，接受后方可安排调解",
            "The mediator has not accepted the case yet; mediation is scheduled after accepting"))
    if move.continues_mediation and new.deadline is not None and court_date(now) > new.deadline:
        raise TransitionError(Msg(
            "委派调解期限已于{d}届满，调解终止（人民法院在线调解规则第二十五条），不能继续调解",
            "The mediation period ended on {d_en}: the mediation is over (Online Mediation "
            "Rules art. 25) and cannot go on", d=date_zh(new.deadline),
            d_en=new.deadline.isoformat()))

    new = replace(new, status=target)
    if move.source == S.REGISTERED and target == S.ASSIGNED:
        # Delegated, not yet accepted: the 30 days start when the mediator accepts (art. 24).
        new = replace(new, assigned_at=now, accepted_at=None, deadline=None, extension_days=0)
    elif target == S.REGISTERED:
        # Declined or recused: back to the pool; the next acceptance starts a new period.
        new = replace(new, assigned_at=None, accepted_at=None, deadline=None, extension_days=0)
    if move.concludes:
        new = replace(new, outcome=outcome, concluded_at=now)

    event = TransitionEvent(
        from_status=move.source,
        to_status=target,
        actor_role=role,
        at=now,
        reason=reason,
        outcome=outcome,
        extension_days=extension_days,
        parties_consent=consent,
        deadline=new.deadline,
    )
    return TransitionResult(state=new, event=event)


def extend_mediation(
    state: CaseState,
    days: int,
    *,
    actor_role: str,
    now: datetime,
    parties_consent: bool,
    reason: str | None = None,
) -> TransitionResult:
    """Extend the mediation deadline by ``days`` with both parties' consent, recording it.

    The status does not change; the event's ``from_status`` equals its ``to_status``.
    """
    role = _check_role(actor_role)
    now = _check_now(now)
    if role not in EXTENSION_ROLES:
        raise TransitionError(Msg("{r}无权延长调解期限",
                                  "A {r_en} may not extend the mediation period",
                                  r=_role_label(role), r_en=_role_en(role).lower()))
    if state.status not in MEDIATION_PHASE or state.deadline is None:
        raise TransitionError(Msg(
            "案件状态为{s}，不在委派调解期间，不能延长调解期限",
            "A case that is {s_en} is not in mediation; its period cannot be extended",
            s=_quote(state.status), s_en=_quote_en(state.status)))
    days = _check_extension(days, parties_consent)
    _check_not_ended(state.deadline, now)
    new = replace(state, deadline=state.deadline + timedelta(days=days),
                  extension_days=state.extension_days + days)
    event = TransitionEvent(
        from_status=state.status,
        to_status=state.status,
        actor_role=role,
        at=now,
        reason=(reason or "").strip() or None,
        extension_days=days,
        parties_consent=True,
        deadline=new.deadline,
    )
    return TransitionResult(state=new, event=event)


# 并案: a case registered on its own is joined into another case of the same project and
# dispute type, before mediation is scheduled (after that, the mediator is already
# working on it alone). Its complaints move to the other case; it is closed with the
# outcome MERGED, which concludes no dispute. Not in TRANSITIONS: the move only makes
# sense together with moving the complaints, so the service offers it, not a button.
MERGEABLE = frozenset({CaseStatus.REGISTERED, CaseStatus.ASSIGNED})


def close_as_merged(
    state: CaseState, *, actor_role: str, now: datetime, into: str
) -> TransitionResult:
    """Close a case whose complaints were joined into case number ``into`` (并案)."""
    role = _check_role(actor_role)
    now = _check_now(now)
    if role not in JUDGE:
        raise TransitionError(Msg("{r}无权并案", "A {r_en} may not merge cases",
                                  r=_role_label(role), r_en=_role_en(role).lower()))
    if state.status not in MERGEABLE:
        raise TransitionError(Msg(
            "案件状态为{s}，只有“已登记”或“已分派”的案件可以并案",
            "The case is {s_en}: only registered or assigned cases can be merged",
            s=_quote(state.status), s_en=_quote_en(state.status)))
    into = (into or "").strip()
    if not into:
        raise TransitionError(Msg("请指明并入的案件", "Name the case to merge into"), "into")
    new = replace(state, status=CaseStatus.CLOSED, outcome=Outcome.MERGED, concluded_at=now)
    event = TransitionEvent(
        from_status=state.status,
        to_status=CaseStatus.CLOSED,
        actor_role=role,
        at=now,
        reason=Msg("并入{into}", "Merged into {into}", into=into),
        outcome=Outcome.MERGED,
        deadline=state.deadline,
    )
    return TransitionResult(state=new, event=event)


def allowed_transitions(
    state: CaseState, role: str, *, now: datetime | None = None
) -> list[AllowedTransition]:
    """List the moves ``role`` may make from ``state``, in table order, for the UI's buttons.

    With ``now``, moves that continue mediation past the deadline are marked
    ``needs_extension``.
    """
    if Role.of(role) is None:
        return []
    overdue = now is not None and state.deadline is not None and court_date(now) > state.deadline
    result = []
    for move in _TABLE:
        if move.source != state.status or role not in move.roles or move.by_agreement or move.by_ruling:
            continue
        if (move.source, move.target) == (S.ASSIGNED, S.SCHEDULED) and state.accepted_at is None:
            continue  # the mediator accepts (or declines) first
        if move.continues_mediation and overdue:
            continue  # the period has ended: the mediation is over (art. 25)
        outcomes = tuple(o for o in Outcome if o in move.outcomes and role in OUTCOME_ROLES[o])
        if move.concludes and not outcomes:
            continue
        result.append(
            AllowedTransition(
                target=move.target,
                action_zh=move.action_zh,
                action_en=move.action_en,
                outcomes=outcomes,
                reason_required=move.reason_required,
                reason_label=move.reason_label,
                needs_extension=move.continues_mediation and overdue,
            )
        )
    return result


# --- Complaints ------------------------------------------------------------------------

# A complaint waits for the court's review (立案审查): accepted into a case, rejected with
# a reason the claimant can read, or merged into another complaint of the same dispute.
# (from, to) → (roles allowed, label of the required reason or None)
COMPLAINT_TRANSITIONS: dict[tuple[ComplaintStatus, ComplaintStatus],
                            tuple[frozenset[Role], str | None]] = {
    (ComplaintStatus.SUBMITTED, ComplaintStatus.ACCEPTED): (JUDGE, None),
    (ComplaintStatus.SUBMITTED, ComplaintStatus.REJECTED):
        (JUDGE, Msg("不予受理理由", "Reason for rejecting")),
    (ComplaintStatus.SUBMITTED, ComplaintStatus.MERGED): (JUDGE, None),
}


@dataclass(frozen=True)
class ComplaintDecision:
    from_status: ComplaintStatus
    to_status: ComplaintStatus
    actor_role: str
    at: datetime
    reason: str | None = None


def decide_complaint(
    status: ComplaintStatus | str,
    to: ComplaintStatus | str,
    *,
    actor_role: str,
    now: datetime,
    reason: str | None = None,
) -> ComplaintDecision:
    """Accept, reject (with a reason) or merge a submitted complaint, or raise TransitionError."""
    source = _coerce(ComplaintStatus, status, "status", ("投诉状态", "complaint status"))
    target = _coerce(ComplaintStatus, to, "status", ("投诉状态", "complaint status"))
    role = _check_role(actor_role)
    now = _check_now(now)
    rule = COMPLAINT_TRANSITIONS.get((source, target))
    if rule is None:
        raise TransitionError(Msg(
            "投诉状态为{s}，不能变更为{t}", "A complaint that is {s_en} cannot become {t_en}",
            s=_quote(source), t=_quote(target), s_en=_quote_en(source), t_en=_quote_en(target)))
    roles, reason_label = rule
    if role not in roles:
        raise TransitionError(Msg("{r}无权将投诉变更为{t}", "A {r_en} may not make a complaint {t_en}",
                                  r=_role_label(role), r_en=_role_en(role).lower(),
                                  t=_quote(target), t_en=_quote_en(target)))
    reason = (reason or "").strip() or None
    if reason_label and reason is None:
        raise TransitionError(_reason_missing(reason_label), "reason")
    return ComplaintDecision(source, target, role, now, reason)
