"""JSON API v1 for the phone app (DESIGN §8). Bearer tokens, problem documents."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, g, request

from app.errors import problem
from app.models.types import utcnow

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")


def current_api_user():
    return g.get("api_user")


@api_bp.before_request
def _authenticate_bearer():
    from app.services.accounts import load_session_user

    g.api_user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.api_user = load_session_user(header[7:].strip(), now=utcnow(), kind="api")


def token_required(view):
    """Refuse with 401 unless a valid bearer token was sent."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("api_user") is None:
            return problem(401, "Unauthorized", "Send a valid token as 'Authorization: Bearer …'.")
        return view(*args, **kwargs)

    return wrapper


from app.api import auth  # noqa: E402,F401  (routes register on import)
