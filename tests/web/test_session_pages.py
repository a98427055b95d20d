"""The mediator records a session in the browser; the homeowner confirms it; a failure's
missing ground is shown next to its field."""
from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import Case, MediationSession
from tests.factories import NOW, PASSWORD
from tests.web.helpers import csrf_token, get_page, login, logout


def test_record_then_confirm_in_the_browser(app, client, make):
    person = make.person("王海燕")
    project = make.project()
    mediator = make.user("mediator", court=project.court, name="陈调解")
    home = make.user("homeowner", person=person)
    case = make.case(project=project, claimant=person, status="scheduled", mediator=mediator.mediator)
    login(client, mediator.username)
    page = f"/cases/{case.id}/sessions"
    held = (NOW - timedelta(days=1)).date().isoformat()
    data = {"csrf_token": csrf_token(client, page), "day": held, "starts": "09:30", "place": "售楼部会议室",
            "present": [f"person:{person.id}"], "notes": "双方协商违约金。", "offers": "被申请人|支付违约金|20000",
            "outcome": "failed", "ground": ""}
    response = client.post(page, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="ground-error"' in html
    response = client.post(page, data={**data, "outcome": "continued"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Case, case.id).status == "in_mediation"
        session_id = db.session.query(MediationSession.id).scalar()
    logout(client)
    login(client, home.username)
    response, html = get_page(client, page)
    assert 'data-testid="confirm-form"' in html and "¥20,000.00" in html
    token = csrf_token(client, page)
    response = client.post(f"/sessions/{session_id}/confirm", data={"csrf_token": token, "password": "wrong"})
    assert response.status_code == 422 and "密码不正确" in response.get_data(as_text=True)
    response = client.post(f"/sessions/{session_id}/confirm", data={"csrf_token": token, "password": PASSWORD})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(MediationSession, session_id).status == "confirmed"
    response, html = get_page(client, page)
    assert 'data-status="confirmed"' in html and 'data-testid="record-session"' not in html
