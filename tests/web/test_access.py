"""Deny by default: every page but the open ones needs login and the right role."""
from __future__ import annotations

import pytest

from app.auth import BLUEPRINT_ROLES, OPEN_ENDPOINTS
from tests.web.helpers import login

ROLES = ["homeowner", "developer", "mediator", "judge", "admin"]


def _get_routes(app):
    """Every GET route without URL parameters, with its endpoint."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/api/"):
            routes.append((rule.endpoint, rule.rule))
    return sorted(routes)


def test_every_page_but_the_open_ones_needs_login(app, client):
    """Can an anonymous visitor open any page that is not explicitly public?"""
    checked = 0
    for endpoint, path in _get_routes(app):
        response = client.get(path)
        if endpoint in OPEN_ENDPOINTS:
            assert response.status_code in (200, 302), path
        else:
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/login"), path
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("blueprint", sorted(BLUEPRINT_ROLES))
def test_each_audience_admits_only_its_roles(app, client, make, role, blueprint):
    """Can a {role} open the {blueprint} pages? Only when they are its own."""
    user = make.user(role)
    login(client, user.username)
    paths = [path for endpoint, path in _get_routes(app) if endpoint.startswith(blueprint + ".")]
    assert paths
    for path in paths:
        expected = 200 if role in {r.value for r in BLUEPRINT_ROLES[blueprint]} else 403
        assert client.get(path).status_code == expected, (role, path)


def test_public_pages_answer_in_chinese_by_default(client):
    for path in ("/", "/login", "/about"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert 'lang="zh-CN"' in html
        assert "登录" in html


def test_english_can_be_chosen_and_sticks(client):
    response = client.get("/lang/en?next=/login")
    assert response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html
    assert "Log in" in html and "登录" not in html.replace("简体中文", "")
    client.get("/lang/zh")
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_the_language_switch_ignores_unknown_codes_and_foreign_targets(client):
    response = client.get("/lang/xx?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    assert client.get_cookie("lang") is None


def test_lists_mask_personal_data(client, make):
    """Does the homeowner's own page show the ID number and phone masked?"""
    user = make.user("homeowner")
    login(client, user.username)
    html = client.get("/homeowner/").get_data(as_text=True)
    person = user.person
    assert person.resident_id not in html
    assert person.resident_id[:4] + "**********" + person.resident_id[-4:] in html
    assert "138****8000" in html


def test_a_developer_sees_only_cases_against_its_own_company(client, make):
    """Can a developer see cases against another developer on its home page?"""
    mine, theirs = make.case(), make.case()
    staff = make.user("developer", developer=mine.developer)
    login(client, staff.username)
    html = client.get("/developer/").get_data(as_text=True)
    assert mine.number in html
    assert theirs.number not in html


def test_a_judge_sees_only_the_own_court_cases(client, make):
    mine, theirs = make.case(), make.case()
    judge = make.user("judge", court=mine.court)
    login(client, judge.username)
    html = client.get("/court/").get_data(as_text=True)
    assert mine.number in html
    assert theirs.number not in html


def test_a_mediator_sees_only_assigned_cases(client, make):
    mediator_user = make.user("mediator")
    mine = make.case(status="assigned", mediator=mediator_user.mediator)
    other = make.case(status="registered")
    login(client, mediator_user.username)
    html = client.get("/mediator/").get_data(as_text=True)
    assert mine.number in html
    assert other.number not in html


def test_a_mediator_account_without_a_mediator_record_sees_no_case(app, make):
    """Can a mediator account still being set up (no Mediator row) see unassigned cases of
    any court? It must see none: "no mediator" is not "mediator_id IS NULL"."""
    from sqlalchemy import select

    from app.access import Permission, can, visible_cases
    from app.extensions import db
    from app.models import Case, Complaint, User

    bare = make.user("judge")  # a court-bound account, turned into a mediator without a record
    unassigned = make.case(status="registered")
    with app.app_context():
        user = db.session.get(User, bare.id)
        user.role = "mediator"
        db.session.flush()
        case = db.session.get(Case, unassigned.id)
        complaint = db.session.scalar(select(Complaint).where(Complaint.case_id == case.id))
        assert not can(user, Permission.CASE_VIEW, case)
        assert not can(user, Permission.COMPLAINT_VIEW, complaint)
        assert db.session.scalars(visible_cases(user, select(Case.id))).all() == []
        db.session.rollback()
        db.session.remove()


def test_a_homeowner_sees_only_own_complaints(client, make):
    user = make.user("homeowner")
    mine = make.complaint(person=user.person)
    other = make.complaint()
    login(client, user.username)
    html = client.get("/homeowner/").get_data(as_text=True)
    assert mine.receipt_no in html
    assert other.receipt_no not in html
