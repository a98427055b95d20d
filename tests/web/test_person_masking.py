"""A neighbour in a group case is 王*燕 everywhere: case page, "my cases", the timeline, the API.

One rule (mediation.people) decides who sees a person's name, ID number and phone; these
tests ask it from each place a person is shown, and from each side of the case.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import User
from tests.factories import NOW, PASSWORD
from tests.web.helpers import csrf_token, login

NAMES = ["王海燕", "李春梅", "陈建国", "林秀英", "黄志强", "吴晓东", "周丽华", "郑国平",
         "冯淑珍", "何文彬"]


def masked(name: str) -> str:
    return name[0] + "*" * (len(name) - 2) + name[-1]


@pytest.fixture
def group(app, make):
    """A group case of ten named claimants; the judge recorded 王海燕 and 李春梅 as
    representatives; 陈建国 (homeowner account ``member``) is one of the claimants."""
    from app.services.cases import choose_representatives
    from app.services.triage import merge_complaints

    court = make.court()
    project = make.project(court=court)
    judge = make.user("judge", court=court)
    people = [make.person(name) for name in NAMES]
    complaints = [make.complaint(project=project, person=p) for p in people]
    with app.app_context():
        case = merge_complaints([c.id for c in complaints],
                                actor=db.session.get(User, judge.id), now=NOW)
        case_id = case.id
        choose_representatives(case_id, [people[0].id, people[1].id],
                               actor=db.session.get(User, judge.id), now=NOW)
        db.session.remove()
    return SimpleNamespace(
        case_id=case_id, people=people, complaints=complaints, judge=judge,
        member=make.user("homeowner", person=people[2]),
        staff=make.user("developer", developer=project.developer))


def _others(group):
    return [p for p in group.people if p.id != group.member.person_id]


def test_a_claimant_sees_the_neighbours_masked_on_the_case_page(client, group):
    """Does 陈建国 read a neighbour's name, ID number or phone on the group case page?"""
    login(client, group.member.username)
    html = client.get(f"/cases/{group.case_id}").get_data(as_text=True)
    for person in _others(group):
        assert person.name not in html, person.name
        assert masked(person.name) in html
        assert person.resident_id not in html
    assert "陈建国" in html and group.people[2].resident_id in html  # the viewer's own


def test_the_timeline_names_the_representatives_as_the_table_does(client, group):
    """Are the representatives masked in the claimants' table but spelled out in the
    timeline? Both follow the one rule."""
    login(client, group.member.username)
    html = client.get(f"/cases/{group.case_id}").get_data(as_text=True)
    timeline = html[html.index('data-testid="timeline"'):]
    assert "推选代表人：王*燕、李*梅" in timeline
    assert "王海燕" not in timeline and "李春梅" not in timeline


def test_the_judge_reads_names_and_phones_but_no_full_id(client, group):
    login(client, group.judge.username)
    html = client.get(f"/cases/{group.case_id}").get_data(as_text=True)
    assert "推选代表人：王海燕、李春梅" in html
    for person in group.people:
        assert person.name in html
        assert person.resident_id not in html
        assert person.resident_id[:4] + "**********" + person.resident_id[-4:] in html
    assert group.people[0].phone in html


def test_the_developer_knows_who_claims_but_not_their_phone(client, group):
    login(client, group.staff.username)
    html = client.get(f"/cases/{group.case_id}").get_data(as_text=True)
    for person in group.people:
        assert person.name in html and person.resident_id not in html
    assert group.people[0].phone not in html


def test_my_cases_shows_the_claimant_as_the_case_page_does(client, group):
    """In "my cases", does a homeowner in a group case see a neighbour's full name? They
    see themselves, and the others only as a count."""
    login(client, group.member.username)
    html = client.get("/homeowner/cases").get_data(as_text=True)
    assert f'data-case-id="{group.case_id}"' in html
    for person in _others(group):
        assert person.name not in html, person.name
        assert person.phone not in html


def test_the_judge_s_list_shows_names_with_masked_phones(client, group):
    login(client, group.judge.username)
    html = client.get("/court/cases").get_data(as_text=True)
    assert "王海燕" in html and "138****8000" in html and "13800138000" not in html


def test_the_api_shows_a_group_case_as_the_case_page_does(client, group):
    """Does GET /api/v1/cases/{id} give a fellow claimant a neighbour's full name?"""
    token = client.post("/api/v1/auth/token", json={
        "username": group.member.username, "password": PASSWORD}).get_json()["token"]
    body = client.get(f"/api/v1/cases/{group.case_id}",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    names = {c["claimant"]["name"] for c in body["complaints"]}
    assert names == {"陈建国"} | {masked(p.name) for p in _others(group)}
    ids = {c["claimant"]["resident_id"] for c in body["complaints"]}
    assert group.people[2].resident_id in ids
    assert not {p.resident_id for p in _others(group)} & ids
    reasons = " ".join(e["reason"] or "" for e in body["timeline"])
    assert "推选代表人：王*燕、李*梅" in reasons and "王海燕" not in reasons


def test_a_claimant_who_acts_is_masked_in_the_others_timeline(client, make, group):
    """When 王海燕 leaves the group case, do the others read her full name as the actor?"""
    leaver = make.user("homeowner", person=group.people[0])
    login(client, leaver.username)
    token = csrf_token(client, f"/cases/{group.case_id}")
    response = client.post(f"/complaints/{group.complaints[0].id}/opt-out",
                           data={"csrf_token": token})
    assert response.status_code == 303
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})
    login(client, group.member.username)
    html = client.get(f"/cases/{group.case_id}").get_data(as_text=True)
    timeline = html[html.index('data-testid="timeline"'):]
    assert "王*燕" in timeline and "王海燕" not in timeline
