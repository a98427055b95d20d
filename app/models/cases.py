"""Complaints, cases, their claims and their timelines.

States are the domain's enums (``mediation.disputes``, ``mediation.lifecycle``) and the
database repeats them as CHECK constraints, tying each state to the columns it needs.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, in_clause
from mediation.disputes import Channel, ComplaintStatus, DisputeType
from mediation.lifecycle import MEDIATION_PHASE, CaseStatus, Outcome

#: The cases whose 30-day mediation clock runs (partial deadline indexes and the list's
#: deadline filters use this very text, so SQLite can match them to each other).
MEDIATION_PHASE_SQL = f"status IN ({in_clause(sorted(MEDIATION_PHASE))})"


class Complaint(db.Model):
    """One filing by one claimant (a person or a developer) about one project."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(32), unique=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimant_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    claimant_developer_id: Mapped[int | None] = mapped_column(ForeignKey("developers.id"))
    respondent_developer_id: Mapped[int | None] = mapped_column(
        ForeignKey("developers.id"), index=True
    )
    respondent_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    #: The respondent's name as the filer typed it. The filer is shown this, never the
    #: register's name for that ID (which would reveal what the court holds); the court
    #: sees both.
    respondent_name: Mapped[str | None] = mapped_column(String(50))
    unit: Mapped[str | None] = mapped_column(String(64))
    dispute_type: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(24))
    facts: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=ComplaintStatus.SUBMITTED.value)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    #: A likely duplicate (same person, project and type within 30 days), flagged on intake.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    group_filing_id: Mapped[int | None] = mapped_column(ForeignKey("group_filings.id"))
    referral_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral_imports.id"), index=True)
    #: The referring agency's own reference and the day it received the complaint.
    external_ref: Mapped[str | None] = mapped_column(String(64))
    referred_on: Mapped[date | None]
    #: The claimant left the group case (群体诉讼中的退出); their complaint is decided alone.
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(f"dispute_type IN ({in_clause(DisputeType)})", name="dispute_type_known"),
        CheckConstraint(f"channel IN ({in_clause(Channel)})", name="channel_known"),
        CheckConstraint(f"status IN ({in_clause(ComplaintStatus)})", name="status_known"),
        CheckConstraint(
            "claimant_person_id IS NOT NULL OR claimant_developer_id IS NOT NULL",
            name="has_claimant",
        ),
        CheckConstraint(
            "status NOT IN ('accepted', 'merged') OR case_id IS NOT NULL", name="accepted_has_case"
        ),
        CheckConstraint(
            "status <> 'rejected' OR decision_reason IS NOT NULL", name="rejected_has_reason"
        ),
    )

    court = relationship("Court")
    project = relationship("Project")
    claimant_person = relationship("Person", foreign_keys=[claimant_person_id])
    claimant_developer = relationship("Developer", foreign_keys=[claimant_developer_id])
    respondent_developer = relationship("Developer", foreign_keys=[respondent_developer_id])
    respondent_person = relationship("Person", foreign_keys=[respondent_person_id])
    claims = relationship(
        "ComplaintClaim", back_populates="complaint", cascade="all, delete-orphan"
    )
    case = relationship("Case", back_populates="complaints")
    attachments = relationship("Attachment", back_populates="complaint",
                               cascade="all, delete-orphan", order_by="Attachment.id")
    responses = relationship("ComplaintResponse", back_populates="complaint",
                             cascade="all, delete-orphan", order_by="ComplaintResponse.id")
    duplicate_of = relationship("Complaint", remote_side=[id])


class ComplaintClaim(db.Model):
    """One claim of a complaint (e.g. late-delivery damages) with its amount in fen."""

    __tablename__ = "complaint_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(100))
    amount_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("amount_fen >= 0", name="amount_nonnegative"),)

    complaint = relationship("Complaint", back_populates="claims")


