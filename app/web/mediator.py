"""The mediator audience: pages for the mediator role only (see app.auth.BLUEPRINT_ROLES)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.services import dashboards

bp = Blueprint("mediator", __name__, url_prefix="/mediator")


@bp.get("/")
def home():
    return render_template("mediator/home.html", **dashboards.mediator_home(current_user))
