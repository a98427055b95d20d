"""Case lists for every role: filters, sort, count and one keyset page of rows; filter choices.

A list is always the caller's visible cases (``app.access.visible_cases``), narrowed by
the filters. Pages are keyset pages (``app.services.case_paging``): page 400 costs what
page 1 costs. Every scope × sort walks one index in order (indexes in
``app.models.cases``), so no request sorts the court's million cases; the plans are in
BENCHMARKS.md. The search box is matched by ``app.services.case_search``; this module
decides, from the count, whether a search gathers its matches through the index or checks
rows as the page walks its order. Bulk actions on the selected rows are
``app.services.bulk_actions``.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement, Integer, Select, bindparam, case, exists, func, literal_column, select,
)
from sqlalchemy.orm import aliased

from app.access import list_relation, visible_cases, whole_court_of
from app.extensions import db
from app.models import Case, Complaint, Developer, Mediator, Person, Project, Role, User
from app.services import people
from app.models.search import uses_fts
from app.services.case_paging import (
    first_segment_with_count,
    SORT_SEGMENTS, SORTS, Cursor, InvalidCursorError, decode_cursor, encode_cursor, fetch_rows,
    mediation_phase, read,
)
from app.services.case_search import (
    MAX_QUERY_LENGTH, long_terms, search_conditions, search_join, search_terms,
)
from app.services.case_tallies import court_total
from app.services.errors import ServiceError
from app.services.ids import parse_id
from mediation.disputes import DisputeType
from mediation.lifecycle import MEDIATION_PHASE, CaseStatus
from mediation.messages import Msg

__all__ = [
    "COUNT_CAP", "DEADLINE_FILTERS", "MAX_LIMIT", "MAX_QUERY_LENGTH", "SORTS", "CaseFilters",
    "CasePage", "CaseRow", "FilterError", "InvalidCursorError", "list_cases", "load_rows",
]

#: Deadline filters: the 30-day mediation period has run out, or runs out within 3 days.
DEADLINE_FILTERS = ("overdue", "due3")
DUE_SOON = timedelta(days=3)
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
#: Who finds a case by a party's phone number: the court's own people, who see the
#: numbers anyway; a party sees others' numbers masked and must not unmask them by search.
PHONE_SEARCH_ROLES = frozenset({"judge", "mediator", "admin"})
#: Counting stops here: an exact total up to 10,000 rows costs about a millisecond on an
#: index; beyond it the page says "more than 10,000" instead of walking a million rows.
COUNT_CAP = 10_000
#: A search counts its matches only this far. A word found in every eighth case (逾期,
#: 渗漏) needs narrowing rather than an exact figure, and each match counted beyond a
#: thousand costs a row read: 45 ms at a million cases for such a word, against 4 ms.
SEARCH_COUNT_CAP = 1_000


class FilterError(ServiceError):
    """A filter value the list does not know (shown next to the filter field)."""

    status = 400


# --- Filters ------------------------------------------------------------------------------


def _filter_id(value, field_name: str) -> int | None:
    if value in (None, ""):
        return None
    number = parse_id(value)
    if number is None:
        raise FilterError(Msg("编号应为正整数", "An id is a positive whole number"), field_name)
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
    #: Whether a phone number in ``q`` is searched (the court's lists only: see
    #: ``app.services.case_search``); :func:`list_cases` sets it from the user's role.
    phone_search: bool = False

    def __post_init__(self):
        statuses = (self.status,) if isinstance(self.status, str) else tuple(self.status or ())
        known = {s.value for s in CaseStatus}
        for status in statuses:
            if status not in known:
                raise FilterError(Msg("未知的案件状态“{x}”",
                                      "Unknown case status “{x}”", x=str(status)[:20]), "status")
        object.__setattr__(self, "status", tuple(dict.fromkeys(statuses)))
        if self.dispute_type in ("", None):
            object.__setattr__(self, "dispute_type", None)
        elif self.dispute_type not in {d.value for d in DisputeType}:
            raise FilterError(Msg("未知的纠纷类型", "Unknown dispute type"), "dispute_type")
        for name in ("project_id", "developer_id", "town_id", "mediator_id"):
            object.__setattr__(self, name, _filter_id(getattr(self, name), name))
        if self.deadline in ("", None):
            object.__setattr__(self, "deadline", None)
        elif self.deadline not in DEADLINE_FILTERS:
            raise FilterError(Msg("未知的期限筛选", "Unknown deadline filter"), "deadline")
        if self.sort in ("", None):
            object.__setattr__(self, "sort", SORTS[0])
        elif self.sort not in SORTS:
            raise FilterError(Msg("未知的排序方式", "Unknown sort order"), "sort")
        object.__setattr__(self, "q", (self.q or "")[:MAX_QUERY_LENGTH])

    @cached_property
    def terms(self) -> list[str]:
        """The search box's terms, normalised (computed once per list request)."""
        return search_terms(self.q, phones=self.phone_search)

    @property
    def active(self) -> bool:
        """Whether anything but the sort narrows the list."""
        return bool(self.status or self.dispute_type or self.project_id or self.developer_id
                    or self.town_id or self.mediator_id or self.deadline or self.terms)


