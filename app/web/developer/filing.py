"""A developer files its own dispute, e.g. against a buyer in payment default."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from app.models.types import utcnow
from app.services import intake
from app.web.developer import bp
from app.web.intake_forms import DeveloperComplaintForm, dispute_choices, file_from_form, project_choices
from app.web.loading import complaint_or_404


@bp.route("/complaints/new", methods=["GET", "POST"])
def file_complaint():
    form = DeveloperComplaintForm()
    form.dispute_type.choices = dispute_choices()
    unplaced: dict = {}
    if form.validate_on_submit():
        complaint, unplaced = file_from_form(
            form, intake.file_complaint, actor=current_user, now=utcnow(), channel="online",
            respondent_name=form.respondent_name.data,
            respondent_resident_id=form.respondent_resident_id.data)
        if complaint is not None:
            return redirect(url_for("developer.show_receipt", complaint_id=complaint.id))
    form.project_id.choices = project_choices(None, selected=form.project_id.data,
                                              developer_id=current_user.developer_id, limit=100)
    status = 422 if request.method == "POST" else 200
    return render_template("developer/file_complaint.html", form=form, unplaced=unplaced), status


@bp.get("/complaints/<int(max=2147483647):complaint_id>/receipt")
def show_receipt(complaint_id: int):
    return render_template("developer/receipt.html", complaint=complaint_or_404(complaint_id))
