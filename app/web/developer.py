"""The developer audience: pages for the developer role only (see app.auth.BLUEPRINT_ROLES)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.services import dashboards

bp = Blueprint("developer", __name__, url_prefix="/developer")


@bp.get("/")
def home():
    return render_template("developer/home.html", **dashboards.developer_home(current_user))
