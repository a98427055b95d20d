"""The court's site visits, per project (``/court/visits?project_id=``), from today on."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import Project
from app.models.types import utcnow
from app.services import visits
from app.web.court import bp

#: How far ahead the list looks (every booked visit, in practice); past ones are in the API.
HORIZON = timedelta(days=3660)


@bp.get("/visits")
def list_visits():
    project_id = request.args.get("project_id", type=int)
    now = utcnow()
    found = visits.visits_between(actor=current_user, start=now - timedelta(days=1),
                                  end=now + HORIZON, project_id=project_id)
    projects = db.session.scalars(select(Project).where(Project.court_id == current_user.court_id)
                                  .order_by(Project.name)).all()
    return render_template("court/visits.html", visits=found, projects=projects,
                           project_id=project_id)
