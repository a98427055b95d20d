"""The court audience (judges): only its role (see app.auth.BLUEPRINT_ROLES)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("court", __name__, url_prefix="/court")

from app.web.court import home  # noqa: E402,F401  (routes register on import)
from app.web.court import triage  # noqa: E402,F401  (accept, reject, merge complaints)
from app.web.court import tasks  # noqa: E402,F401  (agency tasks on a case)
from app.web.court import cases  # noqa: E402,F401  (case list)
from app.web.court import stats  # noqa: E402,F401  (the court's figures)
from app.web.court import assignments  # noqa: E402,F401  (the assignment suggestions)
from app.web.court import visits  # noqa: E402,F401  (site visits per project)
from app.web.court import release  # noqa: E402,F401  (release plans of a developer)
from app.web.court import release_forms  # noqa: E402,F401  (judges enter freezes, guarantees, obligations)
