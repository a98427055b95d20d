"""The court's issued documents: one row per PDF file kept under UPLOAD_DIR."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.documents import DOCUMENT_KINDS
from app.extensions import db
from app.models.types import UTCDateTime, in_clause


class Document(db.Model):
    """A PDF the court issued for a case: an agreement, a ruling, a visit sheet …

    ``sha256`` is computed on the stored bytes; ``verify_code`` (printed on every page)
    lets anyone check title, case number, date and hash at ``/verify/<code>``. A party's
    copy names that party (``party_person_id`` or ``party_developer_id``) and masks the
    other parties' ID numbers and phones; the court's file copy names no party and is
    seen only by the court's side (its judges and the case's mediator).
    """

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the document is about: a case, or (prevention, before any case) a compliance
    #: inquiry or a warning notice — exactly one of the three.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    inquiry_id: Mapped[int | None] = mapped_column(
        ForeignKey("compliance_inquiries.id", ondelete="CASCADE"), index=True)
    warning_notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("warning_notices.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    verify_code: Mapped[str] = mapped_column(String(16), unique=True)
    #: Path of the file relative to UPLOAD_DIR (documents/<random>.pdf).
    stored_path: Mapped[str] = mapped_column(String(200), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    party_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    party_developer_id: Mapped[int | None] = mapped_column(ForeignKey("developers.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: A visit sheet serves several cases: the visit it is for (``case_id`` is its first case).
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(f"kind IN ({in_clause(DOCUMENT_KINDS)})", name="kind_known"),
        CheckConstraint("party_person_id IS NULL OR party_developer_id IS NULL", name="one_party"),
        CheckConstraint("(CASE WHEN case_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN inquiry_id IS NULL THEN 0 ELSE 1 END)"
                        " + (CASE WHEN warning_notice_id IS NULL THEN 0 ELSE 1 END) = 1",
                        name="one_subject"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        Index("ix_documents_case_created", "case_id", "created_at", "id"),
    )

    case = relationship("Case")
    inquiry = relationship("ComplianceInquiry")
    warning_notice = relationship("WarningNotice")
    party_person = relationship("Person")
    party_developer = relationship("Developer")
