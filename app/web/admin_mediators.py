"""The clerk's mediator registry: ``/admin/mediators`` (admin role, the clerk's own court).

Load → check (``mediator_registry.mediator_for_clerk``: another court's mediator is a 404)
→ one service call → redirect, or the form again with the refusal next to its field.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import (
    BooleanField, DateField, FloatField, IntegerField, SelectField, SelectMultipleField, StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.extensions import db
from app.models import Developer, Town
from app.models.mediators import MEDIATOR_KINDS
from app.models.types import utcnow
from app.services import mediator_registry as registry
from app.services.errors import ServiceError
from app.web.forms import BaseForm
from app.web.admin import bp
from app.web.forms import EmptyForm
from mediation.disputes import DisputeType

KIND_LABELS = {
    "court": _l("Court mediator"),
    "invited": _l("Specially invited mediator"),
    "housing_bureau": _l("Housing bureau mediator"),
    "lawyer": _l("Lawyer mediator"),
}
assert set(KIND_LABELS) == set(MEDIATOR_KINDS)


class MediatorForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()), validators=[InputRequired()])
    skills = SelectMultipleField(_l("Skills (dispute types)"), option_widget=CheckboxInput(),
                                 widget=ListWidget(prefix_label=False))
    home_town_id = SelectField(_l("Base town"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                               validators=[Optional()])
    base_lat = FloatField(_l("Base latitude"), validators=[Optional(), NumberRange(-90, 90)])
    base_lon = FloatField(_l("Base longitude"), validators=[Optional(), NumberRange(-180, 180)])
    capacity = IntegerField(_l("Capacity (open cases at once)"),
                            validators=[InputRequired(), NumberRange(0, registry.MAX_CAPACITY)])
    active = BooleanField(_l("In service"))


class LeaveForm(BaseForm):
    starts_on = DateField(_l("First day of leave"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day of leave"), validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class ConflictForm(BaseForm):
    developer_id = SelectField(_l("Developer"), coerce=int, validators=[InputRequired()])
    reason = StringField(_l("Ground of the conflict"), validators=[InputRequired(), Length(max=200)])


def _choices(form: MediatorForm | None, conflict: ConflictForm | None) -> None:
    if form is not None:
        locale = str(get_locale())
        form.skills.choices = [(t.value, t.label(locale)) for t in DisputeType]
        towns = db.session.scalars(select(Town).order_by(Town.county, Town.name))
        form.home_town_id.choices = [(None, "—"), *((t.id, t.name) for t in towns)]
    if conflict is not None:
        developers = db.session.scalars(select(Developer).order_by(Developer.name))
        conflict.developer_id.choices = [(d.id, d.name) for d in developers]


@bp.get("/mediators")
def list_mediators():
    court_id = current_user.court_id
    return render_template("admin/mediators.html", mediators=registry.court_mediators(court_id),
                           loads=registry.workloads(court_id), kinds=KIND_LABELS)


def _render_edit(mediator, form=None, leave=None, conflict=None, status=200):
    form = form or MediatorForm(obj=mediator, formdata=None)
    leave = leave or LeaveForm(formdata=None)
    conflict = conflict or ConflictForm(formdata=None)
    _choices(form, conflict)
    return render_template("admin/mediator_edit.html", mediator=mediator, form=form,
                           leave_form=leave, conflict_form=conflict, empty=EmptyForm(),
                           kinds=KIND_LABELS), status


def _refused(mediator, error: ServiceError, form, **forms):
    if error.status == 404:
        abort(404)
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "error")
    return _render_edit(mediator, status=error.status, **forms)


def _load(mediator_id: int):
    try:
        return registry.mediator_for_clerk(mediator_id, current_user)
    except ServiceError:
        abort(404)


@bp.get("/mediators/<int(max=2147483647):mediator_id>")
def edit_mediator(mediator_id: int):
    return _render_edit(_load(mediator_id))


@bp.post("/mediators/<int(max=2147483647):mediator_id>")
def update_mediator(mediator_id: int):
    mediator = _load(mediator_id)
    form = MediatorForm()
    _choices(form, None)
    if not form.validate():
        db.session.rollback()
        return _render_edit(mediator, form=form, status=422)
    edit = registry.MediatorEdit(
        kind=form.kind.data, skills=tuple(form.skills.data or ()),
        home_town_id=form.home_town_id.data, base_lat=form.base_lat.data,
        base_lon=form.base_lon.data, capacity=form.capacity.data, active=bool(form.active.data))
    try:
        registry.update_mediator(mediator_id, edit, actor=current_user, now=utcnow())
    except ServiceError as error:
        return _refused(_load(mediator_id), error, form, form=form)
    flash(_("The mediator was saved."), "success")
    return redirect(url_for("admin.edit_mediator", mediator_id=mediator_id), code=303)


@bp.post("/mediators/<int(max=2147483647):mediator_id>/leave")
def add_leave(mediator_id: int):
    mediator = _load(mediator_id)
    form = LeaveForm()
    if not form.validate():
        db.session.rollback()
        return _render_edit(mediator, leave=form, status=422)
    try:
        registry.add_leave(mediator_id, form.starts_on.data, form.ends_on.data, form.reason.data,
                           actor=current_user, now=utcnow())
    except ServiceError as error:
        return _refused(_load(mediator_id), error, form, leave=form)
    flash(_("The leave was recorded."), "success")
    return redirect(url_for("admin.edit_mediator", mediator_id=mediator_id), code=303)


@bp.post("/mediators/<int(max=2147483647):mediator_id>/leave/<int(max=2147483647):leave_id>/delete")
def remove_leave(mediator_id: int, leave_id: int):
    _load(mediator_id)
    if not EmptyForm().validate():
        abort(400)
    registry.remove_leave(mediator_id, leave_id, actor=current_user, now=utcnow())
    return redirect(url_for("admin.edit_mediator", mediator_id=mediator_id), code=303)


@bp.post("/mediators/<int(max=2147483647):mediator_id>/conflicts")
def add_conflict(mediator_id: int):
    mediator = _load(mediator_id)
    form = ConflictForm()
    _choices(None, form)
    if not form.validate():
        db.session.rollback()
        return _render_edit(mediator, conflict=form, status=422)
    try:
        registry.add_conflict(mediator_id, form.developer_id.data, form.reason.data,
                              actor=current_user, now=utcnow())
    except ServiceError as error:
        return _refused(_load(mediator_id), error, form, conflict=form)
    flash(_("The conflict was recorded."), "success")
    return redirect(url_for("admin.edit_mediator", mediator_id=mediator_id), code=303)


@bp.post("/mediators/<int(max=2147483647):mediator_id>/conflicts/<int(max=2147483647):conflict_id>/delete")
def remove_conflict(mediator_id: int, conflict_id: int):
    _load(mediator_id)
    if not EmptyForm().validate():
        abort(400)
    registry.remove_conflict(mediator_id, conflict_id, actor=current_user, now=utcnow())
    return redirect(url_for("admin.edit_mediator", mediator_id=mediator_id), code=303)
