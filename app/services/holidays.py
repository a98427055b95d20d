"""The clerk's holiday notices and the working-day calendar the app counts deadlines with.

``court_calendar()`` is :class:`risk.holidays.HolidayCalendar` with the years the clerk
entered (``holiday_years``) over the ``chinese_calendar`` package and the lunar estimate.
It is built once per process and rebuilt when an entered year changes — each save renews
the year's ``revision``, and the (year, revision) list is read to check — so every worker
sees a new notice on its next request. A web request skips even that read when the data
version it got with its login session (``request_token()`` in app.models.versions) is the one
the last check saw: any committed change to the holiday tables renews that version, so an
unchanged version means an unchanged calendar, and a list page makes no query for it.
``save_holiday_year`` is the clerk's use-case. docs/working-days.md explains the sources.
"""
from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import g
from sqlalchemy import delete, select

from app.extensions import db
from app.models import HolidayDay, HolidayDayKind, HolidayYear, User
from app.models.versions import forget_request_token, request_token
from app.services.errors import ForbiddenError, NotFoundError, ServiceError
from app.services.use_case import use_case
from mediation.lifecycle import court_date
from mediation.messages import Msg
from mediation.roles import Role
from risk.holidays import ArrangementError, HolidayCalendar, YearArrangement

FIRST_YEAR, LAST_YEAR = 1950, 2200
#: Cap on a range typed as ``a..b``: a notice's longest holiday is 9 days.
MAX_RANGE_DAYS = 31

_RANGE_SEPARATOR = re.compile(r"\s*(?:\.\.|~|～|至|—|–)\s*")
_RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\.\.(\d{4}-\d{1,2}-\d{1,2})$")
_lock = threading.Lock()
_cached: dict = {"key": None, "calendar": HolidayCalendar(), "version": None}


def _years_key() -> tuple:
    return tuple(db.session.execute(
        select(HolidayYear.year, HolidayYear.revision).order_by(HolidayYear.year)).all())


def _load_calendar() -> HolidayCalendar:
    days: dict[int, tuple[set, set]] = {}
    for year, in db.session.execute(select(HolidayYear.year)):
        days[year] = (set(), set())
    for day, year, kind in db.session.execute(select(HolidayDay.day, HolidayDay.year, HolidayDay.kind)):
        days[year][0 if kind == HolidayDayKind.HOLIDAY.value else 1].add(day)
    return HolidayCalendar.from_arrangements(
        YearArrangement(year, holidays, workdays) for year, (holidays, workdays) in days.items())


def court_calendar() -> HolidayCalendar:
    """The working-day calendar with the clerk's years (checked once per app context, and
    not at all when the request's data version is the one the last check was made under)."""
    memo = g.get("_court_calendar")
    if memo is not None:
        return memo
    # Read with the login session, before any data: the years read below are at least as
    # new as this version, so the calendar kept under it is never older than it.
    version = request_token()
    with _lock:
        if version is not None and _cached["version"] == version:
            calendar = _cached["calendar"]
            g._court_calendar = calendar
            return calendar
    key = _years_key()
    with _lock:
        if _cached["key"] != key:
            _cached["calendar"] = _load_calendar() if key else HolidayCalendar()
            _cached["key"] = key
        _cached["version"] = version
        calendar = _cached["calendar"]
    g._court_calendar = calendar
    return calendar


def _forget_memo() -> None:
    g.pop("_court_calendar", None)
    forget_request_token()  # this request changed the calendar: check it again


def deadline_is_estimated(value: datetime | date | None) -> bool:
    """Whether a deadline (a UTC instant or a court date) lies in an estimated year."""
    if value is None:
        return False
    return court_calendar().is_estimate(court_date(value))


# --- The clerk's page ---------------------------------------------------------------------

@dataclass(frozen=True)
class YearRow:
    year: int
    source: str  # clerk · official · estimate
    holidays: int  # days off on weekdays
    workdays: int
    notice: str | None = None
    updated_at: datetime | None = None


def holiday_years(today: date) -> list[YearRow]:
    """Last year to three years ahead, plus every year entered, with where each comes from."""
    calendar = court_calendar()
    entered = {row.year: row for row in db.session.scalars(select(HolidayYear))}
    rows = []
    for year in sorted(set(range(today.year - 1, today.year + 3)) | set(entered)):
        arrangement = calendar.arrangement(year)
        row = entered.get(year)
        rows.append(YearRow(
            year, arrangement.source,
            sum(1 for d in arrangement.holidays if d.weekday() < 5), len(arrangement.workdays),
            row.notice if row else None, row.updated_at if row else None))
    return rows


