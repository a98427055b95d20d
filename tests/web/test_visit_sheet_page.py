"""The mediator prints a visit's sheet from the week page; the PDF opens in the browser for
the court's side and is not found for a party or another court."""
from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import Document, User
from app.services import visits
from tests.factories import NOW
from tests.services.test_visits import NINE
from tests.web.helpers import csrf_token, get_page, login, logout


def test_the_mediator_prints_the_sheet_and_only_the_court_side_opens_it(app, client, make):
    court = make.court()
    project = make.project(court=court)
    wang = make.user("mediator", court=court, name="王调解")
    owner = make.user("homeowner")
    judge = make.user("judge", court=court)
    stranger = make.user("judge")
    case = make.case(project=project, status="assigned", mediator=wang.mediator, claimant=owner.person)
    with app.app_context():
        visit = visits.schedule_visit(project.id, [case.id], room="售楼部会议室", starts_at=NINE,
                                      ends_at=NINE + timedelta(hours=1),
                                      actor=db.session.get(User, wang.id), now=NOW)
        visit_id = visit.id
    login(client, wang.username)
    page = f"/mediator/visits?week={NINE.date().isoformat()}"
    response, html = get_page(client, "/mediator/visits", week=NINE.date().isoformat())
    assert f'data-testid="visit-sheet-{visit_id}"' in html
    response = client.post(f"/visits/{visit_id}/sheet", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 303
    pdf = client.get(response.headers["Location"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    with app.app_context():
        document_id = db.session.query(Document.id).scalar()
    for other in (owner, stranger):
        logout(client)
        login(client, other.username)
        assert client.get(f"/documents/{document_id}/pdf").status_code == 404
        assert client.post(f"/visits/{visit_id}/sheet",
                           data={"csrf_token": csrf_token(client, "/account/password")}).status_code == 404
    logout(client)
    login(client, judge.username)
    response, html = get_page(client, "/court/visits")
    assert f'data-testid="visit-sheet-{visit_id}"' in html
    assert client.get(f"/documents/{document_id}/pdf").status_code == 200
