"""The one exception type services raise for a refused use-case.

Views show ``message`` next to ``field`` (or as a flash when there is no field); the API
turns it into an RFC 9457 problem document with ``errors: [{field, message}]``.
"""
from __future__ import annotations


class ServiceError(Exception):
    """A use-case was refused; nothing was saved."""

    status = 422

    def __init__(self, message: str, field: str | None = None, *, errors=None):
        super().__init__(message)
        self.message = message
        self.field = field
        #: Several field errors at once: a list of {"field", "message"}.
        self.errors = errors or ([{"field": field, "message": message}] if field else [])


class NotFoundError(ServiceError):
    status = 404


class ForbiddenError(ServiceError):
    status = 403


class ConflictError(ServiceError):
    """Someone else changed the object first (a double click, two judges at once)."""

    status = 409
