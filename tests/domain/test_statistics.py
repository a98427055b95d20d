"""Does the statistics page count cases the way the court reports them?"""

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediation.lifecycle import Outcome
from mediation.statistics import (
    CaseFact,
    format_percent,
    percent_half_up,
    plan_outcome_counts,
    summarize_period,
)

JAN_1 = date(2026, 1, 1)
DEC_31 = date(2026, 12, 31)


def make_fact(outcome=None, *, received_on=date(2026, 3, 1), concluded_on=None,
              accepted=True, pre_litigation=True, filed_to_litigation=False, **extra):
    if outcome is not None and concluded_on is None:
        concluded_on = received_on + timedelta(days=20)
    return CaseFact(received_on, accepted, concluded_on, outcome, pre_litigation,
                    filed_to_litigation, **extra)


def test_a_period_is_counted_by_received_and_concluded_dates():
    facts = [
        make_fact(Outcome.MEDIATED),
        make_fact(Outcome.WITHDRAWN_APPLIED),
        make_fact(Outcome.WITHDRAWN_DEEMED),
        make_fact(Outcome.JUDGED, filed_to_litigation=True),
        make_fact(Outcome.DISMISSED, filed_to_litigation=True),
        make_fact(Outcome.TRANSFERRED),
        make_fact(None, accepted=False),  # received, not accepted, not concluded
        make_fact(Outcome.MEDIATED, received_on=date(2025, 12, 1), concluded_on=date(2026, 1, 1)),
        make_fact(Outcome.MEDIATED, received_on=date(2026, 12, 20), concluded_on=date(2027, 1, 5)),
    ]
    summary = summarize_period(facts, JAN_1, DEC_31)
    assert (summary.received, summary.accepted, summary.closed) == (8, 7, 7)
    assert (summary.mediated, summary.withdrawn, summary.withdrawn_applied,
            summary.withdrawn_deemed) == (2, 2, 1, 1)
    assert (summary.judged, summary.dismissed, summary.transferred) == (1, 1, 1)
    assert summary.mediation_withdrawal_rate == Fraction(3, 7)


def test_deemed_withdrawals_do_not_pad_the_rate():
    """Does letting claims lapse (按撤诉处理) raise the 调撤率? It must not."""
    honest = [make_fact(Outcome.MEDIATED), make_fact(Outcome.JUDGED)]
    lapsed = honest + [make_fact(Outcome.WITHDRAWN_DEEMED)] * 2
    assert summarize_period(honest, JAN_1, DEC_31).mediation_withdrawal_rate == Fraction(1, 2)
    assert summarize_period(lapsed, JAN_1, DEC_31).mediation_withdrawal_rate == Fraction(1, 4)


def test_transferred_cases_count_as_closed_so_sending_cases_away_cannot_raise_the_rate():
    facts = [make_fact(Outcome.MEDIATED), make_fact(Outcome.TRANSFERRED)]
    summary = summarize_period(facts, JAN_1, DEC_31)
    assert summary.closed == 2 and summary.transferred == 1
    assert summary.mediation_withdrawal_rate == Fraction(1, 2)


def test_nothing_concluded_means_no_rate_not_zero():
    summary = summarize_period([make_fact(None)], JAN_1, DEC_31)
    assert summary.closed == 0
    assert summary.mediation_withdrawal_rate is None
    assert summary.pre_litigation_success_rate is None
    assert format_percent(summary.mediation_withdrawal_rate) == "—"
    assert summary.as_dict()["mediation_withdrawal_rate"] is None


def test_pre_litigation_mediation_is_reported_separately():
    facts = [
        make_fact(Outcome.MEDIATED),  # settled before any lawsuit
        make_fact(Outcome.WITHDRAWN_APPLIED),  # ended without a lawsuit
        # Failed in 2026, filed, still being litigated: a pre-litigation failure of 2026.
        make_fact(None, filed_to_litigation=True, mediation_ended_on=date(2026, 5, 1)),
        # Failed, filed and settled in court: a litigation mediation, not a pre-litigation one.
        make_fact(Outcome.MEDIATED, filed_to_litigation=True, mediation_ended_on=date(2026, 4, 1)),
        make_fact(Outcome.JUDGED, pre_litigation=False),  # filed directly: not counted here
    ]
    summary = summarize_period(facts, JAN_1, DEC_31)
    assert summary.pre_litigation_ended == 4
    assert summary.pre_litigation_mediated == 1
    assert summary.pre_litigation_success_rate == Fraction(1, 4)
    assert summary.filings_avoided == 2


def test_the_summary_has_the_fields_of_the_api():
    data = summarize_period([make_fact(Outcome.MEDIATED)], JAN_1, DEC_31).as_dict()
    for key in ("received", "accepted", "closed", "mediated", "withdrawn", "judged",
                "dismissed", "mediation_withdrawal_rate"):
        assert key in data
    assert data["mediation_withdrawal_rate"] == "100.00%"


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="起始日期不能晚于截止日期"):
        summarize_period([], DEC_31, JAN_1)


