"""The year's holiday arrangement (节假日安排): which days are off and which weekend days are
worked, from the best source the platform has for that year.

Each December the General Office of the State Council publishes the next year's notice
(国务院办公厅关于××年部分节假日安排的通知): the public holidays and the weekend days
declared make-up working days (调休上班). A working day is Monday to Friday except those
holidays, plus those make-up days. Three sources, in order of authority:

1. **Entered by the court's clerk** (``source="clerk"``) from the notice itself — the only
   source for a year the packaged data does not reach yet, and a correction where it erred.
2. **The ``chinese_calendar`` package** (``source="official"``), which carries the notices
   up to its release (2004–2026 in chinesecalendar 1.11.0; from 2027 it raises).
3. **An estimate** (``source="estimate"``): the statutory holidays of 全国年节及纪念日放假
   办法 (as revised in 2024, in force 2025) computed from the lunar calendar — 元旦 1 Jan,
   春节 除夕 to 初三 (4 days), 清明 (the solar term), 劳动节 1–2 May, 端午 (5th of the 5th
   lunar month), 中秋 (15th of the 8th), 国庆 1–3 Oct — with no make-up working days, because
   those are decided anew each year. Everything counted on such a year is labelled 预计.

The lunar dates and the 清明 solar term come from ``lunar_python`` (see
docs/working-days.md for the comparison with ``lunardate``, ``holidays`` and others).
Nothing here reads a database or the clock: the app hands in the clerk's arrangements.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar
from lunar_python import Lunar

from mediation.messages import Msg

__all__ = [
    "ArrangementError",
    "HolidayCalendar",
    "YearArrangement",
    "estimated_arrangement",
    "official_arrangement",
]

OFFICIAL, CLERK, ESTIMATE = "official", "clerk", "estimate"


class ArrangementError(ValueError):
    """A year's arrangement that cannot be right (a day outside the year, a day both off and worked)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


def check_date(d: date) -> date:
    """Refuse a datetime: its date depends on the time zone, and the caller must pick the court's."""
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date in court time, got {type(d).__name__}")
    return d


@dataclass(frozen=True)
class YearArrangement:
    """One year's days off (``holidays``) and worked weekend days (``workdays``)."""

    year: int
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    source: str = CLERK

    def __post_init__(self):
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        for name, days in (("holidays", self.holidays), ("workdays", self.workdays)):
            for d in sorted(days):
                if check_date(d).year != self.year:
                    raise ArrangementError(Msg("{day}不在{year}年内", "{day} is not in {year}",
                                               day=d.isoformat(), year=self.year), name)
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ArrangementError(Msg("{day}不能既是放假日又是调休上班日",
                                       "{day} cannot be both a day off and a make-up working day",
                                       day=both[0].isoformat()), "workdays")

    @property
    def is_estimate(self) -> bool:
        return self.source == ESTIMATE

    def is_working_day(self, d: date) -> bool:
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays


def _solar(lunar: Lunar) -> date:
    s = lunar.getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


@lru_cache(maxsize=256)
def estimated_arrangement(year: int) -> YearArrangement:
    """The statutory holidays of ``year`` computed from the lunar calendar (no make-up days)."""
    spring = _solar(Lunar.fromYmd(year, 1, 1))
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    days = {
        date(year, 1, 1),                                       # 元旦
        *(spring + timedelta(days=k) for k in range(-1, 3)),    # 春节: 除夕, 初一–初三
        date(qingming.getYear(), qingming.getMonth(), qingming.getDay()),  # 清明
        date(year, 5, 1), date(year, 5, 2),                     # 劳动节
        _solar(Lunar.fromYmd(year, 5, 5)),                      # 端午
        _solar(Lunar.fromYmd(year, 8, 15)),                     # 中秋
        date(year, 10, 1), date(year, 10, 2), date(year, 10, 3),  # 国庆
    }
    return YearArrangement(year, frozenset(d for d in days if d.year == year), source=ESTIMATE)


@lru_cache(maxsize=64)
def official_arrangement(year: int) -> YearArrangement | None:
    """The arrangement ``chinese_calendar`` carries for ``year``, or None past its data."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return None
    first, last = date(year, 1, 1), date(year, 12, 31)
    holidays = frozenset(d for d in chinese_calendar.get_holidays(first, last, include_weekends=False))
    workdays = frozenset(d for d in chinese_calendar.get_workdays(first, last, include_weekends=True)
                         if d.weekday() >= 5)
    return YearArrangement(year, holidays, workdays, source=OFFICIAL)


@dataclass(frozen=True)
class HolidayCalendar:
    """Working days over any range of years, each year from its best source.

    ``entered`` are the clerk's arrangements by year; they win over the package, which wins
    over the estimate. Build one per set of entered years and keep it: it caches per year.
    """

    entered: Mapping[int, YearArrangement] = field(default_factory=dict)
    _years: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_arrangements(cls, arrangements: Iterable[YearArrangement]) -> HolidayCalendar:
        entered = {}
        for arrangement in arrangements:
            if arrangement.year in entered:
                raise ArrangementError(Msg("{year}年的安排重复", "{year} is given twice",
                                           year=arrangement.year), "year")
            entered[arrangement.year] = arrangement
        return cls(entered)

    def arrangement(self, year: int) -> YearArrangement:
        """The arrangement that governs ``year``."""
        found = self._years.get(year)
        if found is None:
            found = (self.entered.get(year) or official_arrangement(year)
                     or estimated_arrangement(year))
            self._years[year] = found
        return found

    def is_working_day(self, d: date) -> bool:
        d = check_date(d)
        return self.arrangement(d.year).is_working_day(d)

    def is_estimate(self, d: date) -> bool:
        """Whether ``d``'s year is governed only by the estimate (no notice known)."""
        return self.arrangement(check_date(d).year).is_estimate

    def source(self, year: int) -> str:
        return self.arrangement(year).source
