"""The rules of the early warning, one function each: a snapshot and ``today`` in, the
warning (or None) out, with the facts that made it fire. See docs/early-warnings.md."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from fractions import Fraction

from mediation.lifecycle import date_zh
from risk.holidays import HolidayCalendar
from risk.warnings.model import (
    Commitment,
    Inquiry,
    Level,
    Milestone,
    Project,
    RiskWarning,
    WarningRules,
)
from risk.workdays import working_days_between


def _ratio(value: Fraction) -> str:
    return f"{float(value):.1f}"


def _in_window(d: date, today: date, days: int) -> bool:
    """Whether ``d`` lies in the ``days`` calendar days that end with ``today`` (included)."""
    return today - timedelta(days=days - 1) <= d <= today


def surge(project: Project, today: date, rules: WarningRules) -> RiskWarning | None:
    """Complaints in the last 30 days against the monthly mean of the 180 days before."""
    window_start = today - timedelta(days=rules.surge_window_days - 1)
    baseline_start = window_start - timedelta(days=rules.surge_baseline_days)
    n = sum(window_start <= d <= today for d in project.complaints)
    before = sum(baseline_start <= d < window_start for d in project.complaints)
    mean = Fraction(before, rules.surge_baseline_months)
    m = max(mean, Fraction(rules.surge_min_monthly_mean))
    level = Level.NONE
    for step in rules.surge_steps:
        if n >= step.at_least and n >= step.times * m:
            level = max(level, step.level)
    if level is Level.NONE:
        return None
    if mean >= rules.surge_min_monthly_mean:
        zh = f"近{rules.surge_window_days}天新增投诉{n}件，为此前月均的{_ratio(n / mean)}倍"
        en = (f"{n} new complaints in the last {rules.surge_window_days} days, "
              f"{_ratio(n / mean)} times the previous monthly average")
    else:
        earlier = f"仅{before}件" if before else "无投诉"
        zh = (f"近{rules.surge_window_days}天新增投诉{n}件，此前{rules.surge_baseline_days}天"
              f"{earlier}（月均按{rules.surge_min_monthly_mean}件计）")
        en = (f"{n} new complaints in the last {rules.surge_window_days} days; only {before} in "
              f"the {rules.surge_baseline_days} days before (monthly average taken as "
              f"{rules.surge_min_monthly_mean})")
    return RiskWarning("surge", level, zh, en)


def overdue_delivery(project: Project, today: date, rules: WarningRules) -> RiskWarning | None:
    """Past the promised delivery date with units still not handed over."""
    promised = project.promised_delivery
    undelivered = project.units - project.delivered_units
    if promised is None or today <= promised or undelivered <= 0:
        return None
    late = (today - promised).days
    share = Fraction(undelivered, project.units)
    level = Level.YELLOW
    if share >= rules.delivery_undelivered_share:
        if late > rules.delivery_red_days:
            level = Level.RED
        elif late > rules.delivery_orange_days:
            level = Level.ORANGE
    percent = f"{float(share * 100):.1f}%"
    zh = (f"承诺交房日{date_zh(promised)}已逾期{late}天，尚有{undelivered}套未交付"
          f"（共{project.units}套，占{percent}）")
    en = (f"{late} days past the promised delivery date {promised.isoformat()}; {undelivered} of "
          f"{project.units} units ({percent}) not delivered")
    return RiskWarning("overdue_delivery", level, zh, en)


def _joined(parts: Iterable[str], sep: str) -> str:
    return sep.join(parts)


def inquiry_unanswered(inquiries: Iterable[Inquiry], today: date, rules: WarningRules,
                       calendar: HolidayCalendar) -> RiskWarning | None:
    """An inquiry's deadline passed without an answer; orange after 10 working days."""
    level, zh, en = Level.NONE, [], []
    for inquiry in inquiries:
        answered = inquiry.answered_on is not None and inquiry.answered_on <= today
        if answered or today <= inquiry.deadline:
            continue
        late = working_days_between(inquiry.deadline, today, calendar)
        level = max(level, Level.ORANGE if late >= rules.inquiry_orange_working_days else Level.YELLOW)
        estimate = any(calendar.is_estimate(d) for d in (inquiry.deadline, today))
        zh.append(f"函询{inquiry.id}答复期限{date_zh(inquiry.deadline)}已过，逾期{late}个工作日未答复"
                  + ("（预计）" if estimate else ""))
        en.append(f"inquiry {inquiry.id} unanswered {late} working days after its deadline "
                  f"{inquiry.deadline.isoformat()}" + (" (estimated)" if estimate else ""))
    if level is Level.NONE:
        return None
    return RiskWarning("inquiry_unanswered", level, _joined(zh, "；"), _joined(en, "; "))


