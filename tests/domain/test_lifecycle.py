"""Who may move a case where, when, and with what reason?"""

from datetime import date, datetime, timedelta, timezone

import pytest

from mediation.delegation import accept_delegation
from mediation.disputes import ComplaintStatus
from mediation.roles import Role
from mediation.lifecycle import (
    MEDIATION_PHASE,
    OUTCOME_ROLES,
    TRANSITIONS,
    CaseState,
    CaseStatus,
    Outcome,
    TransitionError,
    allowed_transitions,
    apply_transition,
    court_date,
    decide_complaint,
    extend_mediation,
    mediation_deadline,
)

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Wenchang
ASSIGNED_AT = NOW - timedelta(days=5)


def make_state(status: CaseStatus, **changes) -> CaseState:
    """A case in ``status``; cases past assignment were accepted and carry a running deadline."""
    fields = {"status": status}
    if status not in (CaseStatus.REGISTERED,):
        fields.update(assigned_at=ASSIGNED_AT, accepted_at=ASSIGNED_AT,
                      deadline=mediation_deadline(ASSIGNED_AT))
    fields.update(changes)
    return CaseState(**fields)


def move_arguments(move, role):
    """Arguments that satisfy a move's needs for ``role`` (reason, an outcome it may give)."""
    kwargs = {"actor_role": role, "now": NOW}
    if move.reason_required:
        kwargs["reason"] = "当事人书面申请"
    if move.concludes:
        kwargs["outcome"] = next(o for o in Outcome if o in move.outcomes
                                 and (role in OUTCOME_ROLES[o] or move.by_agreement))
    if move.by_agreement:
        kwargs["agreement_signed"] = True  # the last signature makes this move
    if move.by_ruling:
        kwargs["confirmation_ruled"] = True  # the judge's ruling on the joint application makes it
    return kwargs


ALLOWED = [(move, role) for move in TRANSITIONS.values() for role in sorted(move.roles)]
REFUSED = [(move, role) for move in TRANSITIONS.values() for role in Role if role not in move.roles]


def _id(param):
    move, role = param
    return f"{move.source}->{move.target}:{role}"


# --- The table, move by move -------------------------------------------------------------


@pytest.mark.parametrize("move, role", ALLOWED, ids=[_id(p) for p in ALLOWED])
def test_each_allowed_move_works_for_its_roles(move, role):
    result = apply_transition(make_state(move.source), move.target, **move_arguments(move, role))
    assert result.state.status == move.target
    event = result.event
    assert (event.from_status, event.to_status, event.actor_role, event.at) == (
        move.source, move.target, role, NOW,
    )
    if move.concludes:
        assert result.state.outcome is event.outcome is not None
        assert result.state.concluded_at == NOW
    if move.reason_required:
        assert event.reason == "当事人书面申请"


@pytest.mark.parametrize("move, role", REFUSED, ids=[_id(p) for p in REFUSED])
def test_each_move_is_refused_to_every_other_role(move, role):
    arguments = {**move_arguments(move, sorted(move.roles)[0]), "actor_role": role}
    with pytest.raises(TransitionError) as error:
        apply_transition(make_state(move.source), move.target, **arguments)
    assert "无权" in str(error.value)
    assert f"“{move.source.label_zh}”" in str(error.value)


def test_the_administrator_makes_no_move_at_all():
    assert all("admin" not in move.roles for move in TRANSITIONS.values())


def test_every_role_allowed_a_concluding_move_can_give_some_outcome():
    for move in TRANSITIONS.values():
        if move.concludes and not move.by_agreement:  # signing gives its outcome itself
            for role in move.roles:
                assert any(role in OUTCOME_ROLES[o] for o in move.outcomes), (move, role)


DISALLOWED_PAIRS = [
    (a, b) for a in CaseStatus for b in CaseStatus if (a, b) not in TRANSITIONS and a != b
]


@pytest.mark.parametrize("source, target", DISALLOWED_PAIRS, ids=lambda s: str(s))
def test_moves_outside_the_table_are_refused_with_both_states_named(source, target):
    with pytest.raises(TransitionError) as error:
        apply_transition(make_state(source), target, actor_role="judge", now=NOW,
                         reason="理由", outcome=None)
    assert str(error.value) == f"案件状态为“{source.label_zh}”，不能直接变更为“{target.label_zh}”"


