"""The ruling on an application for judicial confirmation (民事裁定书), from plain data.

Confirmed: the agreement is valid, the parties perform it, and a party may apply for
enforcement if the other does not (民事诉讼法 art. 206). Refused: the application is
dismissed with the ground; the parties may mediate again or sue. The agreement's terms and
milestones are printed so the ruling stands on its own. One copy per party masks the other
parties' IDs and phones (as the agreement); the court's copy masks nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.documents import layout
from app.documents.agreement import AgreementParty, Milestone, shown_party
from mediation.lifecycle import date_zh


@dataclass(frozen=True)
class RulingData:
    court_name: str
    ruling_number: str
    case_number: str  # the pre-litigation case the agreement settled
    parties: tuple[AgreementParty, ...]
    agreement_date: object  # date the agreement took effect
    applied_date: object
    terms: tuple[str, ...]
    milestones: tuple[Milestone, ...]
    confirmed: bool
    ground: str
    judge: str
    dated: object
    circuit_name: str | None = None
    title: str = "民事裁定书"


def ruling_story(data: RulingData, st: layout.Styles, *, copy_for: str | None) -> list:
    story = layout.court_header(st, court_name=data.court_name, circuit_name=data.circuit_name,
                                title=data.title, case_number=data.ruling_number)
    rows = []
    for p in data.parties:
        number, phone = shown_party(p, copy_for)
        rows.append(["申请人", p.name, number, phone])
    story += layout.section(st, "申请人", layout.table(st, ["身份", "姓名/名称", "证件号码", "电话"], rows,
                                                      widths=[0.12, 0.28, 0.35, 0.25]))
    names = "、".join(p.name for p in data.parties)
    story.append(layout.para(
        f"申请人{names}于{date_zh(data.applied_date)}共同向本院申请司法确认其于{date_zh(data.agreement_date)}"
        f"经{data.case_number}调解达成的调解协议。本院依法进行了审查。", st.body))
    story += layout.section(st, "调解协议内容", *layout.numbered(st, list(data.terms)))
    if data.milestones:
        story += layout.section(st, "履行节点", layout.table(
            st, ["序号", "履行事项", "履行人", "履行期限", "金额"],
            [[str(i), m.what, m.who, m.due.isoformat(), layout.yuan(m.amount_fen)]
             for i, m in enumerate(data.milestones, 1)], widths=[0.08, 0.40, 0.2, 0.16, 0.16]))
    if data.confirmed:
        story += layout.section(st, "本院认为", layout.para(
            "申请人达成的调解协议，符合司法确认调解协议的法定条件。依照《中华人民共和国民事诉讼法》第二百零五条、"
            "第二百零六条规定，裁定如下：" + (f"（{data.ground}）" if data.ground else ""), st.body))
        story += layout.numbered(st, [
            "申请人达成的上述调解协议有效。",
            "当事人应当按照调解协议的约定自觉履行义务。一方当事人拒绝履行或者未全部履行的，对方当事人可以向人民法院申请执行。",
        ])
    else:
        story += layout.section(st, "本院认为", layout.para(data.ground, st.body))
        story += layout.section(st, "裁定如下", layout.para(
            "驳回申请人的司法确认申请。当事人可以通过调解方式变更原调解协议或者达成新的调解协议，也可以向人民法院提起诉讼。",
            st.body))
    story.append(layout.para("本裁定即时生效。", st.body))
    story += layout.section(st, "", layout.para(f"审判员　{data.judge}", st.body),
                            layout.para(date_zh(data.dated), st.body))
    return story


def render_ruling(data: RulingData, *, font: str, verify_code: str, verify_url: str, copy_for: str | None = None,
                  invariant: bool = False) -> bytes:
    st = layout.styles(font)
    return layout.build_pdf(ruling_story(data, st, copy_for=copy_for), font=font, title=data.title,
                            case_number=data.ruling_number, verify_code=verify_code, verify_url=verify_url,
                            invariant=invariant)
