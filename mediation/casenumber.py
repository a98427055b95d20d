"""Case numbers in the court's style: （2026）琼9005民诉前调123号.

A case number (案号) is the year the case was received in full-width parentheses, the
court's code (法院代字: the province's one-character abbreviation, then 2 digits for an
intermediate court or 4 for a basic court — 琼9005 is Wenchang), the case-type code
(类型代字: 民诉前调 for civil pre-litigation mediation) and the sequence number of the
year, ending in 号 (最高人民法院关于人民法院案件案号的若干规定, 2018; 人民法院案件类型及其
代字标准). Sequence numbers restart each year and never repeat within a court and type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mediation.messages import Msg

__all__ = [
    "CaseNumber",
    "CaseNumberError",
    "PRE_LITIGATION_MEDIATION",
    "format_case_number",
    "parse_case_number",
]

# The case-type code of civil pre-litigation mediation cases.
PRE_LITIGATION_MEDIATION = "民诉前调"

_HAN = r"[\u4e00-\u9fff]"
_COURT_CODE = re.compile(rf"{_HAN}(?:\d{{2}}|\d{{4}})?")
_TYPE_CODE = re.compile(rf"{_HAN}+")
_CASE_NUMBER = re.compile(
    rf"[（(](?P<year>\d{{4}})[）)](?P<court>{_HAN}(?:\d{{4}}|\d{{2}})?)"
    rf"(?P<type>{_HAN}+?)(?P<seq>\d+)号"
)


class CaseNumberError(ValueError):
    """A case number, or a part of one, not in the court's style."""

    def __init__(self, message: str, field: str = "case_number") -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class CaseNumber:
    year: int
    court_code: str
    seq: int
    type_code: str = PRE_LITIGATION_MEDIATION

    def __str__(self) -> str:
        return format_case_number(self.year, self.court_code, self.seq, type_code=self.type_code)


def format_case_number(
    year: int, court_code: str, seq: int, *, type_code: str = PRE_LITIGATION_MEDIATION
) -> str:
    """Return e.g. ``（2026）琼9005民诉前调123号`` (full-width parentheses)."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
        raise CaseNumberError(Msg("案号年份应为四位数字", "The year of a case number has four digits"), "year")
    if not isinstance(court_code, str) or not _COURT_CODE.fullmatch(court_code):
        raise CaseNumberError(Msg("法院代字应为省份简称加2位或4位数字，如“琼9005”",
                                  "A court code is the province's character and 2 or 4 digits, such as 琼9005"),
                              "court_code")
    if not isinstance(type_code, str) or not _TYPE_CODE.fullmatch(type_code):
        raise CaseNumberError(Msg("案件类型代字应为汉字，如“民诉前调”",
                                  "A case-type code is in Chinese characters, such as 民诉前调"), "type_code")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise CaseNumberError(Msg("案件序号应为正整数", "The sequence number must be a positive whole number"), "seq")
    return f"（{year}）{court_code}{type_code}{seq}号"


def parse_case_number(text: str) -> CaseNumber:
    """Read a case number back into its parts; half-width parentheses are accepted."""
    value = "" if text is None else str(text).strip().replace(" ", "")
    match = _CASE_NUMBER.fullmatch(value)
    if not match:
        raise CaseNumberError(Msg("案号“{v}”格式不正确，应如“（2026）琼9005民诉前调123号”",
                                  "The case number “{v}” is malformed; it reads like （2026）琼9005民诉前调123号", v=value))
    seq = int(match["seq"])
    if seq < 1 or match["seq"].startswith("0"):
        raise CaseNumberError(Msg("案号“{v}”的序号应为不以0开头的正整数",
                                  "The sequence number of “{v}” must be a whole number not starting with 0", v=value))
    return CaseNumber(int(match["year"]), match["court"], seq, match["type"])
