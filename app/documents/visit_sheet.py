"""The visit sheet (上门调解安排单) as a PDF, from plain data.

What the mediator carries to the project site and posts at the room: the court's header,
where and when, who mediates, and each case served with its parties. The sheet is read by
whoever stands at the door, so the parties appear as the mediator sees them
(``mediation.people``, relation ``MEDIATOR``: name and phone in full, resident ID masked);
the service masks before it hands the data over. The renderer queries nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.documents import layout


@dataclass(frozen=True)
class SheetParty:
    role: str  # 申请人 / 被申请人
    name: str
    id_number: str  # already masked for a person (mediation.people)
    phone: str


@dataclass(frozen=True)
class SheetCase:
    number: str
    dispute: str
    unit: str
    parties: tuple[SheetParty, ...]


@dataclass(frozen=True)
class VisitSheetData:
    court_name: str
    sheet_number: str  # printed where a case number goes: the first case's number and the visit's
    project: str
    address: str
    room: str
    when: str  # "2026年12月3日 09:00—11:00" (court time)
    mediator: str
    cases: tuple[SheetCase, ...]
    circuit_name: str | None = None
    title: str = "上门调解安排单"
    note: str = ""
    #: The visit's state when it is not simply planned: "已取消：…" or "已改期（…）".
    state: str = ""


def visit_sheet_story(data: VisitSheetData, st: layout.Styles) -> list:
    story = layout.court_header(st, court_name=data.court_name, circuit_name=data.circuit_name,
                                title=data.title, case_number=data.sheet_number)
    if data.state:
        story += layout.section(st, "状态", layout.para(data.state, st.body))
    story += layout.section(st, "安排", layout.table(
        st, ["项目", "地址", "调解地点", "时间", "调解员"],
        [[data.project, data.address, data.room, data.when, data.mediator]],
        widths=[0.18, 0.26, 0.18, 0.24, 0.14]))
    rows = []
    for i, case in enumerate(data.cases, 1):
        for j, party in enumerate(case.parties):
            rows.append([str(i) if j == 0 else "", case.number if j == 0 else "",
                         f"{case.dispute}{'（' + case.unit + '）' if case.unit else ''}" if j == 0 else "",
                         party.role, party.name, party.id_number, party.phone])
    story += layout.section(st, f"调解案件（{len(data.cases)}件）", layout.table(
        st, ["序号", "案号", "纠纷", "身份", "当事人", "证件号码", "电话"], rows,
        widths=[0.06, 0.22, 0.15, 0.09, 0.16, 0.19, 0.13]))
    if data.note:
        story += layout.section(st, "备注", layout.para(data.note, st.body))
    story += layout.section(st, "到场签到", layout.table(
        st, ["当事人", "到场时间", "签名"], [[p.name, "", ""] for c in data.cases for p in c.parties],
        widths=[0.4, 0.25, 0.35]))
    return story


def render_visit_sheet(data: VisitSheetData, *, font: str, verify_code: str, verify_url: str,
                       invariant: bool = False) -> bytes:
    st = layout.styles(font)
    return layout.build_pdf(visit_sheet_story(data, st), font=font, title=data.title,
                            case_number=data.sheet_number, verify_code=verify_code,
                            verify_url=verify_url, invariant=invariant)
