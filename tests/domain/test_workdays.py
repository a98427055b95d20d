"""Do working-day deadlines skip Chinese public holidays and count make-up working days?"""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk.workdays import (
    add_working_days,
    calendar_knows,
    deadline_is_estimate,
    is_working_day,
    working_days_between,
    working_deadline,
)


def test_three_working_days_after_30_september_2026_skip_national_day():
    # 1–7 Oct 2026 are the National Day holiday; 8, 9 Oct are working days and
    # Saturday 10 Oct is a make-up working day.
    deadline = working_deadline(date(2026, 9, 30), 3)
    assert deadline.on == date(2026, 10, 10)
    assert not deadline.is_estimate
    assert deadline.label_zh == "2026年10月10日"


def test_a_make_up_saturday_is_a_working_day_and_a_holiday_weekday_is_not():
    assert date(2026, 10, 10).weekday() == 5 and is_working_day(date(2026, 10, 10))
    assert date(2026, 10, 1).weekday() == 3 and not is_working_day(date(2026, 10, 1))
    assert is_working_day(date(2026, 9, 30))
    assert not is_working_day(date(2026, 10, 11))  # an ordinary Sunday


def test_spring_festival_2026():
    # 15–23 Feb 2026 off; Saturday 14 Feb and Saturday 28 Feb are make-up working days.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_counting_backwards_for_reminders_before_a_deadline():
    assert add_working_days(date(2026, 10, 10), -1) == date(2026, 10, 9)
    assert add_working_days(date(2026, 10, 8), -1) == date(2026, 9, 30)


def test_zero_working_days_is_the_start_itself():
    assert add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)


def test_working_days_between_counts_the_end_but_not_the_start():
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert working_days_between(date(2026, 10, 10), date(2026, 9, 30)) == -3
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0


def test_2027_falls_back_to_weekends_and_says_it_is_an_estimate():
    assert not calendar_knows(2027)
    assert deadline_is_estimate(date(2027, 3, 1))
    assert not deadline_is_estimate(date(2026, 3, 1))
    assert is_working_day(date(2027, 1, 4))  # a Monday
    assert not is_working_day(date(2027, 1, 9))  # a Saturday
    deadline = working_deadline(date(2027, 1, 8), 1)  # Friday → Monday
    assert deadline.on == date(2027, 1, 11) and deadline.is_estimate
    assert deadline.label_zh == "预计2027年1月11日"


def test_a_deadline_that_crosses_into_an_unknown_year_is_an_estimate():
    deadline = working_deadline(date(2026, 12, 28), 5)
    assert deadline.on.year == 2027
    assert deadline.is_estimate


def test_datetimes_are_refused_because_their_date_depends_on_the_time_zone():
    with pytest.raises(TypeError):
        is_working_day(datetime(2026, 10, 1, 12, 0))


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2028, 12, 31)),
       st.integers(min_value=0, max_value=60))
def test_adding_then_counting_working_days_agrees(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)
