"""The agreement page of a case: the mediator records the terms, each party signs online.

Any logged-in user reaches this blueprint; the services decide per case (someone else's
case is a 404). Signing asks for the password again, or a one-time code texted to the
party's phone ("Text me a code", then the code); the service keeps time, IP, method and
the SHA-256 of what was signed (docs/settlement.md).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.models.types import utcnow
from app.services import agreements as agreement_service
from app.services.errors import ServiceError
from app.web.forms import BaseForm
from mediation.agreements import AgreementError, content_from_text

bp = Blueprint("agreements", __name__)


class AgreementForm(BaseForm):
    terms = TextAreaField(_l("Terms, one per line"), validators=[DataRequired(), Length(max=20000)])
    payments = TextAreaField(_l("Payment schedule: due date | payer | payee | amount | claim settled"),
                             validators=[Optional(), Length(max=10000)])
    milestones = TextAreaField(_l("Milestones: what | who | due date | amount | claim settled"),
                               validators=[Optional(), Length(max=10000)])
    guarantees = TextAreaField(_l("Guarantees: guarantor | what it secures"),
                               validators=[Optional(), Length(max=5000)])


class SignForm(BaseForm):
    password = PasswordField(_l("Your password, to sign"), validators=[DataRequired(), Length(max=256)])


class CodeSignForm(BaseForm):
    """Signing with the one-time code texted to the party's phone."""

    code = StringField(_l("Code from the text message"), validators=[DataRequired(), Length(max=12)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})


class SendCodeForm(BaseForm):
    """"Text me a code": no field but the CSRF token."""


def _render(case_id: int, *, form=None, sign_form=None, code_form=None, warnings=(), status=200):
    try:
        view = agreement_service.agreement_page(current_user, case_id)
    except ServiceError:
        abort(404)
    return render_template("agreements/show.html", view=view, case=view.case, form=form or AgreementForm(formdata=None),
                           sign_form=sign_form or SignForm(formdata=None),
                           code_form=code_form or CodeSignForm(formdata=None),
                           send_code_form=SendCodeForm(formdata=None), warnings=warnings), status


@bp.get("/cases/<int(max=2147483647):case_id>/agreement")
def show_agreement(case_id: int):
    return _render(case_id)


@bp.post("/cases/<int(max=2147483647):case_id>/agreement")
def record_agreement(case_id: int):
    form = AgreementForm()
    if not form.validate():
        return _render(case_id, form=form, status=422)
    try:
        content = content_from_text(form.terms.data, form.payments.data, form.milestones.data, form.guarantees.data)
        warnings = agreement_service.record_agreement(case_id, content, actor=current_user, now=utcnow())[1]
    except AgreementError as error:
        form[error.field].errors = [*form[error.field].errors, error.message]
        return _render(case_id, form=form, status=422)
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        if error.field and error.field in form:
            form[error.field].errors = [*form[error.field].errors, error.message]
            return _render(case_id, form=form, status=error.status)
        abort(error.status)
    for warning in warnings:
        flash(warning.in_locale(str(get_locale())), "warning")
    flash(_("The agreement was recorded; the parties can now sign it."), "success")
    return redirect(url_for("agreements.show_agreement", case_id=case_id), code=303)


@bp.post("/agreements/<int(max=2147483647):agreement_id>/code")
def send_signing_code(agreement_id: int):
    """Text the party a one-time code for signing this version of the agreement."""
    case_id = agreement_service.case_id_of(current_user, agreement_id)
    if case_id is None:
        abort(404)
    form = SendCodeForm()
    if not form.validate():
        abort(400)
    try:
        masked = agreement_service.send_signing_code(agreement_id, actor=current_user, now=utcnow(),
                                                     ip=request.remote_addr or "")
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        code_form = CodeSignForm(formdata=None)
        code_form.code.errors = [error.message]
        return _render(case_id, code_form=code_form, status=error.status)
    flash(_("A code was texted to %(phone)s; it is valid for 5 minutes.", phone=masked), "success")
    return redirect(url_for("agreements.show_agreement", case_id=case_id, _anchor=f"sign-{agreement_id}"), code=303)


@bp.post("/agreements/<int(max=2147483647):agreement_id>/sign")
def sign_agreement(agreement_id: int):
    """Sign by password (field ``password``) or by the texted code (field ``code``)."""
    case_id = agreement_service.case_id_of(current_user, agreement_id)
    if case_id is None:
        abort(404)
    by_code = "code" in request.form
    form = CodeSignForm() if by_code else SignForm()
    field = form.code if by_code else form.password
    forms = {"code_form": form} if by_code else {"sign_form": form}
    if not form.validate():
        return _render(case_id, status=422, **forms)
    try:
        agreement = agreement_service.sign_agreement(
            agreement_id, actor=current_user, now=utcnow(), ip=request.remote_addr or "",
            **({"code": form.code.data} if by_code else {"password": form.password.data}))
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        field.errors = [*field.errors, error.message]
        return _render(case_id, status=error.status, **forms)
    flash(_("The agreement took effect: every party has signed.") if agreement.status == "effective"
          else _("You signed the agreement. It takes effect when every party has signed."), "success")
    return redirect(url_for("agreements.show_agreement", case_id=case_id), code=303)
