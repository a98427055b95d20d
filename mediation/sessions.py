"""Mediation sessions (调解会议) and their record (调解笔录): who attended, what was said and
offered, and how the session ended.

Rules applied here:

- A record names every party of the case as present or absent (一方未到场 is itself a fact
  of the record); the mediator writes what happened; offers say who offered what (and how
  much, integer fen, when it is money). A session cannot be recorded before it took place.
- A session ends in one of three ways: the mediation continues (another session), the
  parties reached terms (the mediator then records the agreement for signing), or the
  mediation failed (调解不成) — which needs its ground and moves the case to ``failed``
  (人民法院在线调解规则 art. 25: 调解不成的，终止调解).
- The parties who attended confirm the record online (笔录经当事人核对无误后签名): each
  confirmation covers the record's SHA-256 (canonical JSON), as a signature covers an
  agreement's; a changed record no longer matches its confirmations. The record is
  confirmed when every present party has confirmed it.

Pure: no Flask, no database, no clock — the caller passes plain values and ``now``.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from mediation.disputes import LabelledEnum
from mediation.messages import Msg

__all__ = [
    "Attendance", "Offer", "SessionError", "SessionOutcome", "SessionRecord", "confirmed",
    "offers_from_text", "record_digest", "validate_record",
]

MAX_NOTES = 20000
MAX_OFFERS = 50


class SessionError(ValueError):
    """A record the rules refuse; ``field`` names the form field at fault."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class SessionOutcome(LabelledEnum):
    CONTINUED = "continued", "继续调解", "Mediation continues"
    SETTLED = "settled", "达成调解意向，待签署协议", "Terms reached: the agreement follows"
    FAILED = "failed", "调解不成，终止调解", "Mediation failed"


@dataclass(frozen=True)
class Attendance:
    party_key: str  # "person:12", "developer:3"
    present: bool
    by: str = ""  # who attended for the party (本人 / 委托代理人 …)


@dataclass(frozen=True)
class Offer:
    by: str  # the party (as named at the table)
    what: str
    amount_fen: int | None = None


@dataclass(frozen=True)
class SessionRecord:
    held_at: datetime
    place: str
    attendance: tuple[Attendance, ...]
    notes: str
    offers: tuple[Offer, ...] = ()
    outcome: SessionOutcome = SessionOutcome.CONTINUED
    ground: str = ""  # why mediation failed (required then)

    def as_dict(self) -> dict:
        return {
            "held_at": self.held_at.isoformat(), "place": self.place,
            "attendance": [asdict(a) for a in self.attendance], "notes": self.notes,
            "offers": [asdict(o) for o in self.offers], "outcome": self.outcome.value,
            "ground": self.ground,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "SessionRecord":
        return cls(
            held_at=datetime.fromisoformat(data["held_at"]), place=data["place"],
            attendance=tuple(Attendance(**a) for a in data["attendance"]), notes=data["notes"],
            offers=tuple(Offer(**o) for o in data.get("offers") or ()),
            outcome=SessionOutcome(data["outcome"]), ground=data.get("ground") or "")

    @property
    def present(self) -> set[str]:
        return {a.party_key for a in self.attendance if a.present}


def record_digest(record: SessionRecord | dict) -> str:
    """SHA-256 (hex) of the canonical JSON of the record: what a confirmation covers."""
    data = record.as_dict() if isinstance(record, SessionRecord) else record
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def validate_record(record: SessionRecord, *, parties: set[str], now: datetime) -> SessionRecord:
    """Refuse a record the rules do not accept; return it with its text trimmed."""
    if record.held_at > now:
        raise SessionError(Msg("调解会议尚未举行，不能制作笔录", "The session has not taken place yet"), "held_at")
    if not record.place.strip():
        raise SessionError(Msg("请填写调解地点", "Give the place of the session"), "place")
    named = [a.party_key for a in record.attendance]
    if len(named) != len(set(named)) or set(named) != set(parties):
        raise SessionError(Msg("笔录应逐一载明每一方当事人是否到场", "The record says for every party whether it attended"),
                           "present")
    notes = record.notes.strip()
    if not notes:
        raise SessionError(Msg("请填写调解经过", "Write what happened at the session"), "notes")
    if len(notes) > MAX_NOTES:
        raise SessionError(Msg("调解经过过长（最多{n}字）", "The record is too long (at most {n} characters)",
                               n=MAX_NOTES), "notes")
    if len(record.offers) > MAX_OFFERS:
        raise SessionError(Msg("方案最多{n}项", "At most {n} offers", n=MAX_OFFERS), "offers")
    for i, offer in enumerate(record.offers, 1):
        if not offer.by.strip() or not offer.what.strip():
            raise SessionError(Msg("第{i}项方案应写明提出方和内容", "Offer {i} names who offered and what", i=i), "offers")
        if offer.amount_fen is not None and (isinstance(offer.amount_fen, bool) or offer.amount_fen < 0):
            raise SessionError(Msg("第{i}项方案的金额不能为负", "Offer {i}: the amount cannot be negative", i=i), "offers")
    ground = record.ground.strip()
    if record.outcome is SessionOutcome.FAILED and not ground:
        raise SessionError(Msg("调解不成的，请写明原因", "Give the ground on which mediation failed"), "ground")
    if record.outcome is not SessionOutcome.FAILED and ground:
        ground = ""  # only a failure has a ground
    return SessionRecord(record.held_at, record.place.strip(), record.attendance, notes, record.offers,
                         record.outcome, ground)


def confirmed(record: SessionRecord | dict, confirmations: dict[str, str], digest: str) -> bool:
    """Whether every party present confirmed this very text (``confirmations``: party key →
    the digest it confirmed)."""
    record = SessionRecord.from_dict(record) if isinstance(record, dict) else record
    if record_digest(record) != digest:
        return False
    return all(confirmations.get(key) == digest for key in record.present)


def offers_from_text(text: str) -> tuple[Offer, ...]:
    """Offers typed one per line: ``提出方|内容|金额`` (amount in yuan, optional)."""
    from mediation.amounts import InvalidAmountError, parse_yuan
    offers = []
    for i, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")] + ["", ""]
        amount = None
        if parts[2]:
            try:
                amount = parse_yuan(parts[2])
            except InvalidAmountError as error:
                raise SessionError(Msg("第{i}行方案：{e}", "Offer line {i}: {e_en}", i=i, e=error.message,
                                       e_en=getattr(error.message, "en", error.message)), "offers") from None
        if not parts[0] or not parts[1]:
            raise SessionError(Msg("第{i}行方案应为“提出方|内容|金额”", "Offer line {i} reads “who | what | amount”", i=i),
                               "offers")
        offers.append(Offer(parts[0], parts[1], amount))
    return tuple(offers)
