"""Site visits (上门调解): a mediator's trip to a project, serving one or more cases."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime


#: A visit is ``planned`` (possibly moved since: ``moved_at``) or ``cancelled`` with its
#: reason; a cancelled visit stays on the calendars, marked, and books nobody.
VISIT_STATUSES = ("planned", "cancelled")


class Visit(db.Model):
    """One visit: who goes, where (project and room), when, for which cases."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"))
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediators.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    room: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="planned", server_default="planned")
    #: The last time the visit was moved (new time, place or room), None if never.
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("status IN ('planned', 'cancelled')", name="status_known"),
        CheckConstraint("status <> 'cancelled' OR (cancelled_at IS NOT NULL AND length(cancel_reason) > 0)",
                        name="cancel_recorded"),
        Index("ix_visits_mediator_starts", "mediator_id", "starts_at"),
        Index("ix_visits_court_starts", "court_id", "starts_at"),
    )

    mediator = relationship("Mediator")
    project = relationship("Project")
    cases = relationship("Case", secondary="visit_cases", order_by="Case.id")


class VisitCase(db.Model):
    """A case a visit serves."""

    __tablename__ = "visit_cases"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"),
                                          primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True, index=True)
