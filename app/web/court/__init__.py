"""The court audience (judges): only its role (see app.auth.BLUEPRINT_ROLES)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("court", __name__, url_prefix="/court")

from app.web.court import home  # noqa: E402,F401  (routes register on import)
