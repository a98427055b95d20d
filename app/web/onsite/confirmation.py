"""Judicial confirmation in the browser: each party applies; a judge confirms or refuses."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.models.types import utcnow
from app.services import confirmation as service
from app.services.errors import ServiceError
from app.web.forms import BaseForm
from app.web.onsite import bp


class ApplyForm(BaseForm):
    pass


class DecideForm(BaseForm):
    decision = RadioField(_l("Ruling"), choices=[("confirm", _l("Confirm the agreement as valid")),
                                                 ("refuse", _l("Refuse the application"))],
                          validators=[InputRequired()])
    ground = TextAreaField(_l("Ground"), validators=[Optional(), Length(max=4000)])


def _render(case_id: int, *, decide_form=None, status=200):
    try:
        view = service.confirmation_page(current_user, case_id)
    except ServiceError:
        abort(404)
    return render_template("onsite/confirmation.html", view=view, case=view.case, apply_form=ApplyForm(formdata=None),
                           decide_form=decide_form or DecideForm(formdata=None)), status


@bp.get("/cases/<int(max=2147483647):case_id>/confirmation")
def show_confirmation(case_id: int):
    return _render(case_id)


@bp.post("/agreements/<int(max=2147483647):agreement_id>/confirmation")
def apply_for_confirmation(agreement_id: int):
    case_id = service.case_id_of_agreement(current_user, agreement_id)
    if case_id is None:
        abort(404)
    if not ApplyForm().validate():
        abort(400)
    try:
        application = service.apply_for_confirmation(agreement_id, actor=current_user, now=utcnow(),
                                                     ip=request.remote_addr or "")
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
        return _render(case_id, status=error.status)
    flash(_("The joint application is complete: a judge will rule on it.") if application.status == "pending"
          else _("You applied. The application is joint: the other parties must apply too."), "success")
    return redirect(url_for("onsite.show_confirmation", case_id=case_id), code=303)


@bp.post("/confirmations/<int(max=2147483647):application_id>/decide")
def decide_confirmation(application_id: int):
    case_id = service.case_id_of_application(current_user, application_id)
    if case_id is None:
        abort(404)
    form = DecideForm()
    if not form.validate():
        return _render(case_id, decide_form=form, status=422)
    try:
        service.decide_confirmation(application_id, actor=current_user, now=utcnow(),
                                    confirm=form.decision.data == "confirm", ground=form.ground.data or "")
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        if error.field in form:
            form[error.field].errors = [*form[error.field].errors, error.message]
        else:
            flash(error.message, "error")
        return _render(case_id, decide_form=form, status=error.status)
    flash(_("The ruling was issued."), "success")
    return redirect(url_for("onsite.show_confirmation", case_id=case_id), code=303)
