"""The developers' pages (company staff): only its role (see app.auth.BLUEPRINT_ROLES)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("developer", __name__, url_prefix="/developer")

from app.web.developer import filing, home, responses  # noqa: E402,F401  (routes register on import)
from app.web.developer import cases  # noqa: E402,F401  (case list)
from app.web.developer import release  # noqa: E402,F401  (its own freezes and release plan)
