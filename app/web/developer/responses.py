"""Complaints against the company, and its answers to them (答辩/回应)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.models import Complaint
from app.models.types import utcnow
from app.services import complaint_lists, intake
from app.services.errors import ServiceError
from app.services.ids import parse_id
from app.web.developer import bp
from app.web.intake_forms import ResponseForm, apply_errors, uploaded_files
from app.web.loading import complaint_or_404


@bp.get("/complaints")
def list_complaints():
    before = request.args.get("before", "")
    before_id = parse_id(before)
    against = complaint_lists.complaints_against(current_user, before_id=before_id, limit=50)
    return render_template(
        "developer/complaints.html", complaints=against,
        own_filings=complaint_lists.complaints_filed_by_company(current_user) if before_id is None else [],
        next_before=against[-1].id if len(against) == 50 else None)


def _render(complaint: Complaint, form: ResponseForm, status: int = 200):
    may_respond = intake.may_respond(current_user, complaint)
    return render_template("developer/complaint.html", complaint=complaint,
                           response_form=form if may_respond else None), status


@bp.get("/complaints/<int(max=2147483647):complaint_id>")
def show_complaint(complaint_id: int):
    return _render(complaint_or_404(complaint_id), ResponseForm())


@bp.post("/complaints/<int(max=2147483647):complaint_id>/responses")
def respond_to_complaint(complaint_id: int):
    complaint = complaint_or_404(complaint_id)
    form = ResponseForm()
    if form.validate_on_submit():
        try:
            intake.respond_to_complaint(actor=current_user, now=utcnow(), complaint_id=complaint.id,
                                        text=form.text.data, files=uploaded_files(form))
        except ServiceError as error:
            if error.status == 404:
                abort(404)
            apply_errors(form, error.errors or [{"field": "text", "message": error.message}])
        else:
            flash(_("Your response has been recorded."), "success")
            return redirect(url_for("developer.show_complaint", complaint_id=complaint.id))
    return _render(complaint, form, 422)
