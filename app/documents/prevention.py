"""Prevention documents: the compliance inquiry letter (合规性函询函) and the warning notice
(风险预警通知书).

Both go to a developer before any case exists, so their header carries the letter's own
number (``（2026）琼9005函12号``) where a case document has its case number. Plain data in,
PDF bytes out; user text goes through :func:`app.documents.layout.para` (escaped).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.platypus import Spacer

from app.documents import layout
from mediation.lifecycle import date_zh


@dataclass(frozen=True)
class InquiryLetterData:
    court_name: str
    number: str
    developer_name: str
    developer_uscc: str
    project_name: str
    letter_label: str
    issued_on: date
    deadline_on: date
    working_days: int
    deadline_estimated: bool
    questions: tuple[str, ...]
    title: str = "合规性函询函"


@dataclass(frozen=True)
class WarningNoticeData:
    court_name: str
    number: str
    developer_name: str
    subject_name: str  # the project, or the developer itself
    level_label: str
    facts: tuple[str, ...]
    issued_on: date
    title: str = "风险预警通知书"


def inquiry_letter_story(data: InquiryLetterData, st: layout.Styles) -> list:
    due = date_zh(data.deadline_on) + ("（预计）" if data.deadline_estimated else "")
    story = layout.court_header(st, court_name=data.court_name, circuit_name="防范房地产风险巡回法庭",
                                title=data.title, case_number=data.number)
    story += [
        layout.para(f"{data.developer_name}（统一社会信用代码：{data.developer_uscc}）：", st.body),
        Spacer(1, 4),
        layout.para(f"为防范化解房地产纠纷风险，本院就你公司开发的“{data.project_name}”项目"
                    f"{data.letter_label}情况提出以下问题，请于{data.working_days}个工作日内，即{due}前，"
                    "通过调解平台逐项书面答复，并附相关证明材料。", st.body),
    ]
    story += layout.section(st, "函询事项", *layout.numbered(st, list(data.questions)))
    story += layout.section(st, "说明", *[layout.para(line, st.body) for line in (
        "逾期未答复或答复不实的，本院将依照风险预警规则予以预警，并可将相关情况通报行业主管部门。",
        "工作日按国务院办公厅公布的节假日安排计算；标注“预计”的日期系按法定节假日推算，以当年正式公布的安排为准。",
    )])
    story += [Spacer(1, 12), layout.para(f"{data.court_name}　{date_zh(data.issued_on)}", st.body)]
    return story


def render_inquiry_letter(data: InquiryLetterData, *, font: str, verify_code: str, verify_url: str,
                          invariant: bool = False) -> bytes:
    st = layout.styles(font)
    return layout.build_pdf(inquiry_letter_story(data, st), font=font, title=data.title,
                            case_number=data.number, verify_code=verify_code, verify_url=verify_url,
                            invariant=invariant)


def warning_notice_story(data: WarningNoticeData, st: layout.Styles) -> list:
    story = layout.court_header(st, court_name=data.court_name, circuit_name="防范房地产风险巡回法庭",
                                title=data.title, case_number=data.number)
    story += [
        layout.para(f"{data.developer_name}：", st.body),
        Spacer(1, 4),
        layout.para(f"经本院风险预警规则评估，{data.subject_name}的风险等级已升至{data.level_label}。"
                    "所依据的事实如下：", st.body),
    ]
    story += layout.numbered(st, list(data.facts))
    story += layout.section(st, "要求", *[layout.para(line, st.body) for line in (
        "请你公司在调解平台签收本通知，并提交整改方案及附具体日期的承诺事项。",
        "承诺事项到期未履行的，将记录为违背承诺；365日内违背承诺三次以上的，列入失信名单，其提供的反担保不予接受。",
    )])
    story += [Spacer(1, 12), layout.para(f"{data.court_name}　{date_zh(data.issued_on)}", st.body)]
    return story


def render_warning_notice(data: WarningNoticeData, *, font: str, verify_code: str, verify_url: str,
                          invariant: bool = False) -> bytes:
    st = layout.styles(font)
    return layout.build_pdf(warning_notice_story(data, st), font=font, title=data.title,
                            case_number=data.number, verify_code=verify_code, verify_url=verify_url,
                            invariant=invariant)
