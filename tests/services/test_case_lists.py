"""Case lists: filters, search, sort, keyset pages, counts, role scopes and bulk actions."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from app.models import Case, Complaint, User
from app.models import search
from app.services import bulk_actions, case_lists, case_search
from app.services.case_lists import CaseFilters, FilterError, InvalidCursorError, list_cases
from app.services.case_search import normalize_search, refresh_case_search, search_terms
from app.services.errors import ServiceError
from tests.factories import NOW

# --- A small world: two courts, two developers, three projects, two mediators ---------------


@dataclass
class World:
    court: object
    other_court: object
    judge: object
    other_judge: object
    mediators: list
    developers: list
    projects: list
    towns: list
    cases: dict = field(default_factory=dict)  # id -> attributes


def _add_case(app, make, project, *, days: int, claim: int = 0, status: str = "registered",
              mediator=None, deadline_days: float | None = None, dispute_type="late_delivery",
              claimant=None, facts: str = "逾期交房") -> int:
    """A case registered ``days`` before NOW with the given attributes; returns its id."""
    from app.extensions import db

    case = make.case(project=project, status=status, mediator=mediator, claimant=claimant)
    with app.app_context():
        deadline = None if deadline_days is None else NOW + timedelta(days=deadline_days)
        db.session.execute(update(Case).where(Case.id == case.id).values(
            registered_at=NOW - timedelta(days=days), claim_total_fen=claim,
            dispute_type=dispute_type, mediation_deadline_at=deadline))
        db.session.execute(update(Complaint).where(Complaint.case_id == case.id)
                           .values(facts=facts, dispute_type=dispute_type))
        refresh_case_search([case.id])
        db.session.commit()
        db.session.remove()
    return case.id


@pytest.fixture
def world(app, make) -> World:
    court, other_court = make.court(), make.court()
    developers = [make.developer("椰海置业有限公司"), make.developer("航天城地产有限公司")]
    projects = [make.project(developer=developers[0], court=court, name="椰风海韵"),
                make.project(developer=developers[1], court=court, name="航天花园"),
                make.project(developer=developers[0], court=other_court, name="美兰新城")]
    m1 = make.user("mediator", court=court, name="吴调解员")
    m2 = make.user("mediator", court=court, name="黄调解员")
    w = World(court=court, other_court=other_court, judge=make.user("judge", court=court),
              other_judge=make.user("judge", court=other_court), mediators=[m1, m2],
              developers=developers, projects=projects, towns=[p.town for p in projects])
    p1, p2, p3 = projects
    specs = [
        # project, days ago, claim (fen), status, mediator, deadline (days from NOW), type, name, facts
        (p1, 1, 500_000, "registered", None, None, "late_delivery", "王海燕", "合同约定2024年交房，至今未交付"),
        (p1, 2, 9_000_000, "assigned", m1, -2, "late_delivery", "李文华", "逾期交房两年"),
        (p1, 3, 120_000, "in_mediation", m1, 1.5, "quality", "张德明", "卫生间渗漏，墙体开裂"),
        (p2, 4, 7_500_000, "scheduled", m2, 10, "title_delay", "陈少英", "交房满三年仍未办证"),
        (p2, 5, 300_000, "mediated", m2, -20, "area", "符亚平", "实测面积减少超过3%"),
        (p2, 6, 2_000_000, "in_mediation", m2, -1, "late_delivery", "林桂英", "开发商说“下月交房”"),
        (p1, 7, 60_000, "failed", m1, -40, "quality", "王五", "物业说 NEAR(楼下) OR 楼上 漏水*"),
        (p2, 8, 4_400_000, "registered", None, None, "advertising", "赵_六", "宣传100%海景，实际无海景"),
        (p1, 9, 4_400_000, "assigned", m1, 2.5, "late_delivery", "O'Brien", "外籍业主 O'Brien 的房屋逾期"),
        (p3, 1, 1_000_000, "registered", None, None, "late_delivery", "王海燕", "另一法院的案件"),
    ]
    for project, days, claim, status, mediator, deadline, dtype, name, facts in specs:
        person = make.person(name=name)
        case_id = _add_case(app, make, project, days=days, claim=claim, status=status,
                            mediator=mediator.mediator if mediator else None,
                            deadline_days=deadline, dispute_type=dtype, claimant=person, facts=facts)
        w.cases[case_id] = dict(project=project.id, developer=project.developer.id,
                                town=project.town.id, court=project.court.id, days=days,
                                claim=claim, status=status, dispute_type=dtype,
                                mediator=mediator.mediator.id if mediator else None,
                                deadline=deadline, name=name, facts=facts)
    return w


def _page(app, user, filters=None, **kwargs):
    from app.extensions import db

    kwargs.setdefault("now", NOW)
    with app.app_context():
        viewer = db.session.get(User, user.id)
        page = list_cases(viewer, filters, **kwargs)
        db.session.remove()
    return page


def _ids(app, user, filters=None, **kwargs) -> list[int]:
    return [row.id for row in _page(app, user, filters, limit=200, **kwargs).items]


def _in_court(w: World) -> dict:
    return {i: c for i, c in w.cases.items() if c["court"] == w.court.id}


# --- Filters -----------------------------------------------------------------------------------

_PHASE = {"assigned", "scheduled", "in_mediation"}


@pytest.mark.parametrize("name, filters, keep", [
    ("status", lambda w: {"status": ("registered",)}, lambda c, w: c["status"] == "registered"),
    ("several statuses", lambda w: {"status": ("assigned", "in_mediation")},
     lambda c, w: c["status"] in ("assigned", "in_mediation")),
    ("dispute type", lambda w: {"dispute_type": "quality"}, lambda c, w: c["dispute_type"] == "quality"),
    ("project", lambda w: {"project_id": w.projects[1].id}, lambda c, w: c["project"] == w.projects[1].id),
    ("developer", lambda w: {"developer_id": w.developers[0].id},
     lambda c, w: c["developer"] == w.developers[0].id),
    ("town", lambda w: {"town_id": w.towns[0].id}, lambda c, w: c["town"] == w.towns[0].id),
    ("mediator", lambda w: {"mediator_id": w.mediators[1].mediator.id},
     lambda c, w: c["mediator"] == w.mediators[1].mediator.id),
    ("overdue", lambda w: {"deadline": "overdue"},
     lambda c, w: c["status"] in _PHASE and c["deadline"] is not None and c["deadline"] < 0),
    ("due within 3 days", lambda w: {"deadline": "due3"},
     lambda c, w: c["status"] in _PHASE and c["deadline"] is not None and 0 <= c["deadline"] < 3),
    ("two filters at once", lambda w: {"project_id": w.projects[0].id, "dispute_type": "late_delivery"},
     lambda c, w: c["project"] == w.projects[0].id and c["dispute_type"] == "late_delivery"),
])
def test_each_filter_narrows_the_judges_list(app, world, name, filters, keep):
    """Does each filter keep exactly the cases it names (and the count agree)?"""
    expected = {i for i, c in _in_court(world).items() if keep(c, world)}
    assert expected, "the world must have cases for this filter"
    page = _page(app, world.judge, filters(world), limit=200)
    assert {row.id for row in page.items} == expected
    assert page.total == len(expected)


def test_the_unfiltered_list_is_the_whole_court_and_nothing_else(app, world):
    page = _page(app, world.judge, limit=200)
    assert {row.id for row in page.items} == set(_in_court(world))
    assert page.total == len(_in_court(world)) and page.pages == 1


def test_overdue_and_due_soon_rows_are_marked(app, world):
    """Are deadlines flagged only while the mediation clock runs?"""
    rows = {row.id: row for row in _page(app, world.judge, limit=200).items}
    for case_id, c in _in_court(world).items():
        state = rows[case_id].deadline_state
        if c["status"] in _PHASE and c["deadline"] is not None and c["deadline"] < 0:
            assert state == "overdue"
        elif c["status"] in _PHASE and c["deadline"] is not None and c["deadline"] < 3:
            assert state == "due_soon"
        else:
            assert state is None, (c, state)


@pytest.mark.parametrize("filters, field_name", [
    ({"status": ("bogus",)}, "status"), ({"dispute_type": "nope"}, "dispute_type"),
    ({"deadline": "tomorrow"}, "deadline"), ({"sort": "random"}, "sort"),
    ({"project_id": "abc"}, "project_id"), ({"project_id": -3}, "project_id"),
    ({"mediator_id": 0}, "mediator_id"),
])
def test_an_unknown_filter_value_is_refused_naming_the_field(filters, field_name):
    with pytest.raises(FilterError) as caught:
        CaseFilters(**filters)
    assert caught.value.field == field_name


@pytest.mark.parametrize("limit", [0, -1, 201, "many", None])
def test_the_page_size_is_bounded(app, world, limit):
    with pytest.raises(FilterError):
        _page(app, world.judge, limit=limit)


@pytest.mark.parametrize("limit", [1, 200])
def test_page_sizes_at_the_bounds_are_accepted(app, world, limit):
    assert len(_page(app, world.judge, limit=limit).items) == min(limit, len(_in_court(world)))


# --- Sorts and keyset pages ---------------------------------------------------------------


def _expected_order(w: World, sort: str) -> list[int]:
    cases = _in_court(w)
    if sort == "registered_desc":
        return sorted(cases, key=lambda i: (NOW - timedelta(days=cases[i]["days"]), i), reverse=True)
    if sort == "registered_asc":
        return sorted(cases, key=lambda i: (NOW - timedelta(days=cases[i]["days"]), i))
    if sort == "claim_desc":
        return sorted(cases, key=lambda i: (cases[i]["claim"], i), reverse=True)
    running = [i for i, c in cases.items() if c["status"] in _PHASE and c["deadline"] is not None]
    rest = [i for i in cases if i not in running]
    return (sorted(running, key=lambda i: (cases[i]["deadline"], i))
            + sorted(rest, key=lambda i: (NOW - timedelta(days=cases[i]["days"]), i), reverse=True))


@pytest.mark.parametrize("sort", case_lists.SORTS)
def test_each_sort_orders_the_whole_list(app, world, sort):
    assert _ids(app, world.judge, {"sort": sort}) == _expected_order(world, sort)


def test_ties_in_the_sort_key_are_broken_by_id(app, world):
    """Two cases claim the same amount: does the order (and so paging) stay deterministic?"""
    order = _ids(app, world.judge, {"sort": "claim_desc"})
    tied = [i for i in order if world.cases[i]["claim"] == 4_400_000]
    assert tied == sorted(tied, reverse=True) and len(tied) == 2


def _walk(app, user, filters, limit):
    pages, cursor = [], None
    while True:
        page = _page(app, user, filters, cursor=cursor, limit=limit)
        pages.append(page)
        if not page.next_cursor:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", case_lists.SORTS)
@pytest.mark.parametrize("limit", [1, 2, 4])
def test_keyset_pages_concatenate_to_the_whole_list(app, world, sort, limit):
    """Walking next, then back with previous: no duplicates, no gaps, same pages."""
    pages = _walk(app, world.judge, {"sort": sort}, limit)
    forward = [row.id for page in pages for row in page.items]
    assert forward == _expected_order(world, sort)
    assert [p.page for p in pages] == list(range(1, len(pages) + 1))
    assert all(p.total == len(forward) for p in pages)
    assert pages[-1].pages == len(pages)
    # And back again, page by page.
    back = pages[-1]
    for expected in reversed(pages[:-1]):
        back = _page(app, world.judge, {"sort": sort}, cursor=back.prev_cursor, limit=limit)
        assert [r.id for r in back.items] == [r.id for r in expected.items]
        assert back.page == expected.page
    assert back.prev_cursor is None


@pytest.mark.parametrize("sort", case_lists.SORTS)
@pytest.mark.parametrize("filters", [
    lambda w: {"status": ("assigned", "in_mediation")}, lambda w: {"status": ("assigned",)},
    lambda w: {"project_id": w.projects[0].id}, lambda w: {"q": "交房"},
    lambda w: {"town_id": w.towns[1].id, "dispute_type": "late_delivery"},
    lambda w: {"deadline": "overdue"},
])
def test_a_small_list_sorted_whole_pages_like_a_large_list_walked_in_index_order(
        app, world, monkeypatch, sort, filters):
    """Below the count cap the filtered rows are sorted; above it the sort index is walked:
    both must page through the same rows in the same order."""
    values = {**filters(world), "sort": sort}
    small = [r.id for p in _walk(app, world.judge, values, 2) for r in p.items]
    monkeypatch.setattr(case_lists, "COUNT_CAP", 0)  # every list is "large" now
    large = [r.id for p in _walk(app, world.judge, values, 2) for r in p.items]
    assert small == large
    assert set(small) == set(_ids(app, world.judge, values))


def test_a_deadline_list_never_queries_the_cases_whose_clock_does_not_run(app, world, monkeypatch):
    """Under a deadline filter the "other cases" run of the deadline order is empty by
    definition; walking an index for it would read every case of the court."""
    from sqlalchemy import event

    from app.extensions import db

    monkeypatch.setattr(case_lists, "COUNT_CAP", 0)  # the walking path
    seen: list[str] = []
    with app.app_context():
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            for deadline in ("overdue", "due3"):
                viewer = db.session.get(User, world.judge.id)
                page = list_cases(viewer, {"deadline": deadline, "sort": "deadline_asc"},
                                  limit=50, now=NOW)
                assert page.items and page.next_cursor is None
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
            db.session.remove()
    assert not [sql for sql in seen if "NOT (" in sql]


def test_rows_inserted_between_page_requests_neither_repeat_nor_hide_rows(app, make, world):
    """A case registered while the judge pages through the list does not shift the pages."""
    first = _page(app, world.judge, {"sort": "registered_desc"}, limit=3)
    newest = _add_case(app, make, world.projects[0], days=0)  # lands before the cursor
    oldest = _add_case(app, make, world.projects[1], days=30)  # lands after it
    seen = [row.id for row in first.items]
    cursor = first.next_cursor
    while cursor:
        page = _page(app, world.judge, {"sort": "registered_desc"}, cursor=cursor, limit=3)
        seen += [row.id for row in page.items]
        cursor = page.next_cursor
    assert len(seen) == len(set(seen))
    assert set(seen) == set(_in_court(world)) | {oldest}
    assert newest not in seen  # it sorts before the first page, which was already shown
    assert seen[-1] == oldest


def test_a_deleted_row_does_not_break_the_cursor_that_points_at_it(app, world):
    from app.extensions import db

    first = _page(app, world.judge, {"sort": "claim_desc"}, limit=2)
    last_shown = first.items[-1].id
    with app.app_context():
        db.session.execute(text("DELETE FROM complaints WHERE case_id = :i"), {"i": last_shown})
        db.session.execute(text("DELETE FROM cases WHERE id = :i"), {"i": last_shown})
        db.session.commit()
    second = _page(app, world.judge, {"sort": "claim_desc"}, cursor=first.next_cursor, limit=2)
    expected = [i for i in _expected_order(world, "claim_desc") if i != last_shown]
    assert [r.id for r in second.items] == expected[1:3]


# --- Cursors ---------------------------------------------------------------------------------


def _tamper(cursor: str, **changes) -> str:
    body = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    body.update(changes)
    return base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("bad", [
    "not-a-cursor", "!!!", "", "eyJ2IjoxfQ", base64.urlsafe_b64encode(b"[1,2,3]").decode(),
    base64.urlsafe_b64encode(b"\xff\xfe").decode(), "A" * 1000,
])
def test_a_bad_cursor_is_a_clear_error(app, world, bad):
    if bad == "":
        assert _page(app, world.judge, cursor=bad).position == 0  # no cursor: page 1
        return
    with pytest.raises(InvalidCursorError) as caught:
        _page(app, world.judge, cursor=bad)
    assert caught.value.field == "cursor" and "第一页" in caught.value.message


@pytest.mark.parametrize("changes", [
    {"k": "yesterday"}, {"k": 12}, {"i": -1}, {"i": "7"}, {"g": 5}, {"p": -3}, {"d": "x"},
    {"v": 2}, {"s": "claim_desc"}, {"k": "2026-01-01T00:00:00"},
])
def test_a_tampered_cursor_is_refused(app, world, changes):
    page = _page(app, world.judge, {"sort": "registered_desc"}, limit=2)
    with pytest.raises(InvalidCursorError):
        _page(app, world.judge, {"sort": "registered_desc"}, cursor=_tamper(page.next_cursor, **changes),
              limit=2)


def test_a_cursor_of_another_sort_is_refused(app, world):
    page = _page(app, world.judge, {"sort": "claim_desc"}, limit=2)
    with pytest.raises(InvalidCursorError) as caught:
        _page(app, world.judge, {"sort": "registered_desc"}, cursor=page.next_cursor, limit=2)
    assert "排序" in caught.value.message


def test_a_cursor_grants_nothing_outside_the_users_cases(app, world):
    """A judge's cursor replayed by a judge of another court still shows only their court."""
    page = _page(app, world.judge, limit=2)
    other = _page(app, world.other_judge, cursor=page.next_cursor, limit=2)
    assert {r.id for r in other.items} <= {i for i, c in world.cases.items()
                                           if c["court"] == world.other_court.id}


