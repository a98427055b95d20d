"""Input that cannot be stored is refused where it arrives, with the field named.

Three layers, each for what the one before cannot see (docs/input-safety.md):

1. **Fields.** Every WTForms text field (:class:`StorableText`, bound by
   ``app.web.forms.BaseForm``) and every API schema string (``app.api.schemas.Text``)
   refuses a NUL, another control character or a lone surrogate with a message next to
   the field (the rule is :func:`mediation.text.unstorable_character`).
2. **The request.** :func:`guard_request` refuses the same characters in the URL path and
   the query string — which views read without a form (search boxes, cursors) — before any
   view runs; :class:`SafeJSONProvider` refuses JSON nested deeper than
   :data:`MAX_JSON_DEPTH` instead of letting the parser run out of stack.
3. **SQL.** :func:`refuse_nul_parameters` checks every bound parameter of every statement:
   a NUL that slipped past both (a value read straight from ``request.form``) stops with a
   400, never a 500 from PostgreSQL, never a NUL stored in SQLite.
"""
from __future__ import annotations

import json

from flask import request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from wtforms.validators import ValidationError

from mediation.text import UnstorableCharacter, unstorable_character

#: The API's bodies are at most three levels deep (a complaint, its claims, a claim);
#: 32 leaves room for any later call and stays far from the interpreter's stack limit.
MAX_JSON_DEPTH = 32


def unstorable_message(found: UnstorableCharacter) -> str:
    """The message shown next to a field holding ``found``."""
    if found.kind == "surrogate":
        return _("Character %(position)s is a broken character (%(codepoint)s, half of a "
                 "UTF-16 pair) that cannot be stored; type it again.",
                 position=found.position, codepoint=found.codepoint)
    return _("Character %(position)s is an invisible control character (%(codepoint)s) "
             "that cannot be stored; remove it.",
             position=found.position, codepoint=found.codepoint)


class StorableText:
    """WTForms validator: refuse text holding a character :mod:`mediation.text` refuses."""

    field_flags = {}

    def __call__(self, form, field) -> None:
        data = field.data
        if isinstance(data, str):
            found = unstorable_character(data)
            if found is not None:
                raise ValidationError(unstorable_message(found))


class UnstorableInputError(BadRequest):
    """A request carried a character that cannot be stored; ``field`` names where."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(_l("%(field)s: %(message)s", field=field, message=message))
        self.field = field
        self.message = message


def guard_request() -> None:
    """``before_request``: refuse an unstorable character in the path or the query string."""
    found = unstorable_character(request.path)
    if found is not None:
        raise UnstorableInputError("_path", unstorable_message(found))
    for name, value in request.args.items(multi=True):
        found = unstorable_character(name) or unstorable_character(value)
        if found is not None:
            raise UnstorableInputError(name, unstorable_message(found))


def _depth(value) -> int:
    """How deeply ``value`` nests lists and objects (iteratively: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing bodies nested deeper than :data:`MAX_JSON_DEPTH` levels.

    The parser recurses once per level: ``[`` × 100,000 raises ``RecursionError``, which
    is not a ``ValueError`` and so would reach the client as a 500. Both that and a body
    merely deeper than the limit become a ``ValueError``, which Flask answers with a 400
    (or ``None`` for ``get_json(silent=True)``).
    """

    def loads(self, s, **kwargs):
        try:
            data = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
        if _depth(data) > MAX_JSON_DEPTH:
            raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        return data


def _parameter_values(parameters):
    """Every value of a statement's parameters: a mapping, a sequence, or a batch of either."""
    if isinstance(parameters, dict):
        yield from parameters.values()
    elif isinstance(parameters, (list, tuple)):
        for item in parameters:
            if isinstance(item, dict):
                yield from item.values()
            elif isinstance(item, (list, tuple)):
                yield from item
            else:
                yield item


def refuse_nul_parameters(conn, cursor, statement, parameters, context, executemany) -> None:
    """``before_cursor_execute``: no text with a NUL ever reaches the database."""
    for value in _parameter_values(parameters):
        if isinstance(value, str) and "\x00" in value:
            raise UnstorableInputError(
                "_body", _("The request holds an invisible NUL character (U+0000) that "
                           "cannot be stored; remove it."))


def init_app(app, engine) -> None:
    """Install the request guard, the JSON depth limit and the SQL check on ``app``."""
    from sqlalchemy import event

    app.json = SafeJSONProvider(app)
    app.before_request(guard_request)
    if not event.contains(engine, "before_cursor_execute", refuse_nul_parameters):
        event.listen(engine, "before_cursor_execute", refuse_nul_parameters)
