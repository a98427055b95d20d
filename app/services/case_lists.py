"""Case lists for every role: filters, Chinese full-text search, sort, keyset pages, bulk actions.

A list is always the caller's visible cases (``app.access.visible_cases``), narrowed by
the filters. Pages are keyset pages: the cursor carries the last row's sort key and id,
so page 400 costs what page 1 costs, and a row inserted between two requests neither
repeats nor hides a row. Every scope × sort walks one index in order (indexes in
``app.models.cases``), so no request sorts the court's million cases; the plans are in
BENCHMARKS.md.

Search runs over ``cases.search_text`` (number, project, developer, party names, facts;
NFKC-normalised and case-folded so "（2026）" finds "(2026)"). A term of three or more
characters uses the trigram index — SQLite's FTS5 ``trigram`` tokenizer, PostgreSQL's
``pg_trgm`` GIN index; one- and two-character terms cannot use a trigram index and are
matched with ``LIKE`` over the rows the other filters leave (measured in BENCHMARKS.md).
Every term is matched literally: ``%``, ``_``, quotes and FTS syntax (``OR``, ``*``,
``NEAR(``) are text, not operators.

Bulk actions call the case services one row at a time, each in its own transaction, and
report per row what happened, so one refused row never undoes the others.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import unicodedata
import weakref
from contextlib import contextmanager
from functools import cached_property
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import (
    ColumnElement, Integer, Select, and_, bindparam, column, exists, func, literal, not_, select,
    table, text, tuple_, update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased

from app.access import visible_cases
from app.extensions import db
from app.models import Case, Complaint, Developer, Mediator, Person, Project, Town, User
from app.models.cases import MEDIATION_PHASE_SQL
from app.models.types import UTCDateTime, contains_pattern
from app.services.errors import ForbiddenError, ServiceError
from mediation.disputes import DisputeType
from mediation.lifecycle import MEDIATION_PHASE, CaseStatus, Outcome

log = logging.getLogger(__name__)

__all__ = [
    "BULK_LIMIT", "COUNT_CAP", "DEADLINE_FILTERS", "MAX_LIMIT", "SORTS", "CaseFilters",
    "CasePage", "CaseRow", "FilterError", "InvalidCursorError", "bulk_assign",
    "bulk_change_status", "bulk_merge", "include_object", "install_search", "list_cases",
    "filter_labels", "filter_options", "normalize_search", "preview_bulk", "refresh_case_search",
    "search_terms",
]

#: Sort orders a list offers (the first is the default).
SORTS = ("registered_desc", "registered_asc", "deadline_asc", "claim_desc")
#: Deadline filters: the 30-day mediation period has run out, or runs out within 3 days.
DEADLINE_FILTERS = ("overdue", "due3")
DUE_SOON = timedelta(days=3)
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
#: Counting stops here: an exact total up to 10,000 rows costs about a millisecond on an
#: index; beyond it the page says "more than 10,000" instead of walking a million rows.
COUNT_CAP = 10_000
#: A search counts its matches only this far. A word found in every eighth case (逾期,
#: 渗漏) needs narrowing rather than an exact figure, and each match counted beyond a
#: thousand costs a row read: 45 ms at a million cases for such a word, against 4 ms.
SEARCH_COUNT_CAP = 1_000
#: Longest search text accepted (characters) and most terms used from it.
MAX_QUERY_LENGTH = 100
MAX_TERMS = 5
#: Trigram indexes need three characters; shorter terms fall back to LIKE.
TRIGRAM = 3
#: Most cases one bulk action may touch.
BULK_LIMIT = 200


class FilterError(ServiceError):
    """A filter value the list does not know (shown next to the filter field)."""

    status = 400


class InvalidCursorError(ServiceError):
    """A page cursor that was not made by this list (edited, truncated, or for another sort)."""

    status = 400


# --- Search schema: FTS5 trigram on SQLite, pg_trgm on PostgreSQL -----------------------

FTS_TABLE = "cases_fts"
TRGM_INDEX = "ix_cases_search_trgm"

#: SQLite: an external-content FTS5 table over cases.search_text, kept by triggers. The
#: migration 20261127_7b715a8cc7e9 carries a frozen copy of these statements.
SQLITE_SEARCH_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_text, content='cases', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON cases BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON cases BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF search_text ON cases BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)
#: PostgreSQL: a trigram GIN index serves LIKE '%…%' for terms of three characters or more.
POSTGRES_SEARCH_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON cases USING gin (search_text gin_trgm_ops)",
)

_fts_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def sqlite_has_trigram() -> bool:
    """Whether this SQLite library has FTS5 with the trigram tokenizer (3.34 or later)."""
    import sqlite3

    if sqlite3.sqlite_version_info < (3, 34, 0):
        return False
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


def install_search(bind) -> None:
    """Create the search index on an engine or connection whose tables exist (tests, tools).

    Idempotent. Migrations create the same objects; ``db.create_all()`` does not, so
    whatever builds a schema with ``create_all`` calls this afterwards.
    """
    engine = getattr(bind, "engine", bind)
    _fts_cache.pop(engine, None)
    statements = ()
    if bind.dialect.name == "sqlite" and sqlite_has_trigram():
        statements = SQLITE_SEARCH_DDL
    elif bind.dialect.name == "postgresql":
        statements = POSTGRES_SEARCH_DDL
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    else:  # a Connection, inside the caller's transaction
        for statement in statements:
            bind.exec_driver_sql(statement)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: the search index lives outside the models (FTS5 tables, GIN index)."""
    if type_ == "table" and name and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_")):
        return False
    if type_ == "index" and name == TRGM_INDEX:
        return False
    return True


