"""Warning notices, commitments, the blacklist and the risk pages."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Permission, can
from app.models.types import utcnow
from app.services import early_warnings, risk_overview, risk_pages
from app.services import warning_notices as svc
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.web.account_forms import place_errors
from app.web.prevention import bp
from app.web.prevention.forms import (
    AcknowledgeForm, AnswerWarningForm, BlacklistForm, SettleCommitmentForm,
)
from app.web.prevention.labels import level_label
from mediation.lifecycle import court_date


@bp.get("/warnings")
def list_warnings():
    notices = svc.list_notices(current_user)
    return render_template("prevention/warnings.html", rows=[(n, svc.notice_state(n)) for n in notices],
                           overview=risk_overview.developer_overview(current_user)
                           if current_user.role == "developer" else None)


def _notice(notice_id: int):
    try:
        return svc.notice_for(current_user, notice_id)
    except NotFoundError:
        abort(404)


def _show(notice, *, answer=None, status=200):
    mine = can(current_user, Permission.WARNING_RESPOND, notice)
    judge = can(current_user, Permission.COMMITMENT_SETTLE, notice)
    return render_template(
        "prevention/warning.html", notice=notice, number=svc.notice_number(notice), state=svc.notice_state(notice),
        document=svc.notice_document(notice),
        ack_form=AcknowledgeForm(formdata=None) if mine and notice.acknowledged_at is None else None,
        answer_form=(answer or AnswerWarningForm(formdata=None))
        if mine and notice.acknowledged_at and not notice.answered_at else None,
        settle_form=SettleCommitmentForm(formdata=None) if judge else None,
        today=court_date(utcnow())), status


@bp.get("/warnings/<int(max=2147483647):warning_id>")
def show_warning(warning_id: int):
    return _show(_notice(warning_id))


@bp.post("/warnings/<int(max=2147483647):warning_id>/acknowledge")
def acknowledge_warning(warning_id: int):
    notice = _notice(warning_id)
    if not can(current_user, Permission.WARNING_RESPOND, notice):
        abort(404)
    if not AcknowledgeForm().validate_on_submit():
        abort(400)
    svc.acknowledge_notice(notice.id, actor=current_user, now=utcnow())
    return redirect(url_for("prevention.show_warning", warning_id=notice.id), 303)


@bp.post("/warnings/<int(max=2147483647):warning_id>/answer")
def answer_warning(warning_id: int):
    notice = _notice(warning_id)
    if not can(current_user, Permission.WARNING_RESPOND, notice):
        abort(404)
    form = AnswerWarningForm()
    if form.validate_on_submit():
        promises = [svc.Promise(row.form.text.data or "", row.form.due_on.data) for row in form.commitments]
        try:
            svc.answer_notice(notice.id, plan=form.plan.data or "", promises=promises, actor=current_user,
                              now=utcnow())
        except ServiceError as error:
            place_errors(form, error)
        else:
            flash(_("Your plan and commitments were sent to the court."), "success")
            return redirect(url_for("prevention.show_warning", warning_id=notice.id), 303)
    return _show(_notice(warning_id), answer=form, status=422)


@bp.post("/commitments/<int(max=2147483647):commitment_id>/settle")
def settle_commitment(commitment_id: int):
    try:
        svc.commitment_for_court(current_user, commitment_id)
    except NotFoundError:
        abort(404)
    form = SettleCommitmentForm()
    if not form.validate_on_submit():
        abort(422)
    try:
        commitment = svc.settle_commitment(commitment_id, kept=form.kept.data == "kept", note=form.note.data or "",
                                           actor=current_user, now=utcnow())
    except NotFoundError:
        abort(404)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(request.referrer or url_for("prevention.list_warnings"), 303)
    target = url_for("prevention.show_warning", warning_id=commitment.notice_id) if commitment.notice_id \
        else url_for("prevention.show_developer", developer_id=commitment.developer_id)
    return redirect(target, 303)


@bp.get("/projects/<int(max=2147483647):project_id>")
def show_project(project_id: int):
    try:
        page = risk_pages.project_page(current_user, project_id, court_date(utcnow()))
    except NotFoundError:
        abort(404)
    judge = can(current_user, Permission.RISK_VIEW)
    return render_template("prevention/project.html", **page,
                           evaluate_form=AcknowledgeForm(formdata=None) if judge else None)


@bp.post("/projects/<int(max=2147483647):project_id>/evaluate")
def evaluate_project(project_id: int):
    """A judge's "evaluate now": the project's developer and its projects, stored like the nightly run."""
    try:
        early_warnings.project_to_evaluate(current_user, project_id)
    except NotFoundError:
        abort(404)
    except ForbiddenError:
        abort(403)
    if not AcknowledgeForm().validate_on_submit():
        abort(400)
    try:
        result = early_warnings.evaluate_on_demand(project_id, actor=current_user, now=utcnow())
    except ConflictError as error:
        flash(error.message, "error")
    else:
        flash(_("Evaluated: the project is now %(project)s, its developer %(developer)s.",
                project=level_label(result.project_level), developer=level_label(result.developer_level)),
              "success")
    return redirect(url_for("prevention.show_project", project_id=project_id), 303)


def _developer_page(developer_id: int, form=None, status=200):
    try:
        page = risk_overview.developer_page(current_user, developer_id)
    except NotFoundError:
        abort(404)
    judge = can(current_user, Permission.BLACKLIST_DECIDE)
    return render_template("prevention/developer.html", **page,
                           blacklist_form=(form or BlacklistForm(formdata=None)) if judge else None,
                           lift_form=AcknowledgeForm(formdata=None) if judge else None), status


@bp.get("/developers/<int(max=2147483647):developer_id>")
def show_developer(developer_id: int):
    return _developer_page(developer_id)


@bp.post("/developers/<int(max=2147483647):developer_id>/blacklist")
def blacklist_developer(developer_id: int):
    if not can(current_user, Permission.BLACKLIST_DECIDE):
        abort(404)
    form = BlacklistForm()
    if form.validate_on_submit():
        try:
            svc.blacklist_developer(developer_id, reason=form.reason.data or "", actor=current_user, now=utcnow())
        except NotFoundError:
            abort(404)
        except ServiceError as error:
            place_errors(form, error)
        else:
            return redirect(url_for("prevention.show_developer", developer_id=developer_id), 303)
    return _developer_page(developer_id, form=form, status=422)


@bp.post("/developers/<int(max=2147483647):developer_id>/lift-blacklist")
def lift_blacklist(developer_id: int):
    if not can(current_user, Permission.BLACKLIST_DECIDE) or not AcknowledgeForm().validate_on_submit():
        abort(404)
    try:
        svc.lift_blacklist(developer_id, actor=current_user, now=utcnow())
    except NotFoundError:
        abort(404)
    return redirect(url_for("prevention.show_developer", developer_id=developer_id), 303)


@bp.get("/risk")
def risk_overview_page():
    if not can(current_user, Permission.RISK_VIEW):  # developer staff: their own projects only
        return render_template("prevention/risk_developer.html",
                               overview=risk_overview.developer_overview(current_user))
    return render_template("prevention/risk.html", **risk_overview.court_overview(current_user, court_date(utcnow())))
