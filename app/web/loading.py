"""Loading what a URL names, for the current user: 404 when missing or not theirs to see."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.access import Permission, can
from app.extensions import db
from app.models import Complaint


def complaint_or_404(complaint_id: int, *options) -> Complaint:
    """The complaint, if the current user may see it (``options``: loader options)."""
    complaint = db.session.get(Complaint, complaint_id, options=options)
    if complaint is None or not can(current_user, Permission.COMPLAINT_VIEW, complaint):
        abort(404)
    return complaint
