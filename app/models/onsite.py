"""Mediation on site after the visit: sessions and their records (调解笔录), the parties'
confirmation of each record, joint applications for judicial confirmation (司法确认), and
the numbering of rulings and litigation cases, and 好差评 with its follow-ups (docs/on-site.md)."""
from __future__ import annotations

from datetime import date, datetime

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
    #: ``password`` typed again or a one-time SMS code (``otp``), as for signing an agreement.
    method: Mapped[str] = mapped_column(String(12), default="password", server_default="password")

    __table_args__ = (UniqueConstraint("session_id", "party_key", name="one_confirmation_per_party"),
                      CheckConstraint("method IN ('password', 'otp')", name="method_known"))

    session = relationship("MediationSession", back_populates="confirmations")


class ConfirmationApplication(db.Model):
    """A joint application for judicial confirmation (司法确认) of one effective agreement.

    ``applying`` while parties join; ``pending`` once every party applied within the 30 days
    (民事诉讼法 art. 205), at ``applied_at``; then ``confirmed`` or ``refused`` by a judge's
    ruling with its ``ground`` and ``ruling_number`` (（2026）琼9005民特12号). One per agreement.
    """

    __tablename__ = "confirmation_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="applying")
    deadline_on: Mapped[date]
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ground: Mapped[str] = mapped_column(Text, default="", server_default="")
    ruling_number: Mapped[str | None] = mapped_column(String(48), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("status IN ('applying', 'pending', 'confirmed', 'refused')", name="status_known"),
        CheckConstraint("status = 'applying' OR applied_at IS NOT NULL", name="joint_dated"),
        CheckConstraint("status NOT IN ('confirmed', 'refused') OR (decided_at IS NOT NULL "
                        "AND ruling_number IS NOT NULL)", name="decision_dated"),
        CheckConstraint("status <> 'refused' OR length(ground) > 0", name="refusal_has_ground"),
    )

    case = relationship("Case")
    agreement = relationship("Agreement")
    applicants = relationship("ConfirmationApplicant", back_populates="application",
                              order_by="ConfirmationApplicant.applied_at", cascade="all, delete-orphan")


class ConfirmationApplicant(db.Model):
    """One party's part of the joint application: who, for which party, when, from where."""

    __tablename__ = "confirmation_applicants"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("confirmation_applications.id", ondelete="CASCADE"))
    party_key: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str] = mapped_column(String(45))

    __table_args__ = (UniqueConstraint("application_id", "party_key", name="one_application_per_party"),)

    application = relationship("ConfirmationApplication", back_populates="applicants")


class CaseTypeCounter(db.Model):
    """The last sequence number per court, year and case-type code other than the
    pre-litigation one (民特 for confirmation rulings, 民初 for litigation): 案号 never repeat."""

    __tablename__ = "case_type_counters"

    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    type_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class Rating(db.Model):
    """好差评: one party's rating of the service on a closed case (1–5 stars, a comment)."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"))
    party_key: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("case_id", "party_key", name="one_rating_per_party"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        Index("ix_ratings_court_rated", "court_id", "rated_at"),
    )

    case = relationship("Case")
    followup = relationship("FollowUp", back_populates="rating", uselist=False)


class FollowUp(db.Model):
    """回访: the judge's follow-up of a bad rating, due by ``due_on`` (court date)."""

    __tablename__ = "followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id", ondelete="CASCADE"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), index=True)
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(8), default="open")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("status IN ('open', 'done')", name="status_known"),
        CheckConstraint("status = 'open' OR (done_at IS NOT NULL AND length(note) > 0)", name="done_recorded"),
    )

    rating = relationship("Rating", back_populates="followup")
    case = relationship("Case")