def _uses_fts() -> bool:
    """Whether this database answers long terms from the FTS5 table (SQLite with FTS5)."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return False
    found = _fts_cache.get(engine)
    if found is None:
        found = db.session.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": FTS_TABLE}).first() is not None
        _fts_cache[engine] = found
    return found


# --- Search text ----------------------------------------------------------------------------


def normalize_search(value: str | None) -> str:
    """NFKC, case-folded, control characters dropped, whitespace collapsed to one space."""
    value = unicodedata.normalize("NFKC", value or "").casefold()
    value = "".join(ch if ch.isprintable() else " " for ch in value)
    return " ".join(value.split())


def search_terms(q: str | None) -> list[str]:
    """The distinct terms of a search box entry, normalised (at most ``MAX_TERMS``)."""
    terms: list[str] = []
    for term in normalize_search((q or "")[:MAX_QUERY_LENGTH]).split(" "):
        if term and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _compose(parts: Iterable[str | None]) -> str:
    seen: list[str] = []
    for part in parts:
        part = normalize_search(part)
        if part and part not in seen:
            seen.append(part)
    return " ".join(seen)


def refresh_case_search(case_ids: Iterable[int]) -> int:
    """Recompute ``search_text`` of these cases in the caller's transaction (no commit).

    Call it after a case is registered or its complaints change (accept, merge, opt-out);
    the trigger (SQLite) or GIN index (PostgreSQL) keeps the search index in step.
    Returns how many cases changed.
    """
    ids = sorted({int(i) for i in case_ids})
    changed = 0
    claimant = aliased(Person)
    respondent = aliased(Person)
    claimant_developer = aliased(Developer)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        heads = db.session.execute(
            select(Case.id, Case.number, Project.name, Developer.name, Case.search_text)
            .join(Project, Project.id == Case.project_id)
            .join(Developer, Developer.id == Case.developer_id)
            .where(Case.id.in_(chunk))).all()
        names: dict[int, list[str | None]] = {}
        facts: dict[int, list[str | None]] = {}
        for case_id, c_name, r_name, d_name, fact in db.session.execute(
                select(Complaint.case_id, claimant.name, respondent.name, claimant_developer.name,
                       Complaint.facts)
                .outerjoin(claimant, claimant.id == Complaint.claimant_person_id)
                .outerjoin(respondent, respondent.id == Complaint.respondent_person_id)
                .outerjoin(claimant_developer,
                           claimant_developer.id == Complaint.claimant_developer_id)
                .where(Complaint.case_id.in_(chunk))
                .order_by(Complaint.case_id, Complaint.id)):
            names.setdefault(case_id, []).extend((c_name, r_name, d_name))
            facts.setdefault(case_id, []).append(fact)
        updates = []
        for case_id, number, project, developer, current in heads:
            new = _compose([number, project, developer, *names.get(case_id, ()),
                            *facts.get(case_id, ())])
            if new != current:
                updates.append({"id": case_id, "search_text": new})
        if updates:
            db.session.execute(update(Case), updates)
            changed += len(updates)
    return changed


# --- Filters --------------------------------------------------------------------------------


def _positive_id(value, field_name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise FilterError("编号应为正整数", field_name) from None
    if number <= 0 or number > 2**62:
        raise FilterError("编号应为正整数", field_name)
    return number


@dataclass(frozen=True)
class CaseFilters:
    """What narrows a list. Unknown values raise :class:`FilterError` naming the field."""

    status: tuple[str, ...] = ()
    dispute_type: str | None = None
    project_id: int | None = None
    developer_id: int | None = None
    town_id: int | None = None
    mediator_id: int | None = None
    deadline: str | None = None
    q: str = ""
    sort: str = SORTS[0]

    def __post_init__(self):
        statuses = (self.status,) if isinstance(self.status, str) else tuple(self.status or ())
        known = {s.value for s in CaseStatus}
        for status in statuses:
            if status not in known:
                raise FilterError(f"未知的案件状态“{str(status)[:20]}”", "status")
        object.__setattr__(self, "status", tuple(dict.fromkeys(statuses)))
        if self.dispute_type in ("", None):
            object.__setattr__(self, "dispute_type", None)
        elif self.dispute_type not in {d.value for d in DisputeType}:
            raise FilterError("未知的纠纷类型", "dispute_type")
        for name in ("project_id", "developer_id", "town_id", "mediator_id"):
            object.__setattr__(self, name, _positive_id(getattr(self, name), name))
        if self.deadline in ("", None):
            object.__setattr__(self, "deadline", None)
        elif self.deadline not in DEADLINE_FILTERS:
            raise FilterError("未知的期限筛选", "deadline")
        if self.sort in ("", None):
            object.__setattr__(self, "sort", SORTS[0])
        elif self.sort not in SORTS:
            raise FilterError("未知的排序方式", "sort")
        object.__setattr__(self, "q", (self.q or "")[:MAX_QUERY_LENGTH])

    @cached_property
    def terms(self) -> list[str]:
        """The search box's terms, normalised (computed once per list request)."""
        return search_terms(self.q)

    @property
    def active(self) -> bool:
        """Whether anything but the sort narrows the list."""
        return bool(self.status or self.dispute_type or self.project_id or self.developer_id
                    or self.town_id or self.mediator_id or self.deadline or self.terms)


