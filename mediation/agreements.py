"""The mediation agreement (调解协议) as the parties settle it: terms, payments, milestones,
guarantees, the warnings the mediator must see, and when the agreement takes effect.

Rules applied here:

- An agreement has at least one term; every payment and milestone says who, what, by when
  and how much (integer fen, above zero), and which claim it settles; a guarantee clause
  names its guarantor and what it secures.
- A term that only confirms ownership (确认房屋归某方所有) draws a warning: 物权确权 cannot
  be judicially confirmed (民诉法解释 art. 355), so the parties should not count on it.
  It is a warning, not a refusal — the parties may still agree it.
- The content digest (SHA-256 of the canonical JSON of the terms) is what every party
  signs; an agreement whose terms change after signing no longer matches its signatures
  (:func:`signatures_hold`).
- The agreement takes effect at the last required signature (调解协议自各方当事人签名之日起
  生效): :func:`effective_at`.

Pure: no Flask, no database, no clock — the caller passes plain values.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime

from mediation.messages import Msg

__all__ = [
    "AgreementError", "Content", "Guarantee", "MilestoneTerm", "PaymentTerm", "content_digest",
    "content_from_text",
    "effective_at", "ownership_only_terms", "signatures_hold", "validate_content", "warnings_for",
]

MAX_TERMS = 60


class AgreementError(ValueError):
    """An agreement the rules refuse; ``field`` names the form field at fault."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class PaymentTerm:
    due: date
    payer: str
    payee: str
    amount_fen: int
    settles: str = ""  # the claim it settles


@dataclass(frozen=True)
class MilestoneTerm:
    what: str
    who: str
    due: date
    amount_fen: int | None = None
    settles: str = ""


@dataclass(frozen=True)
class Guarantee:
    guarantor: str  # who guarantees (担保人)
    covers: str  # what it secures: the obligation, the amount, the kind (连带责任保证 …)


