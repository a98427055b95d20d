"""Do the damages calculators give the figures a mediator would work out by hand?"""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediation.damages import (
    DamagesInputError,
    area_difference_settlement,
    format_yuan,
    late_delivery_damages,
    round_fen,
    title_delay_damages,
)

PRICE = 100_000_000  # ¥1,000,000.00


# --- Late delivery -------------------------------------------------------------------------


def test_agreed_daily_rate_on_the_price_for_each_overdue_day():
    result = late_delivery_damages(PRICE, date(2024, 6, 30), date(2024, 9, 15), daily_rate_permille="0.5")
    assert result.overdue_days == 77
    assert result.amount_fen == 3_850_000  # 1,000,000 × 0.05 % × 77
    assert result.basis == "agreed_rate"
    assert "房价款¥1,000,000.00 × 日0.5‰ × 77天 = ¥38,500.00" in result.lines[1]


def test_agreed_damages_above_loss_plus_thirty_percent_may_be_reduced():
    result = late_delivery_damages(PRICE, date(2024, 6, 30), date(2024, 9, 15),
                                   daily_rate_permille=Decimal("0.5"), loss_fen=2_000_000)
    assert result.may_be_reduced
    assert result.reduction_floor_fen == 2_600_000
    assert "超过实际损失¥20,000.00的130%（¥26,000.00）" in result.lines[-1]
    assert "民法典》第五百八十五条" in result.lines[-1]


def test_agreed_damages_within_loss_plus_thirty_percent_stand():
    result = late_delivery_damages(PRICE, date(2024, 6, 30), date(2024, 9, 15),
                                   daily_rate_permille="0.5", loss_fen=3_000_000)
    assert not result.may_be_reduced
    assert "一般不予调整" in result.lines[-1]


def test_without_an_agreed_rate_the_local_rent_standard_applies_by_months_and_days():
    result = late_delivery_damages(PRICE, date(2024, 6, 30), date(2024, 9, 14), monthly_rent_fen=300_000)
    assert result.basis == "rent_standard"
    assert result.amount_fen == 2 * 300_000 + 150_000  # 2 months and 15 days
    assert "逾期2个月又15天" in result.lines[-1]


def test_a_month_end_promise_counts_calendar_months():
    # 31 Jan + 1 month is 29 Feb (2024), so 31 Jan → 31 Mar is two whole months.
    result = late_delivery_damages(PRICE, date(2024, 1, 31), date(2024, 3, 31), monthly_rent_fen=300_000)
    assert result.amount_fen == 600_000


def test_delivery_on_time_owes_nothing():
    result = late_delivery_damages(PRICE, date(2024, 6, 30), date(2024, 6, 30), daily_rate_permille="1")
    assert (result.amount_fen, result.overdue_days, result.basis) == (0, 0, "not_overdue")


def test_one_of_the_two_bases_is_needed():
    with pytest.raises(DamagesInputError) as error:
        late_delivery_damages(PRICE, date(2024, 6, 30), date(2024, 9, 15))
    assert error.value.field == "daily_rate_permille"


def test_floats_are_refused_because_they_are_inexact():
    with pytest.raises(DamagesInputError, match="精确数字"):
        late_delivery_damages(PRICE, date(2024, 6, 30), date(2024, 9, 15), daily_rate_permille=0.5)
    with pytest.raises(DamagesInputError, match="以分计的整数"):
        late_delivery_damages(1000000.0, date(2024, 6, 30), date(2024, 9, 15), daily_rate_permille="1")


def test_half_a_fen_rounds_up():
    # 1 fen × 0.5 ‰ × 1000 days = 0.5 fen → 1 fen
    result = late_delivery_damages(1, date(2024, 1, 1), date(2024, 1, 1) + timedelta(days=1000),
                                   daily_rate_permille="0.5")
    assert result.amount_fen == 1
    assert round_fen(Fraction(5, 2)) == 3 and round_fen(Fraction(-5, 2)) == -3


@given(
    st.integers(min_value=0, max_value=10**10),
    st.integers(min_value=1, max_value=3000),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("5"), places=2),
)
def test_agreed_damages_are_exact_price_times_rate_times_days(price, days, rate):
    result = late_delivery_damages(price, date(2020, 1, 1), date(2020, 1, 1) + timedelta(days=days),
                                   daily_rate_permille=rate)
    exact = Fraction(price) * Fraction(rate) / 1000 * days
    assert abs(result.amount_fen - exact) <= Fraction(1, 2)


