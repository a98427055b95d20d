"""What a list page rendered afresh keeps between requests, and why it is never stale: the
court calendar checked against the request's data version, the claimants read with the
rows, and the page's fragments kept by what they show."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Case
from tests.web.helpers import csrf_token, get_page, login

NOTICE = {"notice": "国办发明电〔2026〕X号",
          "holidays": "2027-01-01\n2027-02-05..2027-02-11\n2027-10-01..2027-10-07",
          "workdays": "2027-02-13\n2027-10-09"}


@pytest.fixture
def court(app, make):
    court = make.court()
    project = make.project(court=court, name="椰风海韵")
    judge = make.user("judge", court=court)
    mediator = make.user("mediator", court=court, name="调解员甲")
    case = make.case(project=project, status="assigned", mediator=mediator.mediator)
    with app.app_context():
        db.session.get(Case, case.id).mediation_deadline_at = datetime(
            2027, 1, 4, 15, 59, 59, tzinfo=timezone.utc)
        db.session.commit()
    return dict(court=court, project=project, judge=judge, mediator=mediator, case=case,
                clerk=make.user("admin", court=court))


def _statements(app, word: str):
    """The statements run from now on that mention ``word``; and a function to stop noting."""
    seen = []
    with app.app_context():
        engine = db.engine

    def note(conn, cursor, statement, *args):
        if word in statement:
            seen.append(statement)
    event.listen(engine, "before_cursor_execute", note)
    return seen, lambda: event.remove(engine, "before_cursor_execute", note)


def test_an_unchanged_calendar_is_not_read_again_for_each_page(app, client, court):
    """The court calendar is checked against the data version read with the login session:
    while nothing was written, a list rendered afresh asks nothing about holidays."""
    login(client, court["judge"].username)
    assert 'data-testid="estimated"' in get_page(client, "/court/cases")[1]
    seen, stop = _statements(app, "holiday_years")
    try:
        for sort in ("registered_asc", "deadline_asc", "claim_desc"):  # each a new page: rendered
            response, html = get_page(client, "/court/cases", sort=sort)
            assert response.headers["X-Page-Cache"] == "miss"
            assert 'data-testid="estimated"' in html
    finally:
        stop()
    assert seen == []


def test_a_holiday_the_clerk_enters_shows_on_the_judges_very_next_page(app, court):
    """The judge stays logged in while the clerk, in another session, enters 2027's notice:
    the judge's next page (rendered afresh or not) no longer calls the deadline an estimate,
    and withdrawing the notice brings the mark back just as fast."""
    judge, clerk = app.test_client(), app.test_client()
    login(judge, court["judge"].username)
    login(clerk, court["clerk"].username)
    for sort in ("registered_desc", "registered_asc"):
        assert 'data-testid="estimated"' in get_page(judge, "/court/cases", sort=sort)[1]
    token = csrf_token(clerk, "/admin/holidays/2027")
    assert clerk.post("/admin/holidays/2027", data={"csrf_token": token, **NOTICE}).status_code == 302
    for sort in ("registered_desc", "registered_asc", "deadline_asc"):  # kept pages, and a new one
        assert 'data-testid="estimated"' not in get_page(judge, "/court/cases", sort=sort)[1], sort
    token = csrf_token(clerk, "/admin/holidays/2027")
    assert clerk.post("/admin/holidays/2027/delete", data={"csrf_token": token}).status_code == 302
    for sort in ("registered_desc", "claim_desc"):
        assert 'data-testid="estimated"' in get_page(judge, "/court/cases", sort=sort)[1], sort


def test_the_rows_and_their_claimants_are_one_statement(app, client, court, make):
    """A page reads its rows with their shown claimant and claimant count in one statement
    (one round trip on PostgreSQL), not one for the rows and one for the claimants."""
    make.complaint(project=court["project"], status="accepted", case=court["case"])
    login(client, court["judge"].username)
    get_page(client, "/court/cases")
    seen, stop = _statements(app, "persons")
    try:
        _, html = get_page(client, "/court/cases", sort="registered_asc")
    finally:
        stop()
    assert len(seen) == 1 and "cases.number" in seen[0], seen
    assert re.search(r"等 2 人", html)


@pytest.mark.parametrize("params, statements", [
    ({}, 2), ({"sort": "claim_desc"}, 2), ({"dispute_type": "late_delivery"}, 3)])
def test_a_first_page_walked_along_an_index_is_three_statements(app, client, court, params,
                                                                 statements):
    """Login session (with the data version), count with the page's ids, rows with their
    claimants: three statements, three round trips on PostgreSQL (six before). The list
    as opened (no filter) reads the rows in the count's statement too: two."""
    login(client, court["judge"].username)
    get_page(client, "/court/cases", **params)  # the choices, kept for this data version
    seen, stop = _statements(app, "SELECT")
    try:
        response, html = get_page(client, "/court/cases", limit=20, **params)  # a new page: rendered
    finally:
        stop()
    assert response.headers["X-Page-Cache"] == "miss"
    assert len(seen) == statements, seen
    assert "count(" in seen[1] and "ORDER BY" in seen[1]
    if statements == 2:
        assert "cases.number" in seen[1] and "persons.phone" in seen[1]
    assert f'data-case-id="{court["case"].id}"' in html or params.get("dispute_type")


def test_the_count_comes_with_an_empty_page_too(app, client, court):
    """The count is joined to the page's rows from outside: no rows, still a count."""
    login(client, court["judge"].username)
    response, html = get_page(client, "/court/cases", dispute_type="area")
    assert response.status_code == 200 and 'data-testid="no-cases"' in html
    response, html = get_page(client, "/court/cases")
    assert "共 1 件" in html


def test_a_kept_piece_follows_what_it_shows(app, client, court):
    """Pieces are kept by their content: the judge renamed shows under the new name at once;
    an invalid filter still gets its error next to the field after the valid form was kept."""
    from app.models import User

    login(client, court["judge"].username)
    _, html = get_page(client, "/court/cases")
    assert 'data-testid="who">' in html
    with app.app_context():
        db.session.get(User, court["judge"].id).name = "<i>法官丙</i>"
        db.session.commit()
    _, html = get_page(client, "/court/cases")
    assert "&lt;i&gt;法官丙&lt;/i&gt;" in html and "<i>法官丙" not in html
    response, html = get_page(client, "/court/cases", dispute_type="nonsense")
    assert response.status_code == 400 and 'id="dispute_type-error"' in html
    response, html = get_page(client, "/court/cases", dispute_type="quality")
    assert response.status_code == 200 and 'id="dispute_type-error"' not in html


def test_a_piece_holding_the_sessions_csrf_token_is_never_kept(app):
    """A kept piece is shared by everyone: one that would carry a session's token is drawn
    for this request and not kept."""
    from flask_wtf.csrf import generate_csrf

    from app.web import fragments

    drawn = []

    def render():
        drawn.append(1)
        return f'<input name="csrf_token" value="{generate_csrf()}">'

    with app.test_request_context("/court/cases"):
        first = fragments.kept(("test piece",), render)
        second = fragments.kept(("test piece",), render)
        assert first == second and len(drawn) == 2
        assert fragments.kept(("plain piece",), lambda: "<p>x</p>") == "<p>x</p>"
        assert fragments.kept(("plain piece",), lambda: "<p>changed</p>") == "<p>x</p>"
    fragments.forget()
