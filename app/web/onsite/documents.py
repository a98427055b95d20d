"""A document's PDF in the browser, and the visit sheet a mediator or judge prints."""
from __future__ import annotations

from flask import abort, redirect, send_file, url_for
from flask_login import current_user

from app.models.types import utcnow
from app.services import documents, visit_sheets
from app.services.errors import NotFoundError
from app.web.onsite import bp


@bp.get("/documents/<int(max=2147483647):document_id>/pdf")
def download_document(document_id: int):
    """The PDF a user may see (own copies for a party; all for the court's side), else 404."""
    try:
        document, path = documents.document_file(current_user, document_id)
    except NotFoundError:
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=False,
                         download_name=f"{document.kind}-{document.verify_code}.pdf", conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/visits/<int(max=2147483647):visit_id>/sheet")
def print_visit_sheet(visit_id: int):
    """Issue the visit's sheet once (or find it) and open its PDF."""
    try:
        document = visit_sheets.issue_visit_sheet(visit_id, actor=current_user, now=utcnow())
    except NotFoundError:
        abort(404)
    return redirect(url_for("onsite.download_document", document_id=document.id), code=303)