def _filter_conditions(filters: CaseFilters, now: datetime, *, counting: bool = False,
                       scan_search: bool = False) -> list[ColumnElement]:
    """The filters as SQL. ``counting`` phrases the town so that it drives the count through
    the project index; a page walking in sort order checks it row by row instead.
    ``scan_search`` checks the search terms row by row too (see :func:`search_conditions`)."""
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
        where += [mediation_phase(), Case.mediation_deadline_at < now]
    elif filters.deadline == "due3":
        where += [mediation_phase(), Case.mediation_deadline_at >= now,
                  Case.mediation_deadline_at < now + DUE_SOON]
    if not (counting and _counts_through_fts(filters)):
        where += search_conditions(filters.terms, scan=scan_search)
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


def _counts_through_fts(filters: CaseFilters) -> bool:
    """Whether the count joins the FTS5 table (SQLite, a term of three characters or more)."""
    return bool(long_terms(filters.terms)) and uses_fts()


def _only_unindexed_search(filters: CaseFilters) -> bool:
    """Only one- or two-character terms and no other filter: no index can gather the
    matches, so gathering them to sort would read every case again after the count did;
    walking the sort order stops once a page is found."""
    terms = filters.terms
    return (bool(terms) and not long_terms(terms)
            and not any(getattr(filters, name) for name in _FILTER_FIELDS))


def _role_scope(user: User) -> list[ColumnElement]:
    """What each role's own list shows, within what it may see (visible_cases).

    A developer's list is "cases against us"; a homeowner's is the cases they are a
    party to. Both are also indexable forms of the visibility rule, so the list never
    scans the whole table to evaluate it.
    """
    if user.role == Role.DEVELOPER:
        return [Case.developer_id == user.developer_id]
    if user.role == Role.HOMEOWNER:
        mine = select(Complaint.case_id).where(Complaint.claimant_person_id == user.person_id)
        mine = mine.union(select(Complaint.case_id)
                          .where(Complaint.respondent_person_id == user.person_id))
        return [Case.id.in_(mine)]
    return []


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
    first = SORT_SEGMENTS[filters.sort][0]
    return first.key().key in _ORDERED_BY.get(used[0], set())



# --- The list ------------------------------------------------------------------------------


@dataclass
class CaseRow:
    """One row of a case list; the claimant as the viewer may see them."""

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
    #: The day the judge must assign (registered) or the mediator answer (assigned, not
    #: accepted) — 人民法院在线调解规则 arts. 10, 12.
    response_due_at: datetime | None = None
    claimant_name: str | None = None
    claimant_phone: str | None = None
    claimant_count: int = 0
    #: "overdue" | "due_soon" | None — only while the mediation clock runs.
    deadline_state: str | None = None
    #: "assign" | "accept" (what is awaited) and whether that day has passed.
    response_step: str | None = None
    response_overdue: bool = False


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
        raise FilterError(Msg("每页条数应为 1 至 {max_limit} 之间的整数",
                              "The page size is a whole number from 1 to {max_limit}",
                              max_limit=MAX_LIMIT), "limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise FilterError(Msg("每页条数应为 1 至 {max_limit} 之间的整数",
                              "The page size is a whole number from 1 to {max_limit}",
                              max_limit=MAX_LIMIT), "limit")
    return limit


