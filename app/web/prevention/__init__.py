"""Prevention pages (合规性函询 · 预警 · 承诺 · 失信名单), shared by judges and developer staff.

One blueprint for both audiences because each page is one object seen from two sides: a
judge issues and reviews an inquiry, the developer answers it; a warning notice is answered
by the developer and its commitments settled by the judge. ``app.access.can`` decides per
object (someone else's is a 404); the role gate admits only judges and developers.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("prevention", __name__, url_prefix="/prevention")

from app.web.prevention import inquiries  # noqa: E402,F401  (routes register on import)
from app.web.prevention import warnings  # noqa: E402,F401  (notices, commitments, blacklist, risk pages)
