"""Agency tasks on a case (九龙治水, docs/court-rules.md): a judge gives the housing bureau, the
petition office, the police… a task with a person responsible and a deadline.

The list and its forms are a partial, ``court/_agency_tasks.html``, which shows the
section ``app.services.agency_tasks.task_section`` returns: the case page has it from
its service (``page.tasks``), and ``/court/cases/<id>/tasks`` shows the same partial on
its own page, which also re-displays a refused form with its errors (422).
"""
from __future__ import annotations


from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.access import Permission, can
from app.extensions import db
from app.models import AgencyTask, Case
from app.models.types import utcnow
from app.services import agency_tasks
from app.services.errors import ServiceError
from app.web.auth import safe_next
from app.web.court import bp
from app.web.forms import BaseForm
from app.web.referrals import agency_choices, agency_label

TASK_STATUS_LABELS = {"open": _l("Open"), "done": _l("Completed"), "cancelled": _l("Cancelled")}


class AgencyTaskForm(BaseForm):
    agency = SelectField(_l("Agency"), choices=agency_choices)
    owner_name = StringField(_l("Person responsible"),
                             validators=[DataRequired(_l("Name the person responsible.")),
                                         Length(max=50)])
    description = TextAreaField(_l("Task"), validators=[DataRequired(_l("Describe the task.")),
                                                        Length(max=2000)])
    due_on = DateField(_l("Due date"), validators=[DataRequired(_l("Give a deadline (YYYY-MM-DD)."))])
    next = HiddenField()


class TaskResultForm(BaseForm):
    result = TextAreaField(_l("Result or reason"),
                           validators=[DataRequired(_l("Write the result (or the reason to cancel).")),
                                       Length(max=2000)])
    next = HiddenField()


def new_task_form() -> AgencyTaskForm:
    """Template helper: the empty form that gives a case a task."""
    return AgencyTaskForm(formdata=None)


def result_form(task: AgencyTask) -> TaskResultForm:
    """Template helper: the empty form that records a task's result."""
    return TaskResultForm(formdata=None, prefix=f"task{task.id}")


def task_status_label(status: str) -> str:
    return str(TASK_STATUS_LABELS.get(status, status))


def _load_case(case_id: int, *, manage: bool) -> Case:
    case = db.session.get(Case, case_id)
    allowed = case is not None and can(
        current_user, Permission.CASE_TASKS_MANAGE if manage else Permission.CASE_TASKS_VIEW, case)
    if not allowed:
        abort(404)
    return case


def _tasks_page(case: Case, status: int = 200, next_url: str | None = None, **forms):
    back = safe_next(next_url) or url_for("court.show_agency_tasks", case_id=case.id)
    tasks = agency_tasks.task_section(case, viewer=current_user, now=utcnow())
    return render_template("court/agency_tasks.html", case=case, tasks=tasks, task_back=back,
                           **forms), status


@bp.get("/cases/<int(max=2147483647):case_id>/tasks")
def show_agency_tasks(case_id: int):
    return _tasks_page(_load_case(case_id, manage=False))


@bp.post("/cases/<int(max=2147483647):case_id>/tasks")
def create_agency_task(case_id: int):
    case = _load_case(case_id, manage=True)
    form = AgencyTaskForm()
    if form.validate_on_submit():
        try:
            agency_tasks.create_agency_task(
                case.id, actor=current_user, now=utcnow(), agency=form.agency.data,
                owner_name=form.owner_name.data, description=form.description.data,
                due_on=form.due_on.data)
        except ServiceError as error:
            target = getattr(form, error.field, None) if error.field else None
            if target is None:
                flash(error.message, "error")
            else:
                target.errors = list(target.errors) + [error.message]
        else:
            flash(_("The task was given to %(agency)s.", agency=agency_label(form.agency.data)),
                  "success")
            return redirect(safe_next(form.next.data)
                            or url_for("court.show_agency_tasks", case_id=case.id))
    return _tasks_page(case, 422, form.next.data, task_form=form)


def _close(task_id: int, service):
    task = db.session.get(AgencyTask, task_id)
    if task is None:
        abort(404)
    case = _load_case(task.case_id, manage=True)
    form = TaskResultForm(prefix=f"task{task.id}")
    if form.validate_on_submit():
        try:
            service(task.id, actor=current_user, now=utcnow(), text=form.result.data)
        except ServiceError as error:
            if error.field:
                form.result.errors = list(form.result.errors) + [error.message]
            else:  # already closed by someone else: nothing to show next to a field
                flash(error.message, "error")
        else:
            return redirect(safe_next(form.next.data)
                            or url_for("court.show_agency_tasks", case_id=case.id))
    return _tasks_page(case, 422, form.next.data, result_forms={task.id: form})


@bp.post("/tasks/<int(max=2147483647):task_id>/complete")
def complete_agency_task(task_id: int):
    def service(tid, *, actor, now, text):
        agency_tasks.complete_agency_task(tid, actor=actor, now=now, result=text)
        flash(_("The task is recorded as done."), "success")

    return _close(task_id, service)


@bp.post("/tasks/<int(max=2147483647):task_id>/cancel")
def cancel_agency_task(task_id: int):
    def service(tid, *, actor, now, text):
        agency_tasks.cancel_agency_task(tid, actor=actor, now=now, reason=text)
        flash(_("The task was cancelled."), "info")

    return _close(task_id, service)