def _base_query(user: User, filters: CaseFilters, now: datetime, columns, *,
                counting: bool = False, scan_search: bool = False) -> Select:
    query = visible_cases(user, select(*columns))
    if counting and _counts_through_fts(filters):
        query = search_join(query, filters.terms)
    return query.where(*_role_scope(user), *_filter_conditions(
        filters, now, counting=counting, scan_search=scan_search))


@contextmanager
def _planned_for_their_values():
    """PostgreSQL: plan the list's statements for the values they carry.

    psycopg prepares a statement after five runs, and PostgreSQL may then keep one generic
    plan for every value. For the list's skewed filters (status "closed" is nine cases in
    ten, "in_mediation" one in two hundred) that plan was a table scan: the status + type +
    town count went from 25 ms to 170 ms after a few repetitions. So the list's statements
    are sent unprepared (psycopg's ``prepare_threshold = None`` for their duration), which
    PostgreSQL plans for their values each time. It is a setting of the client, not of the
    server: no ``SET``/``RESET`` round trips (two of a list page's eleven). The per-request
    session lookup keeps its prepared, cheap generic plan.
    """
    if db.engine.dialect.name != "postgresql":
        yield
        return
    dbapi_connection = db.session.connection().connection.dbapi_connection
    threshold = dbapi_connection.prepare_threshold
    dbapi_connection.prepare_threshold = None
    try:
        yield
    finally:
        dbapi_connection.prepare_threshold = threshold


#: The lists' statements as built, by what they are built from. Building one costs more
#: than running it on an index (SQLAlchemy's construction, then the key of its compiled
#: form, which is memoized on the statement object): a list reloaded, or read again after
#: a write, runs the same statements with the same values. Statements are immutable.
_STATEMENTS: dict[tuple, object] = {}
_STATEMENTS_KEPT = 512


def _statement_key(user: User, filters: CaseFilters) -> tuple | None:
    """What a list's statements are built from, or None when they also depend on the data
    (the town's projects) or on the time (the deadline filters): those are built afresh."""
    if filters.town_id or filters.deadline:
        return None
    return (user.role, user.id, user.court_id, user.developer_id, user.person_id, filters,
            uses_fts())


def _kept(shape: tuple | None, part: tuple, build):
    """The statement ``build`` makes for this list shape and ``part``, built once."""
    if shape is None:
        return build()
    key = (shape, part)
    statement = _STATEMENTS.get(key)
    if statement is None:
        if len(_STATEMENTS) >= _STATEMENTS_KEPT:
            _STATEMENTS.clear()
        statement = _STATEMENTS[key] = build()
    return statement


def list_cases(user: User, filters: CaseFilters | dict | None = None, *, cursor: str | None = None,
               limit: int = DEFAULT_LIMIT, now: datetime) -> CasePage:
    """One page of the cases ``user`` may see, narrowed by ``filters``.

    Raises :class:`FilterError` for an unknown filter value or limit, and
    :class:`InvalidCursorError` for a cursor this list did not make.
    """
    filters = _normalized(user, filters)
    if cursor is None and not filters.active and len(SORT_SEGMENTS[filters.sort]) == 1:
        # The unfiltered first page (the list as opened): one statement brings the count,
        # the page and its rows. No filter value can change its plan, so it is prepared
        # like any statement (planned once: planning its joins cost more than running them).
        page, details = _list_cases(user, filters, cursor=None, limit=limit, now=now,
                                    with_rows=True)
        page.items = _case_rows(details[:len(page.items)], now, user)
        return page
    with _planned_for_their_values():
        page, _ = _list_cases(user, filters, cursor=cursor, limit=limit, now=now)
    # The rows by primary key: no plan to get wrong, so prepared (planned once) like any
    # statement — planning this join took longer than running it.
    page.items = load_rows(page.items, now, user)
    return page