def test_the_examples_in_the_brief_read_as_expected():
    with pytest.raises(TransitionError, match="^案件状态为“已登记”，不能直接变更为“已调解”$"):
        apply_transition(CaseState(), "mediated", actor_role="mediator", now=NOW)
    with pytest.raises(TransitionError, match="案件状态已是“已登记”"):
        apply_transition(CaseState(), "registered", actor_role="judge", now=NOW)


def test_a_closed_case_goes_nowhere():
    closed = make_state(CaseStatus.CLOSED, outcome=Outcome.MEDIATED)
    for role in Role:
        assert allowed_transitions(closed, role) == []


# --- Reasons and outcomes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "source, target, label",
    [
        (CaseStatus.IN_MEDIATION, CaseStatus.WITHDRAWN, "撤回原因"),
        (CaseStatus.IN_MEDIATION, CaseStatus.FAILED, "调解不成原因"),
        (CaseStatus.ASSIGNED, CaseStatus.REGISTERED, "拒绝或回避理由"),
        (CaseStatus.REGISTERED, CaseStatus.CLOSED, "移送去向及理由"),
    ],
)
def test_withdrawing_failing_declining_and_transferring_need_a_reason(source, target, label):
    move = TRANSITIONS[(source, target)]
    kwargs = {**move_arguments(move, "judge"), "reason": "   "}
    with pytest.raises(TransitionError) as error:
        apply_transition(make_state(source), target, **kwargs)
    assert error.value.field == "reason"
    assert str(error.value) == f"请填写{label}"


def test_concluding_needs_an_outcome_and_lists_the_choices():
    with pytest.raises(TransitionError) as error:
        apply_transition(make_state(CaseStatus.IN_MEDIATION), "withdrawn",
                         actor_role="mediator", now=NOW, reason="已和解")
    assert error.value.field == "outcome"
    assert "申请撤诉、按撤诉处理" in str(error.value)


def test_an_outcome_that_does_not_fit_the_move_is_refused():
    with pytest.raises(TransitionError, match="结案方式“判决”不适用于此操作") as error:
        apply_transition(make_state(CaseStatus.IN_MEDIATION), "withdrawn", actor_role="judge",
                         now=NOW, reason="已和解", outcome="judged")
    assert error.value.field == "outcome"


def test_a_move_that_does_not_conclude_takes_no_outcome():
    with pytest.raises(TransitionError, match="此操作不结案"):
        apply_transition(make_state(CaseStatus.ASSIGNED), "scheduled", actor_role="mediator",
                         now=NOW, outcome=Outcome.MEDIATED)


def test_a_homeowner_may_withdraw_but_not_declare_the_withdrawal_deemed():
    state = make_state(CaseStatus.SCHEDULED)
    applied = apply_transition(state, "withdrawn", actor_role="homeowner", now=NOW,
                               reason="已与开发企业自行和解", outcome="withdrawn_applied")
    assert applied.state.outcome is Outcome.WITHDRAWN_APPLIED
    with pytest.raises(TransitionError, match="业主不能以“按撤诉处理”结案"):
        apply_transition(state, "withdrawn", actor_role="homeowner", now=NOW,
                         reason="未到场", outcome="withdrawn_deemed")


def test_only_applied_withdrawals_and_mediation_count_for_the_rate():
    counted = {o for o in Outcome if o.counts_for_mediation_withdrawal_rate}
    assert counted == {Outcome.MEDIATED, Outcome.WITHDRAWN_APPLIED}


def test_unknown_states_outcomes_and_roles_are_refused_clearly():
    with pytest.raises(TransitionError, match="未知的案件状态“settled”"):
        apply_transition(CaseState(), "settled", actor_role="judge", now=NOW)
    with pytest.raises(TransitionError, match="未知的角色“clerk”"):
        apply_transition(CaseState(), "assigned", actor_role="clerk", now=NOW)
    with pytest.raises(TransitionError, match="未知的结案方式"):
        apply_transition(make_state(CaseStatus.IN_MEDIATION), "mediated",
                         actor_role="judge", now=NOW, outcome="won")


# --- The 30-day mediation period ---------------------------------------------------------


def test_assignment_alone_starts_no_clock_the_mediator_must_accept_first():
    late_evening_utc = datetime(2026, 1, 5, 20, 0, tzinfo=timezone.utc)  # 6 Jan, 04:00 in Hainan
    result = apply_transition(CaseState(), "assigned", actor_role="judge", now=late_evening_utc)
    assert result.state.assigned_at == late_evening_utc
    assert result.state.accepted_at is None and result.state.deadline is None
    assert result.event.deadline is None


