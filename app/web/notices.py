"""The inbox: every logged-in user reads and clears their own notices at /notices, and
chooses the channels besides it at /account/notifications.

Not an audience blueprint (any role may have notices), so ``app.auth`` only requires a
login; which notice a user may touch is decided by ``app.services.notices``: someone
else's notice is a 404. The navigation badge (``unread_notices()`` in templates) is one
count on a partial index, run only where the navigation shows it.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField

from app.models import Notice, Role
from app.models.types import utcnow
from app.services import notice_preferences, notices
from app.services.errors import ServiceError
from app.services.ids import parse_id
from app.web.forms import BaseForm

bp = Blueprint("notices", __name__, url_prefix="/notices")
#: One's own notice channels (an account setting, beside /account/password).
settings_bp = Blueprint("notice_settings", __name__, url_prefix="/account/notifications")


class NoticeChannelsForm(BaseForm):
    email = BooleanField(_l("By e-mail"))
    sms = BooleanField(_l("By text message (SMS)"))

#: Where each role reads a complaint (a notice about a complaint that has no case).
_COMPLAINT_PAGES = {
    Role.HOMEOWNER: "homeowner.show_complaint",
    Role.DEVELOPER: "developer.show_complaint",
    Role.JUDGE: "court.show_complaint",
}


def unread_notices() -> int:
    """The current user's unread notices (counted once per request)."""
    if "unread_notices" not in g:
        g.unread_notices = notices.unread_count(current_user.id)
    return g.unread_notices


def notice_link(notice: Notice) -> str | None:
    """The page the notice is about: its case, else its complaint (as the reader's role sees it)."""
    if notice.case_id is not None:
        return url_for("cases.show_case", case_id=notice.case_id)
    endpoint = _COMPLAINT_PAGES.get(current_user.role)
    if notice.complaint_id is not None and endpoint:
        return url_for(endpoint, complaint_id=notice.complaint_id)
    return None


@bp.get("")
def list_notices():
    before = request.args.get("before", "")
    before_id = parse_id(before)
    page = notices.inbox(current_user, before=before_id)
    return render_template("notices/list.html", page=page, older=before_id is not None)


@bp.post("/<int(max=2147483647):notice_id>/read")
def read_notice(notice_id: int):
    try:
        notices.mark_read(notice_id, actor=current_user, now=utcnow())
    except ServiceError as error:
        abort(error.status)
    return redirect(url_for("notices.list_notices"), code=303)


@bp.post("/read-all")
def read_all_notices():
    changed = notices.mark_all_read(actor=current_user, now=utcnow())
    if changed:
        flash(_("%(n)s notice(s) marked as read.", n=changed), "success")
    return redirect(url_for("notices.list_notices"), code=303)


@settings_bp.route("", methods=["GET", "POST"])
def edit_notice_channels():
    choice = notice_preferences.notice_channels(current_user)
    form = NoticeChannelsForm(data={"email": choice.email, "sms": choice.sms})
    if form.validate_on_submit():
        changed = notice_preferences.set_notice_channels(
            actor=current_user, email=form.email.data, sms=form.sms.data, now=utcnow())
        if changed:
            flash(_("Your notice settings have been saved; a notice confirms the change."),
                  "success")
        return redirect(url_for("notice_settings.edit_notice_channels"), code=303)
    return (render_template("notices/settings.html", form=form, choice=choice),
            200 if not form.errors else 422)
