"""The tasks the court gives the agency a mediator works for: a housing-bureau officer sees
the bureau's tasks of the court, such as reporting the release of a supervised pre-sale
account (docs/release-in-the-app.md); other mediators see none."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.models.types import utcnow
from app.services import release_bureau
from app.web.mediator import bp


@bp.get("/agency-tasks")
def list_agency_tasks():
    return render_template("mediator/agency_tasks.html",
                           tasks=release_bureau.bureau_tasks(current_user, now=utcnow()))
