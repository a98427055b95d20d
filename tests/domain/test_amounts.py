"""Typed yuan amounts become integer fen, exactly, or are refused with a reason."""
from __future__ import annotations

import pytest

from mediation.amounts import MAX_CLAIM_FEN, InvalidAmountError, fen_to_yuan_text, parse_yuan


@pytest.mark.parametrize("text, fen", [
    ("0", 0), ("12", 1200), ("12.3", 1230), ("12.34", 1234), ("1,234.56", 123456),
    ("¥ 8000", 800000), ("￥8,000元", 800000), (" 0.01 ", 1), (".5", 50), ("12.", 1200),
    ("１２", 1200), ("１２，３４５．６７", 1234567), ("￥８０００元", 800000), ("１.５", 150),
])
def test_typed_yuan_become_exact_fen(text, fen):
    """Is what a homeowner types turned into the same number of fen, without floats?"""
    if fen is None:
        with pytest.raises(InvalidAmountError):
            parse_yuan(text)
    else:
        assert parse_yuan(text) == fen


@pytest.mark.parametrize("text, message", [
    ("", "请填写金额"), (None, "请填写金额"), ("-5", "负数"), ("12.345", "两位小数"),
    ("abc", "应为数字"), ("1e5", "应为数字"), ("NaN", "应为数字"), ("Infinity", "应为数字"),
    ("<script>", "应为数字"), ("١٢", "应为数字"), ("－５", "负数"), ("１ｅ５", "应为数字"), ("1.2.3", "应为数字"), ("+5", "应为数字"),
    ("99999999999999999", "不能超过"),
])
def test_bad_amounts_are_refused_with_a_reason(text, message):
    """Are negative, fractional-fen, non-numeric and absurd amounts refused?"""
    with pytest.raises(InvalidAmountError) as caught:
        parse_yuan(text)
    assert message in caught.value.message


def test_the_ceiling_itself_is_accepted():
    assert parse_yuan(fen_to_yuan_text(MAX_CLAIM_FEN)) == MAX_CLAIM_FEN


def test_fen_are_written_back_as_plain_yuan():
    assert fen_to_yuan_text(123456) == "1234.56"
    assert fen_to_yuan_text(100) == "1"
    assert fen_to_yuan_text(5) == "0.05"
