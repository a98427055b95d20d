"""The mediator home page."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.services import dashboards
from app.web.mediator import bp


@bp.get("/")
def home():
    return render_template("mediator/home.html", **dashboards.mediator_home(current_user))
