"""Identifiers of the parties: who is the developer, who is the homeowner, how to reach them.

- 统一社会信用代码 (unified social credit code) identifies every developer: 18 characters
  under GB 32100-2015 — registration authority (1), organisation category (1),
  administrative division (6 digits), organisation code (9), check character (1) computed
  modulo 31 over the alphabet 0-9 A-Y without I, O, Z, S, V.
- 公民身份号码 (resident ID) identifies a natural person: 18 characters under GB 11643-1999 —
  address code (6), date of birth (8), sequence (3), check digit (1) computed with
  ISO 7064 MOD 11-2, where the value 10 is written "X".
- Phone numbers: mainland mobile numbers (1[3-9] and nine digits, the numbering plan of the
  Ministry of Industry and Information Technology) and landlines with their area code
  (Hainan: 0898).

Lists show personal data masked (个人信息保护法 art. 51: measures such as de-identification):
``4690**********1234`` and ``138****5678``.

Every ``validate_*`` returns the normalised value or raises :class:`InvalidIdentifierError`
whose Chinese message can stand next to the form field it names.
"""

from __future__ import annotations

import re
from datetime import date

from mediation.messages import Msg

__all__ = [
    "InvalidIdentifierError",
    "make_resident_id",
    "make_uscc",
    "mask_name",
    "mask_phone",
    "mask_resident_id",
    "validate_phone",
    "validate_resident_id",
    "validate_uscc",
]


