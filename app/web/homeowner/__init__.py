"""The homeowners' pages: only its role (see app.auth.BLUEPRINT_ROLES)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("homeowner", __name__, url_prefix="/homeowner")

from app.web.homeowner import complaints, filing, home  # noqa: E402,F401  (routes register on import)
from app.web.homeowner import cases  # noqa: E402,F401  (case list)
