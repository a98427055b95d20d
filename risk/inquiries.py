"""Compliance inquiries (合规性函询): the letter types, their standard questions, and the
answer deadline counted in working days.

The court asks a developer, before buyers sue, about what most often turns into a dispute
on a housing project: the pre-sale permit (城市房地产管理法 art. 45), the use of supervised
pre-sale funds, construction progress against the promised delivery date, the processing
of title certificates, advertising against the contract (商品房销售管理办法 art. 15), and
completion acceptance (建设工程质量管理条例 art. 16). Each type comes with questions the
judge may edit. The answer is due on the N-th working day after the letter is issued (the
day of issue not counted, 民事诉讼法 期间), Chinese holidays and make-up days counted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from risk.holidays import HolidayCalendar
from risk.workdays import Deadline, working_deadline
from mediation.messages import Msg

#: Working days a developer has to answer, unless the judge gives another number.
DEFAULT_WORKING_DAYS = 10
MIN_WORKING_DAYS, MAX_WORKING_DAYS = 1, 60
#: A letter asks at most this many questions, each at most this long: a letter is read and
#: answered point by point (and the API takes answers numbered 1–100).
MAX_QUESTIONS, QUESTION_MAX = 50, 1000


@dataclass(frozen=True)
class LetterType:
    code: str
    label_zh: str
    label_en: str
    questions: tuple[str, ...]


LETTER_TYPES = {t.code: t for t in (
    LetterType("presale_permit", "预售许可", "Pre-sale permit", (
        "请说明本项目商品房预售许可证的编号、核发日期及许可预售的范围。",
        "是否存在未取得预售许可即收取定金、认筹金或签订认购协议的情形？如有，请列明户数与金额。",
    )),
    LetterType("presale_funds", "预售资金使用", "Use of pre-sale funds", (
        "请提供预售资金监管账户的开户银行、账号及截至目前的余额。",
        "预售资金的拨付是否与工程节点一致？请附监管机构的拨付记录。",
        "是否存在预售资金未进入监管账户或被挪作他用的情形？",
    )),
    LetterType("construction_progress", "工程进度", "Construction progress", (
        "请说明目前的工程形象进度及与合同约定交房日期的差距。",
        "如可能逾期交房，请说明原因、预计交房日期及对购房人的安排。",
    )),
    LetterType("title_certificate", "办证进度", "Title certificates", (
        "请说明首次登记（大证）的办理情况及预计完成日期。",
        "已交房户数中已办理不动产权证书的户数及未办理的原因。",
    )),
    LetterType("advertising", "宣传与合同一致性", "Advertising against contract", (
        "请提供本项目的宣传资料（含样板间、沙盘、网络宣传）。",
        "宣传中承诺的配套设施、学区、绿化等事项是否已写入合同？如未写入，请说明如何履行。",
    )),
    LetterType("completion_acceptance", "竣工验收", "Completion acceptance", (
        "请说明竣工验收备案的时间及验收结论，并附备案证明。",
        "是否存在未经竣工验收即交付使用的情形？",
    )),
)}


def answer_deadline(issued_on: date, working_days: int = DEFAULT_WORKING_DAYS,
                    calendar: HolidayCalendar | None = None) -> Deadline:
    """The day the answer is due: the ``working_days``-th working day after ``issued_on``."""
    if not MIN_WORKING_DAYS <= working_days <= MAX_WORKING_DAYS:
        raise ValueError(Msg("答复期限应为{min_working_days}至{max_working_days}个工作日",
                             "The answer is due in {min_working_days} to {max_working_days} working days",
                             min_working_days=MIN_WORKING_DAYS, max_working_days=MAX_WORKING_DAYS))
    return working_deadline(issued_on, working_days, calendar)