def _mediation_phase() -> ColumnElement:
    # The very text of the partial deadline indexes' WHERE clause (SQLite matches it verbatim).
    return text("cases." + MEDIATION_PHASE_SQL)


def _filter_conditions(filters: CaseFilters, now: datetime, *, counting: bool = False,
                       scan_search: bool = False) -> list[ColumnElement]:
    """The filters as SQL. ``counting`` phrases the town so that it drives the count through
    the project index; a page walking in sort order checks it row by row instead.
    ``scan_search`` checks the search terms row by row too (see :func:`_search_conditions`)."""
    where: list[ColumnElement] = []
    if len(filters.status) == 1:
        where.append(Case.status == filters.status[0])
    elif filters.status:
        where.append(Case.status.in_(filters.status))
    if filters.dispute_type:
        where.append(Case.dispute_type == filters.dispute_type)
    if filters.project_id:
        where.append(Case.project_id == filters.project_id)
    if filters.developer_id:
        where.append(Case.developer_id == filters.developer_id)
    if filters.mediator_id:
        where.append(Case.mediator_id == filters.mediator_id)
    if filters.town_id and counting:
        # The town's projects as a list of ids, not a subquery: PostgreSQL then combines
        # the project index with another filter's index (BitmapAnd) where a semi-join made
        # it scan the table (status + type + town: 120 ms → 33 ms at a million cases).
        projects = db.session.scalars(select(Project.id).where(Project.town_id == filters.town_id))
        where.append(Case.project_id.in_(list(projects)))
    elif filters.town_id:
        # Correlated, so it filters the walk in sort order rather than driving a sort.
        where.append(exists().where(Project.id == Case.project_id,
                                    Project.town_id == filters.town_id))
    if filters.deadline == "overdue":
        where += [_mediation_phase(), Case.mediation_deadline_at < now]
    elif filters.deadline == "due3":
        where += [_mediation_phase(), Case.mediation_deadline_at >= now,
                  Case.mediation_deadline_at < now + DUE_SOON]
    if not (counting and _counts_through_fts(filters)):
        where += _search_conditions(filters.terms, scan=scan_search)
    return where


# How a search is answered. The count comes first and decides:
# * Few matches (the count is exact, at most the cap): the index finds them all (FTS5 on
#   SQLite, the trigram GIN index on PostgreSQL) and only those rows are sorted.
# * Many matches (more than SEARCH_COUNT_CAP: one case in a thousand at a million): the
#   page walks the sort order and checks each row's search_text (instr / strpos), which
#   finds a page after a few hundred rows — collecting every match through the index
#   first would cost 150–400 ms for a phrase found in one case in eight.
# * The count itself stops at the cap + 1: on SQLite it is driven from the FTS5 table,
#   which streams its matches, so it reads at most that many rather than all of them.
_FTS = table(FTS_TABLE, column("rowid"))


def _fts_match(long_terms: list[str]) -> ColumnElement:
    # Each term a quoted FTS5 phrase ("" escapes a quote): a substring, never syntax.
    match = " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
    return text(f"{FTS_TABLE} MATCH :fts_match").bindparams(fts_match=match)


def _long_terms(terms: list[str]) -> list[str]:
    return [t for t in terms if len(t) >= TRIGRAM]


def _counts_through_fts(filters: CaseFilters) -> bool:
    """Whether the count joins the FTS5 table (SQLite, a term of three characters or more)."""
    return bool(_long_terms(filters.terms)) and _uses_fts()


def _only_unindexed_search(filters: CaseFilters) -> bool:
    """Only one- or two-character terms and no other filter: no index can gather the
    matches, so gathering them to sort would read every case again after the count did;
    walking the sort order stops once a page is found."""
    terms = filters.terms
    return (bool(terms) and not _long_terms(terms)
            and not any(getattr(filters, name) for name in _FILTER_FIELDS))


