"""The litigation page shows the lawsuit's number, the pre-litigation number and the file;
the case page links to it; another homeowner gets 404."""
from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import User
from app.services import cases
from tests.factories import NOW
from tests.services.test_litigation import _failed
from tests.web.helpers import get_page, login, logout


def test_the_litigation_page_from_both_sides(app, client, make):
    person = make.person("王海燕")
    home = make.user("homeowner", person=person)
    stranger = make.user("homeowner")
    case, judge, _ = _failed(app, make, person)
    with app.test_request_context():
        cases.transition_case(case.id, "litigation", actor=db.session.get(User, judge.id), now=NOW + timedelta(days=1))
    login(client, home.username)
    response, html = get_page(client, f"/cases/{case.id}")
    assert 'data-testid="litigation-link"' in html and "民初1号" in html
    response, html = get_page(client, f"/cases/{case.id}/litigation")
    assert response.status_code == 200 and "（2026）琼9005民初1号" in html and case.number in html
    assert "购房合同.pdf" in html and "双方分歧过大" in html
    logout(client)
    login(client, stranger.username)
    assert client.get(f"/cases/{case.id}/litigation").status_code == 404
