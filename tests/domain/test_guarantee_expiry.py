"""Does the plan page flag a counter-guarantee that lapses before the plan ends? At the
boundary: valid until the day the plan ends is enough; a day earlier is not."""
from __future__ import annotations

from datetime import date, timedelta

from risk.guarantee_expiry import GuaranteeTerm, ObligationTerm, expiring_guarantees, plan_ends_on, stage_dates

END = date(2027, 6, 30)
PLAN = {"stages": [{"stage": 1, "release": [], "perform": ["O1"]},
                   {"stage": 2, "release": [], "perform": ["O2"]},
                   {"stage": 3, "release": [], "perform": []}],
        "excluded_guarantees": []}
OBLIGATIONS = [ObligationTerm("O1", date(2027, 3, 31), ("C1",)), ObligationTerm("O2", END, ("C2",))]


def _letter(until: date, secures=("C1",), gid="G1") -> GuaranteeTerm:
    return GuaranteeTerm(gid, "海南银行", until, secures)


def test_a_stage_is_expected_when_the_earlier_stages_obligations_are_due_and_the_plan_ends_with_the_last():
    assert stage_dates(PLAN, {o.id: o.due_on for o in OBLIGATIONS}) == {1: None, 2: date(2027, 3, 31), 3: END}
    assert plan_ends_on(OBLIGATIONS) == END


def test_a_guarantee_valid_until_the_day_the_plan_ends_is_not_flagged():
    assert expiring_guarantees([_letter(END)], OBLIGATIONS, PLAN) == []


def test_a_guarantee_ending_the_day_before_the_plan_ends_is_flagged_with_the_stage_it_does_not_reach():
    [flag] = expiring_guarantees([_letter(END - timedelta(days=1))], OBLIGATIONS, PLAN)
    assert flag.guarantee == "G1" and flag.plan_ends_on == END and flag.stage == 3
    assert flag.obligations == ()  # O2 is due after it, but on a case it does not cover
    assert flag.to_json()["valid_until"] == "2027-06-29"


def test_a_guarantee_lapsing_before_an_obligation_on_its_cases_names_the_obligation():
    [flag] = expiring_guarantees([_letter(date(2027, 3, 30))], OBLIGATIONS, PLAN)
    assert flag.obligations == ("O1",) and flag.stage == 2
    assert expiring_guarantees([_letter(date(2027, 3, 31), secures=("C1",))],
                               [OBLIGATIONS[0]], PLAN) == []  # due on its last valid day: enough


def test_undated_obligations_date_nothing_and_excluded_guarantees_are_not_flagged():
    undated = [ObligationTerm("O1", None, ("C1",)), ObligationTerm("O2", None, ("C2",))]
    assert expiring_guarantees([_letter(date(2026, 1, 1))], undated, PLAN) == []
    excluded = {**PLAN, "excluded_guarantees": ["G1"]}
    assert expiring_guarantees([_letter(date(2026, 1, 1))], OBLIGATIONS, excluded) == []
