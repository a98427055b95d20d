"""A case's sessions: the mediator records one; each party who attended confirms the record."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.types import utcnow
from app.services import sessions as session_service
from app.services.errors import ServiceError
from app.web.agreements import CodeSignForm, SendCodeForm
from app.web.forms import BaseForm
from app.web.onsite import bp
from mediation.lifecycle import COURT_TZ
from mediation.sessions import Attendance, SessionError, SessionOutcome, SessionRecord, offers_from_text


class SessionForm(BaseForm):
    day = DateField(_l("Day"), validators=[InputRequired()])
    starts = TimeField(_l("Starts at"), validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=100)])
    present = SelectMultipleField(_l("Present"), option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
                                  validators=[Optional()])
    notes = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=20000)])
    offers = TextAreaField(_l("Offers: who | what | amount"), validators=[Optional(), Length(max=5000)])
    outcome = SelectField(_l("Outcome"), choices=[
        (SessionOutcome.CONTINUED.value, _l("Mediation continues")),
        (SessionOutcome.SETTLED.value, _l("Terms reached: record the agreement next")),
        (SessionOutcome.FAILED.value, _l("Mediation failed: end it"))])
    ground = TextAreaField(_l("Ground of the failure"), validators=[Optional(), Length(max=2000)])


class ConfirmForm(BaseForm):
    password = PasswordField(_l("Your password, to confirm"), validators=[DataRequired(), Length(max=256)])


def _render(case_id: int, *, form=None, confirm_form=None, code_form=None, status=200):
    try:
        view = session_service.session_page(current_user, case_id)
    except ServiceError:
        abort(404)
    form = form or SessionForm(formdata=None)
    form.present.choices = [(k, f"{role} {name}") for k, role, name in view.parties]
    return render_template("onsite/sessions.html", view=view, case=view.case, form=form,
                           confirm_form=confirm_form or ConfirmForm(formdata=None),
                           code_form=code_form or CodeSignForm(formdata=None),
                           send_code_form=SendCodeForm(formdata=None)), status


@bp.get("/cases/<int(max=2147483647):case_id>/sessions")
def show_sessions(case_id: int):
    return _render(case_id)


@bp.post("/cases/<int(max=2147483647):case_id>/sessions")
def record_session(case_id: int):
    try:
        view = session_service.session_page(current_user, case_id)
    except ServiceError:
        abort(404)
    form = SessionForm()
    form.present.choices = [(k, name) for k, _role, name in view.parties]
    if not form.validate():
        return _render(case_id, form=form, status=422)
    present = set(form.present.data or [])
    try:
        record = SessionRecord(
            held_at=datetime.combine(form.day.data, form.starts.data, tzinfo=COURT_TZ), place=form.place.data,
            attendance=tuple(Attendance(k, k in present) for k, _r, _n in view.parties), notes=form.notes.data,
            offers=offers_from_text(form.offers.data), outcome=SessionOutcome(form.outcome.data),
            ground=form.ground.data or "")
        session_service.record_session(case_id, record, actor=current_user, now=utcnow())
    except SessionError as error:
        form[error.field].errors = [*form[error.field].errors, error.message]
        return _render(case_id, form=form, status=422)
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        field = {"held_at": "day"}.get(error.field, error.field)
        if field and field in form:
            form[field].errors = [*form[field].errors, error.message]
            return _render(case_id, form=form, status=error.status)
        if error.status == 403:
            abort(403)
        flash(error.message, "error")
        return _render(case_id, form=form, status=error.status)
    flash(_("The session was recorded; the parties who attended are asked to confirm it."), "success")
    return redirect(url_for("onsite.show_sessions", case_id=case_id), code=303)


@bp.post("/sessions/<int(max=2147483647):mediation_session_id>/code")
def send_confirmation_code(mediation_session_id: int):
    """Text a present party a one-time code for confirming this record."""
    case_id = session_service.case_id_of(current_user, mediation_session_id)
    if case_id is None:
        abort(404)
    if not SendCodeForm().validate():
        abort(400)
    try:
        masked = session_service.send_confirmation_code(mediation_session_id, actor=current_user, now=utcnow(),
                                                        ip=request.remote_addr or "")
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        code_form = CodeSignForm(formdata=None)
        code_form.code.errors = [error.message]
        return _render(case_id, code_form=code_form, status=error.status)
    flash(_("A code was texted to %(phone)s; it is valid for 5 minutes.", phone=masked), "success")
    return redirect(url_for("onsite.show_sessions", case_id=case_id), code=303)


@bp.post("/sessions/<int(max=2147483647):mediation_session_id>/confirm")
def confirm_session(mediation_session_id: int):
    """Confirm by password (field ``password``) or by the texted code (field ``code``)."""
    case_id = session_service.case_id_of(current_user, mediation_session_id)
    if case_id is None:
        abort(404)
    by_code = "code" in request.form
    form = CodeSignForm() if by_code else ConfirmForm()
    field = form.code if by_code else form.password
    forms = {"code_form": form} if by_code else {"confirm_form": form}
    if not form.validate():
        return _render(case_id, status=422, **forms)
    try:
        session_service.confirm_session(
            mediation_session_id, actor=current_user, now=utcnow(), ip=request.remote_addr or "",
            **({"code": form.code.data} if by_code else {"password": form.password.data}))
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        field.errors = [*field.errors, error.message]
        return _render(case_id, status=error.status, **forms)
    flash(_("You confirmed the record."), "success")
    return redirect(url_for("onsite.show_sessions", case_id=case_id), code=303)
