"""Are case numbers written and read in the court's style?"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediation.casenumber import CaseNumber, CaseNumberError, format_case_number, parse_case_number


def test_a_wenchang_pre_litigation_number():
    assert format_case_number(2026, "琼9005", 123) == "（2026）琼9005民诉前调123号"


def test_reading_it_back_gives_its_parts():
    parsed = parse_case_number("（2026）琼9005民诉前调123号")
    assert parsed == CaseNumber(2026, "琼9005", 123, "民诉前调")
    assert str(parsed) == "（2026）琼9005民诉前调123号"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("(2026)琼9005民诉前调7号", CaseNumber(2026, "琼9005", 7)),  # half-width parentheses
        (" （2019）琼96民终12号 ", CaseNumber(2019, "琼96", 12, "民终")),  # intermediate court
        ("（2020）琼民初1号", CaseNumber(2020, "琼", 1, "民初")),  # high court
    ],
)
def test_other_courts_and_types_are_read_too(text, expected):
    assert parse_case_number(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2026琼9005民诉前调1号", "（2026）琼9005民诉前调号", "（2026）琼9005民诉前调0号",
     "（2026）琼9005民诉前调012号", "（26）琼9005民诉前调1号", "（2026）琼900民诉前调1号", ""],
)
def test_malformed_numbers_are_refused(text):
    with pytest.raises(CaseNumberError) as error:
        parse_case_number(text)
    assert error.value.field == "case_number"


@pytest.mark.parametrize(
    "args, field",
    [((26, "琼9005", 1), "year"), ((2026, "9005", 1), "court_code"), ((2026, "琼9005", 0), "seq")],
)
def test_bad_parts_are_refused_when_formatting(args, field):
    with pytest.raises(CaseNumberError) as error:
        format_case_number(*args)
    assert error.value.field == field


@given(
    st.integers(min_value=1000, max_value=9999),
    st.sampled_from(["琼", "琼96", "琼9005", "京0105", "粤03"]),
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from(["民诉前调", "民初", "民终", "执保"]),
)
def test_every_formatted_number_reads_back(year, court, seq, type_code):
    text = format_case_number(year, court, seq, type_code=type_code)
    assert parse_case_number(text) == CaseNumber(year, court, seq, type_code)
