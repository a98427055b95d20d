"""The one exception type services raise for a refused use-case.

Views show ``message`` next to ``field`` (or as a flash when there is no field); the API
turns it into an RFC 9457 problem document with ``errors: [{field, message}]``.

Messages are :class:`mediation.messages.Msg` (Chinese, with their English) or plain text.
They are translated at the edge: ``message`` and ``errors`` answer in the language of the
request being served (Chinese outside a request), so no view or API resource translates
by hand.
"""
from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale

from mediation.messages import Msg, localize


def request_locale() -> str | None:
    """The language of the request being served, or None outside a request."""
    if not has_request_context():
        return None
    return str(get_locale() or "") or None


def message_of(error: Exception):
    """The message a domain error carries, keeping both languages when it has them."""
    message = getattr(error, "message", None)
    if message is None and error.args:
        message = error.args[0]
    return message if isinstance(message, (Msg, str)) else str(error)


class ServiceError(Exception):
    """A use-case was refused; nothing was saved."""

    status = 422

    def __init__(self, message, field: str | None = None, *, errors=None):
        super().__init__(message)
        self.raw_message = message
        self.field = field
        #: Several field errors at once: a list of {"field", "message"}.
        self.raw_errors = errors or ([{"field": field, "message": message}] if field else [])

    @property
    def message(self) -> str:
        return localize(self.raw_message, request_locale())

    @property
    def errors(self) -> list[dict]:
        locale = request_locale()
        return [{**e, "message": localize(e.get("message"), locale)} for e in self.raw_errors]


class NotFoundError(ServiceError):
    status = 404


class ForbiddenError(ServiceError):
    status = 403


class ConflictError(ServiceError):
    """Someone else changed the object first (a double click, two judges at once)."""

    status = 409
