"""Who may withdraw a case, and why registered → assigned is no button of its own."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mediation.case_moves import (
    ASSIGNMENT_REFUSAL, is_assignment, offered_moves, withdrawal_refusal,
)
from mediation.lifecycle import CaseState, CaseStatus

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)
ME = ("person", 1)
NEIGHBOUR = ("person", 2)


def test_a_homeowner_withdraws_a_case_that_is_wholly_their_own():
    assert withdrawal_refusal("homeowner", ME, [ME, ME]) is None


def test_a_party_who_is_not_the_applicant_may_not_withdraw():
    assert withdrawal_refusal("homeowner", ME, [NEIGHBOUR]) == "只有申请人可以撤回申请"
    assert withdrawal_refusal("developer", ("developer", 7), [ME]) == "只有申请人可以撤回申请"


def test_one_claimant_of_a_group_may_not_withdraw_for_the_others_but_may_opt_out():
    refusal = withdrawal_refusal("homeowner", ME, [ME, NEIGHBOUR])
    assert refusal.startswith("本案有多名申请人") and "选择退出" in refusal


@pytest.mark.parametrize("role", ["judge", "mediator", "admin"])
def test_the_court_is_not_held_to_the_parties_rule(role):
    assert withdrawal_refusal(role, None, [ME, NEIGHBOUR]) is None


def test_registered_to_assigned_is_the_assignment_and_nothing_else():
    assert is_assignment(CaseStatus.REGISTERED, CaseStatus.ASSIGNED)
    assert not is_assignment(CaseStatus.ASSIGNED, CaseStatus.SCHEDULED)
    assert not is_assignment(CaseStatus.SCHEDULED, CaseStatus.REGISTERED)
    assert ASSIGNMENT_REFUSAL == "请在“分派调解员”中选择调解员"


def test_the_judge_of_a_registered_case_gets_no_assign_button_among_the_moves():
    """The judge assigns through the mediator choice; the other moves stay."""
    moves = offered_moves(CaseState(status=CaseStatus.REGISTERED), "judge", now=NOW)
    targets = {m.target for m in moves}
    assert CaseStatus.ASSIGNED not in targets
    assert targets  # withdrawal, transfer… are still offered


def test_a_party_who_may_not_withdraw_is_offered_no_move_at_all():
    state = CaseState(status=CaseStatus.IN_MEDIATION)
    assert offered_moves(state, "homeowner", now=NOW)
    assert offered_moves(state, "homeowner", now=NOW, party_refusal="只有申请人可以撤回申请") == []
    # the court's buttons do not depend on a party's refusal
    assert offered_moves(state, "judge", now=NOW, party_refusal="x")


def test_a_refused_withdrawal_explains_itself_in_english_too():
    from mediation.messages import localize

    refusal = withdrawal_refusal("homeowner", ME, [NEIGHBOUR])
    assert localize(refusal, "en") == "Only the applicant may withdraw the application"
