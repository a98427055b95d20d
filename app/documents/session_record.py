"""The session record (调解笔录) as a PDF, from plain data.

Time, place, mediator, who attended (and for whom), what happened, the offers made and
how the session ended, then a line for each present party's confirmation. One copy per
party masks the other parties' ID numbers and phones, as the agreement does
(:func:`app.documents.agreement.shown_party`); the court's copy masks nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.documents import layout
from app.documents.agreement import AgreementParty, shown_party


@dataclass(frozen=True)
class RecordAttendance:
    party: AgreementParty
    present: bool
    by: str = ""


@dataclass(frozen=True)
class SessionRecordData:
    court_name: str
    case_number: str
    held: str  # "2026年12月3日 09:00" (court time)
    place: str
    mediator: str
    attendance: tuple[RecordAttendance, ...]
    notes: str
    offers: tuple[tuple[str, str, int | None], ...]  # (by, what, amount_fen)
    outcome: str
    ground: str = ""
    circuit_name: str | None = None
    title: str = "调解笔录"


def session_record_story(data: SessionRecordData, st: layout.Styles, *, copy_for: str | None) -> list:
    story = layout.court_header(st, court_name=data.court_name, circuit_name=data.circuit_name,
                                title=data.title, case_number=data.case_number)
    story += layout.section(st, "时间、地点", layout.para(f"{data.held}　{data.place}　调解员：{data.mediator}", st.body))
    rows = []
    for a in data.attendance:
        number, phone = shown_party(a.party, copy_for)
        rows.append([a.party.role, a.party.name, number, phone, "到场" if a.present else "未到场", a.by])
    story += layout.section(st, "到场情况", layout.table(
        st, ["身份", "姓名/名称", "证件号码", "电话", "到场", "到场人"], rows,
        widths=[0.10, 0.18, 0.26, 0.16, 0.10, 0.20]))
    story += layout.section(st, "调解经过", layout.para(data.notes, st.body))
    if data.offers:
        story += layout.section(st, "调解方案", layout.table(
            st, ["序号", "提出方", "内容", "金额"],
            [[str(i), by, what, layout.yuan(amount)] for i, (by, what, amount) in enumerate(data.offers, 1)],
            widths=[0.08, 0.2, 0.52, 0.2]))
    story += layout.section(st, "调解结果", layout.para(data.outcome + (f"。原因：{data.ground}" if data.ground else ""),
                                                       st.body))
    story += layout.section(st, "核对", layout.para("以上笔录经到场当事人在线核对确认无误。", st.body))
    story += layout.signature_block(st, [(a.party.role, a.party.name) for a in data.attendance if a.present],
                                    dated=None, place=None,
                                    labels=("当事人", "确认", "日期", "在线确认：", "日期："))
    return story


def render_session_record(data: SessionRecordData, *, font: str, verify_code: str, verify_url: str,
                          copy_for: str | None = None, invariant: bool = False) -> bytes:
    st = layout.styles(font)
    return layout.build_pdf(session_record_story(data, st, copy_for=copy_for), font=font, title=data.title,
                            case_number=data.case_number, verify_code=verify_code, verify_url=verify_url,
                            invariant=invariant)
