"""Amounts typed by people: yuan in, integer fen out.

A homeowner types "12,345.6" or "¥ 8000" on a phone; the court keeps every amount as an
integer number of fen (分), because money is never a float. A typed amount has at most two
decimals — a third decimal ("12.345") is a typing error, not something to round silently —
and it is never negative. The ceiling :data:`MAX_CLAIM_FEN` keeps an extra zero (or a
pasted ID number) from becoming a claim no real flat comes near.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from mediation.messages import Msg

__all__ = ["InvalidAmountError", "MAX_CLAIM_FEN", "fen_to_yuan_text", "format_yuan", "parse_yuan"]

#: 10 billion yuan: far above any claim about one housing unit (or even a whole
#: project's pre-sale funds), low enough to catch a pasted ID number or phone number.
MAX_CLAIM_FEN = 10_000_000_000 * 100

_SEPARATORS = re.compile(r"[\s,，\u3000]")
#: Chinese input methods in full-width mode type ０–９, ． and ，: the same digits, in the
#: full-width forms block (U+FF01–U+FF5E mirrors ASCII U+0021–U+007E one to one).
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_PLAIN_NUMBER = re.compile(r"\d+(\.\d*)?|\.\d+")


class InvalidAmountError(ValueError):
    """A typed amount that is not a valid amount of money; ``message`` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_yuan(text: str | None, *, maximum_fen: int = MAX_CLAIM_FEN) -> int:
    """Return the typed yuan amount in fen, or raise :class:`InvalidAmountError`.

    Accepts full-width digits and punctuation (１２，３４５．６７), digit-group commas,
    spaces, a leading ¥ / ￥ and a trailing 元. Refuses empty text, signs, exponents, more than two decimals and amounts
    above ``maximum_fen``.
    """
    if text is None:
        raise InvalidAmountError(Msg("请填写金额", "Please enter the amount"))
    compact = _SEPARATORS.sub("", str(text).translate(_FULL_WIDTH))
    compact = compact.removeprefix("¥").removeprefix("￥").removesuffix("元")
    if not compact:
        raise InvalidAmountError(Msg("请填写金额", "Please enter the amount"))
    if compact.startswith("-"):
        raise InvalidAmountError(Msg("金额不能为负数", "The amount cannot be negative"))
    if not compact.isascii() or not _PLAIN_NUMBER.fullmatch(compact):
        raise InvalidAmountError(Msg("金额应为数字，如 12345.67", "The amount must be a number, such as 12345.67"))
    try:
        amount = Decimal(compact)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise InvalidAmountError(Msg("金额应为数字，如 12345.67", "The amount must be a number, such as 12345.67")) from None
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise InvalidAmountError(Msg("金额最多保留两位小数（精确到分）", "The amount has at most two decimals (fen)"))
    fen_int = int(fen)
    if fen_int > maximum_fen:
        raise InvalidAmountError(Msg("金额不能超过{y}元，请核对", "The amount cannot exceed {y} yuan; please check it",
                                     y=fen_to_yuan_text(maximum_fen)))
    return fen_int


def fen_to_yuan_text(fen: int) -> str:
    """Plain yuan text for a form field: 123456 → ``"1234.56"``, 100 → ``"1"``."""
    yuan, cents = divmod(int(fen), 100)
    return f"{yuan}" if cents == 0 else f"{yuan}.{cents:02d}"


def format_yuan(fen: int) -> str:
    """Format fen as yuan: 123456 → ``¥1,234.56`` (integer arithmetic only)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def round_half_up(value: Fraction | int) -> int:
    """Round an exact number half-up (四舍五入: away from zero at .5), in integers only."""
    value = Fraction(value)
    magnitude = (2 * abs(value.numerator) + value.denominator) // (2 * value.denominator)
    return magnitude if value >= 0 else -magnitude
