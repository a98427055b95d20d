"""What arrives with a complaint: evidence files, the developer's answer, group filings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, in_clause

#: File types accepted as evidence, decided from the file's content (magic bytes).
ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


class Attachment(db.Model):
    """An evidence file, stored outside ``static/`` under a random name.

    It belongs to a complaint (the claimant's evidence) or to a developer's response.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint_responses.id", ondelete="CASCADE"), index=True)
    #: An attachment to a developer's answer to one question of a compliance inquiry.
    inquiry_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("inquiry_questions.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The uploader's file name, cleaned (no path parts); shown, never used on disk.
    original_name: Mapped[str] = mapped_column(String(200))
    #: The random name on disk under UPLOAD_DIR.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("complaint_id IS NOT NULL OR response_id IS NOT NULL OR inquiry_question_id IS NOT NULL",
                        name="has_owner"),
        CheckConstraint(
            f"content_type IN ({in_clause(ATTACHMENT_TYPES)})",
            name="content_type_allowed"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    complaint = relationship("Complaint", back_populates="attachments")
    response = relationship("ComplaintResponse", back_populates="attachments")


class ComplaintResponse(db.Model):
    """The developer's answer (答辩/回应) to a complaint filed against it."""

    __tablename__ = "complaint_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    complaint = relationship("Complaint", back_populates="responses")
    author = relationship("User")
    attachments = relationship("Attachment", back_populates="response",
                               cascade="all, delete-orphan")


class GroupFiling(db.Model):
    """One homeowner files for neighbours (代为申请); each neighbour confirms before their
    complaint exists, so nobody is made a claimant without consent."""

    __tablename__ = "group_filings"

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    dispute_type: Mapped[str] = mapped_column(String(16))
    facts: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    project = relationship("Project")
    filed_by = relationship("User")
    members = relationship("GroupFilingMember", back_populates="filing",
                           order_by="GroupFilingMember.id", cascade="all, delete-orphan")


class GroupFilingMember(db.Model):
    """A neighbour named in a group filing, with the code they confirm with."""

    __tablename__ = "group_filing_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("group_filings.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(50))
    resident_id: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(64))
    claim_amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: SHA-256 of the one-time confirmation code sent to the neighbour.
    confirm_code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))

    __table_args__ = (
        db.UniqueConstraint("filing_id", "resident_id"),
        CheckConstraint("claim_amount_fen >= 0", name="claim_nonnegative"),
        CheckConstraint("confirmed_at IS NULL OR complaint_id IS NOT NULL",
                        name="confirmed_has_complaint"),
    )

    filing = relationship("GroupFiling", back_populates="members")
    complaint = relationship("Complaint")
