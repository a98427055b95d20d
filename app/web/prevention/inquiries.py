"""Compliance inquiry pages: the list, the judge's issue form, one inquiry with the
developer's answer form or the judge's review form, and the letter's PDF."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Permission, can
from app.models.types import utcnow
from app.services import documents, inquiries, risk_pages
from app.services.errors import NotFoundError, ServiceError
from app.web.account_forms import place_errors
from app.web.prevention import bp
from app.web.prevention.forms import IssueInquiryForm, RectifiedForm, answer_form, review_form
from mediation.lifecycle import court_date


@bp.get("/inquiries")
def list_inquiries():
    today = court_date(utcnow())
    rows = [(i, inquiries.inquiry_state(i, today)) for i in inquiries.list_inquiries(current_user)]
    return render_template("prevention/inquiries.html", rows=rows)


def _project(project_id: int):
    try:
        return risk_pages.project_for(current_user, project_id)
    except NotFoundError:
        abort(404)


@bp.route("/projects/<int(max=2147483647):project_id>/inquiries/new", methods=["GET", "POST"])
def issue_inquiry(project_id: int):
    project = _project(project_id)
    if not can(current_user, Permission.INQUIRY_ISSUE, project):
        abort(404)
    form = IssueInquiryForm()
    if form.validate_on_submit():
        questions = [line for line in (form.questions.data or "").splitlines() if line.strip()] or None
        try:
            inquiry = inquiries.issue_inquiry(project.id, letter_type=form.letter_type.data,
                                              working_days=form.working_days.data, questions=questions,
                                              actor=current_user, now=utcnow())
        except ServiceError as error:
            place_errors(form, error)
        else:
            flash(_("The inquiry was sent."), "success")
            return redirect(url_for("prevention.show_inquiry", inquiry_id=inquiry.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("prevention/issue_inquiry.html", project=project, form=form), status


def _inquiry(inquiry_id: int):
    try:
        return inquiries.inquiry_for(current_user, inquiry_id)
    except NotFoundError:
        abort(404)


def _show(inquiry, *, answer=None, review=None, rectified=None, status=200):
    mine = can(current_user, Permission.INQUIRY_ANSWER, inquiry) and inquiry.answered_at is None
    judge = can(current_user, Permission.INQUIRY_REVIEW, inquiry)
    return render_template(
        "prevention/inquiry.html", inquiry=inquiry, number=inquiries.inquiry_number(inquiry),
        state=inquiries.inquiry_state(inquiry, court_date(utcnow())),
        letter=inquiries.inquiry_letter(inquiry),
        answer_form=(answer or answer_form(inquiry, formdata=None)) if mine else None,
        review_form=(review or review_form(inquiry, formdata=None))
        if judge and inquiry.answered_at and not inquiry.review else None,
        rectified_form=(rectified or RectifiedForm(formdata=None))
        if judge and inquiry.review == "rectify" and not inquiry.rectified_on else None), status


@bp.get("/inquiries/<int(max=2147483647):inquiry_id>")
def show_inquiry(inquiry_id: int):
    return _show(_inquiry(inquiry_id))


@bp.post("/inquiries/<int(max=2147483647):inquiry_id>/answer")
def answer_inquiry(inquiry_id: int):
    inquiry = _inquiry(inquiry_id)
    if not can(current_user, Permission.INQUIRY_ANSWER, inquiry):
        abort(404)
    form = answer_form(inquiry)
    if form.validate_on_submit():
        answers = {q.position: getattr(form, f"answer_{q.position}").data for q in inquiry.questions}
        files = {q.position: request.files.getlist(f"files_{q.position}") for q in inquiry.questions}
        try:
            inquiries.answer_inquiry(inquiry.id, answers, files=files, actor=current_user, now=utcnow())
        except ServiceError as error:
            place_errors(form, error)
        else:
            flash(_("Your answer was sent to the court."), "success")
            return redirect(url_for("prevention.show_inquiry", inquiry_id=inquiry.id), 303)
    return _show(_inquiry(inquiry_id), answer=form, status=422)


@bp.post("/inquiries/<int(max=2147483647):inquiry_id>/review")
def review_inquiry(inquiry_id: int):
    inquiry = _inquiry(inquiry_id)
    if not can(current_user, Permission.INQUIRY_REVIEW, inquiry):
        abort(404)
    form = review_form(inquiry)
    if form.validate_on_submit():
        reviews = {q.position: (getattr(form, f"review_{q.position}").data or None,
                                getattr(form, f"reason_{q.position}").data or "") for q in inquiry.questions}
        try:
            inquiries.review_inquiry(inquiry.id, reviews=reviews, rectify_by=form.rectify_by.data,
                                     actor=current_user, now=utcnow())
        except ServiceError as error:
            place_errors(form, error)
        else:
            flash(_("The review was recorded."), "success")
            return redirect(url_for("prevention.show_inquiry", inquiry_id=inquiry.id), 303)
    return _show(_inquiry(inquiry_id), review=form, status=422)


@bp.post("/inquiries/<int(max=2147483647):inquiry_id>/rectified")
def record_rectification(inquiry_id: int):
    inquiry = _inquiry(inquiry_id)
    if not can(current_user, Permission.INQUIRY_REVIEW, inquiry):
        abort(404)
    form = RectifiedForm()
    if form.validate_on_submit():
        try:
            inquiries.record_rectification(inquiry.id, rectified_on=form.rectified_on.data,
                                           actor=current_user, now=utcnow())
        except ServiceError as error:
            place_errors(form, error)
        else:
            return redirect(url_for("prevention.show_inquiry", inquiry_id=inquiry.id), 303)
    return _show(_inquiry(inquiry_id), rectified=form, status=422)


@bp.get("/documents/<int(max=2147483647):document_id>")
def download_document(document_id: int):
    """An inquiry letter or a warning notice, for whoever may see its inquiry or notice."""
    try:
        document, path = documents.document_file(current_user, document_id)
    except NotFoundError:
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"{document.kind}-{document.verify_code}.pdf", conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/attachments/<int(max=2147483647):attachment_id>")
def download_answer_file(attachment_id: int):
    """A file the developer attached to an answer, for whoever may see the inquiry."""
    try:
        attachment, path = inquiries.answer_file(current_user, attachment_id)
    except NotFoundError:
        abort(404)
    response = send_file(path, mimetype=attachment.content_type,
                         as_attachment=attachment.content_type == "application/pdf",
                         download_name=attachment.original_name, conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
