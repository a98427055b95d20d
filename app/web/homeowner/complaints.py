"""Following a complaint: its status, the court's decision, the case, evidence, answers."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.models import Complaint
from app.models.types import utcnow
from app.services import evidence
from app.services.errors import ServiceError
from app.web.homeowner import bp
from app.web.intake_forms import EvidenceForm, apply_errors, uploaded_files
from app.web.loading import complaint_or_404


def _render(complaint: Complaint, form: EvidenceForm, status: int = 200):
    may_add = evidence.may_add_evidence(current_user, complaint)
    return render_template("homeowner/complaint.html", complaint=complaint,
                           evidence_form=form if may_add else None,
                           max_files=evidence.MAX_FILES_PER_COMPLAINT), status


@bp.get("/complaints/<int(max=2147483647):complaint_id>")
def show_complaint(complaint_id: int):
    return _render(complaint_or_404(complaint_id), EvidenceForm())


@bp.post("/complaints/<int(max=2147483647):complaint_id>/evidence")
def add_evidence(complaint_id: int):
    complaint = complaint_or_404(complaint_id)
    form = EvidenceForm()
    if form.validate_on_submit():
        try:
            added = evidence.add_evidence(actor=current_user, now=utcnow(),
                                          complaint_id=complaint.id, files=uploaded_files(form))
        except ServiceError as error:
            if error.status == 404:
                abort(404)
            apply_errors(form, error.errors or [{"field": "files", "message": error.message}])
        else:
            flash(_("%(n)s file(s) added to your evidence.", n=len(added)), "success")
            return redirect(url_for("homeowner.show_complaint", complaint_id=complaint.id))
    return _render(complaint, form, 422)
