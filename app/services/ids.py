"""Ids typed into forms, URLs and API bodies, read one way everywhere.

Ids are 32-bit integers in the database; a larger "id" from a form is simply unknown,
never an overflow error from the driver.
"""
from __future__ import annotations

from collections.abc import Iterable

from app.services.errors import ServiceError

__all__ = ["MAX_ID", "parse_id", "parse_ids"]

MAX_ID = 2**31 - 1


def parse_ids(values: Iterable, what: str, field_name: str) -> list[int]:
    """Distinct integer ids in the order given, or a ServiceError naming the field."""
    result: list[int] = []
    for value in values or ():
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise ServiceError(f"{what}编号“{value}”无效", field_name) from None
        if not 0 < number <= MAX_ID:
            raise ServiceError(f"{what}编号“{value}”无效", field_name)
        if number not in result:
            result.append(number)
    return result


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
