"""The one wrapper every use-case wears: a refusal or failure leaves nothing half-saved.

A service function does its reads and writes in the request's session and commits once
at the end. If anything raises before (a ``ServiceError`` refusing the request, a
database error, a bug), the wrapper rolls the session back before the exception goes on,
so the next use-case in the same request or thread starts from a clean session.
"""
from __future__ import annotations

import functools

from app.extensions import db

__all__ = ["use_case"]


def use_case(fn):
    """Roll the session back when a use-case refuses or fails, so nothing is half-saved."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise

    return wrapper
