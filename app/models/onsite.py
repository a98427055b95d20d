"""Mediation on site after the visit: sessions and their records (调解笔录), the parties'
confirmation of each record (docs/on-site.md)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, in_clause
from mediation.sessions import SessionOutcome


class MediationSession(db.Model):
    """One mediation session of a case and its record.

    ``content`` is ``mediation.sessions.SessionRecord.as_dict`` (attendance, notes, offers,
    outcome, ground); ``content_sha256`` is what each present party confirms. ``status``:
    ``confirming`` until every present party confirmed, then ``confirmed``.
    """

    __tablename__ = "mediation_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(12))
    ground: Mapped[str] = mapped_column(Text, default="", server_default="")
    content: Mapped[dict] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="confirming")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(f"outcome IN ({in_clause(SessionOutcome)})", name="outcome_known"),
        CheckConstraint("status IN ('confirming', 'confirmed')", name="status_known"),
        CheckConstraint("status <> 'confirmed' OR confirmed_at IS NOT NULL", name="confirmed_dated"),
        CheckConstraint("outcome <> 'failed' OR length(ground) > 0", name="failure_has_ground"),
        CheckConstraint("length(content_sha256) = 64", name="sha256_length"),
        Index("ix_mediation_sessions_case", "case_id", "held_at"),
    )

    case = relationship("Case")
    confirmations = relationship("SessionConfirmation", back_populates="session",
                                 order_by="SessionConfirmation.confirmed_at", cascade="all, delete-orphan")


class SessionConfirmation(db.Model):
    """A present party's online confirmation of a record: who, when, from where, which text."""

    __tablename__ = "session_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("mediation_sessions.id", ondelete="CASCADE"))
    party_key: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str] = mapped_column(String(45))
    content_sha256: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("session_id", "party_key", name="one_confirmation_per_party"),)

    session = relationship("MediationSession", back_populates="confirmations")
