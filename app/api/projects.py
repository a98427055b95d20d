"""Projects a user can file against."""
from __future__ import annotations

from flask import request

from app.api import api_bp, token_required
from app.services.intake import search_projects

#: The phone app shows a short pick list; more typing narrows it.
PROJECT_LIMIT = 50


@api_bp.get("/projects")
@token_required
def list_projects():
    """Projects to file against.
    ---
    get:
      summary: Projects to file against, optionally filtered by name, developer or town
      parameters:
        - {in: query, name: q, schema: {type: string}, required: false}
      responses:
        200: {content: {application/json: {schema: ProjectList}}}
        401: {content: {application/problem+json: {schema: Problem}}}
    """
    found = search_projects(request.args.get("q"), limit=PROJECT_LIMIT)
    return {"items": [{key: p[key] for key in ("id", "name", "developer_id", "town")} for p in found]}
