"""The litigation case page: the lawsuit's number, the pre-litigation number, and the file
that travelled with the case."""
from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from app.services import litigation
from app.services.errors import NotFoundError
from app.web.onsite import bp


@bp.get("/cases/<int(max=2147483647):case_id>/litigation")
def show_litigation(case_id: int):
    try:
        file = litigation.litigation_file(current_user, case_id)
    except NotFoundError:
        abort(404)
    return render_template("onsite/litigation.html", file=file, case=file.case)
