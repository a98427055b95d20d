"""Mediators, their skills, base, capacity, leave and declared conflicts of interest.

The clerk keeps this registry (``/admin/mediators``); the assignment reads it (see
docs/on-site.md). A mediator works on the court's working days (``risk.workdays``) except
the date ranges of their leave.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, in_clause

MEDIATOR_KINDS = ("court", "invited", "housing_bureau", "lawyer")


class Mediator(db.Model):
    """A court mediator, specially invited mediator, housing-bureau officer or lawyer."""

    __tablename__ = "mediators"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: Dispute type codes the mediator is experienced in.
    skills: Mapped[list] = mapped_column(JSON, default=list)
    home_town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id"))
    #: The mediator's base (degrees, WGS 84); the home town's centre when not given.
    base_lat: Mapped[float | None]
    base_lon: Mapped[float | None]
    #: Open cases the mediator can carry at once.
    capacity: Mapped[int] = mapped_column(default=20)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(
            f"kind IN ({in_clause(MEDIATOR_KINDS)})", name="kind_known"
        ),
        CheckConstraint("capacity >= 0", name="capacity_nonnegative"),
        CheckConstraint("base_lat IS NULL OR (base_lat BETWEEN -90 AND 90)", name="base_lat_range"),
        CheckConstraint("base_lon IS NULL OR (base_lon BETWEEN -180 AND 180)",
                        name="base_lon_range"),
    )

    user = relationship("User")
    court = relationship("Court")
    home_town = relationship("Town")
    conflicts = relationship("MediatorConflict", back_populates="mediator",
                             cascade="all, delete-orphan")
    leaves = relationship("MediatorLeave", back_populates="mediator",
                          cascade="all, delete-orphan", order_by="MediatorLeave.starts_on")


class MediatorConflict(db.Model):
    """A declared conflict (e.g. once worked for the developer): never assigned its cases."""

    __tablename__ = "mediator_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediators.id", ondelete="CASCADE"))
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id"))
    reason: Mapped[str] = mapped_column(String(200))

    __table_args__ = (db.UniqueConstraint("mediator_id", "developer_id"),)

    mediator = relationship("Mediator", back_populates="conflicts")
    developer = relationship("Developer")


class MediatorLeave(db.Model):
    """A date range (court dates, both ends included) the mediator is away: no new cases."""

    __tablename__ = "mediator_leaves"

    id: Mapped[int] = mapped_column(primary_key=True)
    mediator_id: Mapped[int] = mapped_column(
        ForeignKey("mediators.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="", server_default="")

    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="range_ordered"),)

    mediator = relationship("Mediator", back_populates="leaves")
