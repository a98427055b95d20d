"""Every route, every role, hostile input: never a 5xx (issue 13, finding 2, kept from coming back).

The findings were single routes (an API id past PostgreSQL's integer, a NUL in a search,
``[`` × 100,000 on the token call …), each fixed with its own test in
tests/*/test_input_safety.py. This walk sends the same kinds of input to every rule of the
URL map — the routes later issues add included — as every role: ids at and past the
integer ranges, NULs and absurd dates and numbers in the query string, and on POST a
100,000-deep JSON body, a JSON object of the API's field names holding NULs, broken
characters, infinities and ids past bigint, and a form of NULs, overflowing numbers and years 1 and 9999
(with the session's CSRF token, so the form reaches the view). Any answer ≥ 500 fails.
"""
from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD
from tests.web.helpers import csrf_token, login

ROLES = ("anonymous", "homeowner", "developer", "mediator", "judge", "admin")
#: The last id PostgreSQL's integer holds, the first past it, the first past bigint.
IDS = (2147483647, 2147483648, 9223372036854775808)
HOSTILE_QUERY = ("q=%00&cursor=%00&status=%00&from=0001-01-01&to=9999-12-31"
                 "&limit=99999999999999999999&project_id=9223372036854775808&page=-1")
_FORM_NAMES = ("username", "password", "facts", "q", "name", "unit", "text", "reason", "note",
               "title")
_NUMBER_NAMES = ("amount", "price", "project_id", "case_id", "case_ids", "court_id",
                 "developer_id", "mediator_id", "value", "cost")
_DATE_NAMES = ("date", "on", "starts_at", "due", "deadline", "promised_on", "delivered_on")


#: A JSON object of the API's field names with values no field should take.
HOSTILE_JSON = ('{"username": "a\\u0000", "password": "\\ud800", "project_id": 9223372036854775808,'
                ' "unit": "\\u0000", "dispute_type": "%s", "facts": "\\u001b",'
                ' "claims": [{"kind": {"a": []}, "amount_fen": 1e999}, null, 7],'
                ' "respondent_resident_id": "\\u0000", "respondent_name": [], "text": 1e308,'
                ' "answer": -9223372036854775809, "from": "0001-01-01", "to": "9999-12-31"}'
                % ("x" * 10_000))


#: Routes that end the walking client's own session (tested in tests/web/test_account_sessions.py).
ENDS_OWN_SESSION = {"auth.end_all_sessions", "auth.end_session"}

def _hostile_form(token: str) -> dict:
    form = {name: "甲\x00乙" for name in _FORM_NAMES}
    form.update({name: "1e999999999" for name in _NUMBER_NAMES})
    form.update({name: "9999-12-31" for name in _DATE_NAMES})
    form["start"], form["end"] = "0001-01-01", "9999-12-31"
    form["csrf_token"] = token
    return form


def _requests(app, number: int):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith("logout") or rule.endpoint in ENDS_OWN_SESSION:
            continue  # a logout would walk the rest of the routes as a visitor
        path = re.sub(r"<int[^>]*:\w+>", str(number), rule.rule)
        path = re.sub(r"<(?:\w+:)?\w+>", "x", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_hostile_input_with_a_server_error(app, client, make, role):
    headers = {}
    if role != "anonymous":
        user = make.user(role)
        assert login(client, user.username).status_code == 302
        token = client.post("/api/v1/auth/token",
                            json={"username": user.username, "password": PASSWORD}).get_json()
        headers = {"Authorization": f"Bearer {token['token']}"}
    form = _hostile_form(csrf_token(client, "/login" if role == "anonymous"
                                    else "/account/password"))
    failures = []
    sent = 0
    for number in IDS:
        for method, path in _requests(app, number):
            kwargs = {"headers": headers} if path.startswith("/api/") else {}
            variants = [{"query_string": HOSTILE_QUERY}]
            if number != IDS[0]:
                # Past the integer: routing answers before any body or argument is read.
                variants = [{}]
            elif method == "POST":
                variants += [{"data": "[" * 100_000, "content_type": "application/json"},
                             {"data": HOSTILE_JSON, "content_type": "application/json"},
                             {"data": form}]
            for variant in variants:
                response = client.open(path, method=method, **kwargs, **variant)
                sent += 1
                if response.status_code >= 500:
                    failures.append(f"{role} {method} {path} {sorted(variant)} → "
                                    f"{response.status_code}")
    assert sent > 100  # the walk really walked …
    if role != "anonymous":  # … as the role it says
        assert client.get("/account/password").status_code == 200
    assert not failures, "\n".join(failures)


def test_a_release_plan_for_a_developer_that_does_not_exist_is_404(client, make):
    """Found by the walk: the judge's "keep this plan" button for a missing developer was a 500."""
    judge = make.user("judge")
    login(client, judge.username)
    token = csrf_token(client, "/account/password")
    response = client.post("/court/developers/2147483647/release", data={"csrf_token": token})
    assert response.status_code == 404


def test_a_refusal_no_web_view_caught_is_its_own_status_with_its_message(app):
    """The net under every web view: a ServiceError is a page with its status, never a 500."""
    from app.services.errors import NotFoundError, ServiceError
    from mediation.messages import Msg

    handler = app.error_handler_spec[None][None][ServiceError]
    with app.test_request_context("/court/anything"):
        body, status = handler(ServiceError(Msg("这一步已经批准。", "Already approved.")))
        assert status == 422 and "这一步已经批准。" in body
        _body, status = handler(NotFoundError("没有这个开发商。"))
        assert status == 404