def _normalized(user: User, filters) -> CaseFilters:
    if filters is None:
        filters = CaseFilters()
    elif isinstance(filters, dict):
        filters = CaseFilters(**filters)
    if filters.phone_search != (user.role in PHONE_SEARCH_ROLES):
        filters = replace(filters, phone_search=user.role in PHONE_SEARCH_ROLES)
    return filters


def _list_cases(user: User, filters: CaseFilters, *, cursor: str | None, limit: int,
                now: datetime, with_rows: bool = False) -> tuple[CasePage, list | None]:
    """A page of ids (and, ``with_rows`` on a first page walked along one index, the rows'
    display columns read in the same statement, in page order; else None)."""
    limit = _clamp_limit(limit)
    decoded = decode_cursor(cursor, filters.sort) if cursor else None
    cap = min(COUNT_CAP, SEARCH_COUNT_CAP) if filters.terms else COUNT_CAP
    shape = _statement_key(user, filters)

    def count_query():
        # With the rows, the statement is prepared: its limit is written in it (see
        # first_segment_with_count).
        capped = select(func.count()).select_from(
            _base_query(user, filters, now, [Case.id], counting=True)
            .limit(literal_column(str(cap + 1)) if with_rows else cap + 1).subquery())
        court_id = whole_court_of(user)
        if court_id is not None and not filters.active:
            # The court's whole list: its number of cases as the database keeps it.
            return court_total(court_id, capped)
        return capped

    prefetched = details = None
    if decoded is None and not filters.terms and (not filters.active or _index_ordered(filters)):
        # The first page of a list walked along one index: its statement does not depend on
        # the count, so both are read in one statement (one round trip on PostgreSQL).
        small = False
        base = _kept(shape, ("base", False, "no terms"), lambda: _base_query(
            user, filters, now, [Case.id]))
        prefetched, counted, details = first_segment_with_count(
            base, filters, count_query, limit + 1,
            kept=lambda part, build: _kept(shape, ("count+page", cap, *part), build),
            detail=_rows_of if with_rows else None,
            params={"own": user.person_id} if with_rows else None)
        total = counted if counted <= cap else None
    else:
        counted = read(_kept(shape, ("count", cap), count_query)).scalar()
        total = counted if counted <= cap else None
        small = (total is not None and filters.active and not _index_ordered(filters)
                 and not _only_unindexed_search(filters))
        # More matches than the cap: a page is near in sort order, so check rows as we walk.
        base = _kept(shape, ("base", small, total is None), lambda: _base_query(
            user, filters, now, [Case.id], counting=small, scan_search=total is None))

    def _fetch(*args, **kwargs):
        return fetch_rows(*args, small=small, kept=lambda part, build: _kept(
            shape, ("page", small, total is None, *part), build), **kwargs)

    position = 0
    if decoded is None:
        rows = _fetch(base, filters, None, limit + 1, forward=True, prefetched=prefetched)
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
        return encode_cursor(Cursor(filters.sort, before, segment, key, case_id, at))

    next_cursor = make(rows[-1], False, position + len(rows)) if rows and has_more else None
    prev_cursor = make(rows[0], True, max(position - limit, 0)) if rows and has_before else None

    if total is not None and total < position + len(rows):
        total = position + len(rows)  # rows were inserted before this page meanwhile
    # The ids, for now: list_cases loads their rows.
    return CasePage(items=[case_id for _, case_id, _ in rows], filters=filters, limit=limit,
                    position=position, next_cursor=next_cursor, prev_cursor=prev_cursor, total=total, count_cap=cap), details


def _deadline_state(status: str, deadline: datetime | None, now: datetime) -> str | None:
    if deadline is None or status not in MEDIATION_PHASE:
        return None
    if deadline < now:
        return "overdue"
    if deadline < now + DUE_SOON:
        return "due_soon"
    return None


