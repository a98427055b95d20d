"""Does the holiday calendar take each year from the best source — the clerk, the package,
or the lunar estimate — and label the estimate?"""
from datetime import date, timedelta

import chinese_calendar
import pytest

from risk.holidays import (
    ArrangementError,
    HolidayCalendar,
    YearArrangement,
    estimated_arrangement,
    official_arrangement,
)
from risk.workdays import add_working_days, working_days_between, working_deadline

# A plausible 2027 notice, as a clerk would type it in: 春节 5–11 Feb with Saturday 13 Feb
# worked; 国庆 1–7 Oct with Saturday 9 Oct worked.
NOTICE_2027 = YearArrangement(
    2027,
    holidays={date(2027, 1, 1), *(date(2027, 2, d) for d in range(5, 12)),
              *(date(2027, 10, d) for d in range(1, 8))},
    workdays={date(2027, 2, 13), date(2027, 10, 9)},
)


def _days(first, last):
    return {first + timedelta(days=k) for k in range((last - first).days + 1)}


def test_a_year_without_a_notice_gets_the_statutory_holidays_from_the_lunar_calendar():
    estimate = estimated_arrangement(2027)
    assert estimate.is_estimate
    assert estimate.holidays == {
        date(2027, 1, 1),                                   # 元旦
        *_days(date(2027, 2, 5), date(2027, 2, 8)),         # 除夕 (5 Feb) to 初三
        date(2027, 4, 5),                                   # 清明
        date(2027, 5, 1), date(2027, 5, 2),                 # 劳动节
        date(2027, 6, 9),                                   # 端午
        date(2027, 9, 15),                                  # 中秋
        *_days(date(2027, 10, 1), date(2027, 10, 3)),       # 国庆
    }
    assert not estimate.workdays


def test_a_deadline_on_new_years_day_2027_moves_on_and_is_labelled_estimated():
    # 31 Dec 2026 + 1 working day: 1 Jan 2027 (Friday) is 元旦, so Monday 4 Jan.
    deadline = working_deadline(date(2026, 12, 31), 1)
    assert deadline.on == date(2027, 1, 4)
    assert deadline.is_estimate
    assert deadline.label_zh == "预计2027年1月4日"


def test_the_estimate_skips_spring_festival_and_national_day_2027():
    assert add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 9)   # 除夕–初三 off
    assert add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 4)  # 1–3 Oct off
    assert working_days_between(date(2027, 9, 14), date(2027, 9, 16)) == 1  # 中秋 15 Sep


@pytest.mark.parametrize("year", range(2008, 2027))
def test_the_lunar_festivals_fall_on_the_official_days_off_in_every_known_year(year):
    """The estimate's 春节, 清明, 端午 and 中秋 are days off in every notice since 2008."""
    estimate = estimated_arrangement(year)
    lunar_days = sorted(d for d in estimate.holidays
                        if (d.month, d.day) not in {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})
    # 除夕 became a statutory holiday only in 2025 (in 2014 and 2024 it was worked).
    if year < 2025:
        lunar_days = lunar_days[1:]
    assert all(not chinese_calendar.is_workday(d) for d in lunar_days), lunar_days


@pytest.mark.parametrize("year", [2025, 2026])
def test_under_the_2025_rules_every_estimated_holiday_is_an_official_one(year):
    assert estimated_arrangement(year).holidays <= official_arrangement(year).holidays


def test_a_year_the_clerk_entered_overrides_the_estimate():
    calendar = HolidayCalendar.from_arrangements([NOTICE_2027])
    assert not calendar.is_estimate(date(2027, 6, 1))
    assert calendar.source(2027) == "clerk"
    # Spring Festival: 4 Feb, then 5–11 Feb off, Saturday 13 Feb worked (make-up day).
    deadline = working_deadline(date(2027, 2, 4), 2, calendar)
    assert deadline.on == date(2027, 2, 13) and not deadline.is_estimate
    assert deadline.label_zh == "2027年2月13日"
    # National Day: 30 Sep, then 1–7 Oct off (the estimate would give 4 Oct), 8 Oct, Sat 9 Oct.
    assert add_working_days(date(2027, 9, 30), 1, calendar) == date(2027, 10, 8)
    assert add_working_days(date(2027, 9, 30), 2, calendar) == date(2027, 10, 9)
    # 2028 has neither a notice nor an entry: still an estimate.
    assert working_deadline(date(2027, 12, 30), 3, calendar).is_estimate


def test_the_clerk_can_correct_a_year_the_package_knows():
    corrected = YearArrangement(2026, holidays={date(2026, 3, 2)})
    calendar = HolidayCalendar.from_arrangements([corrected])
    assert not calendar.is_working_day(date(2026, 3, 2))
    assert calendar.is_working_day(date(2026, 10, 1))  # the entry replaces the whole year
    assert not HolidayCalendar().is_working_day(date(2026, 10, 1))


def test_the_package_years_are_official_not_estimates():
    calendar = HolidayCalendar()
    assert calendar.source(2026) == "official" and not calendar.is_estimate(date(2026, 1, 1))
    assert date(2026, 2, 14) in calendar.arrangement(2026).workdays


@pytest.mark.parametrize("kwargs, field", [
    ({"holidays": {date(2026, 12, 31)}}, "holidays"),
    ({"workdays": {date(2028, 1, 1)}}, "workdays"),
    ({"holidays": {date(2027, 2, 13)}, "workdays": {date(2027, 2, 13)}}, "workdays"),
])
def test_an_arrangement_that_cannot_be_right_is_refused(kwargs, field):
    with pytest.raises(ArrangementError) as raised:
        YearArrangement(2027, **kwargs)
    assert raised.value.field == field


def test_two_entries_for_one_year_are_refused():
    with pytest.raises(ArrangementError):
        HolidayCalendar.from_arrangements([NOTICE_2027, NOTICE_2027])
