"""Evidence downloads: any logged-in user, but only for complaints they may see.

Files are served from UPLOAD_DIR (never from ``static/``) with the type detected from
their content at upload, under the uploader's name with that type's extension, as an
attachment, with ``nosniff`` and a sandboxing CSP, so even a crafted file cannot run as a
page on this site (a JPEG uploaded as ``poly.html`` downloads as ``poly.jpg``).
"""
from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user

from app.access import Permission, can
from app.extensions import db
from app.models import Attachment
from app.services import evidence
from app.services.errors import ServiceError

bp = Blueprint("intake", __name__)
#: "JPEG", "PDF" … beside each evidence file.
bp.add_app_template_filter(evidence.kind_label, "file_kind")


@bp.get("/attachments/<int(max=2147483647):attachment_id>")
def download_attachment(attachment_id: int):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    complaint = attachment.complaint or (attachment.response.complaint
                                         if attachment.response is not None else None)
    if complaint is None or not can(current_user, Permission.COMPLAINT_VIEW, complaint):
        abort(404)
    try:
        path = evidence.path_of(attachment)
    except ServiceError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=attachment.content_type, as_attachment=True,
        download_name=evidence.download_name(attachment.original_name, attachment.content_type),
        conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