# --- Counts ----------------------------------------------------------------------------------


def test_counts_beyond_the_cap_say_more_than(app, world, monkeypatch):
    monkeypatch.setattr(case_lists, "COUNT_CAP", 4)
    page = _page(app, world.judge, limit=2)
    assert page.total is None and page.pages is None
    small = _page(app, world.judge, {"project_id": world.projects[0].id, "status": ("assigned",)},
                  limit=2)
    assert small.total == 2


# --- Search ----------------------------------------------------------------------------------


def _search(app, w, q, **filters) -> set[int]:
    return set(_ids(app, w.judge, {"q": q, **filters}))


def _cases_with(w, needle) -> set[int]:
    needle = normalize_search(needle)
    out = set()
    for i, c in _in_court(w).items():
        project = next(p for p in w.projects if p.id == c["project"])
        hay = normalize_search(" ".join([project.name, project.developer.name, c["name"], c["facts"]]))
        if needle in hay:
            out.add(i)
    return out


@pytest.mark.parametrize("q", ["王", "海燕", "王海燕", "渗漏", "卫生间渗漏", "逾期交房两年", "航天花园",
                               "椰海置业", "交房", "墙"])
def test_chinese_search_finds_names_and_facts_of_any_length(app, world, q):
    """Do one-, two- and three-or-more-character queries all find exactly the right cases?"""
    expected = _cases_with(world, q)
    assert expected
    assert _search(app, world, q) == expected


