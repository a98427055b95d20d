"""Every refusal speaks both languages: no bare Chinese text where a user will read it.

A Chinese string literal (or f-string) in a ``raise``, in a call to a ``…Error`` class
(``ServiceError``, ``ValidationError``, ``DamagesInputError`` …), in a form error
(``errors.add``/``form.x.errors.append``) or in ``flash`` must sit inside ``Msg(zh, en)``,
so the English interface and the API can show its English. The test lists each offender
as ``file:line`` (docs/languages.md says how to write the message).

Out of scope: ``risk/plan.py`` and ``risk/plan_report.py`` (the planner's command-line
contract prints Chinese, docs/contracts.md), and texts that are not refusals (the
damages calculator's worked steps, notes, labels).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from mediation.damages import DamagesInputError, late_delivery_damages
from mediation.lifecycle import CaseStatus
from mediation.messages import Msg, localize

ROOT = Path(__file__).resolve().parents[2]
#: The packages whose refusals reach a user.
PACKAGES = ("mediation", "risk", "app/services", "app/api", "app/web")
#: The release planner's command-line contract (docs/contracts.md) speaks Chinese only.
EXCLUDED = {"risk/plan.py", "risk/plan_report.py"}
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def _chinese(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(CJK.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_chinese(v) for v in node.values)
    return False


def _is_msg(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Name) and node.func.id == "Msg")
        or (isinstance(node.func, ast.Attribute) and node.func.attr == "Msg"))


def _bare_chinese(node: ast.AST) -> list[ast.AST]:
    """Chinese literals under ``node`` that are not inside a ``Msg(…)`` call."""
    if _is_msg(node):
        return []
    if _chinese(node):
        return [node]
    return [found for child in ast.iter_child_nodes(node) for found in _bare_chinese(child)]


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _user_facing(node: ast.AST) -> bool:
    """A raise, an error constructed, a form error added (``add_error``, ``errors.append``), a flash."""
    if isinstance(node, ast.Raise):
        return node.exc is not None
    if not isinstance(node, ast.Call):
        return False
    name = _call_name(node)
    if "error" in name.lower() or name in ("flash", "err"):  # add_error(errors, field, "…")
        return True
    return (name in ("add", "append") and isinstance(node.func, ast.Attribute)
            and "error" in ast.unparse(node.func.value).lower())


def offenders(source: str, filename: str) -> list[str]:
    found: dict[tuple[int, int], str] = {}
    for node in ast.walk(ast.parse(source, filename)):
        if _user_facing(node):
            for literal in _bare_chinese(node.exc if isinstance(node, ast.Raise) else node):
                found[(literal.lineno, literal.col_offset)] = (
                    f"{filename}:{literal.lineno}: {ast.unparse(literal)[:80]}")
    return [found[key] for key in sorted(found)]


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name not in EXCLUDED:
                yield name, path.read_text(encoding="utf-8")


def test_every_refusal_in_the_code_carries_its_english():
    bad = [line for name, source in _sources() for line in offenders(source, name)]
    assert not bad, ("Chinese text outside Msg(zh, en) where a user reads it "
                     "(docs/languages.md):\n" + "\n".join(bad))


def test_the_sources_are_really_read():
    names = [name for name, _ in _sources()]
    assert "mediation/damages.py" in names and "app/services/cases.py" in names
    assert "risk/plan_report.py" not in names


@pytest.mark.parametrize("snippet", [
    'raise ServiceError("案件不存在")',
    'raise ValueError(f"第{n}行有误")',
    'error = NotFoundError("没有这个案件", "id")',
    'form.name.errors.append("请填写姓名")',
    'errors.add("phone", "请填写联系电话")',
    'add_error(errors, "facts", "请填写事实与理由")',
    'flash("已保存")',
    'raise ServiceError("前缀" + "、".join(items))',
])
def test_the_check_finds_each_kind_of_bare_chinese(snippet):
    found = offenders(snippet, "x.py")
    assert found and found[0] == f"x.py:1: {ast.unparse(_first_cjk(snippet))[:80]}"


def _first_cjk(snippet):
    return next(n for n in ast.walk(ast.parse(snippet)) if _chinese(n))


@pytest.mark.parametrize("snippet", [
    'raise ServiceError(Msg("案件不存在", "No such case"))',
    'raise ServiceError(Msg("第{n}行", "Row {n}", n=f"{n}号"))',
    'flash(Msg("已保存", "Saved"))',
    'steps.append(f"逾期{days}天")',  # a worked step, not a refusal
    'raise ServiceError(message)',
])
def test_the_check_leaves_messages_and_non_refusals_alone(snippet):
    assert offenders(snippet, "x.py") == []


def test_a_message_parameter_is_shown_in_the_language_around_it():
    m = Msg("案件状态为“{s}”", "The case is “{s}”", s=CaseStatus.msg("registered"))
    assert m == "案件状态为“已登记”" and m.en == "The case is “Registered”"
    assert CaseStatus.msg("nonsense") == "nonsense" and CaseStatus.msg("nonsense").en == "nonsense"


def test_a_domain_refusal_with_a_field_label_reads_well_in_english():
    from datetime import date
    with pytest.raises(DamagesInputError) as refused:
        late_delivery_damages(price_fen=-1, promised_on=date(2024, 1, 1),
                              delivered_on=date(2024, 3, 1), daily_rate_permille="0.5")
    assert refused.value.message == "房价款不能为负数"
    assert localize(refused.value.message, "en") == "The price cannot be negative"


def test_joining_a_message_with_text_keeps_both_languages():
    m = Msg("案件", "Case")
    assert (m + Msg("已结案", " closed")).en == "Case closed"
    assert ("（2026）" + m) == "（2026）案件" and ("（2026）" + m).en == "（2026）Case"
    assert (m + " 1").en == "Case 1" and (m + " 1") == "案件 1"


def test_timeline_lines_the_rules_write_carry_their_english():
    from datetime import datetime, timezone

    from mediation.delegation import EXPIRY_REASON, accept_delegation
    from mediation.lifecycle import CaseState, apply_transition, close_as_merged

    now = datetime(2026, 9, 29, 2, 0, tzinfo=timezone.utc)
    assigned = apply_transition(CaseState(), "assigned", actor_role="judge", now=now).state
    reason = accept_delegation(assigned, actor_role="mediator", now=now).event.reason
    assert reason.startswith("调解员接受委派") and reason.en.startswith("The mediator accepted")
    assert "2026-09-29" in reason.en
    merged = close_as_merged(CaseState(), actor_role="judge", now=now, into="（2026）琼9005民诉前调7号")
    assert merged.event.reason.en == "Merged into （2026）琼9005民诉前调7号"
    assert "art. 25" in EXPIRY_REASON.en
