"""Preservation (财产保全), counter-guarantees (反担保) and staged release plans (边履行边解封).

A judge records the preservation orders that froze a developer's assets, the
counter-guarantees offered for them with the review of their adequacy, and the obligations
the developer must perform. The release planner (``risk.planner``) turns these into a plan;
a judge approves its stages one by one and each release is written to the asset's ledger
(``AssetRelease``). The database itself refuses a release beyond the frozen value and a
second release of the same asset in the same stage (docs/release-in-the-app.md).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, in_clause

#: What a preservation order may freeze. Units and equity are released whole.
ASSET_KINDS = ("bank_account", "presale_account", "unit", "equity")
WHOLE_KINDS = ("unit", "equity")
GUARANTEE_KINDS = ("bank_letter", "insurance", "surety", "collateral")
GUARANTEE_STATUSES = ("offered", "accepted", "refused")
OBLIGATION_STATUSES = ("open", "performed", "confirmed")
STAGE_STATUSES = ("proposed", "released")


class PreservationOrder(db.Model):
    """A preservation ruling (保全裁定) freezing some of a developer's assets for some cases."""

    __tablename__ = "preservation_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id"), index=True)
    ruling_no: Mapped[str] = mapped_column(String(64), unique=True)
    ruled_on: Mapped[date]
    expires_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("expires_on >= ruled_on", name="expires_after_ruling"),)

    developer = relationship("Developer")
    assets = relationship("FrozenAsset", back_populates="order", order_by="FrozenAsset.id")


class FrozenAsset(db.Model):
    """One frozen asset: its value and how much of it has been released so far.

    ``release_allowed`` is false for the disputed property itself until the applicant
    consents (保全规定 art. 22); ``divisible`` is false for units and equity.
    """

    __tablename__ = "frozen_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("preservation_orders.id"), index=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(120))
    frozen_fen: Mapped[int] = mapped_column(BigInteger)
    released_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    divisible: Mapped[bool] = mapped_column(default=True)
    disputed: Mapped[bool] = mapped_column(default=False)
    applicant_consented: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        CheckConstraint(f"kind IN ({in_clause(ASSET_KINDS)})", name="kind_known"),
        CheckConstraint("frozen_fen > 0", name="frozen_positive"),
        # Never released beyond the frozen value, whatever the application does.
        CheckConstraint("released_fen >= 0 AND released_fen <= frozen_fen", name="released_within_frozen"),
        CheckConstraint(f"kind NOT IN ({in_clause(WHOLE_KINDS)}) OR NOT divisible", name="whole_kinds_whole"),
    )

    order = relationship("PreservationOrder", back_populates="assets")
    cases = relationship("Case", secondary="frozen_asset_cases", order_by="Case.id")
    ledger = relationship("AssetRelease", back_populates="asset", order_by="AssetRelease.id")

    @property
    def release_allowed(self) -> bool:
        return not self.disputed or self.applicant_consented

    @property
    def remaining_fen(self) -> int:
        return self.frozen_fen - self.released_fen


