"""Triage (立案审查): the judge accepts, rejects or merges the complaints of the court."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.models import Complaint
from app.models.types import utcnow
from app.services import triage as triage_service
from app.services.errors import ServiceError
from app.web.court import bp
from app.web.forms import BaseForm, EmptyForm
from app.web.loading import complaint_or_404


class RejectForm(BaseForm):
    reason = TextAreaField(
        _l("Reason for rejection"),
        validators=[DataRequired(message=_l("Give the reason; the filer will read it.")),
                    Length(max=2000)],
        description=_l("The filer reads this reason on their complaint."))


def _triage_page(*, status: int = 200, error: str | None = None):
    overview = triage_service.triage_overview(current_user.court_id)
    return render_template("court/triage.html", overview=overview,
                           error=error), status


def _load_complaint(complaint_id: int) -> Complaint:
    return complaint_or_404(complaint_id, selectinload(Complaint.claims),
                            selectinload(Complaint.attachments), selectinload(Complaint.responses))


def _complaint_page(complaint_id: int, *, reject_form=None, status: int = 200,
                    error: str | None = None):
    complaint = _load_complaint(complaint_id)
    return render_template(
        "court/complaint.html", complaint=complaint,
        reject_form=reject_form or RejectForm(formdata=None),
        error=error), status


@bp.get("/triage")
def triage():
    return _triage_page()


@bp.get("/complaints/<int(max=2147483647):complaint_id>")
def show_complaint(complaint_id: int):
    return _complaint_page(complaint_id)


@bp.post("/complaints/<int(max=2147483647):complaint_id>/accept")
def accept_complaint(complaint_id: int):
    _load_complaint(complaint_id)
    if not EmptyForm().validate():
        abort(400)
    try:
        case = triage_service.accept_complaint(complaint_id, actor=current_user, now=utcnow())
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        return _complaint_page(complaint_id, status=error.status, error=error.message)
    flash(_("Case %(number)s registered.", number=case.number), "success")
    return redirect(url_for("cases.show_case", case_id=case.id), code=303)


@bp.post("/complaints/<int(max=2147483647):complaint_id>/reject")
def reject_complaint(complaint_id: int):
    _load_complaint(complaint_id)
    form = RejectForm()
    if not form.validate():
        return _complaint_page(complaint_id, reject_form=form, status=422)
    try:
        complaint = triage_service.reject_complaint(complaint_id, actor=current_user, now=utcnow(),
                                                  reason=form.reason.data)
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        if error.field == "reason":
            form.reason.errors = [*form.reason.errors, error.message]
            return _complaint_page(complaint_id, reject_form=form, status=error.status)
        return _complaint_page(complaint_id, reject_form=form, status=error.status,
                               error=error.message)
    flash(_("Complaint %(receipt)s rejected.", receipt=complaint.receipt_no), "success")
    return redirect(url_for("court.triage"), code=303)


@bp.post("/triage/merge")
def merge_complaints():
    if not EmptyForm().validate():
        abort(400)
    into = request.form.get("into_case_id", "").strip() or None
    try:
        case = triage_service.merge_complaints(request.form.getlist("complaint_ids"),
                                             actor=current_user, now=utcnow(), into_case_id=into)
    except ServiceError as error:  # the service rolled back
        if error.status == 404:
            abort(404)
        return _triage_page(status=error.status, error=error.message)
    flash(_("The complaints were gathered into case %(number)s.", number=case.number), "success")
    return redirect(url_for("cases.show_case", case_id=case.id), code=303)