def test_an_unaccepted_delegation_cannot_be_scheduled_and_is_not_offered():
    state = make_state(CaseStatus.ASSIGNED, accepted_at=None, deadline=None)
    with pytest.raises(TransitionError, match="调解员尚未接受委派"):
        apply_transition(state, "scheduled", actor_role="mediator", now=NOW)
    offered = [a.target for a in allowed_transitions(state, "mediator", now=NOW)]
    assert CaseStatus.SCHEDULED not in offered and CaseStatus.REGISTERED in offered


def test_naive_datetimes_are_taken_as_utc():
    assert court_date(datetime(2026, 1, 5, 20, 0)) == date(2026, 1, 6)


def test_a_deadline_on_a_holiday_can_roll_to_the_next_working_day():
    weekend = {date(2026, 2, 7), date(2026, 2, 8)}
    assert mediation_deadline(date(2026, 1, 8)) == date(2026, 2, 7)
    assert mediation_deadline(date(2026, 1, 8), is_working_day=lambda d: d not in weekend) == date(2026, 2, 9)


def test_mediation_cannot_continue_after_the_deadline():
    state = make_state(CaseStatus.ASSIGNED, deadline=date(2026, 3, 1))
    with pytest.raises(TransitionError) as error:
        apply_transition(state, "scheduled", actor_role="mediator", now=NOW)
    assert str(error.value) == ("委派调解期限已于2026年3月1日届满，调解终止（人民法院在线调解规则第二十五条），"
                                "不能继续调解")


def test_an_overdue_case_can_still_be_concluded():
    state = make_state(CaseStatus.IN_MEDIATION, deadline=date(2026, 3, 1))
    assert state.is_overdue(NOW)
    failed = apply_transition(state, "failed", actor_role="mediator", now=NOW, reason="期限届满未达成协议")
    assert failed.state.status is CaseStatus.FAILED


def test_extension_needs_both_parties_consent():
    state = make_state(CaseStatus.ASSIGNED, deadline=date(2026, 3, 10))
    with pytest.raises(TransitionError) as error:
        apply_transition(state, "scheduled", actor_role="mediator", now=NOW, extension_days=15)
    assert error.value.field == "parties_consent"
    assert str(error.value) == "延长调解期限须经双方当事人同意"


def test_an_agreed_extension_is_made_with_the_move_and_recorded():
    state = make_state(CaseStatus.ASSIGNED, deadline=date(2026, 3, 2))  # its last day
    result = apply_transition(state, "scheduled", actor_role="mediator", now=NOW,
                              extension_days=15, parties_consent=True)
    assert result.state.deadline == date(2026, 3, 17)
    assert result.state.extension_days == 15
    assert result.event.parties_consent is True and result.event.extension_days == 15


def test_extend_mediation_records_an_event_without_changing_the_status():
    state = make_state(CaseStatus.IN_MEDIATION, deadline=date(2026, 3, 10))
    result = extend_mediation(state, 10, actor_role="judge", now=NOW, parties_consent=True,
                              reason="双方申请延长")
    assert result.state.status is CaseStatus.IN_MEDIATION
    assert result.state.deadline == date(2026, 3, 20)
    assert result.event.from_status == result.event.to_status == CaseStatus.IN_MEDIATION
    assert result.event.as_dict()["parties_consent"] is True


@pytest.mark.parametrize("days", [0, -3, "7", True])
def test_extension_days_must_be_a_positive_integer(days):
    with pytest.raises(TransitionError, match="延长天数应为正整数"):
        extend_mediation(make_state(CaseStatus.IN_MEDIATION), days, actor_role="judge",
                         now=NOW, parties_consent=True)


def test_parties_cannot_extend_on_their_own_and_nothing_extends_outside_mediation():
    with pytest.raises(TransitionError, match="业主无权延长调解期限"):
        extend_mediation(make_state(CaseStatus.IN_MEDIATION), 5, actor_role="homeowner",
                         now=NOW, parties_consent=True)
    with pytest.raises(TransitionError, match="不在委派调解期间"):
        extend_mediation(make_state(CaseStatus.FAILED), 5, actor_role="judge", now=NOW,
                         parties_consent=True)
    with pytest.raises(TransitionError, match="只有委派调解期间才能延长"):
        apply_transition(make_state(CaseStatus.IN_MEDIATION), "failed", actor_role="judge",
                         now=NOW, reason="不成", extension_days=5, parties_consent=True)


