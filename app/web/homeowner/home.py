"""The homeowner home page."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.services import dashboards
from app.web.homeowner import bp


@bp.get("/")
def home():
    return render_template("homeowner/home.html", **dashboards.homeowner_home(current_user))
