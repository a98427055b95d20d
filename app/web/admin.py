"""The court clerk's administration pages."""
from __future__ import annotations

from flask import Blueprint, render_template

from app.services import dashboards

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
def home():
    return render_template("admin/home.html", **dashboards.admin_home())


# The clerk's pages live beside this module and attach their views to ``bp``.
from app.web import admin_registry, admin_users  # noqa: E402,F401
# The clerk's holiday notices live in their own module on this blueprint.
from app.web import holidays as _holidays  # noqa: E402,F401