def test_an_extension_after_the_period_ended_is_refused():
    """Art. 25: an extension is granted before the period ends, never after."""
    state = make_state(CaseStatus.IN_MEDIATION, deadline=date(2026, 3, 1))
    with pytest.raises(TransitionError, match="期限届满后不能再延长") as error:
        extend_mediation(state, 10, actor_role="judge", now=NOW, parties_consent=True)
    assert error.value.field == "extension_days"
    with pytest.raises(TransitionError, match="期限届满后不能再延长"):
        apply_transition(make_state(CaseStatus.ASSIGNED, deadline=date(2026, 3, 1)), "scheduled",
                         actor_role="mediator", now=NOW, extension_days=15, parties_consent=True)


def test_a_declining_mediator_stops_the_clock_and_the_case_returns_to_the_pool():
    declined = apply_transition(make_state(CaseStatus.ASSIGNED), "registered",
                                actor_role="mediator", now=NOW, reason="曾为该开发企业提供法律服务，申请回避")
    assert declined.state.deadline is None and declined.state.assigned_at is None
    assert declined.state.accepted_at is None
    reassigned = apply_transition(declined.state, "assigned", actor_role="judge", now=NOW)
    assert reassigned.state.deadline is None and reassigned.state.accepted_at is None


# --- The whole life of a case --------------------------------------------------------------


def test_a_case_settled_confirmed_and_performed():
    steps = [
        ("assigned", "judge", {}),
        ("scheduled", "mediator", {}),
        ("in_mediation", "mediator", {}),
        ("mediated", "homeowner", {"outcome": "mediated", "agreement_signed": True}),
        ("confirmed", "judge", {"confirmation_ruled": True}),
        ("performing", "mediator", {}),
        ("closed", "mediator", {}),
    ]
    state, events = CaseState(), []
    for i, (target, role, extra) in enumerate(steps):
        result = apply_transition(state, target, actor_role=role, now=NOW + timedelta(days=i), **extra)
        state, events = result.state, [*events, result.event]
        if target == "assigned":  # the mediator accepts the delegation (art. 12)
            state = accept_delegation(state, actor_role="mediator", now=NOW + timedelta(days=i)).state
    assert state.status is CaseStatus.CLOSED
    assert state.outcome is Outcome.MEDIATED
    assert state.concluded_at == NOW + timedelta(days=3)  # 结案 when the agreement was signed
    assert [e.to_status.value for e in events] == [s[0] for s in steps]


def test_a_failed_mediation_is_filed_and_ends_in_judgment():
    state = make_state(CaseStatus.IN_MEDIATION)
    for target, kwargs in [
        ("failed", {"actor_role": "mediator", "reason": "开发企业不同意赔偿方案"}),
        ("litigation", {"actor_role": "judge"}),
        ("closed", {"actor_role": "judge", "outcome": "judged"}),
    ]:
        state = apply_transition(state, target, now=NOW, **kwargs).state
    assert (state.status, state.outcome) == (CaseStatus.CLOSED, Outcome.JUDGED)


# --- Buttons -------------------------------------------------------------------------------


def test_a_homeowner_in_mediation_is_offered_only_to_withdraw_the_application():
    offered = allowed_transitions(make_state(CaseStatus.IN_MEDIATION), "homeowner")
    assert [(a.target, a.outcomes, a.reason_required) for a in offered] == [
        (CaseStatus.WITHDRAWN, (Outcome.WITHDRAWN_APPLIED,), True)
    ]


def test_a_judge_in_litigation_can_conclude_with_or_without_performance():
    offered = {a.target: a for a in allowed_transitions(make_state(CaseStatus.LITIGATION), "judge")}
    assert set(offered) == {CaseStatus.CLOSED, CaseStatus.PERFORMING}
    assert set(offered[CaseStatus.PERFORMING].outcomes) == {Outcome.JUDGED, Outcome.MEDIATED}


