"""Parties: developers, their projects, and natural persons."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime


class Developer(db.Model):
    """A development company (开发企业), identified by its unified social credit code."""

    __tablename__ = "developers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    legal_representative: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("length(uscc) = 18", name="uscc_length"),)

    projects = relationship("Project", back_populates="developer", order_by="Project.name")


class Project(db.Model):
    """A housing project (楼盘/项目) of a developer."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id"), index=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), index=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    presale_permit: Mapped[str | None] = mapped_column(String(64))
    units_total: Mapped[int] = mapped_column(default=0)
    units_delivered: Mapped[int] = mapped_column(default=0)
    promised_delivery_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("units_total >= 0", name="units_total_nonnegative"),
        CheckConstraint(
            "units_delivered >= 0 AND units_delivered <= units_total", name="units_delivered_range"
        ),
    )

    developer = relationship("Developer", back_populates="projects")
    town = relationship("Town")
    court = relationship("Court")


class Person(db.Model):
    """A natural-person party; the resident ID is validated and shown masked in lists."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    resident_id: Mapped[str] = mapped_column(String(18), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("length(resident_id) = 18", name="resident_id_length"),)