# --- Title delay -----------------------------------------------------------------------------


def test_title_delay_runs_from_ninety_days_after_delivery():
    result = title_delay_damages(PRICE, date(2024, 1, 1), date(2024, 6, 1), 385)
    assert result.liable_from == date(2024, 4, 1)
    assert result.overdue_days == 62
    assert result.amount_fen == round_fen(Fraction(PRICE) * Fraction(385, 10000) * 62 / 365)
    assert result.amount_fen == 653_973
    assert "年利率3.85% × 62天 ÷ 365 = ¥6,539.73" in result.lines[-1]


def test_an_agreed_registration_deadline_takes_precedence():
    result = title_delay_damages(PRICE, date(2024, 1, 1), date(2024, 6, 1), 385,
                                 agreed_deadline=date(2024, 5, 1))
    assert result.liable_from == date(2024, 5, 2)
    assert result.overdue_days == 31


def test_a_unit_completed_when_sold_counts_ninety_days_from_signing():
    result = title_delay_damages(PRICE, date(2024, 3, 1), date(2024, 6, 1), 385,
                                 completed_sale_signed_on=date(2024, 1, 1))
    assert result.liable_from == date(2024, 4, 1)


def test_a_title_within_the_period_owes_nothing():
    result = title_delay_damages(PRICE, date(2024, 1, 1), date(2024, 3, 1), 385)
    assert result.amount_fen == 0 and result.overdue_days == 0


def test_the_rate_is_given_in_basis_points():
    with pytest.raises(DamagesInputError) as error:
        title_delay_damages(PRICE, date(2024, 1, 1), date(2024, 6, 1), Decimal("3.85"))
    assert error.value.field == "annual_rate_bp"


# --- Area difference -------------------------------------------------------------------------


def test_within_three_percent_the_price_follows_the_measured_area():
    result = area_difference_settlement(PRICE, "100.00", "98.50")
    assert result.within_tolerance and not result.buyer_may_rescind
    assert (result.buyer_pays_fen, result.seller_refunds_fen) == (0, 1_500_000)
    assert "−1.50%" in result.lines[0]


def test_exactly_three_percent_is_still_within_the_tolerance():
    result = area_difference_settlement(PRICE, "100", "103")
    assert result.within_tolerance and not result.buyer_may_rescind
    assert result.buyer_pays_fen == 3_000_000


def test_a_smaller_unit_beyond_three_percent_refunds_the_excess_double():
    result = area_difference_settlement(PRICE, "100", "95")
    assert result.buyer_may_rescind
    # 3 m² at the agreed price, then 2 m² twice over.
    assert result.seller_refunds_fen == 3_000_000 + 2 * 2_000_000
    assert result.amount_fen == 7_000_000
    assert any("双倍返还" in line for line in result.lines)


def test_a_larger_unit_beyond_three_percent_is_paid_up_to_three_percent_only():
    result = area_difference_settlement(PRICE, "100", "105.5")
    assert result.buyer_may_rescind
    assert result.buyer_pays_fen == 3_000_000
    assert result.seller_bears_fen == 2_500_000
    assert result.seller_refunds_fen == 0


def test_an_unchanged_area_settles_nothing():
    result = area_difference_settlement(PRICE, "89.56", "89.56")
    assert result.amount_fen == 0 and result.ratio == 0


def test_areas_must_be_exact_and_positive():
    with pytest.raises(DamagesInputError) as error:
        area_difference_settlement(PRICE, 89.56, "89.00")
    assert error.value.field == "contract_area_m2"
    with pytest.raises(DamagesInputError, match="应大于0"):
        area_difference_settlement(PRICE, "0", "1")


areas = st.decimals(min_value=Decimal("20.00"), max_value=Decimal("300.00"), places=2)


