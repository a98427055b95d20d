"""Pieces of a page kept, in this worker, by everything they are made of.

A list page rendered afresh (the page cache missed: any write renews the data version) is
mostly the same HTML as before the write: the navigation of the role, the filter form of
the same query string and choices, the court's bulk bar with the same mediators. Each of
these is kept here under a key that holds *everything* it shows — the language, the role,
the endpoint, the query string, the choices' content — so a key can only meet the HTML it
was rendered for: a new mediator's name is a new key, not a stale piece. Nothing here is
per user except through what the key says (no names, no tokens).

Two rules keep a piece safe to share:

* it never holds a CSRF token: :func:`kept` refuses to keep HTML containing this request's
  token (a form with a token is rendered on each request, or cut by the page cache);
* it is rendered only from its key's parts — the callers build the key from the same
  values they pass to the template.

The store is a dict per worker, at most :data:`KEPT_MAX` pieces, emptied when full (the
pieces in use come back on their next request). docs/page-cache.md.
"""
from __future__ import annotations

from flask import current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

KEPT_MAX = 512
_KEPT: dict[tuple, Markup] = {}


def kept(key: tuple, render) -> Markup:
    """The piece kept under ``key``, rendered by ``render()`` the first time."""
    html = _KEPT.get(key)
    if html is None:
        html = Markup(render())
        if generate_csrf() in html:  # a session's token must never be shared
            return html
        if len(_KEPT) >= KEPT_MAX:
            _KEPT.clear()
        _KEPT[key] = html
    return html


def forget() -> None:
    """Drop every kept piece (tests, and the benchmark's "first request" figures)."""
    _KEPT.clear()


def macro(template: str, name: str, *args, **context) -> Markup:
    """One macro of ``template`` rendered on its own, with the request's template context
    (``request``, ``current_user``, ``_`` …) and ``context``."""
    values = dict(context)
    current_app.update_template_context(values)
    module = current_app.jinja_env.get_template(template).make_module(values)
    return Markup(getattr(module, name)(*args))