class FrozenAssetCase(db.Model):
    """The cases a frozen asset secures."""

    __tablename__ = "frozen_asset_cases"

    asset_id: Mapped[int] = mapped_column(ForeignKey("frozen_assets.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True, index=True)


class CounterGuarantee(db.Model):
    """A counter-guarantee offered for a developer's frozen assets, and its review.

    ``status`` is ``offered`` until a judge reviews adequacy: ``accepted`` or ``refused``
    with ``review_reason`` (a blacklisted provider's guarantee is refused). What backs it is
    in ``backed_by_asset_id`` / ``backed_by_guarantee_id`` (a guarantee resting on a frozen
    asset or on a circle secures nothing; the planner excludes it and says why).
    """

    __tablename__ = "counter_guarantees"

    id: Mapped[int] = mapped_column(primary_key=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id"), index=True)
    provider: Mapped[str] = mapped_column(String(120))
    provider_developer_id: Mapped[int | None] = mapped_column(ForeignKey("developers.id"))
    kind: Mapped[str] = mapped_column(String(20))
    value_fen: Mapped[int] = mapped_column(BigInteger)
    valid_from: Mapped[date]
    valid_until: Mapped[date]
    backed_by_asset_id: Mapped[int | None] = mapped_column(ForeignKey("frozen_assets.id"))
    backed_by_guarantee_id: Mapped[int | None] = mapped_column(ForeignKey("counter_guarantees.id"))
    status: Mapped[str] = mapped_column(String(12), default="offered")
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(f"kind IN ({in_clause(GUARANTEE_KINDS)})", name="kind_known"),
        CheckConstraint(f"status IN ({in_clause(GUARANTEE_STATUSES)})", name="status_known"),
        CheckConstraint("value_fen > 0", name="value_positive"),
        CheckConstraint("valid_until >= valid_from", name="valid_range"),
        CheckConstraint("status = 'offered' OR review_reason IS NOT NULL", name="reviewed_has_reason"),
    )

    cases = relationship("Case", secondary="counter_guarantee_cases", order_by="Case.id")
    backed_by_asset = relationship("FrozenAsset")
    backed_by_guarantee = relationship("CounterGuarantee", remote_side=[id])


class CounterGuaranteeCase(db.Model):
    """The cases a counter-guarantee covers."""

    __tablename__ = "counter_guarantee_cases"

    guarantee_id: Mapped[int] = mapped_column(
        ForeignKey("counter_guarantees.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True, index=True)


class Obligation(db.Model):
    """Something the developer must perform (pay, deliver …), entered by a judge.

    Performing it costs ``cost_fen`` of the developer's cash and lowers the exposure of the
    cases in its reductions. A release stage waits for the earlier obligations to be
    ``confirmed`` (performed and confirmed by the court).
    """

    __tablename__ = "obligations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Who must perform it: the developer (the release planner's obligations), or — for a
    #: confirmed agreement's milestone a homeowner performs (paying the balance, taking
    #: delivery) — that person. Exactly one is set; the planner reads developer rows only.
    developer_id: Mapped[int | None] = mapped_column(ForeignKey("developers.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    after_id: Mapped[int | None] = mapped_column(ForeignKey("obligations.id"))
    status: Mapped[str] = mapped_column(String(12), default="open")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When it was recorded performed (or confirmed straight away); the early warning's
    #: ``milestone_overdue`` reads it (docs/early-warnings.md).
    performed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: From a judicially confirmed agreement (docs/on-site.md): the agreement, the case, the
    #: due day and the performer as the agreement names it; None for one entered by hand.
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id", ondelete="SET NULL"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date | None]
    performer: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        CheckConstraint(f"status IN ({in_clause(OBLIGATION_STATUSES)})", name="status_known"),
        CheckConstraint("cost_fen >= 0", name="cost_nonnegative"),
        CheckConstraint("(developer_id IS NULL) <> (person_id IS NULL)", name="one_obligor"),
    )

    reductions = relationship("ObligationReduction", order_by="ObligationReduction.case_id",
                              cascade="all, delete-orphan")


class ObligationReduction(db.Model):
    """How much performing an obligation lowers one case's exposure."""

    __tablename__ = "obligation_reductions"

    obligation_id: Mapped[int] = mapped_column(
        ForeignKey("obligations.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True, index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)


class ReleasePlan(db.Model):
    """A plan computed for a developer: the scenario it planned and the planner's answer."""

    __tablename__ = "release_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id"), index=True)
    scenario_json: Mapped[str] = mapped_column(Text)
    plan_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    developer = relationship("Developer")
    stages = relationship("ReleaseStage", back_populates="plan", order_by="ReleaseStage.number")


class ReleaseStage(db.Model):
    """One stage of a plan. ``proposed`` → ``released`` exactly once (a conditional UPDATE)."""

    __tablename__ = "release_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("release_plans.id", ondelete="CASCADE"))
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("plan_id", "number", name="plan_number"),
        CheckConstraint(f"status IN ({in_clause(STAGE_STATUSES)})", name="status_known"),
        CheckConstraint("status = 'proposed' OR approved_at IS NOT NULL", name="released_has_approval"),
    )

    plan = relationship("ReleasePlan", back_populates="stages")


class AssetRelease(db.Model):
    """One line of an asset's ledger: so much released by such a stage (once per stage)."""

    __tablename__ = "asset_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("frozen_assets.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("release_stages.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    released_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("asset_id", "stage_id", name="once_per_stage"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        Index("ix_asset_releases_asset", "asset_id", "id"),
    )

    asset = relationship("FrozenAsset", back_populates="ledger")
    stage = relationship("ReleaseStage")


class ReleaseSuggestion(db.Model):
    """The smallest unblocking guarantee for one scenario, computed by a queued job.

    The plan page plans without the (slow) search and asks for it here, keyed on the sha256
    of the scenario's canonical JSON: one row, and one job, per scenario; a changed record
    gives a new key (docs/release-in-the-app.md). ``computed_at`` is empty until the job ran;
    ``blocked_json`` is then the full planner's ``blocked`` object for the scenario."""

    __tablename__ = "release_suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_hash: Mapped[str] = mapped_column(String(64), unique=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("developers.id", ondelete="CASCADE"), index=True)
    blocked_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    queued_job_id: Mapped[int | None] = mapped_column(ForeignKey("queued_jobs.id", ondelete="SET NULL"))
