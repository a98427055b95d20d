"""The mediators' pages: only its role (see app.auth.BLUEPRINT_ROLES)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("mediator", __name__, url_prefix="/mediator")

from app.web.mediator import home  # noqa: E402,F401  (routes register on import)
from app.web.mediator import cases  # noqa: E402,F401  (case list)
from app.web.mediator import visits  # noqa: E402,F401  (site visits: the week and the booking form)
from app.web.mediator import agency_tasks  # noqa: E402,F401  (the agency's tasks, for its officers)
