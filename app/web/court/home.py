"""The court home page."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.services import dashboards
from app.web.court import bp


@bp.get("/")
def home():
    return render_template("court/home.html", **dashboards.court_home(current_user))
