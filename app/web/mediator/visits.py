"""The mediator's week of site visits, and the form to book one (docs/on-site.md)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import DateField, SelectMultipleField, StringField, TimeField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.extensions import db
from app.models import Case, Mediator
from app.models.types import utcnow
from app.services import visits
from app.services.case_records import WORKLOAD
from app.services.errors import ServiceError
from app.web.forms import BaseForm
from app.web.mediator import bp
from mediation.lifecycle import COURT_TZ, court_date


class VisitForm(BaseForm):
    case_ids = SelectMultipleField(_l("Cases"), coerce=int, option_widget=CheckboxInput(),
                                   widget=ListWidget(prefix_label=False))
    room = StringField(_l("Place at the site"), validators=[InputRequired(), Length(max=100)])
    day = DateField(_l("Day"), validators=[InputRequired()])
    starts = TimeField(_l("Starts at"), validators=[InputRequired()])
    ends = TimeField(_l("Ends at"), validators=[InputRequired()])


def _open_cases() -> list[Case]:
    return list(db.session.scalars(
        select(Case).join(Mediator, Mediator.id == Case.mediator_id)
        .where(Mediator.user_id == current_user.id, Case.status.in_(WORKLOAD),
               Case.accepted_at.is_not(None)).order_by(Case.project_id, Case.id)))


def _week_start() -> date:
    try:
        day = date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        day = court_date(utcnow())
    return day - timedelta(days=day.weekday())


def _render(form: VisitForm | None = None, status: int = 200):
    monday = _week_start()
    start = datetime.combine(monday, time(0), tzinfo=COURT_TZ)
    found = visits.visits_between(actor=current_user, start=start, end=start + timedelta(days=7))
    days = [(monday + timedelta(days=i), [v for v in found if court_date(v.starts_at) == monday + timedelta(days=i)])
            for i in range(7)]
    cases = _open_cases()
    form = form or VisitForm(formdata=None)
    form.case_ids.choices = [(c.id, f"{c.number} · {c.project.name}") for c in cases]
    return render_template("mediator/visits.html", days=days, form=form, monday=monday,
                           previous=monday - timedelta(days=7), following=monday + timedelta(days=7)), status


@bp.get("/visits")
def list_visits():
    return _render()


@bp.post("/visits")
def schedule_visit():
    form = VisitForm()
    form.case_ids.choices = [(c.id, c.number) for c in _open_cases()]
    if not form.validate():
        db.session.rollback()
        return _render(form, 422)
    chosen = [c for c in _open_cases() if c.id in set(form.case_ids.data or [])]
    project_id = chosen[0].project_id if chosen else ""
    starts = datetime.combine(form.day.data, form.starts.data, tzinfo=COURT_TZ)
    ends = datetime.combine(form.day.data, form.ends.data, tzinfo=COURT_TZ)
    try:
        visits.schedule_visit(project_id, form.case_ids.data or [], room=form.room.data,
                              starts_at=starts, ends_at=ends, actor=current_user, now=utcnow())
    except ServiceError as error:
        field = {"starts_at": "starts", "ends_at": "ends"}.get(error.field, error.field)
        if field in form:
            form[field].errors = [*form[field].errors, error.message]
        else:
            form.case_ids.errors = [*form.case_ids.errors, error.message]
        return _render(form, error.status)
    flash(_("The visit was booked and the parties told."), "success")
    return redirect(url_for("mediator.list_visits", week=form.day.data.isoformat()), code=303)
