"""How a release plan reads to a judge: one Chinese sentence per release, per performed and
per waiting obligation, and a text report of the whole plan.

A judge orders each partial release (解除保全) only after checking that the remaining
security is still full and effective (民事诉讼法 art. 107; 保全规定 art. 22), so every
release states which counter-guarantee or which retained part of a frozen asset now
secures each case it stood for. Money is written in yuan from integer fen, exactly: an
amount that is a whole number of 亿元 tenths or 万元 hundredths is written in those units,
anything else to the fen (e.g. 1,234.56元).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

# Above this many cases a sentence names the first few and counts the rest: a judge reads
# a release order, not a ledger (the coverage table beside it lists every case).
CASES_NAMED_PER_SENTENCE = 3

GUARANTEE_KINDS = {
    "bank_letter": "保函",
    "insurance": "保全保险",
    "preservation_insurance": "保全保险",
    "substitute_property": "置换财产",
    "third_party": "第三人担保",
    "cash_deposit": "保证金",
}

FEN_PER_YUAN = 100
FEN_PER_WAN = 10_000 * FEN_PER_YUAN
FEN_PER_YI = 10_000 * FEN_PER_WAN


def yuan(fen: int) -> str:
    """Write an amount of fen in yuan, exactly (150000000 → "150万元")."""
    if fen >= FEN_PER_YI and fen % (FEN_PER_YI // 100) == 0:
        return f"{_trim(Decimal(fen) / FEN_PER_YI)}亿元"
    if fen >= FEN_PER_WAN and fen % (FEN_PER_WAN // 100) == 0:
        return f"{_trim(Decimal(fen) / FEN_PER_WAN)}万元"
    whole, cents = divmod(fen, FEN_PER_YUAN)
    return f"{whole:,}元" if cents == 0 else f"{whole:,}.{cents:02d}元"


def _trim(amount: Decimal) -> str:
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def guarantee_label(kind: str) -> str:
    return GUARANTEE_KINDS.get(kind, "反担保")


def _name_cases(case_ids: Sequence[str]) -> str:
    named = "、".join(case_ids[:CASES_NAMED_PER_SENTENCE])
    if len(case_ids) > CASES_NAMED_PER_SENTENCE:
        return f"{named}等{len(case_ids)}件案件"
    return named


def explain_release(
    asset: str,
    amount: int,
    kept: int,
    cases: Sequence[tuple[str, int, int, Sequence[tuple[str, bool, str, int]]]],
    more_cases: int = 0,
    whole: bool = False,
) -> str:
    """One release in words.

    ``cases`` lists the first few cases the asset may secure that still have exposure, as
    ``(case, exposure, secured, contributions)`` with contributions
    ``(item, is_guarantee, kind, amount)`` after the release; ``more_cases`` counts the rest.
    """
    head = f"解除{asset}冻结{yuan(amount)}"
    if whole:
        head += "（不可分割，整体解除）"
    else:
        head += "（全部解除）" if kept == 0 else f"（保留{yuan(kept)}）"
    if not cases:
        return f"{head}：其可担保的案件已无未了结的标的"
    parts = []
    for case_id, exposure, secured, contributions in cases:
        guarantees = [f"{guarantee_label(kind)}{item}覆盖{yuan(flow)}" for item, is_g, kind, flow in contributions if is_g]
        holders = [f"{item}保留部分" if item == asset else item for item, is_g, _, _ in contributions if not is_g]
        if guarantees and holders:
            text = f"{case_id}由{'、'.join(guarantees)}，其余由{'、'.join(holders)}覆盖"
        elif guarantees:
            text = f"{case_id}由{'、'.join(guarantees)}"
        elif holders:
            text = f"{case_id}由{'、'.join(holders)}覆盖"
        else:
            text = f"{case_id}尚无任何担保"
        if secured < exposure:
            text += f"（尚有{yuan(exposure - secured)}未获担保，本次解除的部分无法用于该案）"
        parts.append(text)
    if more_cases:
        parts.append(f"另有{more_cases}件案件的担保同样保持足额")
    return f"{head}：{'；'.join(parts)}"


def explain_performance(obligation: str, owner: str, cost: int, reduced: Sequence[tuple[str, int, int]]) -> str:
    """One performed obligation: who paid, which exposures fell (case, by, remaining)."""
    text = f"履行{obligation}：{owner}支付{yuan(cost)}"
    effects = [f"{case_id}标的减少{yuan(by)}，余{yuan(left)}" for case_id, by, left in reduced if by > 0]
    if effects:
        shown = effects[:CASES_NAMED_PER_SENTENCE]
        if len(effects) > CASES_NAMED_PER_SENTENCE:
            shown.append(f"另有{len(effects) - CASES_NAMED_PER_SENTENCE}件案件标的减少")
        text += "，" + "；".join(shown)
    return text


def explain_waiting(obligation: str, owner: str, cost: int, cash: int) -> str:
    """An obligation that is due (predecessors done) but cannot be paid yet."""
    return f"{obligation}暂不能履行：需支付{yuan(cost)}，{owner}现有资金{yuan(cash)}，尚差{yuan(cost - cash)}"


def explain_still_frozen(
    asset: str,
    value: int,
    cases: Sequence[tuple[str, int]],
    settled_later: bool,
    *,
    whole: bool = False,
    release_allowed: bool = True,
) -> str:
    """Why an asset stays frozen at the end of the plan (cases given as (case, exposure))."""
    if not release_allowed:
        # 保全规定 art. 22: the disputed property is released only with the applicant's consent
        text = f"{asset}为争议标的物，申请保全人未同意解除（保全规定第二十二条），仍冻结{yuan(value)}"
        if cases:
            text += f"，继续为{_name_cases([c for c, _ in cases])}提供担保"
        return text
    kind = "（不可分割，只能整体解除）" if whole else ""
    if not cases:
        return f"{asset}{kind}仍冻结{yuan(value)}"
    named = _name_cases([f"{case_id}（{yuan(exposure)}）" for case_id, exposure in cases])
    if settled_later:
        tail = "，待相关履行节点完成后可继续解除"
    elif whole:
        tail = "，整体解除将使担保不足，须继续冻结"
    else:
        tail = "，这些标的没有履行节点可以了结，须继续冻结"
    return f"{asset}{kind}仍冻结{yuan(value)}，为{named}提供担保{tail}"


def explain_circle(cycle: Sequence[str], excluded: bool) -> str:
    path = "→".join([*cycle, cycle[0]])
    effect = "按exclude政策不计入担保" if excluded else "按include政策仍计入担保"
    return f"担保圈{path}：这些反担保互相担保，{effect}"


def explain_self_given(guarantee: str, provider: str, excluded: bool) -> str:
    effect = "不计入担保" if excluded else "按include政策仍计入担保"
    return f"{guarantee}由被冻结财产的所有人{provider}自己提供，{effect}"


def explain_rests_on(guarantee: str, path: Sequence[str], frozen_asset: bool) -> str:
    """A guarantee that rests on a frozen asset, or on an excluded guarantee, adds nothing."""
    chain = "→".join(path)
    if frozen_asset:
        return f"{guarantee}以被冻结财产{path[-1]}为担保基础（{chain}），不能提供新的担保，不计入担保"
    return f"{guarantee}以不计入担保的反担保{path[-1]}为担保基础（{chain}），同样不计入担保"


def explain_blocked(
    obligation: str,
    owner: str,
    cost: int,
    cash: int,
    frozen: int,
    suggestion: tuple[int, Sequence[str], int] | None,
    *,
    searched: bool = True,
) -> str:
    """Why the plan stops, and what extra counter-guarantee would let it go on.

    ``searched=False``: the search for the guarantee was skipped (``plan_release(...,
    suggest=False)``), so nothing is said about it unless the owner's frozen value cannot
    cover the shortfall whatever the guarantee."""
    shortfall = cost - cash
    text = f"{obligation}需支付{yuan(cost)}，{owner}现有资金{yuan(cash)}，尚差{yuan(shortfall)}，且已无可解除的冻结财产"
    if suggestion is None and not searched and frozen >= shortfall:
        return text
    if suggestion is None:
        return text + f"；{owner}可解除的冻结财产仅{yuan(frozen)}，少于缺口，追加反担保也无法筹足"
    value, cases, freed = suggestion
    return (
        text + f"；追加价值{yuan(value)}、担保{_name_cases(list(cases))}的反担保后，"
        f"可再解除{owner}冻结财产{yuan(freed)}，足以履行{obligation}"
    )


# --------------------------------------------------------------------------- text report


def render_plan_text(plan: Mapping[str, Any]) -> str:
    """Render the JSON form of a plan as a report a judge can read."""
    lines: list[str] = []
    status = {"complete": "可全部履行完毕", "blocked": "受阻"}.get(plan["status"], plan["status"])
    lines.append("反担保解封计划（边履行边解封）")
    lines.append(f"结论：{status}；累计解除冻结{yuan(plan['total_released'])}")
    for stage in plan["stages"]:
        lines.append("")
        lines.append(f"第{stage['stage']}阶段")
        released = "，".join(f"{r['asset']} {yuan(r['amount'])}" for r in stage["release"]) or "无"
        lines.append(f"  解除冻结：{released}")
        lines.append(f"  履行节点：{'、'.join(stage['perform']) or '无'}")
        for sentence in stage.get("explanations", []):
            lines.append(f"    · {sentence}")
        cash = "，".join(f"{owner} {yuan(amount)}" for owner, amount in stage["cash_after"].items()) or "无"
        lines.append(f"  阶段末资金：{cash}")
        lines.append("  阶段末担保情况：")
        lines.extend(_coverage_lines(stage["coverage"]))
    lines.append("")
    frozen = "，".join(f"{asset} {yuan(value)}" for asset, value in plan["still_frozen"].items()) or "无"
    lines.append(f"仍冻结：{frozen}")
    lines.append(f"可退还（解除）的反担保：{'、'.join(plan['discharge']) or '无'}")
    lines.append(f"不计入担保的反担保：{'、'.join(plan['excluded_guarantees']) or '无'}")
    circles = "；".join("→".join([*c, c[0]]) for c in plan["guarantee_cycles"]) or "无"
    lines.append(f"担保圈：{circles}")
    blocked = plan.get("blocked")
    if blocked:
        lines.append("")
        lines.append(f"受阻节点：{blocked['obligation']}，缺口{yuan(blocked['shortfall'])}")
        suggestion = blocked.get("suggested_guarantee")
        if suggestion:
            lines.append(f"建议追加反担保：价值{yuan(suggestion['value'])}，担保{'、'.join(suggestion['secures'])}")
        else:
            lines.append("建议追加反担保：无（追加反担保无法解决）")
        lines.append(f"原因：{blocked['reason']}")
    notes = plan.get("explanations", [])
    if notes:
        lines.append("")
        lines.append("说明：")
        lines.extend(f"  · {note}" for note in notes)
    return "\n".join(lines) + "\n"


def _coverage_lines(coverage: Mapping[str, Mapping[str, int]]) -> Iterable[str]:
    rows = list(coverage.items())
    open_rows = [(c, v) for c, v in rows if v["exposure"] > 0]
    for case_id, value in open_rows:
        flag = "" if value["secured"] >= value["exposure"] else f"（未获担保{yuan(value['exposure'] - value['secured'])}）"
        yield f"    {case_id}：标的{yuan(value['exposure'])}，已担保{yuan(value['secured'])}{flag}"
    closed = len(rows) - len(open_rows)
    if closed:
        yield f"    另有{closed}件案件标的已了结"