def test_search_finds_a_case_by_its_number_whatever_the_width_of_the_brackets(app, world):
    from app.extensions import db

    case_id = next(iter(_in_court(world)))
    with app.app_context():
        number = db.session.get(Case, case_id).number  # "（2026）琼9005民诉前调12号"
    assert _search(app, world, number) == {case_id}
    half_width = number.replace("（", "(").replace("）", ")")
    assert _search(app, world, half_width) == {case_id}


def test_several_terms_must_all_match(app, world):
    assert _search(app, world, "王 渗漏") == set()
    assert _search(app, world, "王海燕 2024") == _cases_with(world, "王海燕") & _cases_with(world, "2024")
    assert _search(app, world, "  逾期   交房  ") == _cases_with(world, "逾期") & _cases_with(world, "交房")


def test_search_ignores_case_for_latin_letters(app, world):
    assert _search(app, world, "o'brien") == _search(app, world, "O'BRIEN") == _cases_with(world, "O'Brien")


@pytest.mark.parametrize("q", ["%", "_", "'", '"', "OR", "*", "NEAR(", "NEAR(楼下)", "100%", "赵_六",
                               "\\", "漏水*", '"下月交房"', "OR 楼上", "a' OR '1'='1", "--", ";", "^",
                               "楼下)", "\x00王"])
