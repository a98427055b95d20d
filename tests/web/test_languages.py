"""Errors follow the reader's language: the English interface and an English-speaking API
user read English, everyone else the court's Chinese."""
from __future__ import annotations

from tests.web.helpers import csrf_token, login


def test_a_refusal_is_shown_in_english_beside_its_field_in_the_english_interface(client, make):
    court = make.court()
    project = make.project(court=court)
    mediator = make.user("mediator", court=court)
    case = make.case(project=project, status="assigned", mediator=mediator.mediator)
    login(client, mediator.username)
    client.get("/lang/en")
    token = csrf_token(client, f"/cases/{case.id}")
    response = client.post(f"/cases/{case.id}/transition", data={
        "move": "registered", "csrf_token": token, "registered-csrf_token": token,
        "registered-reason": " ", "registered-expected_status": "assigned"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please give the reason for declining or recusal" in html
    assert "请填写拒绝或回避理由" not in html


# --- Refusals, notices and the timeline in the reader's language --------------------------


def _case_for_judge(make):
    court = make.court()
    project = make.project(court=court, name="椰风海韵")
    judge = make.user("judge", court=court)
    return judge, make.case(project=project)


def _give_task(client, case, due_on: str):
    token = csrf_token(client, f"/court/cases/{case.id}/tasks")
    return client.post(f"/court/cases/{case.id}/tasks", data={
        "csrf_token": token, "agency": "petition_office", "owner_name": "符科长",
        "description": "核查交房条件", "due_on": due_on})


def test_a_service_refusal_is_english_beside_its_field_for_an_english_reader(client, make):
    judge, case = _case_for_judge(make)
    login(client, judge.username)
    client.get("/lang/en")
    response = _give_task(client, case, "2000-01-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The deadline cannot be before today" in html and "办理期限不能早于今天" not in html


def test_the_same_refusal_is_chinese_by_default(client, make):
    judge, case = _case_for_judge(make)
    login(client, judge.username)
    html = _give_task(client, case, "2000-01-01").get_data(as_text=True)
    assert "办理期限不能早于今天" in html and "The deadline cannot be before today" not in html


def test_the_account_page_keeps_the_chosen_language_for_every_later_login(app, client, make):
    from app.extensions import db
    from app.models import User

    user = make.user("homeowner")
    login(client, user.username)
    page = client.get("/account/language")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.get_data(as_text=True)
    token = csrf_token(client, "/account/language")
    saved = client.post("/account/language", data={"csrf_token": token, "locale": "en"},
                        follow_redirects=True)
    assert saved.status_code == 200 and "Language saved." in saved.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).locale == "en"
    # Another browser, no language cookie: the account's choice decides.
    other = app.test_client()
    login(other, user.username)
    assert '<html lang="en">' in other.get("/account/language").get_data(as_text=True)


def test_the_account_page_refuses_a_language_it_does_not_offer(client, make):
    user = make.user("homeowner")
    login(client, user.username)
    token = csrf_token(client, "/account/language")
    refused = client.post("/account/language", data={"csrf_token": token, "locale": "fr"})
    assert refused.status_code == 422


def _accepted_for(app, make, locale):
    from app.extensions import db
    from app.models import User
    from app.services import triage
    from tests.factories import NOW

    court = make.court()
    project = make.project(court=court, name="椰风海韵")
    judge = make.user("judge", court=court, locale=locale)
    owner = make.user("homeowner", locale=locale)
    complaint = make.complaint(project=project, person=owner.person)
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=db.session.get(User, judge.id), now=NOW)
        return judge, owner, case.id, case.number, complaint.receipt_no


def test_the_inbox_shows_an_english_readers_notice_in_english(app, client, make):
    _, owner, _, number, _ = _accepted_for(app, make, "en")
    login(client, owner.username)
    html = client.get("/notices").get_data(as_text=True)
    assert f"Complaint accepted: {number}" in html and "投诉已受理" not in html


def test_the_inbox_shows_a_chinese_readers_notice_in_chinese(app, client, make):
    _, owner, _, number, _ = _accepted_for(app, make, None)
    login(client, owner.username)
    html = client.get("/notices").get_data(as_text=True)
    assert f"投诉已受理：{number}" in html and "Complaint accepted" not in html


def test_the_timeline_speaks_the_viewers_language(app, client, make):
    judge, _, case_id, _, receipt = _accepted_for(app, make, "en")
    login(client, judge.username)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"Complaint {receipt} accepted" in html and f"受理投诉{receipt}" not in html
    client.get("/lang/zh")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"受理投诉{receipt}" in html