def year_arrangement(year: int) -> tuple[YearArrangement, HolidayYear | None]:
    """The arrangement that governs ``year`` now, and the clerk's row if there is one."""
    _check_year(year)
    return court_calendar().arrangement(year), db.session.get(HolidayYear, year)


def format_days(days) -> str:
    """Dates one per line, consecutive days joined as ``a..b`` (the form's own syntax)."""
    lines, run = [], []
    for d in sorted(days):
        if run and d - run[-1] != timedelta(days=1):
            lines.append(_run_text(run))
            run = []
        run.append(d)
    if run:
        lines.append(_run_text(run))
    return "\n".join(lines)


def _run_text(run: list[date]) -> str:
    return run[0].isoformat() if len(run) == 1 else f"{run[0].isoformat()}..{run[-1].isoformat()}"


def _parse_date(text: str, field: str) -> date:
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return date(year, month, day)
    except ValueError:
        raise ServiceError(Msg("“{text}”不是有效日期，请写作2027-10-01",
                               "“{text}” is not a valid date; write it as 2027-10-01", text=text),
                           field) from None


def parse_days(text: str | None, field: str) -> set[date]:
    """Read dates and ranges (``2027-10-01..2027-10-07``), one or more per line."""
    days: set[date] = set()
    text = _RANGE_SEPARATOR.sub("..", (text or "").strip())
    for token in re.split(r"[\s,，、;；]+", text):
        if not token:
            continue
        match = _RANGE.match(token)
        if match:
            first, last = (_parse_date(part, field) for part in match.groups())
            if last < first or (last - first).days >= MAX_RANGE_DAYS:
                raise ServiceError(Msg("日期范围“{token}”有误", "The range “{token}” is wrong",
                                       token=token), field)
            days.update(first + timedelta(days=k) for k in range((last - first).days + 1))
        elif re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", token):
            days.add(_parse_date(token, field))
        else:
            raise ServiceError(Msg("“{token}”不是日期，请每行写一个日期或日期范围",
                                   "“{token}” is not a date; write one date or range per line",
                                   token=token), field)
    return days


def _check_year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ServiceError(Msg("年份应在{a}年至{b}年之间", "The year must be between {a} and {b}",
                               a=FIRST_YEAR, b=LAST_YEAR), "year")
    return year


def _check_clerk(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise ForbiddenError(Msg("只有管理员可以录入节假日安排",
                                 "Only the clerk enters holiday arrangements"))


@use_case
def save_holiday_year(year: int, *, holidays: str, workdays: str, notice: str | None,
                      actor: User, now: datetime) -> HolidayYear:
    """Enter (or replace) a year's notice: its days off and its make-up working days."""
    _check_clerk(actor)
    _check_year(year)
    off, worked = parse_days(holidays, "holidays"), parse_days(workdays, "workdays")
    if not off:
        raise ServiceError(Msg("请填写放假日期", "Give the days off"), "holidays")
    try:
        YearArrangement(year, off, worked)
    except ArrangementError as error:
        raise ServiceError(error.message, error.field) from None
    weekday = sorted(d for d in worked if d.weekday() < 5)
    if weekday:
        raise ServiceError(Msg("{day}本是工作日，调休上班日应为周六或周日",
                               "{day} is a weekday already: a make-up working day is a Saturday or Sunday",
                               day=weekday[0].isoformat()), "workdays")
    row = db.session.get(HolidayYear, year)
    if row is None:
        row = HolidayYear(year=year)
        db.session.add(row)
    row.notice = (notice or "").strip()[:200] or None
    row.updated_at = now
    row.updated_by_id = actor.id
    row.revision = secrets.token_hex(16)
    db.session.flush()
    db.session.execute(delete(HolidayDay).where(HolidayDay.year == year))
    db.session.add_all([HolidayDay(day=d, year=year, kind=HolidayDayKind.HOLIDAY.value) for d in off]
                       + [HolidayDay(day=d, year=year, kind=HolidayDayKind.WORKDAY.value) for d in worked])
    db.session.commit()
    _forget_memo()
    return row


@use_case
def delete_holiday_year(year: int, *, actor: User) -> None:
    """Withdraw the clerk's entry: the year falls back to the package or the estimate."""
    _check_clerk(actor)
    row = db.session.get(HolidayYear, _check_year(year))
    if row is None:
        raise NotFoundError(Msg("{year}年没有录入的节假日安排", "No arrangement was entered for {year}",
                                year=year))
    db.session.execute(delete(HolidayDay).where(HolidayDay.year == year))
    db.session.delete(row)
    db.session.commit()
    _forget_memo()
