"""One-time codes sent by SMS to prove a phone number (registration, password reset) or
to sign a document online (an agreement, a session record)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, in_clause


class CodePurpose(str, enum.Enum):
    REGISTER = "register"
    RESET = "reset"
    #: Signing an agreement or confirming a session record: the code is bound to the
    #: party and the digest of the text it signs (``PhoneCode.binding``).
    SIGN = "sign"


class PhoneCode(db.Model):
    """A code sent to a phone: only its keyed hash is stored, it expires, it counts wrong
    guesses, and it is spent once used (``consumed_at``). The rows also serve as the
    rate-limit ledger per phone and per address (app.services.phone_codes)."""

    __tablename__ = "phone_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(20))
    #: HMAC-SHA-256 of purpose, phone and code under the secret key (a six-digit code's
    #: bare hash would be reversed in a millisecond).
    code_hmac: Mapped[str] = mapped_column(String(64))
    #: The requesting address (IPv4 or IPv6), for the per-address limit.
    address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: For a signing code: SHA-256 of "document kind:id:party key:content SHA-256", so the
    #: code signs that party's signature of that version of that document and nothing else.
    binding: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint(f"purpose IN ({in_clause(CodePurpose)})", name="purpose_known"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        Index("ix_phone_codes_phone_created", "phone", "created_at"),
        Index("ix_phone_codes_address_created", "address", "created_at"),
    )