def test_hostile_search_text_is_matched_literally(app, world, q):
    """Are LIKE wildcards, quotes and FTS5 syntax plain text? (never an error, never a wildcard)"""
    expected = set()
    for term in search_terms(q):
        found = _cases_with(world, term)
        expected = found if term == search_terms(q)[0] else expected & found
    assert _search(app, world, q) == expected


def test_search_combines_with_filters_and_scope(app, world):
    assert _search(app, world, "王海燕") == _cases_with(world, "王海燕")  # not the other court's
    assert _search(app, world, "交房", status=("assigned",)) == {
        i for i in _cases_with(world, "交房") if world.cases[i]["status"] == "assigned"}


def test_search_uses_the_trigram_index_for_three_characters_or_more(app, world):
    """SQLite answers from the FTS5 trigram table; PostgreSQL has the pg_trgm GIN index."""
    from app.extensions import db

    with app.app_context():
        dialect = db.engine.dialect.name
        if dialect == "sqlite":
            assert search.uses_fts()
            where = case_search.search_conditions(["卫生间"])
            assert "cases_fts MATCH" in str(where[0].compile())
            assert "instr" in str(case_search.search_conditions(["卫生"])[0].compile())
        else:
            # Short terms must not be offered to the GIN index (it would scan all of it).
            assert "strpos" in str(case_search.search_conditions(["卫生"])[0].compile())
            assert "LIKE" in str(case_search.search_conditions(["卫生间"])[0].compile())
            index = db.session.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_cases_search_trgm'")).scalar()
            assert index and "gin_trgm_ops" in index
        db.session.remove()


