"""The mediation agreement (调解协议书) as a PDF, from plain data.

Parties, the agreed terms, the payment schedule, the performance milestones (履行节点: what,
by whom, by when, how much) and a signature block for every party, under the court's header,
with the verification code on every page. The renderer queries nothing: the service hands
it an :class:`AgreementData`.

**Whose copy.** Each party receives its own copy (``copy_for`` = that party's key). In it,
the *other* natural persons' resident ID numbers and every other party's phone are masked
(``4690**********1234``, ``138****5678``: 个人信息保护法 art. 51, the same masks the lists
use); the party's own data and the developers' unified social credit codes (public in the
enterprise credit register) are printed in full. The court's file copy (``copy_for`` None)
masks nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from reportlab.platypus import Spacer

from app.documents import layout
from mediation.identifiers import mask_phone, mask_resident_id


@dataclass(frozen=True)
class AgreementParty:
    key: str  # "person:12", "developer:3": whose copy is whose
    role: str  # 申请人, 被申请人, 第三人 …
    name: str
    id_number: str  # resident ID for a person, unified social credit code for a company
    is_person: bool = True
    phone: str | None = None
    address: str | None = None
    agent: str | None = None  # 委托代理人 / 法定代表人


@dataclass(frozen=True)
class Payment:
    due: date
    payer: str
    payee: str
    amount_fen: int
    note: str = ""


@dataclass(frozen=True)
class Milestone:
    what: str
    who: str
    due: date
    amount_fen: int | None = None
    settles: str = ""  # the claim it settles


@dataclass(frozen=True)
class AgreementData:
    court_name: str
    case_number: str
    parties: tuple[AgreementParty, ...]
    terms: tuple[str, ...]
    circuit_name: str | None = None
    title: str = "调解协议书"
    dispute: str = ""  # 纠纷事由, one paragraph
    mediator: str | None = None
    payments: tuple[Payment, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    place: str | None = None
    dated: date | None = None
    notes: tuple[str, ...] = field(default=())
    #: Online signatures: (party key, "2026-11-21 10:05", method in words), and the SHA-256
    #: of the content every party signed (printed under the signature block).
    signatures: tuple[tuple[str, str, str], ...] = ()
    content_sha256: str = ""


def shown_party(party: AgreementParty, copy_for: str | None) -> tuple[str, str]:
    """(ID number, phone) as printed in the copy for ``copy_for``."""
    if copy_for is None or party.key == copy_for:
        return party.id_number, party.phone or ""
    number = mask_resident_id(party.id_number) if party.is_person else party.id_number
    return number, mask_phone(party.phone) if party.phone else ""


def agreement_story(data: AgreementData, st: layout.Styles, *, copy_for: str | None) -> list:
    """The agreement's flowables in the court's layout."""
    story = layout.court_header(st, court_name=data.court_name, circuit_name=data.circuit_name,
                                title=data.title, case_number=data.case_number)
    rows = []
    for party in data.parties:
        number, phone = shown_party(party, copy_for)
        rows.append([party.role, party.name, number, phone, party.address or "", party.agent or ""])
    story += layout.section(st, "当事人", layout.table(
        st, ["身份", "姓名/名称", "证件号码", "电话", "住所", "代理人/法定代表人"], rows,
        widths=[0.09, 0.16, 0.26, 0.18, 0.17, 0.14]))
    if data.dispute:
        story += layout.section(st, "纠纷事由", layout.para(data.dispute, st.body))
    story += layout.section(st, "经调解，当事人自愿达成如下协议", *layout.numbered(st, list(data.terms)))
    if data.payments:
        story += layout.section(st, "付款安排", layout.table(
            st, ["序号", "付款期限", "付款人", "收款人", "金额", "说明"],
            [[str(i), p.due.isoformat(), p.payer, p.payee, layout.yuan(p.amount_fen), p.note]
             for i, p in enumerate(data.payments, 1)],
            widths=[0.07, 0.14, 0.19, 0.19, 0.16, 0.25]))
    if data.milestones:
        story += layout.section(st, "履行节点", layout.table(
            st, ["序号", "履行事项", "履行人", "履行期限", "金额", "对应请求"],
            [[str(i), m.what, m.who, m.due.isoformat(), layout.yuan(m.amount_fen), m.settles]
             for i, m in enumerate(data.milestones, 1)],
            widths=[0.07, 0.33, 0.16, 0.14, 0.14, 0.16]))
    closing = list(data.notes) or [
        "本协议自各方当事人签名（盖章）之日起生效；最后一方签名之日为生效日。",
        "各方可自本协议生效之日起三十日内共同向人民法院申请司法确认（民事诉讼法第二百零五条）。",
    ]
    story += layout.section(st, "其他", *[layout.para(line, st.body) for line in closing])
    if data.mediator:
        story.append(Spacer(1, 6))
        story.append(layout.para(f"调解员：{data.mediator}", st.body))
    signed = {key: (f"已在线签署（{how}）", when) for key, when, how in data.signatures}
    story += layout.signature_block(st, [(p.role, p.name) for p in data.parties], dated=data.dated, place=data.place,
                                    marks=[signed.get(p.key) for p in data.parties])
    if data.content_sha256:
        story.append(layout.para(f"各方签署的协议文本SHA-256：{data.content_sha256}", st.cell))
    return story


def render_agreement(data: AgreementData, *, font: str, verify_code: str, verify_url: str,
                     copy_for: str | None = None, invariant: bool = False) -> bytes:
    """The agreement as PDF bytes, in the copy for ``copy_for`` (None: the court's file copy)."""
    st = layout.styles(font)
    return layout.build_pdf(agreement_story(data, st, copy_for=copy_for), font=font, title=data.title,
                            case_number=data.case_number, verify_code=verify_code, verify_url=verify_url,
                            invariant=invariant)
