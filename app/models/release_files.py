"""Documents filed with a counter-guarantee (the bank letter, the policy, the surety's
undertaking): checked and stored like evidence files (``app.services.evidence``)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.intake import ATTACHMENT_TYPES
from app.models.types import UTCDateTime, in_clause


class CounterGuaranteeFile(db.Model):
    """One document of a counter-guarantee, stored under a random name outside ``static/``."""

    __tablename__ = "counter_guarantee_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    guarantee_id: Mapped[int] = mapped_column(
        ForeignKey("counter_guarantees.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The uploader's file name, cleaned (no path parts); shown, never used on disk.
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(f"content_type IN ({in_clause(ATTACHMENT_TYPES)})", name="content_type_allowed"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    guarantee = relationship("CounterGuarantee")
