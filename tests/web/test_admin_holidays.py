"""The clerk's holiday notices page, and the 预计 mark on deadlines in years without one."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.extensions import db
from app.models import Case, HolidayYear
from tests.web.helpers import csrf_token, get_page, login

NOTICE = {"notice": "国办发明电〔2026〕X号",
          "holidays": "2027-01-01\n2027-02-05..2027-02-11\n2027-10-01..2027-10-07",
          "workdays": "2027-02-13\n2027-10-09"}


@pytest.fixture
def clerk(make, client):
    user = make.user("admin")
    login(client, user.username)
    return user


def _save(client, year, **data):
    token = csrf_token(client, f"/admin/holidays/{year}")
    return client.post(f"/admin/holidays/{year}", data={"csrf_token": token, **data})


def test_the_clerk_sees_which_years_are_estimated_and_enters_one(app, client, clerk):
    response, html = get_page(client, "/admin/holidays")
    assert response.status_code == 200
    assert 'data-year="2026" data-source="official"' in html
    assert 'data-year="2027" data-source="estimate"' in html and "预计" in html
    # The form starts from the estimate, for the clerk to correct.
    _, form = get_page(client, "/admin/holidays/2027")
    assert "2027-02-05..2027-02-08" in form and "2027-10-01..2027-10-03" in form
    response = _save(client, 2027, **NOTICE)
    assert response.status_code == 302 and response.location.endswith("/admin/holidays")
    _, html = get_page(client, "/admin/holidays")
    assert 'data-year="2027" data-source="clerk"' in html and "国办发明电〔2026〕X号" in html
    with app.app_context():
        assert db.session.get(HolidayYear, 2027) is not None


def test_a_wrong_date_is_shown_next_to_its_field_and_nothing_is_saved(app, client, clerk):
    response = _save(client, 2027, holidays="2027-10-01", workdays="2027-10-01", notice="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="workdays-error"' in html and "既是放假日又是调休上班日" in html
    response = _save(client, 2027, holidays="2026-10-01", workdays="", notice="")
    assert 'id="holidays-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(HolidayYear, 2027) is None


def test_the_clerk_can_withdraw_an_entry(app, client, clerk):
    _save(client, 2027, **NOTICE)
    token = csrf_token(client, "/admin/holidays/2027")
    assert client.post("/admin/holidays/2027/delete", data={"csrf_token": token}).status_code == 302
    _, html = get_page(client, "/admin/holidays")
    assert 'data-year="2027" data-source="estimate"' in html


@pytest.mark.parametrize("role", ["judge", "mediator", "developer", "homeowner"])
def test_only_the_clerk_may_open_the_holiday_pages(make, client, role):
    """Can anyone but the clerk read or change the holiday notices?"""
    login(client, make.user(role).username)
    assert client.get("/admin/holidays").status_code in (302, 403, 404)
    assert client.post("/admin/holidays/2027", data=NOTICE).status_code in (302, 400, 403, 404)


def test_a_deadline_in_a_year_without_a_notice_is_marked_estimated_until_the_clerk_enters_it(
        app, make, client):
    court = make.court()
    judge = make.user("judge", court=court)
    mediator = make.user("mediator", court=court)
    case = make.case(project=make.project(court=court), status="assigned", mediator=mediator.mediator)
    with app.app_context():
        db.session.get(Case, case.id).mediation_deadline_at = datetime(2027, 1, 4, 15, 59, 59, tzinfo=timezone.utc)
        db.session.commit()
    login(client, judge.username)
    for path in (f"/cases/{case.id}", "/court/cases"):
        _, html = get_page(client, path)
        assert 'data-testid="estimated"' in html and ">预计<" in html, path
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})
    login(client, make.user("admin", court=court).username)
    _save(client, 2027, **NOTICE)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})
    login(client, judge.username)
    for path in (f"/cases/{case.id}", "/court/cases"):
        _, html = get_page(client, path)
        assert 'data-testid="estimated"' not in html, path
