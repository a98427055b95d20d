"""Errors as pages for browsers and RFC 9457 problem documents for the API."""
from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException


def problem(status: int, title: str, detail: str | None = None, errors=None, **extra):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


class _Refusal:
    """What the error page needs of a refused use-case: a code and the words to show."""

    refusal = True

    def __init__(self, code: int, description: str) -> None:
        self.code, self.description = code, description


def _wants_problem() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def init_app(app) -> None:
    from app.input_safety import UnstorableInputError

    @app.errorhandler(UnstorableInputError)
    def _unstorable(error: UnstorableInputError):
        from app.extensions import db

        db.session.rollback()
        if _wants_problem():
            return problem(400, "Bad Request", str(error.description),
                           errors=[{"field": error.field, "message": str(error.message)}])
        return render_template("errors/page.html", error=error), 400

    from app.services.errors import ServiceError

    @app.errorhandler(ServiceError)
    def _refused(error: ServiceError):
        """A refusal a web view did not place on its form (the API has its own handler):
        its status (404 for a missing object), its message, nothing saved — never a 500."""
        from app.extensions import db

        db.session.rollback()
        if _wants_problem():
            return problem(error.status, "Refused", error.message, errors=error.errors or None)
        page = _Refusal(error.status, error.message)
        return render_template("errors/page.html", error=page), error.status

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if _wants_problem():
            return problem(error.code or 500, error.name, error.description)
        return render_template("errors/page.html", error=error), error.code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error")
        from app.extensions import db

        db.session.rollback()
        if _wants_problem():
            return problem(500, "Internal Server Error")
        return render_template("errors/page.html", error=None), 500
