"""The court audience: pages for the court role only (see app.auth.BLUEPRINT_ROLES)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.services import dashboards

bp = Blueprint("court", __name__, url_prefix="/court")


@bp.get("/")
def home():
    return render_template("court/home.html", **dashboards.court_home(current_user))
