"""The inbox: every logged-in user reads and clears their own notices at /notices.

Not an audience blueprint (any role may have notices), so ``app.auth`` only requires a
login; which notice a user may touch is decided by ``app.services.notices``: someone
else's notice is a 404. The navigation badge (``unread_notices()`` in templates) is one
count on a partial index, run only where the navigation shows it.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.models import Notice, Role
from app.models.types import utcnow
from app.services import notices
from app.services.errors import ServiceError
from app.services.ids import parse_id

bp = Blueprint("notices", __name__, url_prefix="/notices")

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
