"""The mediator registry, the mediator's answer and the judge's suggestions, from every side."""
from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import Case, Mediator, MediatorLeave
from tests.factories import NOW
from tests.web.helpers import csrf_token, get_page, login


@pytest.fixture
def court_world(make):
    court = make.court()
    project = make.project(court=court)
    judge = make.user("judge", court=court)
    clerk = make.user("admin", court=court)
    wang = make.user("mediator", court=court, name="王调解")
    li = make.user("mediator", court=court, name="李调解")
    owner = make.user("homeowner")
    return SimpleNamespace(court=court, project=project, judge=judge, clerk=clerk, wang=wang,
                           li=li, owner=owner, other_clerk=make.user("admin"),
                           other_judge=make.user("judge"))


def _set(app, mediator_id, **values):
    with app.app_context():
        m = db.session.get(Mediator, mediator_id)
        for k, v in values.items():
            setattr(m, k, v)
        db.session.commit()


# --- The registry ----------------------------------------------------------------------------


def test_the_clerk_edits_a_mediator_and_a_bad_latitude_is_shown_next_to_its_field(app, client, court_world):
    w = court_world
    login(client, w.clerk.username)
    response, html = get_page(client, "/admin/mediators")
    assert response.status_code == 200 and "王调解" in html
    path = f"/admin/mediators/{w.wang.mediator.id}"
    token = csrf_token(client, path)
    data = {"csrf_token": token, "kind": "lawyer", "skills": ["quality", "area"],
            "home_town_id": "", "base_lat": "95", "base_lon": "110.8", "capacity": "12",
            "active": "y"}
    response = client.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="base_lat-error"' in html
    data["base_lat"] = "19.6"
    assert client.post(path, data=data).status_code == 303
    with app.app_context():
        m = db.session.get(Mediator, w.wang.mediator.id)
        assert (m.kind, m.skills, m.base_lat, m.capacity) == ("lawyer", ["area", "quality"], 19.6, 12)


def test_the_clerk_records_leave_and_an_overlap_is_refused(app, client, court_world):
    w = court_world
    login(client, w.clerk.username)
    path = f"/admin/mediators/{w.wang.mediator.id}"
    token = csrf_token(client, path)
    ok = client.post(path + "/leave", data={"csrf_token": token, "starts_on": "2026-12-01",
                                            "ends_on": "2026-12-05", "reason": "年休假"})
    assert ok.status_code == 303
    clash = client.post(path + "/leave", data={"csrf_token": token, "starts_on": "2026-12-04",
                                               "ends_on": "2026-12-08"})
    assert clash.status_code == 422 and "重叠" in clash.get_data(as_text=True)
    backwards = client.post(path + "/leave", data={"csrf_token": token, "starts_on": "2026-12-20",
                                                   "ends_on": "2026-12-10"})
    assert backwards.status_code == 422 and "结束日期不能早于开始日期" in backwards.get_data(as_text=True)


@pytest.mark.parametrize("who, status", [("other_clerk", 404), ("judge", 403), ("wang", 403),
                                         ("owner", 403)])
def test_only_the_courts_own_clerk_opens_a_mediators_entry(client, court_world, who, status):
    """Can a clerk of another court, a judge, a mediator or a homeowner edit the registry?"""
    w = court_world
    login(client, getattr(w, who).username)
    assert client.get(f"/admin/mediators/{w.wang.mediator.id}").status_code == status


# --- The mediator's answer -------------------------------------------------------------------


def test_the_mediator_accepts_on_the_case_page_and_the_period_starts(app, client, make, court_world):
    w = court_world
    case = make.case(project=w.project, status="assigned", mediator=w.wang.mediator,
                     claimant=w.owner.person, accepted=False,
                     response_due_at=NOW + timedelta(days=3))
    colleague = app.test_client()
    login(colleague, w.li.username)
    assert colleague.get(f"/cases/{case.id}").status_code == 404  # someone else's delegation
    login(client, w.wang.username)
    response, html = get_page(client, f"/cases/{case.id}")
    assert 'data-testid="accept"' in html and 'data-testid="due-step"' in html
    response = client.post(f"/cases/{case.id}/accept",
                           data={"csrf_token": csrf_token(client, f"/cases/{case.id}")})
    assert response.status_code == 303
    with app.app_context():
        saved = db.session.get(Case, case.id)
        assert saved.accepted_at is not None and saved.mediation_deadline_at is not None


