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