def _search_conditions(terms: list[str], *, scan: bool = False) -> list[ColumnElement]:
    """Every term must occur in search_text (AND), matched literally.

    ``scan``: check each row as the list walks its order, using no search index (the
    count found many matches, so a page is near).
    """
    if not terms:
        return []
    if scan:
        return [_scan_contains(term) for term in terms]
    where: list[ColumnElement] = []
    long_terms = _long_terms(terms)
    short_terms = [t for t in terms if len(t) < TRIGRAM]
    if long_terms and _uses_fts():
        where.append(Case.id.in_(select(_FTS.c.rowid).where(_fts_match(long_terms))))
    else:
        short_terms = terms
    for term in short_terms:
        where.append(_contains(term))
    return where


def _search_join(query: Select, filters: CaseFilters) -> Select:
    """The count's search on SQLite: driven from the FTS5 table, so it streams (the short
    terms, if any, are checked on each row it yields)."""
    terms = filters.terms
    query = query.join(_FTS, _FTS.c.rowid == Case.id).where(_fts_match(_long_terms(terms)))
    return query.where(*(_contains(t) for t in terms if len(t) < TRIGRAM))


def _contains(term: str) -> ColumnElement:
    """search_text contains ``term`` literally. Long terms use LIKE, which the trigram GIN
    index serves on PostgreSQL; a one- or two-character term uses strpos/instr, which no
    index can serve, so PostgreSQL never scans the whole GIN index for it (2.5 s at a
    million cases) and checks rows as it walks the list instead."""
    if len(term) >= TRIGRAM:
        return Case.search_text.like(contains_pattern(term), escape="\\")
    return _scan_contains(term)


def _scan_contains(term: str) -> ColumnElement:
    """search_text contains ``term``, in a form no search index serves (checked per row)."""
    if db.engine.dialect.name == "postgresql":
        return func.strpos(Case.search_text, term) > 0
    return func.instr(Case.search_text, term) > 0


def _role_scope(user: User) -> list[ColumnElement]:
    """What each role's own list shows, within what it may see (visible_cases).

    A developer's list is "cases against us"; a homeowner's is the cases they are a
    party to. Both are also indexable forms of the visibility rule, so the list never
    scans the whole table to evaluate it.
    """
    if user.role == "developer":
        return [Case.developer_id == user.developer_id]
    if user.role == "homeowner":
        mine = select(Complaint.case_id).where(Complaint.claimant_person_id == user.person_id)
        mine = mine.union(select(Complaint.case_id)
                          .where(Complaint.respondent_person_id == user.person_id))
        return [Case.id.in_(mine)]
    return []


# --- Sort orders and cursors ----------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """A run of the display order: the rows ``where`` selects, ordered by (key, id)."""

    key: Callable[[], ColumnElement]
    descending: bool
    kind: str  # "datetime" | "int": how the key travels in a cursor
    where: Callable[[], ColumnElement | None] = lambda: None
    #: Whether the filters leave this run empty (then it is not queried at all: walking an
    #: index for rows that cannot exist would read all of it).
    empty: Callable[["CaseFilters"], bool] = lambda filters: False


def _open_with_deadline():
    return and_(_mediation_phase(), Case.mediation_deadline_at.is_not(None))


_REGISTERED_DESC = _Segment(lambda: Case.registered_at, True, "datetime")
#: The deadline order: cases whose mediation clock runs, nearest deadline first; then
#: every other case, newest first (a closed case's old deadline means nothing).
_SORT_SEGMENTS: dict[str, tuple[_Segment, ...]] = {
    "registered_desc": (_REGISTERED_DESC,),
    "registered_asc": (_Segment(lambda: Case.registered_at, False, "datetime"),),
    "claim_desc": (_Segment(lambda: Case.claim_total_fen, True, "int"),),
    "deadline_asc": (
        _Segment(lambda: Case.mediation_deadline_at, False, "datetime", _open_with_deadline,
                 empty=lambda f: bool(f.status) and not set(f.status) & set(MEDIATION_PHASE)),
        replace(_REGISTERED_DESC, where=lambda: not_(_open_with_deadline()),
                empty=lambda f: f.deadline is not None),  # deadline filters keep only running clocks
    ),
}


#: Filters with an index (court_id, filter, key, id) that walks them in a sort key's order
#: (ix_cases_court_*_registered, ix_cases_court_status_registered, the partial deadline index).
_ORDERED_BY = {"status": {"registered_at"}, "dispute_type": {"registered_at"},
               "project_id": {"registered_at"}, "developer_id": {"registered_at"},
               "mediator_id": {"registered_at"}, "deadline": {"mediation_deadline_at"}}
_FILTER_FIELDS = ("status", "dispute_type", "project_id", "developer_id", "mediator_id",
                  "deadline", "town_id")


def _index_ordered(filters: CaseFilters) -> bool:
    """Whether one index walks the filtered list in its display order, skipping no row."""
    used = [name for name in _FILTER_FIELDS if getattr(filters, name)]
    if filters.terms or len(used) != 1 or len(filters.status) > 1:
        return False
    first = _SORT_SEGMENTS[filters.sort][0]
    return first.key().key in _ORDERED_BY.get(used[0], set())


@dataclass(frozen=True)
class _Cursor:
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


