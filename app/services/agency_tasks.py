"""Tasks the court gives to agencies on a case (九龙治水: each agency a task, an owner, a deadline).

A judge of the case's court gives an agency (the housing bureau, the town government…)
a task with the person responsible and a deadline, then records what the agency did or
withdraws the task. Open tasks past their deadline show as overdue on the case page.
Tasks of a merged case move with its complaints (``app.services.cases.merge_cases``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select, update

from app.access import Permission, can
from app.extensions import db
from app.models import AgencyTask, Case, User
from app.models.referrals import AGENCIES
from app.services.errors import ConflictError, NotFoundError, ServiceError
from app.services.use_case import use_case
from mediation.lifecycle import court_date
from mediation.messages import Msg

__all__ = [
    "TaskSection", "TaskView", "agency_tasks", "cancel_agency_task", "complete_agency_task",
    "create_agency_task", "is_overdue", "task_section",
]


def _managed_case(case_id: int, actor: User) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can(actor, Permission.CASE_MANAGE, case):
        # Someone else's case is reported as missing: its existence is not shown.
        raise NotFoundError(Msg("没有这个案件", "No such case"))
    return case


def _text(value: str | None, field_name: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(Msg("请填写{label}", "Please enter the {label}", label=label), field_name)
    if len(text) > limit:
        raise ServiceError(Msg("{label}不能超过{limit}个字符",
                               "The {label} cannot exceed {limit} characters",
                               label=label, limit=limit), field_name)
    return text


@use_case
def create_agency_task(case_id: int, *, actor: User, now: datetime, agency: str, owner_name: str,
                       description: str, due_on: date | None) -> AgencyTask:
    """Give an agency a task on a case, with the person responsible and a deadline."""
    case = _managed_case(case_id, actor)
    if case.status == "closed":
        raise ServiceError(Msg("案件已结案归档，不能再布置部门任务",
                               "The case is closed and archived; no more agency tasks can be assigned"))
    if agency not in AGENCIES:
        raise ServiceError(Msg("请选择承办部门", "Please choose the agency"), "agency")
    owner = _text(owner_name, "owner_name", Msg("责任人", "person in charge"), 50)
    text = _text(description, "description", Msg("任务内容", "task"), 2000)
    if due_on is None:
        raise ServiceError(Msg("请填写办理期限", "Please enter the deadline"), "due_on")
    if due_on < court_date(now):
        raise ServiceError(Msg("办理期限不能早于今天", "The deadline cannot be before today"), "due_on")
    task = AgencyTask(case_id=case.id, agency=agency, owner_name=owner, description=text,
                      due_on=due_on, status="open", created_by_id=actor.id, created_at=now)
    db.session.add(task)
    db.session.commit()
    return task


def _close_task(task_id: int, *, actor: User, now: datetime, status: str, result: str) -> AgencyTask:
    task = db.session.get(AgencyTask, task_id)
    if task is None:
        raise NotFoundError(Msg("没有这个任务", "No such task"))
    _managed_case(task.case_id, actor)
    # Compare-and-set: of two judges clicking at once, only one closes the task.
    changed = db.session.execute(
        update(AgencyTask).where(AgencyTask.id == task_id, AgencyTask.status == "open")
        .values(status=status, result=result, completed_at=now if status == "done" else None)
    ).rowcount
    if not changed:
        raise ConflictError(Msg("该任务已办结或已撤销", "This task is already done or cancelled"))
    db.session.commit()
    db.session.refresh(task)
    return task


@use_case
def complete_agency_task(task_id: int, *, actor: User, now: datetime, result: str) -> AgencyTask:
    """Record what the agency did; the task is done."""
    text = _text(result, "result", Msg("办理结果", "result"), 2000)
    return _close_task(task_id, actor=actor, now=now, status="done", result=text)


@use_case
def cancel_agency_task(task_id: int, *, actor: User, now: datetime, reason: str) -> AgencyTask:
    """Withdraw a task that is no longer needed, with the reason."""
    text = _text(reason, "result", Msg("撤销理由", "reason for cancelling"), 2000)
    return _close_task(task_id, actor=actor, now=now, status="cancelled", result=text)


def is_overdue(task: AgencyTask, today: date) -> bool:
    """Open past its deadline (the court's date, Asia/Shanghai)."""
    return task.status == "open" and task.due_on < today


@dataclass
class TaskView:
    task: AgencyTask
    overdue: bool = field(default=False)


def agency_tasks(case_id: int, *, now: datetime) -> list[TaskView]:
    """The tasks of a case, open ones first by deadline, each marked overdue or not."""
    today = court_date(now)
    tasks = db.session.scalars(
        select(AgencyTask).where(AgencyTask.case_id == case_id)
        .order_by((AgencyTask.status != "open"), AgencyTask.due_on, AgencyTask.id)).all()
    return [TaskView(t, is_overdue(t, today)) for t in tasks]


#: Who sees a case's agency tasks: the court's people, not the parties.
@dataclass
class TaskSection:
    """The agency-task section of a case's pages, as one viewer sees it."""

    #: None for a viewer who may not see the tasks (the parties): the page shows no section.
    tasks: list[TaskView] | None
    #: Whether the viewer may give tasks and record their results (the case's judges).
    can_manage: bool


def task_section(case: Case, *, viewer: User, now: datetime) -> TaskSection:
    """The tasks ``viewer`` may see on ``case`` (judges and its mediator) and whether they
    may manage them; the parties get no section (``tasks`` is None)."""
    tasks = None  # no section at all, not "no tasks yet" on a case that has some
    if can(viewer, Permission.CASE_TASKS_VIEW, case):
        tasks = agency_tasks(case.id, now=now)
    return TaskSection(tasks=tasks, can_manage=can(viewer, Permission.CASE_TASKS_MANAGE, case))
