"""Bulk actions on the cases a judge ticked in a list: assign, change status, merge.

Assigning and moving call the case use-cases (``app.services.cases``) one row at a time,
each in its own transaction, and report per row what happened, so one refused row never
undoes the others. Merging is all or nothing. Before acting, ``preview_bulk`` shows the
rows as the list shows them, for the judge to confirm.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.access import Permission, can, visible_cases
from app.extensions import db
from app.models import Case, User
from app.services import cases
from app.services.case_lists import CaseRow, load_rows
from app.services.errors import ForbiddenError, ServiceError
from app.services.ids import parse_id
from mediation.lifecycle import CaseStatus, Outcome
from mediation.messages import Msg

log = logging.getLogger(__name__)

__all__ = [
    "BULK_LIMIT", "BulkPreview", "bulk_assign", "bulk_change_status", "bulk_merge",
    "preview_bulk",
]

#: Most cases one bulk action may touch.
BULK_LIMIT = 200


@dataclass
class BulkPreview:
    """The cases a bulk action would touch, and the ids it cannot (unknown or not yours)."""

    rows: list[CaseRow]
    missing: list[int]


_NOT_FOUND = Msg("案件不存在或无权操作", "No such case, or not yours to act on")


def _clean_ids(case_ids) -> list[int]:
    ids: list[int] = []
    for value in case_ids or ():
        number = parse_id(value)
        if number is None:
            raise ServiceError(Msg("所选案件编号无效", "The chosen case numbers are invalid"), "case_ids")
        if number not in ids:
            ids.append(number)
    if not ids:
        raise ServiceError(Msg("请至少选择一件案件", "Please choose at least one case"), "case_ids")
    if len(ids) > BULK_LIMIT:
        raise ServiceError(Msg("一次最多处理 {bulk_limit} 件案件",
                               "At most {bulk_limit} cases at a time",
                               bulk_limit=BULK_LIMIT), "case_ids")
    return ids


def _require_judge(actor: User) -> None:
    if not can(actor, Permission.CASES_BULK):
        raise ForbiddenError(Msg("只有法官可以批量处理案件", "Only a judge can act on several cases at once"))


def _visible_numbers(actor: User, ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        visible_cases(actor, select(Case.id, Case.number)).where(Case.id.in_(ids))).all()
    return dict(rows)


def preview_bulk(case_ids, *, actor: User, now: datetime) -> BulkPreview:
    """The rows a bulk action would touch, as the list shows them (for the confirmation)."""
    _require_judge(actor)
    ids = _clean_ids(case_ids)
    numbers = _visible_numbers(actor, ids)
    rows = load_rows([i for i in ids if i in numbers], now, actor)
    return BulkPreview(rows=rows, missing=[i for i in ids if i not in numbers])


def _report(case_id: int, number: str | None, ok: bool, message: str) -> dict:
    return {"case_id": case_id, "number": number, "ok": ok, "message": message}


def _each_row(case_ids, actor: User, act: Callable[[int], str]) -> list[dict]:
    _require_judge(actor)
    ids = _clean_ids(case_ids)
    numbers = _visible_numbers(actor, ids)
    db.session.rollback()  # end the read; each row below is its own transaction
    report = []
    for case_id in ids:
        if case_id not in numbers:
            report.append(_report(case_id, None, False, _NOT_FOUND))
            continue
        try:
            message = act(case_id)
        except ServiceError as error:
            db.session.rollback()
            report.append(_report(case_id, numbers[case_id], False, error.message))
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("bulk action failed on case %s", case_id)
            report.append(_report(case_id, numbers[case_id], False, Msg("处理失败，请稍后重试", "Failed; please try again later")))
        else:
            report.append(_report(case_id, numbers[case_id], True, message))
    return report


def bulk_assign(case_ids, mediator_id: int, *, actor: User, now: datetime,
                expected: dict[int, str] | None = None) -> list[dict]:
    """Assign one mediator to each case; a per-row report [{case_id, number, ok, message}].

    ``expected`` (case id → status shown at confirmation) makes a row fail rather than act
    on a case someone else changed meanwhile.
    """
    mediator_id = parse_id(mediator_id)
    if mediator_id is None:
        raise ServiceError(Msg("请选择调解员", "Please choose a mediator"), "mediator_id")
    expected = {int(k): v for k, v in (expected or {}).items()}

    def act(case_id: int) -> str:
        cases.assign_mediator(case_id, mediator_id, actor=actor, now=now,
                              expected_status=expected.get(case_id))
        return Msg("已分派调解员", "Mediator assigned")

    return _each_row(case_ids, actor, act)


def bulk_change_status(case_ids, to: str, *, actor: User, now: datetime, reason: str | None,
                       outcome: str | None = None,
                       expected: dict[int, str] | None = None) -> list[dict]:
    """Move each case to ``to``; ``expected`` (case id → status shown at confirmation) makes
    a row fail rather than act on a case someone else changed meanwhile."""
    if to not in {s.value for s in CaseStatus}:
        raise ServiceError(Msg("请选择目标状态", "Please choose the new status"), "to")
    if outcome in ("", None):
        outcome = None
    elif outcome not in {o.value for o in Outcome}:
        raise ServiceError(Msg("未知的结案方式", "Unknown way of closing"), "outcome")
    reason = (reason or "").strip() or None
    expected = {int(k): v for k, v in (expected or {}).items()}
    label = CaseStatus.msg(to)

    def act(case_id: int) -> str:
        cases.transition_case(case_id, to, actor=actor, now=now, reason=reason,
                              outcome=outcome, expected_status=expected.get(case_id))
        return Msg("状态已变更为“{label}”", "Now “{label}”", label=label)

    return _each_row(case_ids, actor, act)


def bulk_merge(case_ids, *, actor: User, now: datetime) -> list[dict]:
    """Merge the cases into one group case, all or nothing; the report names the result."""
    _require_judge(actor)
    ids = _clean_ids(case_ids)
    numbers = _visible_numbers(actor, ids)
    missing = [i for i in ids if i not in numbers]
    if missing:
        return [_report(i, numbers.get(i), False, _NOT_FOUND if i in missing else
                        Msg("未合并：所选案件中有不存在或无权操作的案件",
                            "Not merged: some chosen cases do not exist or are not yours")) for i in ids]
    if len(ids) < 2:
        raise ServiceError(Msg("合并至少需要选择两件案件", "Choose at least two cases to merge"), "case_ids")
    db.session.rollback()
    try:
        merged = cases.merge_cases(ids, actor=actor, now=now)
        target_id, target_number = merged.id, merged.number
    except ServiceError as error:
        db.session.rollback()
        return [_report(i, numbers[i], False, error.message) for i in ids]
    return [_report(i, numbers[i], True,
                    Msg("合并后的案件", "The merged case") if i == target_id
                    else Msg("已并入{n}", "Merged into {n}", n=target_number)) for i in ids]
