"""What a complaint is about and how it reached the court.

One door for every dispute (诉调对接平台, 全程受理): a homeowner's complaint is taken once,
from whichever channel it arrives through — online, the service window, a mediator on
site, a referral from the housing bureau or the petition office, or the 12345 hotline — and
classified by the dispute types the circuit court sees in real-estate cases (the taxonomy
follows the causes of action of 商品房买卖合同纠纷 and 物业服务合同纠纷 in 民事案件案由规定).

A complaint is accepted into a case, rejected with a reason, or merged into another.

The codes are stable: the database, the JSON API (docs/contracts.md) and the phone app use them.
Labels come in Chinese (default) and English.
"""

from __future__ import annotations

from enum import StrEnum

from mediation.messages import Msg

__all__ = ["Channel", "ComplaintStatus", "DisputeType", "LabelledEnum"]


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese and an English label.

    Members are declared as ``CODE = "code", "中文", "English"``; ``str(member)`` and
    ``member.value`` are the code.
    """

    def __new__(cls, code: str, label_zh: str = "", label_en: str = "") -> "LabelledEnum":
        member = str.__new__(cls, code)
        member._value_ = code
        member.label_zh = label_zh
        member.label_en = label_en
        return member

    def label(self, locale: str = "zh") -> str:
        """Return the label for ``locale`` ('zh…' gives Chinese, anything else English)."""
        return self.label_zh if str(locale).lower().startswith("zh") else self.label_en

    @classmethod
    def zh(cls, code) -> str:
        """The Chinese label of ``code``; the code itself when it is no member."""
        try:
            return cls(code).label_zh
        except ValueError:
            return str(code)

    @classmethod
    def msg(cls, code) -> Msg:
        """The label of ``code`` in both languages (the code itself when it is no member)."""
        try:
            member = cls(code)
        except ValueError:
            return Msg(str(code), str(code))
        return Msg(member.label_zh, member.label_en)

    @classmethod
    def choices(cls, locale: str = "zh") -> list[tuple[str, str]]:
        """Return ``[(code, label), …]`` in declaration order, for form select fields."""
        return [(member.value, member.label(locale)) for member in cls]


class DisputeType(LabelledEnum):
    """Dispute types of the circuit court (docs/court-rules.md); codes are part of the API contract."""

    LATE_DELIVERY = "late_delivery", "逾期交房", "Late delivery"
    TITLE_DELAY = "title_delay", "逾期办证", "Title certificate delay"
    QUALITY = "quality", "房屋质量", "Quality defects"
    AREA = "area", "面积差异", "Area discrepancy"
    RESCISSION = "rescission", "退房退款", "Rescission and refund"
    ADVERTISING = "advertising", "虚假宣传", "Misleading advertising"
    PRESALE_FUNDS = "presale_funds", "预售资金", "Pre-sale fund misuse"
    STALLED = "stalled", "停工/烂尾", "Stalled construction"
    PROPERTY_MGMT = "property_mgmt", "物业", "Property management"
    OTHER = "other", "其他", "Other"


class Channel(LabelledEnum):
    """How a complaint reached the platform: every channel leads to the same one door."""

    ONLINE = "online", "网上申请", "Online"
    WINDOW = "window", "窗口受理", "Service window"
    ONSITE = "onsite", "上门受理", "On site"
    REFERRAL_HOUSING = "referral_housing", "住建部门转办", "Referred by the housing bureau"
    REFERRAL_PETITION = "referral_petition", "信访部门转办", "Referred by the petition office"
    HOTLINE_12345 = "hotline_12345", "12345热线转办", "12345 hotline"
    REFERRAL_OTHER = "referral_other", "其他部门转办", "Referred by another agency"



class ComplaintStatus(LabelledEnum):
    """A complaint waits for the court's decision, then is accepted, rejected or merged."""

    SUBMITTED = "submitted", "已提交", "Submitted"
    ACCEPTED = "accepted", "已受理", "Accepted"
    REJECTED = "rejected", "不予受理", "Rejected"
    MERGED = "merged", "已合并", "Merged"

    @property
    def is_open(self) -> bool:
        """Whether the complaint is still a live dispute (waiting, or accepted into a case).

        Rejected complaints are finished with; merged ones live on in the complaint they
        were merged into, so counting them again would count a claimant twice.
        """
        return self in {ComplaintStatus.SUBMITTED, ComplaintStatus.ACCEPTED}
