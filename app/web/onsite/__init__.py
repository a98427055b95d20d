"""On-site mediation pages shared by every role (docs/on-site.md): visit sheets, document
downloads, sessions and their records, judicial confirmation, ratings.

Any logged-in user reaches this blueprint; the services decide per object (someone else's
visit, case or document is a 404). Views are thin: load, one service call, render.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("onsite", __name__)

from app.web.onsite import documents  # noqa: E402,F401  (routes register on import)
from app.web.onsite import sessions  # noqa: E402,F401
from app.web.onsite import confirmation  # noqa: E402,F401
from app.web.onsite import litigation  # noqa: E402,F401
from app.web.onsite import ratings  # noqa: E402,F401
from app.web.onsite import visits  # noqa: E402,F401