def _statements(app, fn) -> list[str]:
    from sqlalchemy import event

    from app.extensions import db

    seen: list[str] = []
    with app.app_context():
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            fn()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
            db.session.remove()
    return seen


@pytest.mark.parametrize("sort", case_lists.SORTS)
@pytest.mark.parametrize("q, filters", [
    ("交房", {}), ("逾期交房", {}), ("卫生间渗漏", {}), ("王", {}), ("逾期交房 王", {}),
    ("交房", {"status": ("assigned",)}), ("椰海置业", {"dispute_type": "late_delivery"}),
])
def test_a_search_with_more_matches_than_its_cap_pages_through_the_same_rows(
        app, world, monkeypatch, sort, q, filters):
    """Past the search's count cap the list walks its order checking each row's text
    instead of collecting every match through the index: same rows, same order."""
    values = {"q": q, **filters, "sort": sort}
    few = [r.id for p in _walk(app, world.judge, values, 2) for r in p.items]
    monkeypatch.setattr(case_lists, "SEARCH_COUNT_CAP", 0)  # every search has "many" matches
    pages = _walk(app, world.judge, values, 2)
    many = [r.id for p in pages for r in p.items]
    assert many == few
    assert set(many) == {i for i in _cases_with(world, q.split()[0])
                         if all(i in _cases_with(world, t) for t in q.split())
                         and all(world.cases[i][k] in v if k == "status" else world.cases[i][k] == v
                                 for k, v in filters.items())}
    if many:
        assert pages[0].total is None and pages[0].count_cap == 0


def test_a_search_counts_its_matches_only_up_to_its_own_cap(app, world, monkeypatch):
    """A word in every eighth case gets "more than 1,000", not a count over every match;
    a list without a search still counts up to the list's cap."""
    monkeypatch.setattr(case_lists, "SEARCH_COUNT_CAP", 2)
    matches = _cases_with(world, "交房")
    assert len(matches) > 2
    searched = _page(app, world.judge, {"q": "交房"})
    assert searched.total is None and searched.count_cap == 2
    assert {r.id for r in searched.items} == matches  # every match is still listed
    assert _page(app, world.judge, {}).total == len(_in_court(world))
    assert _page(app, world.judge, {"q": "王海燕"}).total == len(_cases_with(world, "王海燕"))


def test_a_many_match_search_page_reads_no_search_index(app, world, monkeypatch):
    """Past the cap the page's own query checks rows (instr / strpos): gathering every
    match through FTS5 or the GIN index first is what made such a search slow. The count
    still uses the index (on SQLite driven from the FTS5 table, so it stops at the cap)."""
    from app.extensions import db

    monkeypatch.setattr(case_lists, "SEARCH_COUNT_CAP", 0)

    def run():
        list_cases(db.session.get(User, world.judge.id), {"q": "逾期交房"}, now=NOW)

    statements = _statements(app, run)
    counts = [sql for sql in statements if "count(*)" in sql]
    pages = [sql for sql in statements if "ORDER BY" in sql and "count(*)" not in sql
             and "FROM cases" in sql and "search_text" in sql]
    assert counts and pages
    assert all("cases_fts" not in sql and "LIKE" not in sql for sql in pages)
    assert all("instr" in sql or "strpos" in sql for sql in pages)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert "JOIN cases_fts" in counts[0]
        else:
            assert "LIKE" in counts[0]
        db.session.remove()


def test_a_short_term_alone_walks_the_list_instead_of_gathering_every_match(app, world):
    """No index serves a one- or two-character term: the count already read every case, so
    the page walks its order and stops at a page rather than reading them all again. With
    another filter, that filter's index gathers the few rows to check."""
    from app.extensions import db

    def statements_for(values):
        def run():
            list_cases(db.session.get(User, world.judge.id), values, now=NOW)
        return _statements(app, run)

    alone = statements_for({"q": "王"})
    assert not any("MATERIALIZED" in sql for sql in alone)
    with_filter = statements_for({"q": "王", "project_id": world.projects[0].id})
    assert any("MATERIALIZED" in sql for sql in with_filter)
    assert _search(app, world, "王") == _cases_with(world, "王")


def test_search_text_follows_changes_to_the_case(app, world):
    """Renaming a claimant and refreshing: is the new name found and the old one gone?"""
    from app.extensions import db
    from app.models import Person

    case_id = next(i for i, c in _in_court(world).items() if c["name"] == "张德明")
    with app.app_context():
        person_id = db.session.scalar(select(Complaint.claimant_person_id)
                                      .where(Complaint.case_id == case_id))
        db.session.execute(update(Person).where(Person.id == person_id).values(name="欧阳修文"))
        assert refresh_case_search([case_id]) == 1
        assert refresh_case_search([case_id]) == 0  # nothing changed the second time
        db.session.commit()
        db.session.remove()
    assert _search(app, world, "欧阳修文") == {case_id}
    assert _search(app, world, "张德明") == set()


def test_deleting_a_case_removes_it_from_the_search_index(app, world):
    from app.extensions import db

    case_id = next(i for i, c in _in_court(world).items() if c["name"] == "陈少英")
    with app.app_context():
        db.session.execute(text("DELETE FROM complaints WHERE case_id = :i"), {"i": case_id})
        db.session.execute(text("DELETE FROM cases WHERE id = :i"), {"i": case_id})
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            found = db.session.execute(text(
                "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH '\"陈少英\"'")).scalar()
            assert found == 0
        db.session.remove()
    assert _search(app, world, "陈少英") == set()


