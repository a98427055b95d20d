"""The clerk's entries of the State Council's holiday notices (节假日安排), one year each.

A year entered here governs working days for that year over the ``chinese_calendar``
package and the lunar estimate (``risk.holidays``; docs/working-days.md). Each day of the
year that the notice changes is one ``holiday_days`` row: a day off (``holiday``) or a
weekend day worked (``workday``). The day is the primary key, so the database itself
refuses a day that is both.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, in_clause


class HolidayDayKind(str, enum.Enum):
    HOLIDAY = "holiday"  # 放假
    WORKDAY = "workday"  # 调休上班 (a weekend day worked)


class HolidayYear(db.Model):
    """One year's notice as the clerk entered it."""

    __tablename__ = "holiday_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    notice: Mapped[str | None] = mapped_column(String(200))  # the notice's title or number
    #: A random token renewed by every save: process caches of the calendar compare it.
    revision: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    days = relationship("HolidayDay", back_populates="holiday_year", cascade="all, delete-orphan",
                        passive_deletes=True, order_by="HolidayDay.day")
    updated_by = relationship("User")

    __table_args__ = (CheckConstraint("year BETWEEN 1950 AND 2200", name="year_range"),)


class HolidayDay(db.Model):
    """A day the year's notice makes a holiday or a make-up working day."""

    __tablename__ = "holiday_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("holiday_years.year", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))

    holiday_year = relationship("HolidayYear", back_populates="days")

    __table_args__ = (CheckConstraint(f"kind IN ({in_clause(HolidayDayKind)})", name="kind"),)
