"""The developer home page."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.services import dashboards
from app.web.developer import bp


@bp.get("/")
def home():
    return render_template("developer/home.html", **dashboards.developer_home(current_user))
