"""The agreement page from every side: the mediator records, each party signs with its
password, the other party sees it, someone else's case is a 404."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agreement, Case
from tests.factories import PASSWORD
from tests.web.helpers import csrf_token, login, logout


@pytest.fixture
def world(app, make):
    person = make.person("王海燕")
    project = make.project()
    mediator = make.user("mediator", court=project.court, name="陈调解")
    case = make.case(project=project, claimant=person, status="in_mediation", mediator=mediator.mediator)
    return {"case": case.id, "mediator": mediator.username,
            "home": make.user("homeowner", person=person).username,
            "company": make.user("developer", developer=project.developer).username,
            "stranger": make.user("homeowner").username}


def _page(world):
    return f"/cases/{world['case']}/agreement"


def _record(client, world, **fields):
    data = {"terms": "被申请人向申请人支付违约金48,000元。\n确认3栋1201室归申请人所有。",
            "payments": "2027-01-15|开发企业|申请人|48,000|逾期交房违约金", "milestones": "", "guarantees": "",
            **fields, "csrf_token": csrf_token(client, _page(world))}
    return client.post(_page(world), data=data)


def _sign(client, world, agreement_id, password=PASSWORD):
    return client.post(f"/agreements/{agreement_id}/sign",
                       data={"password": password, "csrf_token": csrf_token(client, _page(world))})


def test_the_mediator_records_and_both_parties_sign_online(app, client, world):
    login(client, world["mediator"])
    response = _record(client, world)
    assert response.status_code == 303
    html = client.get(_page(world)).get_data(as_text=True)
    assert "第三百五十五条" in html  # the ownership-only term is flagged
    assert 'data-testid="sign-form"' not in html  # the mediator does not sign
    with app.app_context():
        agreement_id = db.session.scalar(select(Agreement.id))
    logout(client)

    login(client, world["home"])
    refused = _sign(client, world, agreement_id, password="wrong")
    assert refused.status_code == 422 and "密码不正确" in refused.get_data(as_text=True)
    assert _sign(client, world, agreement_id).status_code == 303
    html = client.get(_page(world)).get_data(as_text=True)
    assert 'data-testid="sign-form"' not in html and "尚未签署" in html  # the developer has not yet
    logout(client)

    login(client, world["company"])
    assert 'data-testid="sign-form"' in client.get(_page(world)).get_data(as_text=True)
    assert _sign(client, world, agreement_id).status_code == 303
    with app.app_context():
        assert db.session.get(Case, world["case"]).status == "mediated"
    html = client.get(f"/cases/{world['case']}").get_data(as_text=True)
    assert 'data-testid="agreement-link"' in html


def test_a_party_cannot_record_and_a_stranger_sees_nothing(app, client, world):
    login(client, world["mediator"])
    _record(client, world)
    with app.app_context():
        agreement_id = db.session.scalar(select(Agreement.id))
    logout(client)
    login(client, world["home"])
    assert 'id="record"' not in client.get(_page(world)).get_data(as_text=True)
    assert _record(client, world).status_code == 403
    logout(client)
    login(client, world["stranger"])
    assert client.get(_page(world)).status_code == 404
    token = csrf_token(client, "/account/password")
    assert client.post(f"/agreements/{agreement_id}/sign",
                       data={"password": PASSWORD, "csrf_token": token}).status_code == 404


def test_a_bad_payment_line_is_explained_next_to_the_field(client, world):
    login(client, world["mediator"])
    response = _record(client, world, payments="明年|开发企业|申请人|48,000")
    assert response.status_code == 422
    assert "第1行付款安排的期限应为日期" in response.get_data(as_text=True)


def test_a_party_signs_on_the_page_with_a_code_texted_to_its_phone(app, client, world):
    import re

    from app.models import AgreementSignature, User
    with app.app_context():
        db.session.scalar(select(User).where(User.username == world["home"])).phone = "13907561234"
        db.session.commit()
    login(client, world["mediator"])
    _record(client, world)
    with app.app_context():
        agreement_id = db.session.scalar(select(Agreement.id))
    logout(client)

    login(client, world["home"])
    html = client.get(_page(world)).get_data(as_text=True)
    assert 'data-testid="send-code"' in html and 'autocomplete="one-time-code"' in html
    sent = client.post(f"/agreements/{agreement_id}/code", data={"csrf_token": csrf_token(client, _page(world))})
    assert sent.status_code == 303
    assert "139****1234" in client.get(sent.headers["Location"]).get_data(as_text=True)
    code = re.search(r"\d{6}", app.extensions["sms"].last_to("13907561234")).group(0)
    wrong = client.post(f"/agreements/{agreement_id}/sign",
                        data={"code": "000000" if code != "000000" else "111111",
                              "csrf_token": csrf_token(client, _page(world))})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'id="code-error"' in page and "验证码不正确" in page
    signed = client.post(f"/agreements/{agreement_id}/sign",
                         data={"code": code, "csrf_token": csrf_token(client, _page(world))})
    assert signed.status_code == 303
    with app.app_context():
        signature = db.session.scalar(select(AgreementSignature))
        assert (signature.method, signature.ip) == ("otp", "127.0.0.1")
    logout(client)

    login(client, world["stranger"])  # someone else's agreement: no code, no page
    assert client.post(f"/agreements/{agreement_id}/code",
                       data={"csrf_token": csrf_token(client, "/notices")}).status_code == 404