def test_the_judge_cannot_accept_for_the_mediator(app, client, make, court_world):
    w = court_world
    case = make.case(project=w.project, status="assigned", mediator=w.wang.mediator, accepted=False)
    login(client, w.judge.username)
    response = client.post(f"/cases/{case.id}/accept",
                           data={"csrf_token": csrf_token(client, f"/cases/{case.id}")})
    assert response.status_code == 403


def test_the_list_shows_an_overdue_acceptance(client, make, court_world):
    w = court_world
    make.case(project=w.project, status="assigned", mediator=w.wang.mediator, accepted=False,
              response_due_at=NOW - timedelta(days=1))
    login(client, w.judge.username)
    _, html = get_page(client, "/court/cases")
    assert 'data-testid="response-due"' in html and "deadline-overdue" in html


# --- Suggestions -----------------------------------------------------------------------------


def test_the_judge_sees_suggestions_with_reasons_and_accepts_them(app, client, make, court_world):
    w = court_world
    first = make.case(project=w.project)
    second = make.case(project=w.project)
    _set(app, w.li.mediator.id, active=False)
    login(client, w.judge.username)
    response, html = get_page(client, "/court/assignments")
    assert response.status_code == 200
    assert "擅长逾期交房" in html and "（suggested）" not in html
    token = csrf_token(client, "/court/assignments")
    response = client.post("/court/assignments", data={
        "csrf_token": token, "pick": [str(first.id)],
        f"mediator_{first.id}": str(w.wang.mediator.id),
        f"mediator_{second.id}": str(w.wang.mediator.id)})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Case, first.id).mediator_id == w.wang.mediator.id
        assert db.session.get(Case, second.id).status == "registered"  # not picked


def test_an_override_that_breaks_eligibility_is_refused_with_the_reason(app, client, make, court_world):
    w = court_world
    case = make.case(project=w.project)
    other = make.case(project=w.project)
    with app.app_context():
        db.session.add(MediatorLeave(mediator_id=w.li.mediator.id, starts_on=date(2000, 1, 1),
                                     ends_on=date(2100, 1, 1), reason="长期病假"))
        db.session.commit()
    login(client, w.judge.username)
    token = csrf_token(client, "/court/assignments")
    response = client.post("/court/assignments", data={
        "csrf_token": token, "pick": [str(other.id), str(case.id)],
        f"mediator_{other.id}": str(w.wang.mediator.id),
        f"mediator_{case.id}": str(w.li.mediator.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "李调解2000年1月1日至2100年1月1日休假" in html and case.number in html
    with app.app_context():  # all or nothing
        assert db.session.get(Case, other.id).status == "registered"


@pytest.mark.parametrize("who", ["clerk", "wang", "owner"])
def test_only_judges_open_the_assignment_page(client, court_world, who):
    """Can a clerk, a mediator or a homeowner see or post the judge's assignments?"""
    login(client, getattr(court_world, who).username)
    assert client.get("/court/assignments").status_code == 403


# --- Site visits -----------------------------------------------------------------------------


def test_the_mediator_books_a_visit_from_the_week_page_and_a_clash_is_shown(app, client, make, court_world):
    w = court_world
    case = make.case(project=w.project, status="assigned", mediator=w.wang.mediator,
                     claimant=w.owner.person)
    login(client, w.wang.username)
    response, html = get_page(client, "/mediator/visits", week="2026-12-07")
    assert response.status_code == 200 and case.number in html
    token = csrf_token(client, "/mediator/visits")
    data = {"csrf_token": token, "case_ids": [str(case.id)], "room": "售楼部会议室",
            "day": "2030-12-09", "starts": "09:00", "ends": "11:00"}
    assert client.post("/mediator/visits", data=data).status_code == 303
    _, html = get_page(client, "/mediator/visits", week="2030-12-09")
    assert "售楼部会议室" in html
    data["starts"], data["ends"] = "10:00", "12:00"
    clash = client.post("/mediator/visits", data=data)
    assert clash.status_code == 422 and "已有上门调解" in clash.get_data(as_text=True)
    judge = app.test_client()
    login(judge, w.judge.username)
    _, html = get_page(judge, "/court/visits", project_id=w.project.id)
    assert "售楼部会议室" in html and case.number in html


@pytest.mark.parametrize("who, path", [("judge", "/mediator/visits"), ("owner", "/court/visits"),
                                       ("wang", "/court/visits"), ("clerk", "/mediator/visits")])
def test_each_visit_page_belongs_to_its_role(client, court_world, who, path):
    """Can a judge open the mediator's week, or a homeowner, mediator or clerk the court's list?"""
    login(client, getattr(court_world, who).username)
    assert client.get(path).status_code == 403
