"""JSON API v1 for the phone app (docs/contracts.md). Bearer tokens, problem documents."""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import wraps

from flask import Blueprint, current_app, g, request
from marshmallow import Schema, ValidationError

from app.api.schemas import field_errors
from app.errors import problem
from app.models.types import utcnow
from app.services.errors import ServiceError
from mediation.messages import Msg

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")


def current_api_user():
    return g.get("api_user")


@api_bp.before_request
def _authenticate_bearer():
    from app.services.accounts import load_session_user

    g.api_user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.api_user = load_session_user(header[7:].strip(), now=utcnow(), kind="api",
                                       address=request.remote_addr)


class InvalidRequestError(Exception):
    def __init__(self, errors: list[dict], status: int = 422):
        self.errors, self.status = errors, status


@api_bp.errorhandler(InvalidRequestError)
def _invalid(error: InvalidRequestError):
    return problem(error.status, "Invalid input", errors=error.errors)


@api_bp.errorhandler(ServiceError)
def _refused(error: ServiceError):
    from app.extensions import db

    db.session.rollback()
    titles = {403: "Forbidden", 404: "Not Found", 409: "Conflict", 422: "Invalid input"}
    return problem(error.status, titles.get(error.status, "Refused"), error.message,
                   errors=error.errors or None)


def json_object() -> dict:
    """The request's JSON object, or a 400 problem document saying what is wrong with it
    (not JSON, not an object, nested too deeply: see ``app.input_safety``)."""
    if request.is_json:
        try:
            body = current_app.json.loads(request.get_data(cache=True))
        except ValueError as error:  # also UnicodeDecodeError
            raise InvalidRequestError([{"field": "_body", "message": Msg("不是有效的JSON：{error}", "not valid JSON: {error}", error=error)}],
                                      400) from None
    else:
        body = None
    if not isinstance(body, dict):
        raise InvalidRequestError([{"field": "_body", "message": Msg("请发送一个JSON对象", "send a JSON object")}], 400)
    return body


def load_body(schema: Schema) -> dict:
    """The JSON body validated by ``schema``, or a 400/422 problem document."""
    body = json_object()
    try:
        return schema.load(body)
    except ValidationError as error:
        raise InvalidRequestError(field_errors(error)) from None


def int_arg(name: str, default=None, low=None, high=None):
    """An integer query argument, or 422 naming it."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequestError([{"field": name, "message": Msg("应为整数", "an integer")}]) from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidRequestError([{"field": name, "message": f"between {low} and {high}"}])
    return value


def date_arg(name: str) -> date:
    """A ``YYYY-MM-DD`` query argument, or 422 naming it."""
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        raise InvalidRequestError([{"field": name, "message": Msg("应为日期，如2019-01-01", "a date like 2019-01-01")}]) from None


def iso(moment: datetime | None) -> str | None:
    """UTC timestamps as ISO 8601 with a Z."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def permission_required(permission=None):
    """Refuse with 401 without a valid token, and with 403 unless the token's user holds
    ``permission`` (``app.access``; None: any user)."""
    from app.access import can

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = g.get("api_user")
            if user is None:
                return problem(401, "Unauthorized", Msg("请以“Authorization: Bearer …”发送有效的令牌。",
                                                    "Send a valid token as 'Authorization: Bearer …'."))
            if permission is not None and not can(user, permission):
                return problem(403, "Forbidden", Msg("您的角色不能使用这个接口。", "Your role may not use this call."))
            return view(*args, **kwargs)

        return wrapper

    return decorator


#: Refuse with 401 unless a valid bearer token was sent.
token_required = permission_required()


from app.api import (  # noqa: E402,F401  (routes register on import)
    auth, cases, complaints, documents, notices, openapi, prevention, projects, release, reminders, stats,
    visits,
)