def test_a_concluded_fact_needs_its_outcome():
    with pytest.raises(ValueError):
        CaseFact(JAN_1, True, DEC_31, None, True, False)


# --- Percentages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rate, places, text",
    [
        (Fraction(597, 1181), 2, "50.55%"),
        (Fraction(317, 910), 1, "34.8%"),
        (Fraction(50545, 100000), 2, "50.55%"),  # exactly half: rounds up, not to even
        (Fraction(1, 8), 1, "12.5%"),
        (Fraction(1, 3), 2, "33.33%"),
        (Fraction(2, 3), 2, "66.67%"),
        (Fraction(0), 2, "0.00%"),
        (Fraction(1), 2, "100.00%"),
    ],
)
def test_rates_are_shown_rounded_half_up(rate, places, text):
    assert format_percent(rate, places) == text


# --- Hitting the published figures ----------------------------------------------------------


def test_2018_figures_910_cases_and_34_8_percent():
    k = plan_outcome_counts(910, "34.8")
    assert k == 317
    facts = [make_fact(Outcome.MEDIATED if i < k else Outcome.JUDGED, received_on=date(2018, 1, 1)
                       + timedelta(days=i % 300)) for i in range(910)]
    summary = summarize_period(facts, date(2018, 1, 1), date(2018, 12, 31))
    assert summary.received == 910
    assert format_percent(summary.mediation_withdrawal_rate, 1) == "34.8%"


def test_2019_2020_figures_1223_cases_and_50_55_percent():
    with pytest.raises(ValueError):
        plan_outcome_counts(1223, "50.55")  # 618/1223 = 50.53 %, 619/1223 = 50.61 %
    k = plan_outcome_counts(1181, "50.55")
    assert k == 597
    start = date(2019, 1, 1)
    facts = []
    for i in range(1223):
        received = start + timedelta(days=i % 700)
        if i < 1181:
            outcome = Outcome.MEDIATED if i < 400 else (
                Outcome.WITHDRAWN_APPLIED if i < k else Outcome.JUDGED)
            facts.append(make_fact(outcome, received_on=received, concluded_on=received + timedelta(days=15)))
        else:
            facts.append(make_fact(None, received_on=received))
    summary = summarize_period(facts, start, date(2020, 12, 31))
    assert (summary.received, summary.closed) == (1223, 1181)
    assert format_percent(summary.mediation_withdrawal_rate) == "50.55%"


def test_a_rate_can_carry_a_percent_sign_and_must_be_a_percentage():
    assert plan_outcome_counts(3, "33.33%") == 1
    for bad in ("abc", "101", "-1", "NaN"):
        with pytest.raises(ValueError):
            plan_outcome_counts(100, bad)
    with pytest.raises(ValueError):
        plan_outcome_counts(0, "50")


@given(st.integers(min_value=1, max_value=5000), st.data(), st.integers(min_value=0, max_value=3))
def test_the_planned_count_is_the_smallest_that_shows_the_rate(closed, data, places):
    k = data.draw(st.integers(min_value=0, max_value=closed))
    shown = percent_half_up(Fraction(k, closed), places)
    planned = plan_outcome_counts(closed, f"{shown:.{places}f}")
    assert planned <= k
    assert percent_half_up(Fraction(planned, closed), places) == shown
    if planned > 0:
        assert percent_half_up(Fraction(planned - 1, closed), places) != shown


def test_a_case_merged_into_another_is_counted_neither_received_nor_closed():
    """并案: the dispute goes on in the case it joined; counting it would pad both sides."""
    from datetime import date as _date

    from mediation.lifecycle import Outcome as _Outcome
    from mediation.statistics import CaseFact as _Fact, summarize_period as _summarize

    day = _date(2026, 3, 1)
    facts = [
        _Fact(received_on=day, accepted=True, concluded_on=day, outcome=_Outcome.MEDIATED,
              pre_litigation=True, filed_to_litigation=False),
        _Fact(received_on=day, accepted=True, concluded_on=day, outcome=_Outcome.MERGED,
              pre_litigation=True, filed_to_litigation=False),
    ]
    summary = _summarize(facts, _date(2026, 1, 1), _date(2026, 12, 31))
    assert (summary.received, summary.closed, summary.mediated) == (1, 1, 1)
    assert summary.mediation_withdrawal_rate == 1


def test_a_period_is_asked_about_within_the_platforms_century():
    from datetime import date

    from mediation.statistics import period_problem

    assert period_problem(date(2018, 1, 1), date(2018, 12, 31)) is None
    assert period_problem(date(1, 1, 1), date(2018, 1, 1)) == ("from", "out_of_range")
    assert period_problem(date(2018, 1, 1), date(9999, 12, 31)) == ("to", "out_of_range")
    assert period_problem(date(2019, 1, 1), date(2018, 1, 1)) == ("from", "backwards")
