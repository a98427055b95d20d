"""When must the judge assign, the mediator answer, and when does the mediation end?"""

from datetime import date, datetime, timedelta, timezone

import pytest

from mediation.delegation import (
    EXPIRY_REASON, MediatorStanding, accept_delegation, acceptance_due, assignment_due, due_step,
    eligibility_refusal, end_expired_mediation,
)
from mediation.lifecycle import CaseState, CaseStatus, TransitionError, apply_transition
from risk.workdays import is_working_day

# 30 September 2026, 10:00 in Wenchang: the National Day holiday (1–7 October) follows.
EVE_OF_HOLIDAY = datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc)


def test_the_judge_has_three_working_days_and_the_holiday_does_not_count():
    assert assignment_due(EVE_OF_HOLIDAY, is_working_day=is_working_day) == date(2026, 10, 10)


def test_the_mediator_has_three_working_days_from_the_delegation():
    monday = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
    assert acceptance_due(monday, is_working_day=is_working_day) == date(2026, 11, 26)
    friday = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
    assert acceptance_due(friday, is_working_day=is_working_day) == date(2026, 12, 2)


def test_the_thirty_days_run_from_acceptance_not_from_assignment():
    assigned_at = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)
    accepted_at = assigned_at + timedelta(days=2)
    state = apply_transition(CaseState(), "assigned", actor_role="judge", now=assigned_at).state
    assert state.deadline is None
    result = accept_delegation(state, actor_role="mediator", now=accepted_at)
    assert result.state.accepted_at == accepted_at
    assert result.state.deadline == date(2026, 12, 4)  # 4 Nov + 30 days
    assert result.state.status is CaseStatus.ASSIGNED
    assert "30日" in result.event.reason
    scheduled = apply_transition(result.state, "scheduled", actor_role="mediator",
                                 now=accepted_at + timedelta(days=1))
    assert scheduled.state.deadline == date(2026, 12, 4)


def test_a_period_ending_on_a_holiday_runs_to_the_next_working_day_when_asked():
    assigned = apply_transition(CaseState(), "assigned", actor_role="judge",
                                now=datetime(2026, 8, 31, 2, 0, tzinfo=timezone.utc)).state
    accepted = accept_delegation(assigned, actor_role="mediator",
                                 now=datetime(2026, 9, 1, 2, 0, tzinfo=timezone.utc),
                                 is_working_day=is_working_day)
    assert accepted.state.deadline == date(2026, 10, 8)  # 1 Oct is National Day


@pytest.mark.parametrize("role", ["judge", "homeowner", "developer", "admin"])
def test_only_the_mediator_accepts(role):
    state = apply_transition(CaseState(), "assigned", actor_role="judge", now=EVE_OF_HOLIDAY).state
    with pytest.raises(TransitionError, match="只有受委派的调解员可以接受委派"):
        accept_delegation(state, actor_role=role, now=EVE_OF_HOLIDAY)


def test_a_case_is_accepted_once_and_only_while_delegated():
    state = apply_transition(CaseState(), "assigned", actor_role="judge", now=EVE_OF_HOLIDAY).state
    accepted = accept_delegation(state, actor_role="mediator", now=EVE_OF_HOLIDAY).state
    with pytest.raises(TransitionError, match="已于2026年9月30日接受委派"):
        accept_delegation(accepted, actor_role="mediator", now=EVE_OF_HOLIDAY)
    with pytest.raises(TransitionError, match="不是待接受的委派"):
        accept_delegation(CaseState(), actor_role="mediator", now=EVE_OF_HOLIDAY)


def test_an_expired_period_ends_the_mediation_as_failed_with_the_ground():
    state = CaseState(status=CaseStatus.IN_MEDIATION, assigned_at=EVE_OF_HOLIDAY,
                      accepted_at=EVE_OF_HOLIDAY, deadline=date(2026, 10, 30))
    with pytest.raises(TransitionError, match="尚未届满"):
        end_expired_mediation(state, now=datetime(2026, 10, 30, 15, 0, tzinfo=timezone.utc))
    ended = end_expired_mediation(state, now=datetime(2026, 10, 30, 16, 0, tzinfo=timezone.utc))
    assert ended.state.status is CaseStatus.FAILED
    assert ended.event.reason == EXPIRY_REASON and "第二十五条" in EXPIRY_REASON
    # From there the judge files it for litigation, as the lifecycle allows.
    filed = apply_transition(ended.state, "litigation", actor_role="judge",
                             now=datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc))
    assert filed.state.status is CaseStatus.LITIGATION


def test_the_list_shows_which_deadline_runs_and_whether_it_is_overdue():
    now = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
    registered = due_step(CaseState(), response_due=date(2026, 11, 26), now=now)
    assert (registered.step, registered.overdue) == ("assign", True)
    assert registered.label == "分派已逾期（2026年11月26日）"
    assert registered.label.en == "assign overdue (2026-11-26)"
    waiting = due_step(CaseState(status=CaseStatus.ASSIGNED, assigned_at=now),
                       response_due=date(2026, 12, 2), now=now)
    assert (waiting.step, waiting.overdue) == ("accept", False)
    running = due_step(CaseState(status=CaseStatus.IN_MEDIATION, accepted_at=now,
                                 deadline=date(2026, 12, 27)), response_due=None, now=now)
    assert (running.step, running.due) == ("mediate", date(2026, 12, 27))
    assert due_step(CaseState(status=CaseStatus.CLOSED), response_due=None, now=now) is None


WANG = MediatorStanding(name="王调解", active=True, skills=frozenset({"late_delivery"}),
                        conflicts=frozenset({"7"}), leave=((date(2026, 12, 1), date(2026, 12, 5)),),
                        capacity_left=2)


@pytest.mark.parametrize("change, on, expected", [
    ({}, date(2026, 11, 30), None),
    ({"active": False}, date(2026, 11, 30), "调解员王调解已停用"),
    ({}, date(2026, 12, 5), "调解员王调解2026年12月1日至2026年12月5日休假"),
    ({"skills": frozenset({"quality"})}, date(2026, 11, 30), "调解员王调解不擅长逾期交房纠纷"),
    ({"conflicts": frozenset({"3"})}, date(2026, 11, 30), "调解员王调解已声明与某置业存在利益冲突，应当回避"),
    ({"capacity_left": 0}, date(2026, 11, 30), "调解员王调解已无接案余量"),
])
def test_a_mediator_is_eligible_only_when_available_skilled_unconflicted_and_free(change, on, expected):
    from dataclasses import replace

    refusal = eligibility_refusal(replace(WANG, **change), dispute_type="late_delivery",
                                  developer_id="3", developer_name="某置业", on=on)
    assert refusal == expected
    if expected:
        assert refusal.en  # the English text travels with it
