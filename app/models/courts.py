"""Courts and the towns they serve."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Court(db.Model):
    """A court, or a circuit court (巡回法庭) that belongs to one.

    The court is the partition key of the platform: cases, judges and mediators belong
    to exactly one. ``code`` is the court code used in case numbers (文昌市人民法院: 琼9005).
    """

    __tablename__ = "courts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    code: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("courts.id"))
    address: Mapped[str | None] = mapped_column(String(200))

    parent = relationship("Court", remote_side=[id])


class Town(db.Model):
    """A town (镇) of a county; coordinates are approximate town centres."""

    __tablename__ = "towns"

    id: Mapped[int] = mapped_column(primary_key=True)
    county: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(32))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    __table_args__ = (db.UniqueConstraint("county", "name"),)