def _encode_cursor(cursor: _Cursor) -> str:
    kind = _SORT_SEGMENTS[cursor.sort][cursor.segment].kind
    body = {"v": 1, "s": cursor.sort, "d": "b" if cursor.before else "a", "g": cursor.segment,
            "k": _key_to_json(kind, cursor.key), "i": cursor.id, "p": cursor.position}
    raw = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_BAD_CURSOR = "翻页参数无效或已过期，请从第一页重新浏览"


def _decode_cursor(token: str, sort: str) -> _Cursor:
    try:
        if not isinstance(token, str) or len(token) > 400:
            raise ValueError("length")
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(raw.decode())
        if not isinstance(body, dict) or body.get("v") != 1 or body.get("d") not in ("a", "b"):
            raise ValueError("shape")
        segments = _SORT_SEGMENTS.get(body.get("s"))
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
        raise InvalidCursorError("翻页位置属于另一种排序，请从第一页重新浏览", "cursor")
    return _Cursor(sort=sort, before=body["d"] == "b", segment=segment, key=key, id=case_id,
                   position=position)


# --- The list ------------------------------------------------------------------------------


@dataclass
class CaseRow:
    """One row of a case list (personal data is masked by the templates)."""

    id: int
    number: str
    is_group: bool
    status: str
    dispute_type: str
    registered_at: datetime
    deadline_at: datetime | None
    claim_total_fen: int
    project_id: int
    project_name: str
    developer_id: int
    developer_name: str
    mediator_id: int | None
    mediator_name: str | None
    outcome: str | None = None
    claimant_name: str | None = None
    claimant_phone: str | None = None
    claimant_count: int = 0
    #: "overdue" | "due_soon" | None — only while the mediation clock runs.
    deadline_state: str | None = None


@dataclass
class CasePage:
    items: list[CaseRow]
    filters: CaseFilters
    limit: int
    position: int  # index (0-based) of the first item in the whole ordered list
    next_cursor: str | None
    prev_cursor: str | None
    #: Matching cases, exact while at most ``count_cap``; None beyond it.
    total: int | None
    count_cap: int = COUNT_CAP
    extras: dict = field(default_factory=dict)

    @property
    def page(self) -> int:
        return self.position // self.limit + 1

    @property
    def pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.limit))

    @property
    def first_number(self) -> int:
        return self.position + 1 if self.items else 0

    @property
    def last_number(self) -> int:
        return self.position + len(self.items)


