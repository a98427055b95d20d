"""Mediation agreements drafted by the mediator and signed online by the parties."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime


class Agreement(db.Model):
    """One version of a case's agreement (调解协议).

    ``content`` holds terms, payments, milestones and guarantees (``mediation.agreements
    .Content.as_dict``); ``content_sha256`` is the digest every party signs. Status:
    ``signing`` (open for signatures), ``effective`` (the last party signed at
    ``effective_at``), ``superseded`` (a newer draft replaced it before it took effect).
    """

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    #: For a group case, the claimant this agreement binds (one agreement per claimant).
    claimant_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    status: Mapped[str] = mapped_column(String(12), default="signing")
    content: Mapped[dict] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("status IN ('signing', 'effective', 'superseded')", name="status_known"),
        CheckConstraint("length(content_sha256) = 64", name="sha256_length"),
        CheckConstraint("status <> 'effective' OR effective_at IS NOT NULL", name="effective_dated"),
        Index("ix_agreements_case", "case_id", "status"),
    )

    case = relationship("Case")
    signatures = relationship("AgreementSignature", back_populates="agreement",
                              order_by="AgreementSignature.signed_at", cascade="all, delete-orphan")


class AgreementSignature(db.Model):
    """One party's online signature: who, when, from where, how, and the digest it covers."""

    __tablename__ = "agreement_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    #: "person:<id>" or "developer:<id>": the party signing (one signature per party).
    party_key: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str] = mapped_column(String(45))
    #: How the party proved itself: its password typed again, or a one-time code sent by
    #: SMS to its phone (``otp``, bound to this party and this content digest).
    method: Mapped[str] = mapped_column(String(12))  # password | otp
    content_sha256: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("agreement_id", "party_key", name="one_signature_per_party"),
        CheckConstraint("method IN ('password', 'otp')", name="method_known"),
    )

    agreement = relationship("Agreement", back_populates="signatures")
    user = relationship("User")


class SettlementConsent(db.Model):
    """A represented claimant's consent to the settlement its representatives negotiated.

    In a group case the representatives' settlement binds a claimant only with that
    claimant's consent (民事诉讼法 art. 56: 代表人变更、放弃诉讼请求或者承认对方当事人的诉讼
    请求，进行和解，必须经被代表的当事人同意); without it no agreement is made for the claimant.
    """

    __tablename__ = "settlement_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (UniqueConstraint("case_id", "person_id", name="one_consent_per_claimant"),)
