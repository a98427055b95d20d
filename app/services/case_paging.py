"""Keyset pages of a case list: the sort orders, the cursors, and the walk from one to the next.

A cursor carries the last row's sort key and id, so page 400 costs what page 1 costs,
and a row inserted between two requests neither repeats nor hides a row. Every sort is
a sequence of segments, each walked along one index in (key, id) order (indexes in
``app.models.cases``); a cursor names its segment. ``app.services.case_lists`` builds the
filtered query and asks this module for the rows of a page.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from sqlalchemy import (
    ColumnElement, Integer, Select, and_, literal, literal_column, not_, select, text, true,
    tuple_,
)

from app.extensions import db
from app.models import Case
from app.models.cases import MEDIATION_PHASE_SQL
from app.models.types import UTCDateTime
from app.services.errors import ServiceError
from mediation.lifecycle import MEDIATION_PHASE
from mediation.messages import Msg

__all__ = [
    "SORTS", "SORT_SEGMENTS", "Cursor", "InvalidCursorError", "Segment", "decode_cursor",
    "encode_cursor", "fetch_rows", "first_segment_with_count", "mediation_phase", "read",
    "seek_after",
]

#: Sort orders a list offers (the first is the default).
SORTS = ("registered_desc", "registered_asc", "deadline_asc", "claim_desc")


class InvalidCursorError(ServiceError):
    """A page cursor that was not made by this list (edited, truncated, or for another sort)."""

    status = 400


def mediation_phase() -> ColumnElement:
    # The very text of the partial deadline indexes' WHERE clause (SQLite matches it verbatim).
    return text("cases." + MEDIATION_PHASE_SQL)


@dataclass(frozen=True)
class Segment:
    """A run of the display order: the rows ``where`` selects, ordered by (key, id)."""

    key: Callable[[], ColumnElement]
    descending: bool
    kind: str  # "datetime" | "int": how the key travels in a cursor
    where: Callable[[], ColumnElement | None] = lambda: None
    #: Whether the filters leave this run empty (then it is not queried at all: walking an
    #: index for rows that cannot exist would read all of it). It gets the list's CaseFilters.
    empty: Callable[[object], bool] = lambda filters: False


def _open_with_deadline():
    return and_(mediation_phase(), Case.mediation_deadline_at.is_not(None))


_REGISTERED_DESC = Segment(lambda: Case.registered_at, True, "datetime")
#: The deadline order: cases whose mediation clock runs, nearest deadline first; then
#: every other case, newest first (a closed case's old deadline means nothing).
SORT_SEGMENTS: dict[str, tuple[Segment, ...]] = {
    "registered_desc": (_REGISTERED_DESC,),
    "registered_asc": (Segment(lambda: Case.registered_at, False, "datetime"),),
    "claim_desc": (Segment(lambda: Case.claim_total_fen, True, "int"),),
    "deadline_asc": (
        Segment(lambda: Case.mediation_deadline_at, False, "datetime", _open_with_deadline,
                empty=lambda f: bool(f.status) and not set(f.status) & set(MEDIATION_PHASE)),
        replace(_REGISTERED_DESC, where=lambda: not_(_open_with_deadline()),
                empty=lambda f: f.deadline is not None),  # deadline filters keep only running clocks
    ),
}


@dataclass(frozen=True)
class Cursor:
    sort: str
    before: bool  # False: the page starts after the row; True: it ends before the row
    segment: int
    key: object
    id: int
    position: int  # index (0-based) of the first row of the page this cursor opens


def _key_to_json(kind: str, value):
    if kind == "datetime":
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat()
    return int(value)


def _key_from_json(kind: str, value):
    if kind == "datetime":
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError("datetime key")
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("naive datetime key")
        return moment
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ValueError("int key")
    return value


def encode_cursor(cursor: Cursor) -> str:
    kind = SORT_SEGMENTS[cursor.sort][cursor.segment].kind
    body = {"v": 1, "s": cursor.sort, "d": "b" if cursor.before else "a", "g": cursor.segment,
            "k": _key_to_json(kind, cursor.key), "i": cursor.id, "p": cursor.position}
    raw = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_BAD_CURSOR = Msg("翻页参数无效或已过期，请从第一页重新浏览",
                  "The page position is invalid or expired; start again from the first page")


def decode_cursor(token: str, sort: str) -> Cursor:
    try:
        if not isinstance(token, str) or len(token) > 400:
            raise ValueError("length")
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(raw.decode())
        if not isinstance(body, dict) or body.get("v") != 1 or body.get("d") not in ("a", "b"):
            raise ValueError("shape")
        segments = SORT_SEGMENTS.get(body.get("s"))
        segment, case_id, position = body.get("g"), body.get("i"), body.get("p")
        for number in (segment, case_id, position):
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise ValueError("numbers")
        if segments is None or segment >= len(segments) or case_id == 0 or position > 10**9:
            raise ValueError("range")
        key = _key_from_json(segments[segment].kind, body.get("k"))
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error, json.JSONDecodeError):
        raise InvalidCursorError(_BAD_CURSOR, "cursor") from None
    if body["s"] != sort:
        raise InvalidCursorError(Msg("翻页位置属于另一种排序，请从第一页重新浏览",
                                     "This page position belongs to another sort order; start again from the first page"), "cursor")
    return Cursor(sort=sort, before=body["d"] == "b", segment=segment, key=key, id=case_id,
                  position=position)


# --- Fetching a page ----------------------------------------------------------------------


def read(statement, params=None):
    """Run a list's read on the session's connection (its transaction, Core rows).

    A list reads columns, never objects, so the ORM's result machinery (entity loading,
    autoflush, ORM events) only costs: about a millisecond a page over its four reads."""
    return db.session.connection().execute(statement, params)


def seek_after(segment: Segment, key, case_id: int, forward: bool) -> ColumnElement:
    """Rows strictly after (forward) or before the row (key, id) in the segment's order."""
    column = segment.key()
    bound = tuple_(literal(key, UTCDateTime() if segment.kind == "datetime" else Integer()),
                   literal(case_id, Integer()))
    later = tuple_(column, Case.id) < bound if segment.descending else tuple_(column, Case.id) > bound
    if forward:
        return later
    return tuple_(column, Case.id) > bound if segment.descending else tuple_(column, Case.id) < bound