def test_once_the_period_has_ended_no_button_continues_the_mediation():
    state = make_state(CaseStatus.ASSIGNED, deadline=date(2026, 3, 1))
    offered = {a.target: a for a in allowed_transitions(state, "mediator", now=NOW)}
    assert CaseStatus.SCHEDULED not in offered
    assert CaseStatus.REGISTERED in offered


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("role", list(Role))
def test_every_offered_button_actually_works(status, role):
    state = make_state(status)
    for offer in allowed_transitions(state, role):
        kwargs = {"actor_role": role, "now": NOW}
        if offer.reason_required:
            kwargs["reason"] = "理由"
        if offer.outcomes:
            kwargs["outcome"] = offer.outcomes[0]
        assert apply_transition(state, offer.target, **kwargs).state.status is offer.target


def test_every_status_and_outcome_has_both_labels():
    for member in [*CaseStatus, *Outcome]:
        assert member.label_zh and member.label_en
    assert CaseStatus.IN_MEDIATION.label("en") == "In mediation"
    assert MEDIATION_PHASE == {CaseStatus.ASSIGNED, CaseStatus.SCHEDULED, CaseStatus.IN_MEDIATION}


# --- Complaints ------------------------------------------------------------------------------


def test_a_judge_rejects_a_complaint_only_with_a_reason():
    with pytest.raises(TransitionError, match="请填写不予受理理由"):
        decide_complaint("submitted", "rejected", actor_role="judge", now=NOW)
    decision = decide_complaint("submitted", "rejected", actor_role="judge", now=NOW,
                                reason="不属于本院管辖")
    assert decision.to_status is ComplaintStatus.REJECTED


def test_a_decided_complaint_cannot_be_decided_again_and_parties_cannot_decide():
    with pytest.raises(TransitionError, match="投诉状态为“已受理”，不能变更为“不予受理”"):
        decide_complaint("accepted", "rejected", actor_role="judge", now=NOW, reason="x")
    with pytest.raises(TransitionError, match="开发企业无权"):
        decide_complaint("submitted", "rejected", actor_role="developer", now=NOW, reason="x")


# --- Merging a case into another (并案) ---------------------------------------------------


def test_a_judge_merges_a_registered_or_assigned_case_and_it_closes_as_merged():
    """Is a case joined into another closed with an outcome that concludes no dispute?"""
    from mediation.lifecycle import close_as_merged

    for status in (CaseStatus.REGISTERED, CaseStatus.ASSIGNED):
        result = close_as_merged(make_state(status), actor_role="judge", now=NOW,
                                 into="（2026）琼9005民诉前调1号")
        assert (result.state.status, result.state.outcome) == (CaseStatus.CLOSED, Outcome.MERGED)
        assert result.state.concluded_at == NOW
        assert result.event.reason == "并入（2026）琼9005民诉前调1号"
    assert not Outcome.MERGED.concludes_dispute
    assert not Outcome.MERGED.counts_for_mediation_withdrawal_rate
    assert all(o.concludes_dispute for o in Outcome if o is not Outcome.MERGED)


def test_merging_is_refused_to_non_judges_once_mediation_is_scheduled_and_never_offered_as_a_button():
    from mediation.lifecycle import close_as_merged

    with pytest.raises(TransitionError, match="调解员无权并案"):
        close_as_merged(make_state(CaseStatus.REGISTERED), actor_role="mediator", now=NOW, into="x")
    with pytest.raises(TransitionError, match="只有“已登记”或“已分派”的案件可以并案"):
        close_as_merged(make_state(CaseStatus.SCHEDULED), actor_role="judge", now=NOW, into="x")
    assert all(Outcome.MERGED not in move.outcomes for move in TRANSITIONS.values())
    with pytest.raises(TransitionError):
        apply_transition(make_state(CaseStatus.REGISTERED), CaseStatus.CLOSED, actor_role="judge",
                         now=NOW, outcome=Outcome.MERGED, reason="x")


def test_confirmation_is_made_by_a_ruling_never_a_button():
    """Is 司法确认 reached without the parties' joint application and the judge's ruling?"""
    state = make_state(CaseStatus.MEDIATED)
    with pytest.raises(TransitionError, match="共同申请"):
        apply_transition(state, "confirmed", actor_role="judge", now=NOW)
    assert "confirmed" not in [m.target.value for m in allowed_transitions(state, "judge")]
    assert apply_transition(state, "confirmed", actor_role="judge", now=NOW,
                            confirmation_ruled=True).state.status is CaseStatus.CONFIRMED
