"""Moving or cancelling a site visit: the visit's mediator or a judge of its court
(someone else's visit is a 404). The service re-runs the clash checks on a move, tells the
parties and re-plans the reminders (docs/on-site.md)."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length

from app.extensions import db
from app.models import Visit
from app.models.types import utcnow
from app.services import visits as visit_service
from app.services.errors import ServiceError
from app.web.forms import BaseForm
from app.web.onsite import bp
from mediation.lifecycle import COURT_TZ


class MoveVisitForm(BaseForm):
    room = StringField(_l("Place at the site"), validators=[InputRequired(), Length(max=100)])
    day = DateField(_l("Day"), validators=[InputRequired()])
    starts = TimeField(_l("Starts at"), validators=[InputRequired()])
    ends = TimeField(_l("Ends at"), validators=[InputRequired()])


class CancelVisitForm(BaseForm):
    reason = TextAreaField(_l("Reason for cancelling"), validators=[DataRequired(), Length(max=500)])


def _visit_or_404(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None or not visit_service.may_change(current_user, visit):
        abort(404)
    return visit


def _render(visit: Visit, *, move_form=None, cancel_form=None, status=200):
    if move_form is None:
        start, end = visit.starts_at.astimezone(COURT_TZ), visit.ends_at.astimezone(COURT_TZ)
        move_form = MoveVisitForm(formdata=None, room=visit.room, day=start.date(), starts=start.time(),
                                  ends=end.time())
    return render_template("onsite/visit.html", visit=visit, move_form=move_form,
                           cancel_form=cancel_form or CancelVisitForm(formdata=None),
                           changeable=visit.status == "planned" and visit.starts_at > utcnow()), status


def _back(visit: Visit):
    if current_user.role == "mediator":
        day = visit.starts_at.astimezone(COURT_TZ).date().isoformat()
        return redirect(url_for("mediator.list_visits", week=day), code=303)
    return redirect(url_for("court.list_visits", project_id=visit.project_id), code=303)


@bp.get("/visits/<int(max=2147483647):visit_id>")
def show_visit(visit_id: int):
    return _render(_visit_or_404(visit_id))


@bp.post("/visits/<int(max=2147483647):visit_id>/move")
def move_visit(visit_id: int):
    visit = _visit_or_404(visit_id)
    form = MoveVisitForm()
    if not form.validate():
        return _render(visit, move_form=form, status=422)
    try:
        visit_service.move_visit(
            visit_id, room=form.room.data, actor=current_user, now=utcnow(),
            starts_at=datetime.combine(form.day.data, form.starts.data, tzinfo=COURT_TZ),
            ends_at=datetime.combine(form.day.data, form.ends.data, tzinfo=COURT_TZ))
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        field = {"starts_at": "starts", "ends_at": "ends", "case_ids": "starts"}.get(error.field, error.field)
        form[field if field in form else "starts"].errors = [*form[field if field in form else "starts"].errors,
                                                            error.message]
        return _render(db.session.get(Visit, visit_id), move_form=form, status=error.status)
    flash(_("The visit was moved and the parties told."), "success")
    return _back(db.session.get(Visit, visit_id))


@bp.post("/visits/<int(max=2147483647):visit_id>/cancel")
def cancel_visit(visit_id: int):
    visit = _visit_or_404(visit_id)
    form = CancelVisitForm()
    if not form.validate():
        return _render(visit, cancel_form=form, status=422)
    try:
        visit_service.cancel_visit(visit_id, reason=form.reason.data, actor=current_user, now=utcnow())
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        form.reason.errors = [*form.reason.errors, error.message]
        return _render(db.session.get(Visit, visit_id), cancel_form=form, status=error.status)
    flash(_("The visit was cancelled and the parties told."), "success")
    return _back(db.session.get(Visit, visit_id))
