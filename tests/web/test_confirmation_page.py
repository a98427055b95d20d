"""Both parties apply for judicial confirmation in the browser; the judge rules, and a
refusal without its ground is shown next to the field."""
from __future__ import annotations

from app.extensions import db
from app.models import Case, User
from app.services import agreements
from mediation.agreements import Content
from tests.factories import NOW, PASSWORD
from tests.web.helpers import csrf_token, get_page, login, logout


def test_joint_application_and_ruling_in_the_browser(app, client, make):
    person = make.person("王海燕")
    project = make.project()
    mediator = make.user("mediator", court=project.court)
    home = make.user("homeowner", person=person)
    company = make.user("developer", developer=project.developer)
    judge = make.user("judge", court=project.court)
    case = make.case(project=project, claimant=person, status="in_mediation", mediator=mediator.mediator)
    with app.test_request_context():
        agreement, _ = agreements.record_agreement(case.id, Content(terms=("被申请人支付违约金2万元。",)),
                                                   actor=db.session.get(User, mediator.id), now=NOW)
        for who in (home, company):
            agreements.sign_agreement(agreement.id, actor=db.session.get(User, who.id), now=NOW,
                                      password=PASSWORD, ip="::1")
        agreement_id = agreement.id
    page = f"/cases/{case.id}/confirmation"
    for party in (home, company):
        login(client, party.username)
        response, html = get_page(client, page)
        assert 'data-testid="apply-confirmation"' in html
        response = client.post(f"/agreements/{agreement_id}/confirmation", data={"csrf_token": csrf_token(client, page)})
        assert response.status_code == 303
        logout(client)
    login(client, judge.username)
    response, html = get_page(client, page)
    assert 'data-testid="decide-form"' in html
    application_id = int(html.split("/confirmations/")[1].split("/")[0])
    token = csrf_token(client, page)
    response = client.post(f"/confirmations/{application_id}/decide", data={"csrf_token": token, "decision": "refuse"})
    assert response.status_code == 422 and 'id="ground-error"' in response.get_data(as_text=True)
    response = client.post(f"/confirmations/{application_id}/decide", data={"csrf_token": token, "decision": "confirm"})
    assert response.status_code == 303
    response, html = get_page(client, page)
    assert "民特" in html and 'data-status="confirmed"' in html
    with app.app_context():
        assert db.session.get(Case, case.id).status == "confirmed"


def test_each_obligation_shows_who_performs_it_on_the_case_and_home_pages(app, client, make):
    from app.services import confirmation
    from tests.services.test_confirmation import HOMEOWNER_CONTENT
    person = make.person("王海燕")
    project = make.project()
    mediator = make.user("mediator", court=project.court)
    home = make.user("homeowner", person=person)
    company = make.user("developer", developer=project.developer)
    judge = make.user("judge", court=project.court)
    stranger = make.user("homeowner")
    case = make.case(project=project, claimant=person, status="in_mediation", mediator=mediator.mediator)
    with app.test_request_context():
        agreement, _ = agreements.record_agreement(case.id, HOMEOWNER_CONTENT,
                                                   actor=db.session.get(User, mediator.id), now=NOW)
        for who in (home, company):
            agreements.sign_agreement(agreement.id, actor=db.session.get(User, who.id), now=NOW,
                                      password=PASSWORD, ip="::1")
        for who in (home, company):
            application = confirmation.apply_for_confirmation(agreement.id, actor=db.session.get(User, who.id),
                                                              now=NOW, ip="::1")
        confirmation.decide_confirmation(application.id, actor=db.session.get(User, judge.id), now=NOW,
                                         confirm=True)
    login(client, judge.username)
    _, html = get_page(client, f"/cases/{case.id}/confirmation")
    assert html.count('data-side="homeowner"') == 2 and html.count('data-side="developer"') == 1
    assert "王海燕" in html and project.developer.name in html
    _, html = get_page(client, f"/cases/{case.id}")  # the case page lists them too
    assert html.count('data-side="homeowner"') == 2 and html.count('data-side="developer"') == 1
    logout(client)
    login(client, home.username)
    _, html = get_page(client, "/homeowner/")
    assert 'data-testid="my-obligations"' in html and "办理收房手续" in html
    assert html.count('data-side="homeowner"') == 2 and 'data-side="developer"' not in html
    logout(client)
    login(client, company.username)
    _, html = get_page(client, "/developer/")
    assert html.count('data-side="homeowner"') == 2 and html.count('data-side="developer"') == 1
    logout(client)
    login(client, stranger.username)
    assert 'data-testid="my-obligations"' not in get_page(client, "/homeowner/")[1]