@dataclass(frozen=True)
class Content:
    """What the parties agree and sign; its digest is what a signature covers."""

    terms: tuple[str, ...]
    payments: tuple[PaymentTerm, ...] = ()
    milestones: tuple[MilestoneTerm, ...] = ()
    guarantees: tuple[Guarantee, ...] = ()

    def as_dict(self) -> dict:
        return {
            "terms": list(self.terms),
            "payments": [{**asdict(p), "due": p.due.isoformat()} for p in self.payments],
            "milestones": [{**asdict(m), "due": m.due.isoformat()} for m in self.milestones],
            "guarantees": [asdict(g) for g in self.guarantees],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Content":
        return cls(
            terms=tuple(data.get("terms") or ()),
            payments=tuple(PaymentTerm(**{**p, "due": date.fromisoformat(p["due"])})
                           for p in data.get("payments") or ()),
            milestones=tuple(MilestoneTerm(**{**m, "due": date.fromisoformat(m["due"])})
                             for m in data.get("milestones") or ()),
            guarantees=tuple(Guarantee(**g) for g in data.get("guarantees") or ()),
        )


def content_digest(content: Content | dict) -> str:
    """SHA-256 (hex) of the canonical JSON of the content: sorted keys, no spaces, UTF-8."""
    data = content.as_dict() if isinstance(content, Content) else content
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _blank(text) -> bool:
    return not isinstance(text, str) or not text.strip()


def _amount_ok(amount) -> bool:
    return isinstance(amount, int) and not isinstance(amount, bool) and amount > 0


def validate_content(content: Content) -> Content:
    """Return the content with blank terms dropped, or raise AgreementError saying what is wrong."""
    terms = tuple(t.strip() for t in content.terms if not _blank(t))
    if not terms:
        raise AgreementError(Msg("请至少填写一项协议条款", "Write at least one term"), "terms")
    if len(terms) > MAX_TERMS:
        raise AgreementError(Msg("协议条款不超过{n}项", "At most {n} terms", n=MAX_TERMS), "terms")
    for i, p in enumerate(content.payments, 1):
        if _blank(p.payer) or _blank(p.payee):
            raise AgreementError(Msg("第{i}笔付款须写明付款人和收款人",
                                     "Payment {i} needs a payer and a payee", i=i), "payments")
        if not _amount_ok(p.amount_fen):
            raise AgreementError(Msg("第{i}笔付款的金额应大于零", "Payment {i} must be above zero",
                                     i=i), "payments")
    for i, m in enumerate(content.milestones, 1):
        if _blank(m.what) or _blank(m.who):
            raise AgreementError(Msg("第{i}个履行节点须写明履行事项和履行人",
                                     "Milestone {i} needs what is done and by whom", i=i),
                                 "milestones")
        if m.amount_fen is not None and not _amount_ok(m.amount_fen):
            raise AgreementError(Msg("第{i}个履行节点的金额应大于零",
                                     "Milestone {i}'s amount must be above zero", i=i), "milestones")
    for i, g in enumerate(content.guarantees, 1):
        if _blank(g.guarantor) or _blank(g.covers):
            raise AgreementError(Msg("第{i}项担保条款须写明担保人及担保的债务",
                                     "Guarantee {i} needs the guarantor and what it secures",
                                     i=i), "guarantees")
    return Content(terms=terms, payments=content.payments, milestones=content.milestones,
                   guarantees=content.guarantees)


# A term that says something belongs to someone …
_OWNERSHIP = re.compile(r"(归.{0,20}所有|所有权|产权(归|属于)|确认.{0,30}(属于|归属|权属)|物权)")
# … and asks nobody to do anything.
_OBLIGATION = re.compile(r"(支付|给付|交付|办理|协助|赔偿|退还|返还|履行|过户|登记|搬离|腾退|移交|承担)")


def ownership_only_terms(terms) -> list[int]:
    """The 1-based numbers of terms that only confirm ownership (物权确权) and oblige nobody."""
    return [i for i, term in enumerate(terms, 1)
            if _OWNERSHIP.search(term) and not _OBLIGATION.search(term)]


def warnings_for(content: Content) -> list[Msg]:
    """What the mediator should know before the parties sign (nothing here refuses)."""
    return [Msg("第{i}项条款仅确认物权归属：确认物权的协议不能申请司法确认（民诉法解释第三百五十五条），"
                "建议改为约定具体的给付或协助办理登记义务",
                "Term {i} only confirms ownership: an agreement confirming property rights cannot "
                "be judicially confirmed (SPC Interpretation of the Civil Procedure Law, art. 355); "
                "consider an obligation to pay or to help register instead", i=i)
            for i in ownership_only_terms(content.terms)]


def effective_at(required: set, signed: dict) -> datetime | None:
    """When the agreement took effect: the last required signature's time, once all signed.

    ``required``: the signers' keys; ``signed``: key → when that signer signed.
    """
    if not required or not required <= set(signed):
        return None
    return max(signed[k] for k in required)


def signatures_hold(content: Content | dict, signed_digests) -> bool:
    """Whether every signature covers exactly this content (a changed term breaks them all)."""
    digest = content_digest(content)
    digests = list(signed_digests)
    return bool(digests) and all(d == digest for d in digests)


# --- From the mediator's form -------------------------------------------------------------

def _fields(line: str, n: int) -> list[str]:
    parts = [p.strip() for p in line.replace("｜", "|").split("|")]
    return parts + [""] * (n - len(parts))


def _due(text: str, i: int, what: Msg, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AgreementError(Msg("第{i}行{w}的期限应为日期，如 2027-03-31",
                                 "Line {i} of the {w_en}: the due date must be a date such as 2027-03-31",
                                 i=i, w=what, w_en=what.en), field) from None


def _fen(text: str, i: int, what: Msg, field: str, *, required: bool) -> int | None:
    from mediation.amounts import InvalidAmountError, parse_yuan
    if not text and not required:
        return None
    try:
        return parse_yuan(text)
    except InvalidAmountError as error:
        raise AgreementError(Msg("第{i}行{w}：{e}", "Line {i} of the {w_en}: {e_en}", i=i, w=what,
                                 w_en=what.en, e=error.message, e_en=getattr(error.message, "en", error.message)),
                             field) from None


def content_from_text(terms: str, payments: str = "", milestones: str = "", guarantees: str = "") -> Content:
    """The content the mediator typed: one term per line; payments ``期限|付款人|收款人|金额|对应请求``,
    milestones ``事项|履行人|期限|金额|对应请求``, guarantees ``担保人|担保的债务``."""
    lines = lambda text: [l.strip() for l in (text or "").splitlines() if l.strip()]  # noqa: E731
    paying, doing = Msg("付款安排", "payments"), Msg("履行节点", "milestones")
    pays = []
    for i, line in enumerate(lines(payments), 1):
        due, payer, payee, amount, settles = _fields(line, 5)[:5]
        pays.append(PaymentTerm(_due(due, i, paying, "payments"), payer, payee,
                                _fen(amount, i, paying, "payments", required=True), settles))
    steps = []
    for i, line in enumerate(lines(milestones), 1):
        what, who, due, amount, settles = _fields(line, 5)[:5]
        steps.append(MilestoneTerm(what, who, _due(due, i, doing, "milestones"),
                                   _fen(amount, i, doing, "milestones", required=False), settles))
    guards = [Guarantee(*_fields(line, 2)[:2]) for line in lines(guarantees)]
    return validate_content(Content(terms=tuple(lines(terms)), payments=tuple(pays),
                                    milestones=tuple(steps), guarantees=tuple(guards)))
