"""The release ruling (解除保全裁定): issued when a judge approves a stage of a release plan.

It names the developer, the preservation rulings whose assets it releases, each asset and
the amount released (units and equity whole), the cases those assets secured, and the plan
and stage it executes. Plain data in, PDF bytes out; user text goes through
:func:`app.documents.layout.para` (escaped).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.platypus import Spacer

from app.documents import layout
from mediation.lifecycle import date_zh


@dataclass(frozen=True)
class ReleaseLine:
    label: str
    kind_label: str
    ruling_no: str
    amount_fen: int
    remaining_fen: int


@dataclass(frozen=True)
class ReleaseRulingData:
    court_name: str
    case_number: str  # the first case the released assets secured (the ruling's file)
    developer_name: str
    plan_id: int
    stage: int
    lines: tuple[ReleaseLine, ...]
    case_numbers: tuple[str, ...]
    performed: tuple[str, ...]  # obligations confirmed before this stage
    ruled_on: date
    title: str = "解除保全裁定书"


def release_ruling_story(data: ReleaseRulingData, st: layout.Styles) -> list:
    total = sum(line.amount_fen for line in data.lines)
    story = layout.court_header(st, court_name=data.court_name, circuit_name="防范房地产风险巡回法庭",
                                title=data.title, case_number=data.case_number)
    story += [
        layout.para(f"被保全人：{data.developer_name}", st.body),
        Spacer(1, 4),
        layout.para(f"本院在审理{('、'.join(data.case_numbers))}案件中，依法对被保全人的财产采取了保全措施。"
                    f"经审查，被保全人已提供的反担保及已履行的义务足以保障上述案件的执行，"
                    f"本院依照解封计划第{data.plan_id}号第{data.stage}阶段，准予解除下列财产的保全，"
                    f"合计{layout.yuan(total)}元。", st.body),
    ]
    story.append(layout.table(st, ["被冻结财产", "类别", "保全裁定", "本次解除（元）", "仍冻结（元）"],
                              [[line.label, line.kind_label, line.ruling_no, layout.yuan(line.amount_fen),
                                layout.yuan(line.remaining_fen)] for line in data.lines],
                              widths=[0.28, 0.14, 0.26, 0.16, 0.16]))
    if data.performed:
        story += layout.section(st, "已确认履行的义务", *layout.numbered(st, list(data.performed)))
    story += layout.section(st, "裁定如下", layout.para(
        "解除对上列财产的保全措施。本裁定立即开始执行。如不服本裁定，可以向本院申请复议一次，"
        "复议期间不停止裁定的执行。", st.body))
    story += [Spacer(1, 12), layout.para(f"{data.court_name}　{date_zh(data.ruled_on)}", st.body)]
    return story


def render_release_ruling(data: ReleaseRulingData, *, font: str, verify_code: str, verify_url: str,
                          invariant: bool = False) -> bytes:
    st = layout.styles(font)
    return layout.build_pdf(release_ruling_story(data, st), font=font, title=data.title,
                            case_number=data.case_number, verify_code=verify_code, verify_url=verify_url,
                            invariant=invariant)