@given(st.integers(min_value=1, max_value=10**10), areas, st.integers(min_value=-1500, max_value=1500))
def test_the_lines_add_up_and_follow_the_three_percent_rule(price, contract, change_bp):
    measured = (contract * (1 + Decimal(change_bp) / 10000)).quantize(Decimal("0.01"))
    result = area_difference_settlement(price, str(contract), str(measured))
    ratio = (Fraction(measured) - Fraction(contract)) / Fraction(contract)
    assert result.ratio == ratio
    assert result.within_tolerance == (abs(ratio) <= Fraction(3, 100))
    assert result.buyer_may_rescind == (not result.within_tolerance)
    assert result.buyer_pays_fen == 0 or result.seller_refunds_fen == 0
    unit = Fraction(price) / Fraction(contract)
    if measured < contract and not result.within_tolerance:
        # never less than a plain refund, never more than a double one
        shortfall = (Fraction(contract) - Fraction(measured)) * unit
        assert shortfall - 1 <= result.seller_refunds_fen <= 2 * shortfall + 1


def test_money_is_shown_in_yuan():
    assert format_yuan(123456) == "¥1,234.56"
    assert format_yuan(5) == "¥0.05"
    assert format_yuan(-100) == "-¥1.00"


# --- Bounds: every input has one, and the message says why ----------------------------------

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize("kwargs, field, reason", [
    ({"daily_rate_permille": "1e309"}, "daily_rate_permille", "不能超过10‰"),
    ({"daily_rate_permille": "1000"}, "daily_rate_permille", "不能超过10‰"),
    ({"daily_rate_permille": "0.123456"}, "daily_rate_permille", "4位小数"),
    ({"promised_on": date(1900, 1, 1)}, "promised_on", "不能早于1990年"),
    ({"promised_on": date(1, 1, 1)}, "promised_on", "不能早于1990年"),
    ({"delivered_on": date(2027, 1, 1)}, "delivered_on", "不能晚于今天"),
    ({"delivered_on": date(9999, 12, 31)}, "delivered_on", "不能晚于今天"),
    ({"price_fen": 10**20}, "price_fen", "多输了位数"),
    ({"daily_rate_permille": None, "monthly_rent_fen": 10**12}, "monthly_rent_fen", "多输了位数"),
])
def test_late_delivery_inputs_out_of_bounds_are_refused_with_a_reason(kwargs, field, reason):
    """Would a typing error (1e309, 1000 ‰, the year 1900, a future day) become an amount?"""
    arguments = {"price_fen": PRICE, "promised_on": date(2024, 6, 30),
                 "delivered_on": date(2024, 9, 15), "daily_rate_permille": "0.5"}
    arguments.update(kwargs)
    with pytest.raises(DamagesInputError) as error:
        late_delivery_damages(**arguments, today=TODAY)
    assert error.value.field == field
    assert reason in error.value.message


@pytest.mark.parametrize("kwargs, field", [
    ({"delivered_on": date(1, 1, 1)}, "delivered_on"),
    ({"obtained_on": date(9999, 12, 31)}, "obtained_on"),
    ({"agreed_deadline": date(9999, 12, 31)}, "agreed_deadline"),
    ({"annual_rate_bp": 10_000}, "annual_rate_bp"),
])
def test_title_delay_inputs_out_of_bounds_are_refused_not_overflowing(kwargs, field):
    """9999-12-31 + 90 days overflowed Python's dates into a 500."""
    arguments = {"paid_fen": PRICE, "delivered_on": date(2024, 1, 1),
                 "obtained_on": date(2024, 6, 1), "annual_rate_bp": 385}
    arguments.update(kwargs)
    with pytest.raises(DamagesInputError) as error:
        title_delay_damages(**arguments, today=TODAY)
    assert error.value.field == field


def test_without_today_the_dates_still_stay_in_the_century():
    with pytest.raises(DamagesInputError):
        title_delay_damages(PRICE, date(9999, 12, 31), date(9999, 12, 31), 385)


@pytest.mark.parametrize("contract, measured, field", [
    ("100000", "100", "contract_area_m2"), ("100", "1e9", "measured_area_m2"),
    ("89.567", "89", "contract_area_m2"),
])
def test_areas_are_bounded_to_one_unit_surveyed_to_the_hundredth(contract, measured, field):
    with pytest.raises(DamagesInputError) as error:
        area_difference_settlement(PRICE, contract, measured)
    assert error.value.field == field
