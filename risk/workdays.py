"""Working-day deadlines: the court's "N working days" counts Chinese public holidays and
make-up working days.

A compliance inquiry is answered within N working days; a mediator is assigned within 3
working days and accepts or declines within 3 more. Working days are the days of the
State Council's annual holiday notice (国务院办公厅关于部分节假日安排的通知): Monday to
Friday except public holidays, plus the weekend days declared make-up working days (调休
上班). The ``chinese_calendar`` package carries those notices.

Counting follows the rule for procedural periods (民事诉讼法, 期间): the day on which the
period starts is not counted, so "3 working days after 2026-09-30" is the third working day
after it — 2026-10-10, a make-up Saturday after the National Day holiday.

The State Council publishes each year's notice late in the year before, so the package only
knows a limited range (2004–2026 in chinesecalendar 1.11.0). Outside it, weekends alone are
assumed and the result is an *estimate*: :func:`working_deadline` and
:func:`deadline_is_estimate` say so, so a page can show “预计” next to the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar

from mediation.lifecycle import date_zh

__all__ = [
    "Deadline",
    "add_working_days",
    "calendar_knows",
    "deadline_is_estimate",
    "is_working_day",
    "working_days_between",
    "working_deadline",
]


def _check_date(d: date) -> date:
    # A datetime is also a date; refuse it, because its date depends on the time zone and
    # the caller must decide which (the court's: Asia/Shanghai).
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date in court time, got {type(d).__name__}")
    return d


@lru_cache(maxsize=None)
def calendar_knows(year: int) -> bool:
    """Whether the holiday calendar has the State Council's notice for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(d: date) -> bool:
    """Whether ``d`` is a working day (weekdays only, for years the calendar doesn't know)."""
    d = _check_date(d)
    if calendar_knows(d.year):
        return chinese_calendar.is_workday(d)
    return d.weekday() < 5


def deadline_is_estimate(d: date) -> bool:
    """Whether a working-day date in ``d``'s year is only an estimate (holidays unknown)."""
    return not calendar_knows(_check_date(d).year)


@dataclass(frozen=True)
class Deadline:
    on: date
    is_estimate: bool  # some day counted lies in a year whose holidays are not yet known

    @property
    def label_zh(self) -> str:
        """``2026年10月10日``, prefixed ``预计`` when an estimate."""
        text = date_zh(self.on)
        return ("预计" + text) if self.is_estimate else text


def add_working_days(start: date, n: int) -> date:
    """Return the n-th working day after ``start`` (before it, when n is negative).

    ``start`` itself is not counted; n = 0 returns ``start`` unchanged.
    """
    return working_deadline(start, n).on


def working_deadline(start: date, n: int) -> Deadline:
    """Like :func:`add_working_days`, and say whether the result is an estimate."""
    start = _check_date(start)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("n must be an int")
    step = timedelta(days=1 if n >= 0 else -1)
    day, remaining = start, abs(n)
    estimate = not calendar_knows(start.year)
    while remaining:
        day += step
        estimate = estimate or not calendar_knows(day.year)
        if is_working_day(day):
            remaining -= 1
    return Deadline(day, estimate)


def working_days_between(a: date, b: date) -> int:
    """Count working days d with a < d <= b (negative, counted the other way, if b < a).

    So ``working_days_between(a, add_working_days(a, n)) == n`` for n >= 0; the working days
    left until a deadline are ``working_days_between(today, deadline)``.
    """
    a, b = _check_date(a), _check_date(b)
    if b < a:
        return -working_days_between(b, a)
    count, day = 0, a
    while day < b:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