class Case(db.Model):
    """A pre-litigation mediation case (诉前调解), possibly a group case (群体性纠纷)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"))
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(48), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id"), index=True)
    dispute_type: Mapped[str] = mapped_column(String(16))
    is_group: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.REGISTERED.value)
    outcome: Mapped[str | None] = mapped_column(String(20))
    pre_litigation: Mapped[bool] = mapped_column(default=True)
    went_to_litigation: Mapped[bool] = mapped_column(default=False)
    #: The lawsuit's own number (（2026）琼9005民初123号) once the case is filed for
    #: litigation (立案); ``number`` stays the pre-litigation one (docs/on-site.md).
    litigation_number: Mapped[str | None] = mapped_column(String(48), unique=True, index=True)
    litigation_filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_total_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("mediators.id"), index=True)
    judge_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the mediator accepted the delegation: the 30-day period runs from here
    #: (人民法院在线调解规则 art. 24).
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The end of the court day by which the judge must assign (registered) or the mediator
    #: accept or decline (assigned, not yet accepted): 3 working days (arts. 10, 12).
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mediation_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Days added to the 30-day limit with both parties' consent (docs/court-rules.md).
    extension_days: Mapped[int] = mapped_column(default=0, server_default="0")
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Number, project, developer, party names and facts, NFKC-normalised and case-folded;
    #: kept by app.services.case_search.refresh_case_search, indexed for full-text search.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (
        db.UniqueConstraint("court_id", "year", "seq"),
        CheckConstraint(f"dispute_type IN ({in_clause(DisputeType)})", name="dispute_type_known"),
        CheckConstraint(f"status IN ({in_clause(CaseStatus)})", name="status_known"),
        CheckConstraint(f"outcome IS NULL OR outcome IN ({in_clause(Outcome)})", name="outcome_known"),
        CheckConstraint(
            "status <> 'closed' OR (outcome IS NOT NULL AND closed_at IS NOT NULL)",
            name="closed_has_outcome",
        ),
        CheckConstraint("outcome IS NULL OR concluded_at IS NOT NULL", name="outcome_has_date"),
        CheckConstraint("claim_total_fen >= 0", name="claim_total_nonnegative"),
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("extension_days >= 0", name="extension_nonnegative"),
        CheckConstraint("accepted_at IS NULL OR mediator_id IS NOT NULL",
                        name="accepted_has_mediator"),
        Index("ix_cases_court_status_registered", "court_id", "status", "registered_at", "id"),
        Index("ix_cases_court_concluded", "court_id", "concluded_at"),
        Index("ix_cases_court_received", "court_id", "received_at"),
        # Case lists (app.services.case_lists): every scope × sort walks one index in order,
        # each filter of the judge's list counts on an index of its own, so a page never
        # sorts or counts the court's million cases (see BENCHMARKS.md).
        Index("ix_cases_court_registered", "court_id", "registered_at", "id"),
        Index("ix_cases_court_claim", "court_id", "claim_total_fen", "id"),
        Index("ix_cases_court_type_registered", "court_id", "dispute_type", "registered_at", "id"),
        Index("ix_cases_court_project_registered", "court_id", "project_id", "registered_at", "id"),
        Index("ix_cases_court_developer_registered", "court_id", "developer_id", "registered_at",
              "id"),
        Index("ix_cases_court_mediator_registered", "court_id", "mediator_id", "registered_at",
              "id"),
        Index("ix_cases_mediator_registered", "mediator_id", "registered_at", "id"),
        Index("ix_cases_mediator_claim", "mediator_id", "claim_total_fen", "id"),
        Index("ix_cases_developer_registered", "developer_id", "registered_at", "id"),
        Index("ix_cases_court_open_deadline", "court_id", "mediation_deadline_at", "id",
              sqlite_where=text(MEDIATION_PHASE_SQL), postgresql_where=text(MEDIATION_PHASE_SQL)),
        Index("ix_cases_mediator_open_deadline", "mediator_id", "mediation_deadline_at", "id",
              sqlite_where=text(MEDIATION_PHASE_SQL), postgresql_where=text(MEDIATION_PHASE_SQL)),
    )

    court = relationship("Court")
    project = relationship("Project")
    developer = relationship("Developer")
    mediator = relationship("Mediator")
    judge = relationship("User")
    complaints = relationship("Complaint", back_populates="case", order_by="Complaint.id")
    events = relationship("CaseEvent", back_populates="case", order_by="CaseEvent.at")
    representatives = relationship("CaseRepresentative", back_populates="case",
                                   cascade="all, delete-orphan")
    agency_tasks = relationship("AgencyTask", back_populates="case", order_by="AgencyTask.due_on")


class CaseRepresentative(db.Model):
    """A representative chosen by a group case's claimants (2–5, docs/court-rules.md)."""

    __tablename__ = "case_representatives"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime())

    case = relationship("Case", back_populates="representatives")
    person = relationship("Person")


class CaseEvent(db.Model):
    """One entry of a case's timeline: a transition, who made it, when and why."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    #: The English of a ``reason`` the platform wrote (None: a reason typed by a person, or
    #: an older entry), so the timeline speaks the viewer's language.
    reason_en: Mapped[str | None] = mapped_column(Text)
    #: The natural persons the entry names (e.g. the representatives chosen). Their names
    #: are never written into ``reason``: each viewer sees them as app.services.people shows.
    person_ids: Mapped[list | None] = mapped_column(JSON)

    case = relationship("Case", back_populates="events")
    actor = relationship("User")


class CaseCounter(db.Model):
    """The last case sequence number per court and year (gap-free numbering)."""

    __tablename__ = "case_counters"

    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(default=0)
