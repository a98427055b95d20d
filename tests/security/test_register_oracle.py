"""No one learns what the court's register holds without the right to see it (finding 1).

The developer's filing was fixed before (tests/api/test_api_input_safety.py: a registered and
an unknown ID are answered alike). Self-registration had the same oracle: a visitor typing
any ID number with any phone, without the SMS code, was told "该身份证号已注册" exactly
when the court knew that ID — as a party with another phone, or as an account.
"""
from __future__ import annotations

import re

import pytest

from app.services import self_service
from mediation.identifiers import make_resident_id
from tests.web.helpers import csrf_token

PHONE = "13907569876"
UNKNOWN_ID = make_resident_id("46900519770101321")


def _form(client, **fields) -> dict:
    data = {"csrf_token": csrf_token(client, "/register"), "name": "赵一", "phone": PHONE,
            "resident_id": UNKNOWN_ID, "code": "", "password": "Haikou2026",
            "confirm": "Haikou2026", "submit": "y"}
    data.update(fields)
    return data


def _answer(client, **fields) -> tuple[int, str]:
    response = client.post("/register", data=_form(client, **fields))
    html = response.get_data(as_text=True)
    html = re.sub(r'name="csrf_token"[^>]*>', "", html)  # the only part that may differ
    return response.status_code, re.sub(r"\d{18}|\d{17}X", "ID", html)


def _sms_code(app) -> str:
    return re.search(r"\d{6}", app.extensions["sms"].last_to(PHONE)).group(0)


@pytest.mark.parametrize("known_as", ["party", "account"])
def test_before_the_code_a_known_id_is_answered_like_an_unknown_one(app, client, make, known_as):
    """Can a visitor test ID numbers against the register without an SMS code?"""
    known = make.person(name="林晓梅") if known_as == "party" else \
        make.user("homeowner", name="王海燕").person
    assert _answer(client, resident_id=known.resident_id) == _answer(client)
    assert _answer(client, resident_id=known.resident_id, code="000000") == \
        _answer(client, code="000000")
    status, html = _answer(client, resident_id=known.resident_id)
    assert status == 422 and "已注册" not in html


def test_with_the_code_the_owner_of_the_phone_is_told_and_the_code_is_spent(app, client, make):
    """One proven phone, one code, one question: the refusal spends the code."""
    known = make.person(name="林晓梅")  # on record with another phone
    client.post("/register", data=_form(client, submit=None, send_code="y"))
    code = _sms_code(app)
    status, html = _answer(client, resident_id=known.resident_id, code=code)
    assert status == 422 and "已注册" in html and "林晓梅" not in html
    # The same code cannot ask about a second ID.
    status, html = _answer(client, resident_id=UNKNOWN_ID, code=code)
    assert status == 422 and "验证码不正确" in html and "已注册" not in html


def test_the_service_refuses_a_known_id_only_after_the_code(app, make):
    from app.services.errors import ServiceError
    from tests.factories import NOW

    known = make.person(name="林晓梅")
    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            self_service.register_homeowner(
                name="冒名者", resident_id=known.resident_id, phone=PHONE, code="",
                password="Haikou2026", confirm="Haikou2026", now=NOW)
        assert refused.value.field == "code"


def test_asking_a_code_for_a_phone_with_an_account_looks_like_any_other(app, client, make):
    """Can a visitor learn whether a phone number has an account by asking for a code?"""
    owner_phone, fresh_phone = "13907561111", "13907560000"
    make.user("homeowner", username=owner_phone, phone=owner_phone, name="王海燕")
    answers = []
    for number in (owner_phone, fresh_phone):
        response = client.post("/register", data=_form(client, phone=number, submit=None,
                                                       send_code="y"))
        html = re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))
        html = html.replace(number, "PHONE").replace(number[:3] + "****" + number[-4:], "MASKED")
        answers.append((response.status_code, html))
    assert answers[0] == answers[1]
    assert "已注册" not in answers[0][1]
    assert app.extensions["sms"].last_to(owner_phone) == self_service.ALREADY_REGISTERED_TEXT