class InvalidIdentifierError(ValueError):
    """An identifier that fails its standard; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- 统一社会信用代码 (GB 32100-2015) -------------------------------------------------

# The 31 characters of the code: digits and capital letters without I, O, Z, S, V,
# which the standard leaves out because they are easily mistaken for 1, 0, 2, 5, U.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
# Weight of position i is 3**i mod 31 (GB 32100-2015, check character).
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc_check_char(body17: str) -> str:
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(body17, _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


# First character: the registration authority (GB 32100-2015 table 1) — 1 机构编制,
# 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 工商/市场监管,
# A 中央军委改革和编制办公室, N 农业, Y 其他.
USCC_AUTHORITIES = "123456789ANY"


def _uscc_body_errors(body: str, field: str) -> None:
    for position, ch in enumerate(body, start=1):
        if ch not in _USCC_VALUE:
            raise InvalidIdentifierError(
                field,
                Msg("统一社会信用代码第{p}位“{ch}”不是合法字符（只能是数字或除I、O、Z、S、V以外的大写字母）",
                    "Character {p} “{ch}” of the unified social credit code is not allowed "
                    "(digits and capital letters except I, O, Z, S, V)", p=position, ch=ch),
            )
    if body[0] not in USCC_AUTHORITIES:
        raise InvalidIdentifierError(
            field, Msg("统一社会信用代码第1位应为登记管理部门代码（1至9、A、N、Y）",
                   "The first character of the code is the registration authority (1–9, A, N, Y)")
        )
    if not body[2:8].isdigit():
        raise InvalidIdentifierError(
            field, Msg("统一社会信用代码第3至8位应为6位数字的行政区划码",
                   "Characters 3 to 8 of the code are a 6-digit division code")
        )


def validate_uscc(code: str, *, field: str = "uscc") -> str:
    """Return the code upper-cased and stripped, or raise if it is not a valid 统一社会信用代码."""
    if code is None:
        raise InvalidIdentifierError(field, Msg("请填写统一社会信用代码", "Please enter the unified social credit code"))
    normalised = str(code).strip().upper()
    if not normalised:
        raise InvalidIdentifierError(field, Msg("请填写统一社会信用代码", "Please enter the unified social credit code"))
    if len(normalised) != 18:
        raise InvalidIdentifierError(
            field, Msg("统一社会信用代码应为18位，当前为{n}位",
                       "The unified social credit code has 18 characters, not {n}", n=len(normalised))
        )
    _uscc_body_errors(normalised[:17], field)
    last = normalised[17]
    if last not in _USCC_VALUE:
        raise InvalidIdentifierError(
            field,
            Msg("统一社会信用代码第18位“{c}”不是合法字符（只能是数字或除I、O、Z、S、V以外的大写字母）",
                "Character 18 “{c}” of the code is not allowed "
                "(digits and capital letters except I, O, Z, S, V)", c=last),
        )
    expected = _uscc_check_char(normalised[:17])
    if last != expected:
        raise InvalidIdentifierError(
            field, Msg("统一社会信用代码校验位错误，应为{e}",
                       "The check character of the code is wrong; it should be {e}", e=expected)
        )
    return normalised


def make_uscc(body17: str) -> str:
    """Append the check character to the first 17 characters of a 统一社会信用代码."""
    body = str(body17).strip().upper()
    if len(body) != 17:
        raise InvalidIdentifierError("uscc", Msg("统一社会信用代码本体应为17位，当前为{n}位",
                                                  "The code without its check character has 17 characters, not {n}",
                                                  n=len(body)))
    _uscc_body_errors(body, "uscc")
    return body + _uscc_check_char(body)


# --- 公民身份号码 (GB 11643-1999, ISO 7064 MOD 11-2) ----------------------------------

# Weight of position i is 2**(17 - i) mod 11; the remainder of the weighted sum picks
# the check character from this table.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# The earliest birth year accepted: older dates are almost certainly typing errors.
_EARLIEST_BIRTH_YEAR = 1900


def _resident_id_check_char(body17: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(body17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def _resident_id_body_errors(body: str, field: str, today: date | None) -> None:
    if not body.isdigit() or not body.isascii():
        raise InvalidIdentifierError(field, Msg("身份证号前17位应全部为数字", "The first 17 characters of a resident ID are digits"))
    # Address codes begin with the region digit 1–8 (GB/T 2260; 7 and 8 are Taiwan,
    # Hong Kong and Macao); 0 and 9 are not used.
    if body[0] not in "12345678":
        raise InvalidIdentifierError(field, Msg("身份证号前6位应为有效的行政区划码", "The first 6 digits of a resident ID are a valid division code"))
    year, month, day = int(body[6:10]), int(body[10:12]), int(body[12:14])
    try:
        born = date(year, month, day)
    except ValueError:
        raise InvalidIdentifierError(
            field, Msg("身份证号中的出生日期{b}不是有效日期", "The birth date {b} in the resident ID is no valid date",
                       b=body[6:14])
        ) from None
    if year < _EARLIEST_BIRTH_YEAR:
        raise InvalidIdentifierError(
            field, Msg("身份证号中的出生日期{b}早于{y}年，请核对",
                       "The birth date {b} in the resident ID is before {y}; please check it",
                       b=body[6:14], y=_EARLIEST_BIRTH_YEAR)
        )
    if today is not None and born > today:
        raise InvalidIdentifierError(
            field, Msg("身份证号中的出生日期{b}晚于今天，请核对",
                       "The birth date {b} in the resident ID is in the future; please check it",
                       b=body[6:14])
        )


def validate_resident_id(
    s: str, *, field: str = "resident_id", today: date | None = None
) -> str:
    """Return the 18-character resident ID with a capital X, or raise if it is invalid.

    ``today`` (optional) also rejects a birth date in the future; the caller passes it
    because domain code never reads the clock.
    """
    if s is None:
        raise InvalidIdentifierError(field, Msg("请填写身份证号", "Please enter the resident ID number"))
    normalised = str(s).strip().upper()
    if not normalised:
        raise InvalidIdentifierError(field, Msg("请填写身份证号", "Please enter the resident ID number"))
    if len(normalised) != 18:
        raise InvalidIdentifierError(field, Msg("身份证号应为18位，当前为{n}位",
                                                 "A resident ID has 18 characters, not {n}", n=len(normalised)))
    _resident_id_body_errors(normalised[:17], field, today)
    last = normalised[17]
    if last not in "0123456789X":
        raise InvalidIdentifierError(field, Msg("身份证号第18位应为数字或X", "The 18th character of a resident ID is a digit or X"))
    expected = _resident_id_check_char(normalised[:17])
    if last != expected:
        raise InvalidIdentifierError(field, Msg("身份证号校验位错误，应为{e}",
                                                 "The check digit of the resident ID is wrong; it should be {e}",
                                                 e=expected))
    return normalised


def make_resident_id(body17: str) -> str:
    """Append the check digit (0-9 or X) to the first 17 digits of a resident ID."""
    body = str(body17).strip()
    if len(body) != 17:
        raise InvalidIdentifierError("resident_id", Msg("身份证号本体应为17位，当前为{n}位",
                                                         "A resident ID without its check digit has 17 digits, not {n}",
                                                         n=len(body)))
    _resident_id_body_errors(body, "resident_id", None)
    return body + _resident_id_check_char(body)


# --- Phone numbers ---------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
# Area codes: 010 and 02X have three digits, every other one (e.g. 0898 Hainan) four.
# Local numbers have seven or eight digits, the first not 0 or 1. An extension may follow.
_LANDLINE = re.compile(
    r"(?P<area>0(?:10|2\d|[3-9]\d{2}))-?(?P<local>[2-9]\d{6,7})"
    r"(?:(?:-|转|ext\.?|x)(?P<ext>\d{1,6}))?",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[\s\u3000()（）]")


def validate_phone(s: str, *, field: str = "phone") -> str:
    """Return a mobile number as 11 digits or a landline as ``0898-63212345[-123]``.

    Spaces are ignored, a leading +86 / 0086 / 86 is dropped from mobile numbers, and a
    hyphenated mobile number (138-1234-5678) is accepted.
    """
    if s is None:
        raise InvalidIdentifierError(field, Msg("请填写联系电话", "Please enter a phone number"))
    compact = _SEPARATORS.sub("", str(s))
    if not compact:
        raise InvalidIdentifierError(field, Msg("请填写联系电话", "Please enter a phone number"))

    mobile = compact.replace("-", "")
    for prefix in ("+86", "0086", "86"):
        if mobile.startswith(prefix) and len(mobile) == len(prefix) + 11:
            mobile = mobile[len(prefix):]
            break
    if _MOBILE.fullmatch(mobile):
        return mobile
    if mobile.isdigit() and mobile.startswith("1"):
        if len(mobile) != 11:
            raise InvalidIdentifierError(field, Msg("手机号应为11位，当前为{n}位",
                                                     "A mobile number has 11 digits, not {n}", n=len(mobile)))
        raise InvalidIdentifierError(field, Msg("手机号第二位应为3至9", "The second digit of a mobile number is 3 to 9"))

    landline = _LANDLINE.fullmatch(compact)
    if landline:
        number = f"{landline['area']}-{landline['local']}"
        if landline["ext"]:
            number += f"-{landline['ext']}"
        return number
    if compact.startswith("0"):
        raise InvalidIdentifierError(
            field, Msg("固定电话应为“区号-号码”，如0898-63212345（区号3至4位，号码7至8位）",
                   "A landline is “area code-number”, such as 0898-63212345 (3–4 and 7–8 digits)")
        )
    raise InvalidIdentifierError(
        field, Msg("请填写有效的手机号（11位，以1开头）或带区号的固定电话（如0898-63212345）",
               "Please enter a mobile number (11 digits starting with 1) or a landline with its area code (such as 0898-63212345)")
    )


# --- Masking for lists -----------------------------------------------------------------


def mask_resident_id(s: str) -> str:
    """Show the first 4 and last 4 characters only: ``4690**********1234``.

    Works on any string (also malformed stored values) and never shows more than 8
    characters; a value of 8 characters or fewer is masked entirely.
    """
    value = "" if s is None else str(s).strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(s: str) -> str:
    """Show a mobile as ``138****5678`` and a landline as ``0898-****2345``.

    Any other value keeps at most its last 4 characters.
    """
    value = "" if s is None else str(s).strip()
    if _MOBILE.fullmatch(value):
        return value[:3] + "****" + value[-4:]
    parts = value.split("-")
    if len(parts) in (2, 3) and parts[0].startswith("0") and all(p.isdigit() for p in parts):
        local = parts[1]
        if len(local) > 4:
            masked = "*" * (len(local) - 4) + local[-4:]
            return "-".join([parts[0], masked, *parts[2:]])
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_name(name: str) -> str:
    """Keep the first and the last character, star the middle: 王海燕 → 王*燕, 欧阳娜娜 → 欧**娜,
    张三 → 张* (a two-character name keeps its surname only; one character is all stars)."""
    value = "" if name is None else str(name).strip()
    if len(value) <= 1:
        return "*" * max(len(value), 1)
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