# Built once: aliases and statements are costly to build per request.
_mediator_user = aliased(User, name="mediator_user")
_claimant_developer = aliased(Developer, name="claimant_developer")
_shown_complaint = aliased(Complaint, name="shown_complaint")
_other = aliased(Complaint, name="other_complaint")
#: The claimant a row shows: the case's first complaint, or the viewer's own where they
#: are one of its claimants (``own``: the viewer's person id, NULL for staff).
_FIRST_CLAIMANT = (
    select(_other.id).where(_other.case_id == Case.id)
    .order_by(case((_other.claimant_person_id == bindparam("own", type_=Integer), 0), else_=1),
              _other.id)
    .limit(1).correlate(Case).scalar_subquery())
_CLAIMANT_COUNT = (select(func.count(_other.id)).where(_other.case_id == Case.id)
                   .correlate(Case).scalar_subquery())
#: A page's rows with their shown claimant and claimant count: one statement (one round
#: trip on PostgreSQL), each case found by its primary key, its complaints by their index.
_ROW_COLUMNS = (
    select(Case.id, Case.number, Case.is_group, Case.status, Case.dispute_type,
           Case.registered_at, Case.mediation_deadline_at, Case.claim_total_fen,
           Case.project_id, Project.name, Case.developer_id, Developer.name,
           Case.mediator_id, _mediator_user.name, Case.outcome, Case.response_due_at,
           _CLAIMANT_COUNT, Person.id, Person.name, Person.phone, _claimant_developer.name))


def _joined(query: Select) -> Select:
    """The rows' joins, from ``cases`` (already in ``query``'s FROM)."""
    return (query
            .join(Project, Project.id == Case.project_id)
            .join(Developer, Developer.id == Case.developer_id)
            .outerjoin(Mediator, Mediator.id == Case.mediator_id)
            .outerjoin(_mediator_user, _mediator_user.id == Mediator.user_id)
            .outerjoin(_shown_complaint, _shown_complaint.id == _FIRST_CLAIMANT)
            .outerjoin(Person, Person.id == _shown_complaint.claimant_person_id)
            .outerjoin(_claimant_developer,
                       _claimant_developer.id == _shown_complaint.claimant_developer_id))


_ROWS = _joined(_ROW_COLUMNS).where(Case.id.in_(bindparam("ids", expanding=True)))


def _rows_of(page) -> Select:
    """The display columns of the cases of the subquery ``page`` (in the page's statement)."""
    # From the page: joined last, after the outer joins, PostgreSQL joined every case.
    return _joined(_ROW_COLUMNS.select_from(page).join(Case, Case.id == page.c.id))


def load_rows(ids: list[int], now: datetime, viewer: User) -> list[CaseRow]:
    """The display columns of these cases, in this order (one statement).

    The claimant shown is the first one — the viewer themselves where they are one — as
    ``viewer`` may see them (app.services.people: a neighbour in a group case is 王*燕;
    phones are masked in every list)."""
    if not ids:
        return []
    # Fetched at once, not row by row; ``own`` read once (an ORM attribute costs a call).
    found = {row[0]: row for row in read(_ROWS, {"ids": ids, "own": viewer.person_id}).all()}
    return _case_rows([found[i] for i in ids if i in found], now, viewer)


def _case_rows(rows, now: datetime, viewer: User) -> list[CaseRow]:
    """``CaseRow``s of the columns of ``_ROW_COLUMNS``, in the order given."""
    items = []
    claimants = []
    for row in rows:
        item = CaseRow(*row[:16])
        item.claimant_count, person_id, person_name, phone, developer_name = row[16:]
        item.deadline_state = _deadline_state(item.status, item.deadline_at, now)
        if item.response_due_at is not None and item.status in ("registered", "assigned"):
            item.response_step = "assign" if item.status == "registered" else "accept"
            item.response_overdue = item.response_due_at < now
        items.append(item)
        if item.claimant_count:
            claimants.append((item, (person_id, person_name or developer_name, phone)))
    shown = people.present_row_claimants(viewer, list_relation(viewer),
                                         [claimant for _, claimant in claimants])
    for (item, _), (name, phone) in zip(claimants, shown):
        item.claimant_name, item.claimant_phone = name, phone
    return items
