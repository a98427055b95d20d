"""Rendered case lists, kept while the data they show is unchanged.

A court's list is read far more often than its cases change: a clerk pages back and
forth, a judge reloads the overdue list. The whole rendered page is kept under a key of

    the data version (app.models.versions) · the user · the language · the court's date · the URL

so a committed change to any case, complaint, party, project, mediator or user makes every
key new at once, and nothing has to know which pages to drop. Keying by user keeps each
role's view (and what their cases allow) apart; the court's date keeps the deadline marks
(overdue, due within 3 days) true, as every mediation deadline ends at midnight court time.
The cache's own time limit (``PAGE_CACHE_SECONDS``) bounds anything changed behind the
ORM's back.

The page's CSRF token belongs to the session, not to the page. Flask-WTF's public
``generate_csrf()`` gives one token per request, the one every form of the page carries
(``csrf_token()`` and ``form.csrf_token`` alike); the rendered page is kept cut at each
occurrence of it, and each response is joined with its own session's token. Nothing of
Flask-WTF's is replaced or reached into. The token is a signed random value: escaped user
data cannot contain it by chance. A page with a flash message waiting, or any request but a
GET, is never served from or put into the cache.
"""
from __future__ import annotations

import functools
import hashlib

from flask import request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from app.extensions import cache
from app.models.types import utcnow
from app.models.versions import current_token
from mediation.lifecycle import court_date

HEADER = "X-Page-Cache"
_HTML = "text/html; charset=utf-8"


def page_key(token: str) -> str:
    url = hashlib.blake2b(request.full_path.encode(), digest_size=16).hexdigest()
    return f"page:{token}:{current_user.id}:{get_locale()}:{court_date(utcnow()).isoformat()}:{url}"


def _cacheable() -> bool:
    return (request.method == "GET" and current_user.is_authenticated
            and not session.get("_flashes"))


def _render(view, args, kwargs) -> tuple[list[bytes], int]:
    """The page as UTF-8 pieces around each copy of this request's CSRF token, and its status."""
    token = generate_csrf().encode()  # the same value the page's forms get during this request
    result = view(*args, **kwargs)
    body, status = result if isinstance(result, tuple) else (result, 200)
    return str(body).encode().split(token), status


def _with_token(pieces: list[bytes]) -> bytes:
    return generate_csrf().encode().join(pieces)


def cached_page(view):
    """Serve ``view``'s page from the cache when the data it shows has not changed."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        # Read with the login session at the start of the request (else now): before the
        # data, so a page is never kept under a version newer than what it shows.
        token = current_user.list_version or current_token()
        key = page_key(token) if token else None
        pieces = cache.get(key) if key else None
        state = "hit"
        if pieces is None:
            pieces, status = _render(view, args, kwargs)
            state = "miss"
            if status != 200:
                return _with_token(pieces), status, {"Content-Type": _HTML}
            if key:
                cache.set(key, pieces)
        return _with_token(pieces), 200, {HEADER: state, "Content-Type": _HTML}

    return wrapper

