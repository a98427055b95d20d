"""好差评 rules: 1–5 stars, ≤ 2 is bad and followed up in 5 working days, the two rates."""
from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from mediation.ratings import RatingError, check_rating, followup_due, followup_rate, is_bad, satisfaction_rate
from risk.workdays import is_working_day


@pytest.mark.parametrize("score", [0, 6, "5", True, 2.5])
def test_a_rating_outside_one_to_five_stars_is_refused(score):
    with pytest.raises(RatingError) as refused:
        check_rating(score, "")
    assert refused.value.field == "score"


def test_two_stars_or_less_is_bad():
    assert [is_bad(s) for s in range(1, 6)] == [True, True, False, False, False]


def test_the_follow_up_is_due_five_working_days_later_skipping_the_national_day_holiday():
    assert followup_due(date(2026, 12, 2), is_working_day=is_working_day) == date(2026, 12, 9)
    # 2026-09-30 (Wed): the National Day holiday runs 10-01 to 10-07; 10-10 (Sat) is a make-up day.
    assert followup_due(date(2026, 9, 30), is_working_day=is_working_day) == date(2026, 10, 13)


def test_the_rates_and_no_figure_without_ratings():
    assert satisfaction_rate([5, 4, 3, 1]) == Fraction(1, 2)
    assert followup_rate([True, False, True]) == Fraction(2, 3)
    assert satisfaction_rate([]) is None and followup_rate([]) is None
