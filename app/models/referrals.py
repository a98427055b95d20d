"""Referrals from other agencies (CSV imports) and tasks given to agencies on a case."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, in_clause

#: The agencies of "nine dragons governing the water" (九龙治水), docs/court-rules.md.
AGENCIES = ("housing_bureau", "petition_office", "land_bureau", "police",
            "law_enforcement", "justice_bureau", "market_regulator", "hotline_12345")
IMPORT_STATES = ("validating", "failed", "imported")
TASK_STATES = ("open", "done", "cancelled")


class ReferralImport(db.Model):
    """One CSV of complaints referred by an agency; all rows are imported or none."""

    __tablename__ = "referral_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    agency: Mapped[str] = mapped_column(String(24))
    filename: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="validating")
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    imported_rows: Mapped[int] = mapped_column(default=0)
    duplicate_rows: Mapped[int] = mapped_column(default=0)
    #: Row errors: [{"row": 17, "field": "resident_id", "message": "…"}].
    errors: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(f"agency IN ({in_clause(AGENCIES)})",
                        name="agency_known"),
        CheckConstraint(f"status IN ({in_clause(IMPORT_STATES)})",
                        name="status_known"),
    )

    uploaded_by = relationship("User")


class AgencyTask(db.Model):
    """A task given to another agency on a case, with an owner and a deadline."""

    __tablename__ = "agency_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agency: Mapped[str] = mapped_column(String(24))
    owner_name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="open")
    result: Mapped[str | None] = mapped_column(Text)
    #: The judge who gave the task; None when the platform gave it on an approval without a
    #: recorded actor (a release approved by a script).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The release of a supervised pre-sale account this task reports to the housing bureau
    #: (docs/release-in-the-app.md); unique, so a release never gives the bureau two tasks.
    asset_release_id: Mapped[int | None] = mapped_column(
        ForeignKey("asset_releases.id", ondelete="SET NULL"), unique=True)

    __table_args__ = (
        CheckConstraint(f"agency IN ({in_clause(AGENCIES)})",
                        name="agency_known"),
        CheckConstraint(f"status IN ({in_clause(TASK_STATES)})",
                        name="status_known"),
        CheckConstraint("status <> 'done' OR completed_at IS NOT NULL", name="done_has_date"),
    )

    case = relationship("Case", back_populates="agency_tasks")
    created_by = relationship("User")
