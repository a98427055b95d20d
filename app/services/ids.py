"""Ids typed into forms, URLs and API bodies, read one way everywhere.

An id is a positive integer that fits the database's 32-bit id columns, given as an int
or as ASCII digits (surrounding spaces ignored). Anything else — a sign, a decimal point,
full-width or other non-ASCII digits, a bool, a number too large to be a row — names no
row: :func:`parse_id` says None and the caller reports it in its own words (a field
error, a 404, a row of a bulk report), never an overflow error from the driver.
"""
from __future__ import annotations

from collections.abc import Iterable

from app.services.errors import ServiceError
from mediation.messages import Msg

__all__ = ["MAX_ID", "parse_id", "parse_ids"]

#: What the callers' ids number, in English (``parse_ids(…, "案件", …)``).
_WHAT_EN = {"案件": "case", "投诉": "complaint", "调解员": "mediator", "申请人": "claimant"}

#: Ids are 32-bit integers in the database; a larger "id" from a form is simply unknown.
MAX_ID = 2**31 - 1


def parse_id(value) -> int | None:
    """A positive row id from an int or a digit string, else None (never an exception)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = "" if value is None else str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 10):
            return None
        number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values: Iterable, what: str, field_name: str) -> list[int]:
    """Distinct ids in the order given, or a ServiceError naming the field ("投诉编号“x”无效")."""
    result: list[int] = []
    for value in values or ():
        number = parse_id(value)
        if number is None:
            raise ServiceError(Msg("{what}编号“{value}”无效",
                                   "Invalid {what} id “{value}”",
                                   what=what if isinstance(what, Msg) else Msg(what, _WHAT_EN.get(what, what)),
                                   value=value), field_name)
        if number not in result:
            result.append(number)
    return result
