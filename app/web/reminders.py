"""The operators page of the reminders (``/court/reminders``): judges and the clerk.

Its own blueprint, like the referral imports, because the clerk (role ``admin``) operates
it as much as the judges; each sees their own court's reminders only. A failed reminder
can be put back in the queue (``retry``); the heartbeat says when the scheduler last ran.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import Permission, can
from app.extensions import db
from app.models import Reminder
from app.models.types import utcnow
from app.services import reminder_board
from app.services.reminder_dispatch import retry_reminder as retry
from app.web.forms import BaseForm

bp = Blueprint("reminders", __name__, url_prefix="/court/reminders")

KIND_LABELS = {
    "assign_due": _l("Assign a mediator"),
    "accept_due": _l("Accept the delegation"),
    "mediation_ending": _l("Mediation period ending"),
    "mediation_ended": _l("Mediation period ended"),
    "visit_tomorrow": _l("Site visit tomorrow"),
    "inquiry_due": _l("Inquiry answer due"),
    "inquiry_overdue": _l("Inquiry overdue"),
    "milestone_due": _l("Milestone due"),
    "milestone_overdue": _l("Milestone overdue"),
    "confirmation_window": _l("Judicial confirmation window"),
    "follow_up": _l("Follow-up visit"),
    "rating_follow_up": _l("Bad rating follow-up"),
    "warning_ack": _l("Warning to acknowledge"),
}
STATUS_LABELS = {
    "pending": _l("Pending"),
    "failed": _l("Failed"),
    "sent": _l("Sent"),
    "cancelled": _l("Cancelled"),
}


class RetryForm(BaseForm):
    """The retry button: CSRF only."""


@bp.get("/")
def list_reminders():
    status = request.args.get("status", "pending")
    if status not in reminder_board.STATUSES:
        status = "pending"
    view = reminder_board.board(current_user, status=status, now=utcnow())
    return render_template("reminders/list.html", board=view, statuses=reminder_board.STATUSES,
                           retry_form=RetryForm(), kind_labels=KIND_LABELS,
                           status_labels=STATUS_LABELS)


@bp.post("/<int(max=2147483647):reminder_id>/retry")
def retry_reminder(reminder_id: int):
    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None or not can(current_user, Permission.REMINDERS_RETRY, reminder):
        abort(404)
    if not RetryForm().validate_on_submit():
        abort(400)
    if retry(reminder_id, court_id=current_user.court_id, now=utcnow()):
        flash(_("The reminder is queued again; the scheduler sends it within a minute."), "success")
    else:
        flash(_("Only a failed reminder can be retried."), "error")
    return redirect(url_for("reminders.list_reminders", status="failed"))