def _clamp_limit(limit) -> int:
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        raise FilterError(f"每页条数应为 1 至 {MAX_LIMIT} 之间的整数", "limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise FilterError(f"每页条数应为 1 至 {MAX_LIMIT} 之间的整数", "limit")
    return limit


def _base_query(user: User, filters: CaseFilters, now: datetime, columns, *,
                counting: bool = False, scan_search: bool = False) -> Select:
    query = visible_cases(user, select(*columns))
    if counting and _counts_through_fts(filters):
        query = _search_join(query, filters)
    return query.where(*_role_scope(user), *_filter_conditions(
        filters, now, counting=counting, scan_search=scan_search))


def _seek(segment: _Segment, key, case_id: int, forward: bool) -> ColumnElement:
    """Rows strictly after (forward) or before the row (key, id) in the segment's order."""
    column = segment.key()
    bound = tuple_(literal(key, UTCDateTime() if segment.kind == "datetime" else Integer()),
                   literal(case_id, Integer()))
    later = tuple_(column, Case.id) < bound if segment.descending else tuple_(column, Case.id) > bound
    if forward:
        return later
    return tuple_(column, Case.id) > bound if segment.descending else tuple_(column, Case.id) < bound


def _segment_rows(base: Select, segment: _Segment, *, forward: bool, seek, limit: int,
                  small: bool):
    column = segment.key()
    query = base.add_columns(column)
    condition = segment.where()
    if condition is not None:
        query = query.where(condition)
    if seek is not None:
        query = query.where(_seek(segment, *seek, forward=forward))
    descending = segment.descending if forward else not segment.descending
    if small:
        # The count proved the filtered set small (within its cap): let the database
        # gather it through the most selective index, then sort just those rows, rather
        # than walk the sort index past rows the filters reject.
        found = query.cte("found").prefix_with("MATERIALIZED")
        key, case_id = found.c[column.key], found.c.id
        order = (key.desc(), case_id.desc()) if descending else (key.asc(), case_id.asc())
        return db.session.execute(select(case_id, key).order_by(*order).limit(limit)).all()
    order = (column.desc(), Case.id.desc()) if descending else (column.asc(), Case.id.asc())
    return db.session.execute(query.order_by(*order).limit(limit)).all()


def _fetch_rows(base: Select, filters: CaseFilters, cursor: _Cursor | None, limit: int, *,
                forward: bool, small: bool = False):
    """Up to ``limit`` (segment, id, key) in display order, after/before the cursor."""
    segments = _SORT_SEGMENTS[filters.sort]
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
        found = _segment_rows(base, segments[index], forward=forward, seek=seek,
                              limit=limit - len(rows), small=small)
        rows += [(index, case_id, key) for case_id, key in found]
        if len(rows) >= limit:
            break
    if not forward:
        rows.reverse()
    return rows


@contextmanager
def _planned_for_their_values():
    """PostgreSQL: plan the list's statements for the values they carry.

    psycopg prepares a statement after five runs, and PostgreSQL may then keep one generic
    plan for every value. For the list's skewed filters (status "closed" is nine cases in
    ten, "in_mediation" one in two hundred) that plan was a table scan: the status + type +
    town count went from 25 ms to 170 ms after a few repetitions. Only the list asks for
    custom plans; the per-request session lookup keeps its cheap generic plan.
    """
    if db.engine.dialect.name != "postgresql":
        yield
        return
    connection = db.session.connection()
    connection.exec_driver_sql("SET plan_cache_mode = force_custom_plan")
    try:
        yield
    finally:
        # In a failed transaction the rollback undoes the SET; RESET would only fail.
        if connection.connection.dbapi_connection.info.transaction_status != _PG_INERROR:
            connection.exec_driver_sql("RESET plan_cache_mode")


_PG_INERROR = 3  # psycopg.pq.TransactionStatus.INERROR


def list_cases(user: User, filters: CaseFilters | dict | None = None, *, cursor: str | None = None,
               limit: int = DEFAULT_LIMIT, now: datetime) -> CasePage:
    """One page of the cases ``user`` may see, narrowed by ``filters``.

    Raises :class:`FilterError` for an unknown filter value or limit, and
    :class:`InvalidCursorError` for a cursor this list did not make.
    """
    with _planned_for_their_values():
        return _list_cases(user, filters, cursor=cursor, limit=limit, now=now)


def _list_cases(user: User, filters, *, cursor: str | None, limit: int, now: datetime) -> CasePage:
    if filters is None:
        filters = CaseFilters()
    elif isinstance(filters, dict):
        filters = CaseFilters(**filters)
    limit = _clamp_limit(limit)
    decoded = _decode_cursor(cursor, filters.sort) if cursor else None
    cap = min(COUNT_CAP, SEARCH_COUNT_CAP) if filters.terms else COUNT_CAP
    counted = db.session.scalar(select(func.count()).select_from(
        _base_query(user, filters, now, [Case.id], counting=True).limit(cap + 1).subquery()))
    total = counted if counted <= cap else None
    small = (total is not None and filters.active and not _index_ordered(filters)
             and not _only_unindexed_search(filters))
    # More matches than the cap: a page is near in sort order, so check rows as we walk.
    base = _base_query(user, filters, now, [Case.id], counting=small, scan_search=total is None)

    def _fetch(*args, **kwargs):
        return _fetch_rows(*args, small=small, **kwargs)

    position = 0
    if decoded is None:
        rows = _fetch(base, filters, None, limit + 1, forward=True)
        has_more, has_before = len(rows) > limit, False
        rows = rows[:limit]
    elif not decoded.before:
        rows = _fetch(base, filters, decoded, limit + 1, forward=True)
        has_more, has_before = len(rows) > limit, True
        rows = rows[:limit]
        position = decoded.position
    else:
        rows = _fetch(base, filters, decoded, limit + 1, forward=False)
        if len(rows) <= limit:
            # Back at the start (rows were added or removed meanwhile): show page 1 itself.
            rows = _fetch(base, filters, None, limit + 1, forward=True)
            has_more, has_before = len(rows) > limit, False
            rows = rows[:limit]
        else:
            rows = rows[1:]
            has_more, has_before = True, True
            position = max(decoded.position, 0)
    if has_before and position == 0:
        position = limit  # a guess that keeps "previous" meaningful after a tampered cursor

    def make(row, before: bool, at: int) -> str:
        segment, case_id, key = row
        return _encode_cursor(_Cursor(filters.sort, before, segment, key, case_id, at))

    next_cursor = make(rows[-1], False, position + len(rows)) if rows and has_more else None
    prev_cursor = make(rows[0], True, max(position - limit, 0)) if rows and has_before else None

    if total is not None and total < position + len(rows):
        total = position + len(rows)  # rows were inserted before this page meanwhile
    items = _load_rows([case_id for _, case_id, _ in rows], now)
    return CasePage(items=items, filters=filters, limit=limit, position=position,
                    next_cursor=next_cursor, prev_cursor=prev_cursor, total=total, count_cap=cap)


def _deadline_state(status: str, deadline: datetime | None, now: datetime) -> str | None:
    if deadline is None or status not in MEDIATION_PHASE:
        return None
    if deadline < now:
        return "overdue"
    if deadline < now + DUE_SOON:
        return "due_soon"
    return None


# Built once: aliases and statements are costly to build per request (every row of a list
# page comes through these two primary-key lookups).
_mediator_user = aliased(User, name="mediator_user")
_claimant_developer = aliased(Developer, name="claimant_developer")
_ROWS = (
    select(Case.id, Case.number, Case.is_group, Case.status, Case.dispute_type,
           Case.registered_at, Case.mediation_deadline_at, Case.claim_total_fen,
           Case.project_id, Project.name, Case.developer_id, Developer.name,
           Case.mediator_id, _mediator_user.name, Case.outcome)
    .join(Project, Project.id == Case.project_id)
    .join(Developer, Developer.id == Case.developer_id)
    .outerjoin(Mediator, Mediator.id == Case.mediator_id)
    .outerjoin(_mediator_user, _mediator_user.id == Mediator.user_id)
    .where(Case.id.in_(bindparam("ids", expanding=True))))
_CLAIMANTS = (
    select(Complaint.case_id, Person.name, Person.phone, _claimant_developer.name)
    .outerjoin(Person, Person.id == Complaint.claimant_person_id)
    .outerjoin(_claimant_developer, _claimant_developer.id == Complaint.claimant_developer_id)
    .where(Complaint.case_id.in_(bindparam("ids", expanding=True)))
    .order_by(Complaint.case_id, Complaint.id))


def _load_rows(ids: list[int], now: datetime) -> list[CaseRow]:
    """The display columns of these cases, in this order (two primary-key lookups)."""
    if not ids:
        return []
    found = {}
    for row in db.session.execute(_ROWS, {"ids": ids}):
        item = CaseRow(*row)
        item.deadline_state = _deadline_state(item.status, item.deadline_at, now)
        found[item.id] = item
    for case_id, person_name, phone, developer_name in db.session.execute(_CLAIMANTS, {"ids": ids}):
        item = found.get(case_id)
        if item is None:
            continue
        if item.claimant_count == 0:
            item.claimant_name = person_name or developer_name
            item.claimant_phone = phone
        item.claimant_count += 1
    return [found[i] for i in ids if i in found]


# --- Filter choices -------------------------------------------------------------------------

#: Above this many projects (or developers) the filter is a removable chip set from a row's
#: link instead of a select of every name.
OPTION_LIMIT = 100


@dataclass
class FilterOptions:
    towns: list[tuple[int, str]] = field(default_factory=list)
    mediators: list[tuple[int, str]] = field(default_factory=list)
    projects: list[tuple[int, str]] = field(default_factory=list)
    developers: list[tuple[int, str]] = field(default_factory=list)


def _listed(count_query: Select, query: Select) -> list[tuple[int, str]]:
    """The rows of ``query`` when ``count_query`` says there are few enough to list."""
    if db.session.scalar(count_query) > OPTION_LIMIT:
        return []
    return [tuple(r) for r in db.session.execute(query)]


def filter_options(user: User) -> FilterOptions:
    """The choices of the filter selects for ``user``'s list."""
    options = FilterOptions()
    if user.role in ("judge", "mediator"):
        court = user.court_id
        options.towns = [tuple(r) for r in db.session.execute(
            select(Town.id, Town.name).where(exists().where(
                Project.town_id == Town.id, Project.court_id == court)).order_by(Town.id))]
        if user.role == "judge":
            options.mediators = [tuple(r) for r in db.session.execute(
                select(Mediator.id, User.name).join(User, User.id == Mediator.user_id)
                .where(Mediator.court_id == court).order_by(User.name, Mediator.id))]
        options.projects = _listed(
            select(func.count()).select_from(Project).where(Project.court_id == court),
            select(Project.id, Project.name).where(Project.court_id == court)
            .order_by(Project.name, Project.id))
        options.developers = _listed(
            select(func.count(Project.developer_id.distinct())).where(Project.court_id == court),
            select(Developer.id, Developer.name).where(Developer.id.in_(
                select(Project.developer_id).where(Project.court_id == court)))
            .order_by(Developer.name, Developer.id))
    elif user.role == "developer":
        mine = Project.developer_id == user.developer_id
        options.projects = _listed(select(func.count()).select_from(Project).where(mine),
                                   select(Project.id, Project.name).where(mine)
                                   .order_by(Project.name, Project.id))
    return options


def filter_labels(filters: CaseFilters) -> dict[str, str]:
    """Names of the chosen project and developer, for the chips that show them."""
    labels = {}
    if filters.project_id:
        name = db.session.scalar(select(Project.name).where(Project.id == filters.project_id))
        labels["project_id"] = name or f"#{filters.project_id}"
    if filters.developer_id:
        name = db.session.scalar(select(Developer.name).where(Developer.id == filters.developer_id))
        labels["developer_id"] = name or f"#{filters.developer_id}"
    return labels


# --- Bulk actions ---------------------------------------------------------------------------


@dataclass
class BulkPreview:
    """The cases a bulk action would touch, and the ids it cannot (unknown or not yours)."""

    rows: list[CaseRow]
    missing: list[int]


_NOT_FOUND = "案件不存在或无权操作"


def _clean_ids(case_ids) -> list[int]:
    ids: list[int] = []
    for value in case_ids or ():
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ServiceError("所选案件编号无效", "case_ids") from None
        if number <= 0 or number > 2**62:
            raise ServiceError("所选案件编号无效", "case_ids")
        if number not in ids:
            ids.append(number)
    if not ids:
        raise ServiceError("请至少选择一件案件", "case_ids")
    if len(ids) > BULK_LIMIT:
        raise ServiceError(f"一次最多处理 {BULK_LIMIT} 件案件", "case_ids")
    return ids


def _require_judge(actor: User) -> None:
    if actor.role != "judge":
        raise ForbiddenError("只有法官可以批量处理案件")


def _visible_numbers(actor: User, ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        visible_cases(actor, select(Case.id, Case.number)).where(Case.id.in_(ids))).all()
    return dict(rows)


def preview_bulk(case_ids, *, actor: User, now: datetime) -> BulkPreview:
    """The rows a bulk action would touch, as the list shows them (for the confirmation)."""
    _require_judge(actor)
    ids = _clean_ids(case_ids)
    numbers = _visible_numbers(actor, ids)
    rows = _load_rows([i for i in ids if i in numbers], now)
    return BulkPreview(rows=rows, missing=[i for i in ids if i not in numbers])


def _report(case_id: int, number: str | None, ok: bool, message: str) -> dict:
    return {"case_id": case_id, "number": number, "ok": ok, "message": message}


def _each_row(case_ids, actor: User, act: Callable[[int], str]) -> list[dict]:
    _require_judge(actor)
    ids = _clean_ids(case_ids)
    numbers = _visible_numbers(actor, ids)
    db.session.rollback()  # end the read; each row below is its own transaction
    report = []
    for case_id in ids:
        if case_id not in numbers:
            report.append(_report(case_id, None, False, _NOT_FOUND))
            continue
        try:
            message = act(case_id)
        except ServiceError as error:
            db.session.rollback()
            report.append(_report(case_id, numbers[case_id], False, error.message))
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("bulk action failed on case %s", case_id)
            report.append(_report(case_id, numbers[case_id], False, "处理失败，请稍后重试"))
        else:
            report.append(_report(case_id, numbers[case_id], True, message))
    return report


def _case_services():
    from app.services import cases

    return cases


def bulk_assign(case_ids, mediator_id: int, *, actor: User, now: datetime,
                expected: dict[int, str] | None = None) -> list[dict]:
    """Assign one mediator to each case; a per-row report [{case_id, number, ok, message}].

    ``expected`` (case id → status shown at confirmation) makes a row fail rather than act
    on a case someone else changed meanwhile.
    """
    services = _case_services()
    try:
        mediator_id = _positive_id(mediator_id, "mediator_id")
    except FilterError:
        mediator_id = None
    if mediator_id is None:
        raise ServiceError("请选择调解员", "mediator_id")
    expected = {int(k): v for k, v in (expected or {}).items()}

    def act(case_id: int) -> str:
        services.assign_mediator(case_id, mediator_id, actor=actor, now=now,
                                 expected_status=expected.get(case_id))
        return "已分派调解员"

    return _each_row(case_ids, actor, act)


def bulk_change_status(case_ids, to: str, *, actor: User, now: datetime, reason: str | None,
                       outcome: str | None = None,
                       expected: dict[int, str] | None = None) -> list[dict]:
    """Move each case to ``to``; ``expected`` (case id → status shown at confirmation) makes
    a row fail rather than act on a case someone else changed meanwhile."""
    services = _case_services()
    if to not in {s.value for s in CaseStatus}:
        raise ServiceError("请选择目标状态", "to")
    if outcome in ("", None):
        outcome = None
    elif outcome not in {o.value for o in Outcome}:
        raise ServiceError("未知的结案方式", "outcome")
    reason = (reason or "").strip() or None
    expected = {int(k): v for k, v in (expected or {}).items()}
    label = CaseStatus(to).label_zh

    def act(case_id: int) -> str:
        services.transition_case(case_id, to, actor=actor, now=now, reason=reason,
                                 outcome=outcome, expected_status=expected.get(case_id))
        return f"状态已变更为“{label}”"

    return _each_row(case_ids, actor, act)


def bulk_merge(case_ids, *, actor: User, now: datetime) -> list[dict]:
    """Merge the cases into one group case, all or nothing; the report names the result."""
    _require_judge(actor)
    ids = _clean_ids(case_ids)
    numbers = _visible_numbers(actor, ids)
    missing = [i for i in ids if i not in numbers]
    if missing:
        return [_report(i, numbers.get(i), False, _NOT_FOUND if i in missing else
                        "未合并：所选案件中有不存在或无权操作的案件") for i in ids]
    if len(ids) < 2:
        raise ServiceError("合并至少需要选择两件案件", "case_ids")
    services = _case_services()
    db.session.rollback()
    try:
        merged = services.merge_cases(ids, actor=actor, now=now)
        target_id, target_number = merged.id, merged.number
    except ServiceError as error:
        db.session.rollback()
        return [_report(i, numbers[i], False, error.message) for i in ids]
    return [_report(i, numbers[i], True,
                    "合并后的案件" if i == target_id else f"已并入{target_number}") for i in ids]
