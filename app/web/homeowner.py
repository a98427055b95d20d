"""The homeowner audience: pages for the homeowner role only (see app.auth.BLUEPRINT_ROLES)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.services import dashboards

bp = Blueprint("homeowner", __name__, url_prefix="/homeowner")


@bp.get("/")
def home():
    return render_template("homeowner/home.html", **dashboards.homeowner_home(current_user))