def _segment_rows(base: Select, segment: Segment, *, forward: bool, seek, limit: int,
                  small: bool, kept=None):
    if seek is None and kept is not None:  # no cursor values in it: the same every time
        return read(kept((segment, forward, limit), lambda: _segment_query(
            base, segment, forward=forward, seek=None, limit=limit, small=small))).all()
    return read(_segment_query(base, segment, forward=forward, seek=seek, limit=limit,
                               small=small)).all()


def _segment_query(base: Select, segment: Segment, *, forward: bool, seek, limit: int,
                   small: bool) -> Select:
    column = segment.key()
    query = base.add_columns(column)
    condition = segment.where()
    if condition is not None:
        query = query.where(condition)
    if seek is not None:
        query = query.where(seek_after(segment, *seek, forward=forward))
    descending = segment.descending if forward else not segment.descending
    if small:
        # The count proved the filtered set small (within its cap): let the database
        # gather it through the most selective index, then sort just those rows, rather
        # than walk the sort index past rows the filters reject.
        found = query.cte("found").prefix_with("MATERIALIZED")
        key, case_id = found.c[column.key], found.c.id
        order = (key.desc(), case_id.desc()) if descending else (key.asc(), case_id.asc())
        return select(case_id, key).order_by(*order).limit(limit)
    order = (column.desc(), Case.id.desc()) if descending else (column.asc(), Case.id.asc())
    return query.order_by(*order).limit(limit)


def first_segment_with_count(base: Select, filters, count_query, limit: int, *, kept,
                             detail=None, params=None):
    """The first page's rows of the first segment the filters leave, and the list's count,
    read by one statement: ``(segment index, [(id, key)…]), count, details``.

    For a first page whose statement does not depend on the count (no search, and an
    index walks the list in its order): the count is joined to the page's rows (an outer
    join, so an empty page still brings it). ``count_query()`` builds the count;
    ``kept(part, build)`` is the caller's store of built statements.

    ``detail(page)``, when given, is a select of the display columns of the cases of the
    subquery ``page`` (its first column the case id, joined on ``page.c.id``): then the
    rows come in the same statement, and ``details`` is the list of those columns' tuples in
    page order (else None). ``params``: the values of that select's bound parameters."""
    segments = SORT_SEGMENTS[filters.sort]
    index = next((i for i, segment in enumerate(segments) if not segment.empty(filters)), None)
    if index is None:
        return None, read(kept(("count",), count_query)).scalar(), None

    def build():
        segment = segments[index]
        # Prepared (with rows), the limits are written in the statement: a generic plan
        # for "LIMIT $1" assumes a tenth of the table and joins it all by hash (0.7 s).
        page = _segment_query(base, segment, forward=True, seek=None,
                              limit=literal_column(str(int(limit))) if detail else limit,
                              small=False).subquery("page")
        counted = count_query().subquery("counted")
        key, case_id = page.c[segment.key().key], page.c.id
        if detail is not None:
            found = detail(page).add_columns(key.label("page_key")).subquery("found")
            key, case_id = found.c.page_key, found.c[0]
            columns = [c for c in found.c if c is not found.c.page_key]
        else:
            found, columns = page, [case_id, key]
        order = (key.desc(), case_id.desc()) if segment.descending else (key.asc(), case_id.asc())
        return (select(counted.c[0], key, *columns)
                .select_from(counted.outerjoin(found, true())).order_by(*order))

    rows = read(kept((index, limit, detail is not None), build), params).all()
    if detail is None:  # unpacked, not indexed: a Row's item is a call
        return ((index, [(case_id, key) for _, key, case_id, _ in rows if case_id is not None]),
                rows[0][0], None)
    present = [row[1:] for row in rows if row[2] is not None]
    return (index, [(row[1], row[0]) for row in present]), rows[0][0], [row[1:] for row in present]


def fetch_rows(base: Select, filters, cursor: Cursor | None, limit: int, *,
               forward: bool, small: bool = False, kept=None, prefetched=None):
    """Up to ``limit`` (segment, id, key) in display order, after/before the cursor.

    ``filters``: the list's ``CaseFilters`` (its sort, and what leaves a segment empty).
    ``kept(part, build)``: the caller's store of built statements, for the statements
    without a cursor's values (``app.services.case_lists``). ``prefetched``: (segment index,
    rows) of a segment already read (:func:`first_segment_with_count`)."""
    segments = SORT_SEGMENTS[filters.sort]
    rows: list[tuple[int, int, object]] = []
    if forward:
        start = cursor.segment if cursor else 0
        order = range(start, len(segments))
    else:
        order = range(cursor.segment, -1, -1)
    for index in order:
        if segments[index].empty(filters):
            continue
        seek = (cursor.key, cursor.id) if cursor and index == cursor.segment else None
        if prefetched is not None and index == prefetched[0]:
            found = prefetched[1]
        else:
            found = _segment_rows(base, segments[index], forward=forward, seek=seek,
                                  limit=limit - len(rows), small=small, kept=kept)
        rows += [(index, case_id, key) for case_id, key in found]
        if len(rows) >= limit:
            break
    if not forward:
        rows.reverse()
    return rows
