"""Prevention (合规性函询 · 预警 · 承诺 · 失信名单): what the warning rules read, and what they said.

* ``compliance_inquiries`` — a letter from the court to a developer about a project, with
  its questions (``inquiry_questions``, each answered in text), a deadline counted in
  working days, the developer's answer date and the judge's review of the answer:
  compliant · rectify by a date · non-compliant, with a reason.
* ``commitments`` — a developer's dated promise (承诺); ``open`` until the court records it
  ``kept`` or ``broken``.
* ``developer_guarantees`` — one developer guarantees another's debts (担保链); contagion
  follows them in either direction.
* ``blacklist_decisions`` — a judge's decision to put a developer on the 失信名单 (or, with
  ``lifted_at``, to take it off).
* ``risk_levels`` — the current level of each project and developer with its warnings;
  ``risk_level_changes`` — every rise and fall, so the history is visible.

States are CHECK constraints generated from the enums, as elsewhere.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.cases import Complaint
from app.models.types import UTCDateTime, in_clause

#: The nightly evaluation counts each project's complaints of the last 210 days: with the
#: project beside the date, the range scan never visits the table (BENCHMARKS.md).
Index("ix_complaints_submitted_at_project_id", Complaint.submitted_at, Complaint.project_id)


class LetterType(str, enum.Enum):
    PRESALE_PERMIT = "presale_permit"              # 预售许可
    PRESALE_FUNDS = "presale_funds"                # 预售资金使用
    CONSTRUCTION_PROGRESS = "construction_progress"  # 工程进度与承诺交房日
    TITLE_CERTIFICATE = "title_certificate"        # 办证进度
    ADVERTISING = "advertising"                    # 宣传与合同是否一致
    COMPLETION_ACCEPTANCE = "completion_acceptance"  # 竣工验收


class InquiryReview(str, enum.Enum):
    COMPLIANT = "compliant"
    RECTIFY = "rectify"
    NON_COMPLIANT = "non_compliant"


class CommitmentStatus(str, enum.Enum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"


class RiskLevel(str, enum.Enum):
    NONE = "none"
    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


class RiskSubject(str, enum.Enum):
    PROJECT = "project"
    DEVELOPER = "developer"


class ComplianceInquiry(db.Model):
    __tablename__ = "compliance_inquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), index=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    letter_type: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    deadline_working_days: Mapped[int]
    deadline_on: Mapped[date]  # the court date the answer is due (the last working day)
    deadline_estimated: Mapped[bool] = mapped_column(default=False)  # counted across a 预计 year
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review: Mapped[str | None] = mapped_column(String(16))
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rectify_by: Mapped[date | None]
    rectified_on: Mapped[date | None]

    project = relationship("Project")
    developer = relationship("Developer")
    court = relationship("Court")
    questions = relationship("InquiryQuestion", back_populates="inquiry", order_by="InquiryQuestion.position",
                             cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(f"letter_type IN ({in_clause(LetterType)})", name="letter_type"),
        CheckConstraint(f"review IS NULL OR review IN ({in_clause(InquiryReview)})", name="review"),
        CheckConstraint("deadline_working_days BETWEEN 1 AND 60", name="deadline_working_days"),
        # A review needs an answer and a time; "rectify" needs its date.
        CheckConstraint("review IS NULL OR (answered_at IS NOT NULL AND reviewed_at IS NOT NULL)",
                        name="review_needs_answer"),
        CheckConstraint("(review = 'rectify') = (rectify_by IS NOT NULL)", name="rectify_by_iff_rectify"),
        CheckConstraint("rectified_on IS NULL OR review = 'rectify'", name="rectified_only_when_asked"),
    )


class InquiryQuestion(db.Model):
    __tablename__ = "inquiry_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("compliance_inquiries.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    #: The judge's review of this answer, with its reason; the inquiry's review is the
    #: strictest of its answers' (non-compliant > rectify > compliant).
    review: Mapped[str | None] = mapped_column(String(16))
    review_reason: Mapped[str | None] = mapped_column(Text)

    inquiry = relationship("ComplianceInquiry", back_populates="questions")
    attachments = relationship("Attachment", order_by="Attachment.id")

    __table_args__ = (
        UniqueConstraint("inquiry_id", "position"),
        CheckConstraint(f"review IS NULL OR review IN ({in_clause(InquiryReview)})", name="review"),
        CheckConstraint("review IS NULL OR (answer IS NOT NULL AND review_reason IS NOT NULL)",
                        name="review_needs_answer_and_reason"),
    )


class WarningNotice(db.Model):
    """The notice a rise of level sends to the developer (in the inbox, by e-mail and as a
    PDF of kind ``warning_notice``): its staff acknowledge it, then answer with a
    rectification plan and dated commitments."""

    __tablename__ = "warning_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    #: The rise that gave it: one notice per rise, however often the evaluation runs.
    change_id: Mapped[int] = mapped_column(ForeignKey("risk_level_changes.id", ondelete="CASCADE"), unique=True)
    level: Mapped[str] = mapped_column(String(8))
    warnings: Mapped[list] = mapped_column(JSON)  # [{rule, level, facts_zh, facts_en}] as evaluated
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    plan: Mapped[str | None] = mapped_column(Text)  # the rectification plan (整改方案)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    developer = relationship("Developer")
    project = relationship("Project")
    commitments = relationship("Commitment", back_populates="notice", order_by="Commitment.due_on")

    __table_args__ = (
        CheckConstraint(f"level IN ({in_clause(RiskLevel)}) AND level <> 'none'", name="level"),
        CheckConstraint("answered_at IS NULL OR (acknowledged_at IS NOT NULL AND plan IS NOT NULL)",
                        name="answer_needs_acknowledgement_and_plan"),
    )


class Commitment(db.Model):
    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    #: The warning notice it answers (None for a commitment recorded otherwise).
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("warning_notices.id", ondelete="CASCADE"),
                                                  index=True)
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    settle_note: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(8), default=CommitmentStatus.OPEN.value)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when recorded kept/broken

    notice = relationship("WarningNotice", back_populates="commitments")

    __table_args__ = (
        CheckConstraint(f"status IN ({in_clause(CommitmentStatus)})", name="status"),
        CheckConstraint("(status = 'open') = (settled_at IS NULL)", name="settled_iff_not_open"),
    )


class DeveloperGuarantee(db.Model):
    __tablename__ = "developer_guarantees"

    id: Mapped[int] = mapped_column(primary_key=True)
    guarantor_id: Mapped[int] = mapped_column(ForeignKey("developers.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("developers.id"), index=True)
    note: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("guarantor_id", "debtor_id"),
        CheckConstraint("guarantor_id <> debtor_id", name="not_self"),
    )


class BlacklistDecision(db.Model):
    __tablename__ = "blacklist_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id"), index=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RiskLevelRow(db.Model):
    """The level a subject has now, and the warnings that give it."""

    __tablename__ = "risk_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(16))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), unique=True)
    developer_id: Mapped[int | None] = mapped_column(ForeignKey("developers.id", ondelete="CASCADE"), unique=True)
    level: Mapped[str] = mapped_column(String(8))
    blacklisted: Mapped[bool] = mapped_column(default=False)
    warnings: Mapped[list] = mapped_column(JSON)  # [{rule, level, facts_zh, facts_en}]
    evaluated_on: Mapped[date]
    #: The moment of the last evaluation (nightly or on demand from the project page).
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    since_on: Mapped[date]  # the evaluation that set this level

    __table_args__ = (
        CheckConstraint(f"subject IN ({in_clause(RiskSubject)})", name="subject"),
        CheckConstraint(f"level IN ({in_clause(RiskLevel)})", name="level"),
        CheckConstraint("(subject = 'project') = (project_id IS NOT NULL AND developer_id IS NULL)"
                        " AND (subject = 'developer') = (developer_id IS NOT NULL AND project_id IS NULL)",
                        name="one_subject"),
    )


class RiskLevelChange(db.Model):
    """A rise or a fall of a subject's level at one evaluation."""

    __tablename__ = "risk_level_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(16))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    developer_id: Mapped[int | None] = mapped_column(ForeignKey("developers.id", ondelete="CASCADE"))
    from_level: Mapped[str] = mapped_column(String(8))
    to_level: Mapped[str] = mapped_column(String(8))
    evaluated_on: Mapped[date]
    warnings: Mapped[list] = mapped_column(JSON)

    __table_args__ = (
        CheckConstraint(f"subject IN ({in_clause(RiskSubject)})", name="subject"),
        CheckConstraint(f"from_level IN ({in_clause(RiskLevel)}) AND to_level IN ({in_clause(RiskLevel)})"
                        " AND from_level <> to_level", name="levels"),
        CheckConstraint("(subject = 'project') = (project_id IS NOT NULL AND developer_id IS NULL)"
                        " AND (subject = 'developer') = (developer_id IS NOT NULL AND project_id IS NULL)",
                        name="one_subject"),
        Index("ix_risk_level_changes_evaluated_on", "evaluated_on"),
    )