def test_normalize_search_folds_width_case_and_control_characters():
    assert normalize_search("（２０２６）ＡＢＣ\t王\x00海燕\n") == "(2026)abc 王 海燕"
    assert search_terms("王 王 海燕 " + "x" * 200) == ["王", "海燕", "x" * (100 - 7)]


def test_install_search_can_run_twice(app, world):
    from app.extensions import db

    with app.app_context():
        search.install_search(db.engine)
        search.install_search(db.engine)
        db.session.remove()
    assert _search(app, world, "王海燕") == _cases_with(world, "王海燕")  # the index still answers


def test_the_migration_builds_the_same_search_index_as_install_search(app, empty_database_url):
    """`flask db upgrade` and install_search (used after create_all) must not drift apart."""
    from flask_migrate import upgrade

    from app import create_app
    from app.config import Settings
    from app.extensions import db

    def search_objects(connection) -> set:
        if connection.dialect.name == "sqlite":
            return set(connection.execute(text(
                "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'cases_fts%'")).all())
        return set(connection.execute(text(
            "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE indexname = 'ix_cases_search_trgm'"
        )).all())

    settings = Settings.from_env({"SECRET_KEY": "x" * 40, "DATABASE_URL": empty_database_url})
    fresh = create_app(settings)
    with fresh.app_context():
        upgrade()
        with db.engine.connect() as conn:
            migrated = search_objects(conn)
        db.engine.dispose()
    with app.app_context():
        with db.engine.connect() as conn:
            installed = search_objects(conn)
        db.session.remove()
    assert migrated and migrated == installed


# --- Role scopes, from the other side --------------------------------------------------------


def test_a_mediator_sees_only_the_cases_assigned_to_them(app, world):
    mediator = world.mediators[0]
    assigned = {i for i, c in world.cases.items() if c["mediator"] == mediator.mediator.id}
    assert set(_ids(app, mediator)) == assigned
    # Asking for the other mediator's cases, or searching, never widens the list.
    other = world.mediators[1].mediator.id
    assert set(_ids(app, mediator, {"mediator_id": other})) == set()
    assert set(_ids(app, mediator, {"q": "交房"})) <= assigned


def test_a_developer_sees_only_cases_against_their_company(app, make, world):
    staff = make.user("developer", developer=world.developers[1])
    against = {i for i, c in world.cases.items() if c["developer"] == world.developers[1].id}
    assert set(_ids(app, staff)) == against
    assert set(_ids(app, staff, {"developer_id": world.developers[0].id})) == set()
    assert set(_ids(app, staff, {"q": "王海燕"})) == set()  # the other company's claimant


def test_a_homeowner_sees_only_their_own_cases(app, make, world):
    from app.extensions import db

    case_id = next(i for i, c in _in_court(world).items() if c["name"] == "李文华")
    with app.app_context():
        person_id = db.session.scalar(select(Complaint.claimant_person_id)
                                      .where(Complaint.case_id == case_id))
        db.session.remove()
    from app.models import Person

    with app.app_context():
        person = db.session.get(Person, person_id)
        db.session.expunge(person)
    owner = make.user("homeowner", person=person)
    stranger = make.user("homeowner")
    assert _ids(app, owner) == [case_id]
    assert _ids(app, stranger) == []
    assert _ids(app, stranger, {"q": "李文华"}) == []


def test_a_judge_of_another_court_sees_none_of_these_cases(app, world):
    seen = set(_ids(app, world.other_judge))
    assert seen == {i for i, c in world.cases.items() if c["court"] == world.other_court.id}
    assert not seen & set(_in_court(world))


def test_an_admin_sees_no_case_list(app, make, world):
    assert _ids(app, make.user("admin", court=world.court)) == []


# --- Bulk actions ----------------------------------------------------------------------------


def _actor(app, user):
    from app.extensions import db

    return db.session.get(User, user.id)


def test_bulk_assign_reports_each_row(app, world):
    """Two registered cases are assigned; an assigned one, a foreign one and an unknown id fail."""
    from app.extensions import db

    court = _in_court(world)
    registered = [i for i, c in court.items() if c["status"] == "registered"]
    assigned = next(i for i, c in court.items() if c["status"] == "assigned")
    foreign = next(i for i, c in world.cases.items() if c["court"] == world.other_court.id)
    mediator_id = world.mediators[1].mediator.id
    with app.app_context():
        from app.models import Mediator
        from mediation.disputes import DisputeType

        db.session.get(Mediator, mediator_id).skills = [t.value for t in DisputeType]  # skilled in all
        db.session.commit()
        report = bulk_actions.bulk_assign([*registered, assigned, foreign, 987654], mediator_id,
                                        actor=_actor(app, world.judge), now=NOW)
        rows = {r["case_id"]: r for r in report}
        assert [r["case_id"] for r in report] == [*registered, assigned, foreign, 987654]
        assert all(rows[i]["ok"] for i in registered), [rows[i] for i in registered]
        assert not rows[assigned]["ok"] and rows[assigned]["message"]
        assert not rows[foreign]["ok"] and rows[foreign]["number"] is None
        assert not rows[987654]["ok"]
        # Each row's message speaks both languages (the result page shows the reader's).
        assert rows[registered[0]]["message"].en == "Mediator assigned"
        assert rows[foreign]["message"].en == "No such case, or not yours to act on"
        for i in registered:
            assert rows[i]["number"] and db.session.get(Case, i).mediator_id == mediator_id
        assert db.session.get(Case, foreign).mediator_id is None
        db.session.remove()