def inquiry_non_compliant(inquiries: Iterable[Inquiry], today: date,
                          rules: WarningRules) -> RiskWarning | None:
    """An answer reviewed non-compliant, or a rectification date passed unrectified."""
    zh, en = [], []
    for inquiry in inquiries:
        if inquiry.review == "non_compliant":
            zh.append(f"函询{inquiry.id}的答复经审查不合规")
            en.append(f"the answer to inquiry {inquiry.id} was reviewed non-compliant")
        elif (inquiry.review == "rectify" and inquiry.rectify_by is not None
              and today > inquiry.rectify_by
              and (inquiry.rectified_on is None or inquiry.rectified_on > today)):
            zh.append(f"函询{inquiry.id}要求于{date_zh(inquiry.rectify_by)}前整改，逾期"
                      f"{(today - inquiry.rectify_by).days}天仍未整改")
            en.append(f"inquiry {inquiry.id}: not rectified "
                      f"{(today - inquiry.rectify_by).days} days after {inquiry.rectify_by.isoformat()}")
    if not zh:
        return None
    return RiskWarning("inquiry_non_compliant", Level.ORANGE, _joined(zh, "；"), _joined(en, "; "))


def milestone_overdue(milestones: Iterable[Milestone], today: date,
                      rules: WarningRules) -> RiskWarning | None:
    """An agreement milestone past due and not performed; red after 30 days."""
    level, zh, en = Level.NONE, [], []
    for milestone in milestones:
        performed = milestone.performed_on is not None and milestone.performed_on <= today
        if performed or today <= milestone.due:
            continue
        late = (today - milestone.due).days
        level = max(level, Level.RED if late > rules.milestone_red_days else Level.ORANGE)
        zh.append(f"履行节点{milestone.id}应于{date_zh(milestone.due)}履行，已逾期{late}天")
        en.append(f"milestone {milestone.id} due {milestone.due.isoformat()} is {late} days overdue")
    if level is Level.NONE:
        return None
    return RiskWarning("milestone_overdue", level, _joined(zh, "；"), _joined(en, "; "))


def broken(commitments: Iterable[Commitment], today: date) -> list[Commitment]:
    """The commitments whose date has passed without being kept."""
    return [c for c in commitments if c.kept is not True and today > c.due]


def commitment_broken(commitments: Iterable[Commitment], today: date,
                      rules: WarningRules) -> RiskWarning | None:
    """A dated commitment not kept."""
    missed = broken(commitments, today)
    if not missed:
        return None
    ids = "、".join(str(c.id) for c in missed)
    return RiskWarning(
        "commitment_broken", Level.ORANGE,
        f"{len(missed)}项承诺到期未履行（{ids}）",
        f"{len(missed)} commitment(s) not kept by their date ({', '.join(str(c.id) for c in missed)})")


def blacklist(commitments: Iterable[Commitment], today: date, rules: WarningRules,
              decided: bool) -> RiskWarning | None:
    """3 broken commitments due in the last 365 days, or a judge's decision."""
    recent = [c for c in broken(commitments, today)
              if _in_window(c.due, today, rules.blacklist_window_days)]
    by_count = len(recent) >= rules.blacklist_broken_commitments
    if not (by_count or decided):
        return None
    zh, en = [], []
    if by_count:
        zh.append(f"近{rules.blacklist_window_days}天内{len(recent)}项承诺到期未履行")
        en.append(f"{len(recent)} commitments broken in the last {rules.blacklist_window_days} days")
    if decided:
        zh.append("经法官决定列入失信名单")
        en.append("put on the blacklist by a judge's decision")
    zh.append("其提供的担保不予接受")
    en.append("its guarantees are refused")
    return RiskWarning("blacklist", Level.RED, "，".join(zh), "; ".join(en))
