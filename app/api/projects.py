"""Projects a user can file against."""
from __future__ import annotations

from flask import request
from sqlalchemy import or_, select

from app.api import api_bp, token_required
from app.extensions import db
from app.models import Developer, Project, Town

#: The phone app shows a short pick list; more typing narrows it.
PROJECT_LIMIT = 50


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@api_bp.get("/projects")
@token_required
def list_projects():
    """Projects to file against.
    ---
    get:
      summary: Projects to file against, optionally filtered by name or developer
      parameters:
        - {in: query, name: q, schema: {type: string}, required: false}
      responses:
        200: {content: {application/json: {schema: ProjectList}}}
        401: {content: {application/problem+json: {schema: Problem}}}
    """
    q = (request.args.get("q") or "").strip()[:50]
    query = (select(Project.id, Project.name, Project.developer_id, Town.name)
             .join(Town, Town.id == Project.town_id).join(Developer, Developer.id == Project.developer_id)
             .order_by(Project.name, Project.id).limit(PROJECT_LIMIT))
    if q:
        query = query.where(or_(Project.name.like(_like(q), escape="\\"),
                                Developer.name.like(_like(q), escape="\\")))
    items = [{"id": pid, "name": name, "developer_id": dev, "town": town}
             for pid, name, dev, town in db.session.execute(query)]
    return {"items": items}