def test_bulk_change_status_refuses_rows_changed_since_the_confirmation(app, world):
    """The judge confirmed while a case was "assigned"; it has moved since: that row fails."""
    from app.extensions import db

    court = _in_court(world)
    first = next(i for i, c in court.items() if c["name"] == "O'Brien")  # assigned
    second = next(i for i, c in court.items() if c["name"] == "陈少英")  # scheduled
    with app.app_context():
        report = bulk_actions.bulk_change_status(
            [first, second], "registered", actor=_actor(app, world.judge), now=NOW,
            reason="调解员回避", expected={first: "assigned", second: "assigned"})
        rows = {r["case_id"]: r for r in report}
        assert rows[first]["ok"], rows[first]
        assert not rows[second]["ok"] and rows[second]["message"]
        assert db.session.get(Case, first).status == "registered"
        assert db.session.get(Case, second).status == "scheduled"
        db.session.remove()


def test_bulk_change_status_keeps_going_after_a_refused_row(app, world):
    from app.extensions import db

    court = _in_court(world)
    registered = [i for i, c in court.items() if c["status"] == "registered"]
    mediated = next(i for i, c in court.items() if c["status"] == "mediated")
    with app.app_context():
        report = bulk_actions.bulk_change_status(
            [mediated, *registered], "withdrawn", actor=_actor(app, world.judge), now=NOW,
            reason="申请人撤回", outcome="withdrawn_applied")
        rows = {r["case_id"]: r for r in report}
        assert not rows[mediated]["ok"]
        assert all(rows[i]["ok"] for i in registered), [rows[i] for i in registered]
        assert all(db.session.get(Case, i).status == "withdrawn" for i in registered)
        db.session.remove()


def test_bulk_merge_joins_cases_of_one_project_and_type(app, make, world):
    from app.extensions import db

    project = world.projects[0]
    a = _add_case(app, make, project, days=11, facts="甲栋逾期交房")
    b = _add_case(app, make, project, days=12, facts="乙栋逾期交房")
    with app.app_context():
        report = bulk_actions.bulk_merge([a, b], actor=_actor(app, world.judge), now=NOW)
        assert all(r["ok"] for r in report), report
        target = next(r for r in report if r["case_id"] == a)
        assert next(r for r in report if r["case_id"] == b)["message"].endswith(target["number"])
        db.session.remove()
    assert a in _search(app, world, "乙栋逾期")  # the merged complaint is searchable on the target


def test_bulk_merge_is_all_or_nothing(app, world):
    from app.extensions import db

    court = _in_court(world)
    different = [next(i for i, c in court.items() if c["project"] == world.projects[0].id
                      and c["status"] == "registered"),
                 next(i for i, c in court.items() if c["project"] == world.projects[1].id
                      and c["status"] == "registered")]
    with app.app_context():
        report = bulk_actions.bulk_merge(different, actor=_actor(app, world.judge), now=NOW)
        assert not any(r["ok"] for r in report) and all(r["message"] for r in report)
        assert all(db.session.get(Case, i).status == "registered" for i in different)
        db.session.remove()


@pytest.mark.parametrize("ids, message", [
    ([], "至少"), (["x"], "无效"), ([-1], "无效"), (list(range(1, 202)), "最多"),
])
def test_bulk_input_is_checked_before_anything_happens(app, world, ids, message):
    with app.app_context():
        with pytest.raises(ServiceError) as caught:
            bulk_actions.bulk_change_status(ids, "scheduled", actor=_actor(app, world.judge), now=NOW,
                                          reason=None)
        assert message in caught.value.message


def test_only_judges_may_act_in_bulk(app, world):
    from app.services.errors import ForbiddenError

    case_id = next(iter(_in_court(world)))
    with app.app_context():
        with pytest.raises(ForbiddenError):
            bulk_actions.bulk_assign([case_id], world.mediators[0].mediator.id,
                                   actor=_actor(app, world.mediators[0]), now=NOW)


def test_the_preview_names_the_cases_it_would_touch_and_leaves_out_the_rest(app, world):
    foreign = next(i for i, c in world.cases.items() if c["court"] == world.other_court.id)
    mine = sorted(_in_court(world))[:2]
    with app.app_context():
        preview = bulk_actions.preview_bulk([*mine, foreign], actor=_actor(app, world.judge), now=NOW)
    assert [r.id for r in preview.rows] == mine and preview.missing == [foreign]


def test_postgresql_plans_the_list_for_its_own_filter_values_without_a_round_trip(app, world):
    """A generic plan for "status = $1" cannot suit both "closed" (nine cases in ten) and
    "in_mediation" (one in two hundred): however often the list runs, its statements are
    never prepared (so PostgreSQL plans them for their values), no SET/RESET is sent, and the
    connection prepares other statements as before — the rows read by primary key too (no
    value changes their plan, and planning their joins cost more than running them)."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        dialect = db.engine.dialect.name
        db.session.remove()
    if dialect != "postgresql":
        pytest.skip("PostgreSQL plan cache (this run is on SQLite)")

    def run():
        db.session.remove()
        db.engine.dispose()  # a fresh connection: nothing prepared on it yet
        judge = db.session.get(User, world.judge.id)
        for _ in range(7):  # psycopg prepares a statement from its sixth run
            list_cases(judge, {"status": ("assigned",)}, now=NOW)
        for _ in range(7):
            db.session.scalar(text("SELECT count(*) FROM towns WHERE id > :n"), {"n": 0})
        prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
        filtered = [sql for sql in prepared if "FROM cases" in sql and "WHERE cases.id IN" not in sql]
        assert not filtered, filtered
        assert [sql for sql in prepared if "WHERE cases.id IN" in sql]
        assert [sql for sql in prepared if "FROM towns" in sql]
        dbapi = db.session.connection().connection.dbapi_connection
        assert dbapi.prepare_threshold == 5

    statements = _statements(app, run)
    assert not [sql for sql in statements if "plan_cache_mode" in sql]


@pytest.mark.parametrize("sort", ["registered_desc", "registered_asc", "claim_desc"])
def test_the_list_as_opened_reads_its_rows_in_the_count_s_statement_the_same_rows(
        app, world, sort):
    """The unfiltered first page brings count, page and rows in one statement; its rows
    are those the rows-by-id statement reads for the same ids, column for column (the
    claimant shown and masked alike)."""
    from app.extensions import db

    seen = []

    def run():
        viewer = db.session.get(User, world.judge.id)
        seen.append(list_cases(viewer, {"sort": sort}, limit=7, now=NOW))
        seen.append(case_lists.load_rows([r.id for r in seen[0].items], NOW, viewer))

    statements = _statements(app, run)
    page, by_id = seen
    assert len(page.items) == 7 and page.next_cursor and page.total
    assert [vars(r) for r in page.items] == [vars(r) for r in by_id]
    statements = [sql for sql in statements if "FROM cases" in sql]
    assert len(statements) == 2  # the page's one, then load_rows' own
    assert "count(*)" in statements[0] and "cases.number" in statements[0]


def test_postgresql_prepares_the_list_as_opened(app, world):
    """No filter value can change the unfiltered first page's plan, and planning its joins
    costs more than running them: it is prepared (planned once). A filtered page is not."""
    from app.extensions import db

    with app.app_context():
        dialect = db.engine.dialect.name
        db.session.remove()
    if dialect != "postgresql":
        pytest.skip("PostgreSQL plan cache (this run is on SQLite)")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        judge = db.session.get(User, world.judge.id)
        for _ in range(7):
            list_cases(judge, {}, now=NOW)
            list_cases(judge, {"dispute_type": "late_delivery"}, now=NOW)
        prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
        db.session.remove()
    opened = [sql for sql in prepared if "count(*)" in sql and "AS found" in sql]
    assert opened
    # Its limits are written in it: a generic plan for "LIMIT $1" joined the whole table.
    assert all(f"LIMIT {case_lists.DEFAULT_LIMIT + 1})" in sql
               and f"LIMIT {case_lists.COUNT_CAP + 1})" in sql for sql in opened), opened
    assert not [sql for sql in prepared if "cases.dispute_type = " in sql]


def test_the_court_finds_a_case_by_receipt_number_or_phone(app, make):
    """Judges could not find a case by the number a caller reads out (issue 8)."""
    from app.extensions import db

    owner = make.person(name="王海燕")  # phone 13800138000
    case = make.case(claimant=owner)
    judge = make.user("judge", court=case.court)
    staff = make.user("developer", developer=case.developer)
    with app.app_context():
        receipt = db.session.scalar(select(Complaint.receipt_no).where(Complaint.case_id == case.id))
        refresh_case_search([case.id])
        db.session.commit()
    for q in (receipt, receipt.lower(), "13800138000", "138 0013 8000", "+86 138-0013-8000"):
        assert _ids(app, judge, {"q": q}) == [case.id], q
    assert _ids(app, judge, {"q": "0013"}) == []  # a number is found whole, never in pieces
    # A party sees others' phones masked: searching digits must not unmask them.
    assert _ids(app, staff, {"q": receipt}) == [case.id]
    assert _ids(app, staff, {"q": "13800138000"}) == []


# --- Statements built once --------------------------------------------------------------------


def test_a_list_read_again_runs_the_statements_it_built_and_sees_new_cases(app, make, world):
    """Reloading a list builds no statement again (they carry no data, only the list's
    shape), and a case added meanwhile is on the reloaded page all the same."""
    case_lists._STATEMENTS.clear()
    first = _page(app, world.judge, {"dispute_type": "late_delivery"}, limit=2)
    kept = dict(case_lists._STATEMENTS)
    assert kept  # the count, the base and page 1's statement
    added = _add_case(app, make, world.projects[0], days=0)
    again = _page(app, world.judge, {"dispute_type": "late_delivery"}, limit=2)
    assert case_lists._STATEMENTS.keys() == kept.keys()
    assert all(case_lists._STATEMENTS[key] is statement for key, statement in kept.items())
    assert again.items[0].id == added and again.total == first.total + 1


def test_kept_statements_are_each_users_own(app, world):
    """Two judges of two courts, the same filters: each sees only their own court."""
    case_lists._STATEMENTS.clear()
    for _ in range(2):
        mine = set(_ids(app, world.judge, {"dispute_type": "late_delivery"}))
        theirs = set(_ids(app, world.other_judge, {"dispute_type": "late_delivery"}))
        assert mine and theirs and not mine & theirs
        assert all(world.cases[i]["court"] == world.court.id for i in mine)


def test_statements_that_depend_on_the_time_or_the_data_are_built_afresh(app, world):
    case_lists._STATEMENTS.clear()
    _page(app, world.judge, {"deadline": "overdue"})  # "now" is in it
    _page(app, world.judge, {"town_id": world.towns[0].id})  # the town's projects are in it
    assert not case_lists._STATEMENTS
