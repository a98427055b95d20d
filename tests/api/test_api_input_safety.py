"""Input the database cannot hold is refused with the field named, never a 500 (issue 13)."""
from __future__ import annotations

import pytest
from marshmallow import Schema, fields

from tests.api.test_api_cases import _complaint_body


@pytest.mark.parametrize("text, codepoint", [
    ("交房\x00延期", "U+0000"), ("交房\x07延期", "U+0007"), ("交房\x1b[31m", "U+001B"),
    ("交房\u0085", "U+0085"),
])
def test_control_characters_in_a_complaint_are_refused_naming_the_field(
        client, make, bearer, text, codepoint):
    """Does the API refuse a NUL or another control character in the facts, naming them?"""
    project = make.project()
    response = client.post("/api/v1/complaints", json=_complaint_body(project.id, facts=text),
                           headers=bearer(make.user("homeowner")))
    assert response.status_code == 422, response.get_data(as_text=True)
    errors = response.get_json()["errors"]
    assert [e["field"] for e in errors] == ["facts"]
    assert codepoint in errors[0]["message"]


def test_tab_and_line_breaks_stay_allowed(client, make, bearer):
    project = make.project()
    response = client.post("/api/v1/complaints",
                           json=_complaint_body(project.id, facts="第一段\r\n第二段\t完"),
                           headers=bearer(make.user("homeowner")))
    assert response.status_code == 201


def test_a_lone_surrogate_is_refused_not_a_500(client, make, bearer):
    """A JSON text may hold "\\ud800", half a character that UTF-8 cannot encode."""
    project = make.project()
    body = ('{"project_id": %d, "unit": "3\\ud800", "dispute_type": "late_delivery", '
            '"facts": "ok", "claims": [{"kind": "\\udc00", "amount_fen": 1}]}' % project.id)
    response = client.post("/api/v1/complaints", data=body, content_type="application/json",
                           headers=bearer(make.user("homeowner")))
    assert response.status_code == 422
    fields_named = {e["field"] for e in response.get_json()["errors"]}
    assert fields_named == {"unit", "claims.0.kind"}


def test_a_nul_in_the_login_name_is_refused_before_any_query(client, make):
    """PostgreSQL refuses a NUL outright: the username must never reach it."""
    response = client.post("/api/v1/auth/token", json={"username": "judge\x00", "password": "x"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "username"


@pytest.mark.parametrize("path", ["/api/v1/projects?q=%00", "/api/v1/projects?q=%E6%A4%B0%07"])
def test_a_control_character_in_a_query_argument_is_refused(client, make, bearer, path):
    response = client.get(path, headers=bearer(make.user("homeowner")))
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"][0]["field"] == "q"


@pytest.mark.parametrize("path", ["/api/v1/complaints", "/api/v1/auth/token"])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(client, make, bearer, path):
    headers = bearer(make.user("homeowner"))
    for body in ("[" * 100_000, '{"a":' * 40 + "1" + "}" * 40):
        response = client.post(path, data=body, content_type="application/json", headers=headers)
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["errors"][0]["field"] == "_body"
        assert "nested deeper" in response.get_json()["errors"][0]["message"]


@pytest.mark.parametrize("number", [2147483648, 9223372036854775808, 10**30])
@pytest.mark.parametrize("template, method", [
    ("/api/v1/complaints/{}", "get"), ("/api/v1/cases/{}", "get"),
    ("/api/v1/notices/{}/read", "post"),
])
def test_ids_past_the_integer_range_are_404(client, make, bearer, number, template, method):
    """PostgreSQL's integer ends at 2147483647; a larger id is simply no such object."""
    response = getattr(client, method)(template.format(number), headers=bearer(make.user("judge")))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_every_id_in_an_api_or_web_path_is_capped(app):
    """A route with an unbounded <int:…> would hand PostgreSQL a number it cannot hold."""
    from werkzeug.routing import IntegerConverter

    unbounded = [rule.rule for rule in app.url_map.iter_rules()
                 for converter in rule._converters.values()
                 if isinstance(converter, IntegerConverter)
                 and (converter.max is None or converter.max > 2**31 - 1)]
    assert unbounded == []


def test_every_string_of_every_api_schema_refuses_unstorable_characters():
    """A new schema field declared as a plain fields.String would skip the check."""
    from app.api import schemas

    plain = [f"{name}.{field_name}"
             for name, schema in vars(schemas).items()
             if isinstance(schema, type) and issubclass(schema, Schema) and schema is not Schema
             for field_name, field in schema._declared_fields.items()
             if isinstance(field, fields.String) and not isinstance(field, schemas.Text)]
    assert plain == []


@pytest.mark.parametrize("query, field", [
    ("from=0001-01-01&to=2020-01-01", "from"), ("from=2020-01-01&to=9999-12-31", "to"),
    ("from=2021-01-01&to=2020-01-01", "from"),
])
def test_stats_for_a_day_out_of_range_name_the_field(client, make, bearer, query, field):
    response = client.get(f"/api/v1/stats/summary?{query}", headers=bearer(make.user("judge")))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field


def test_the_api_answers_a_registered_and_an_unknown_id_alike(client, make, bearer):
    """"姓名与身份证号登记的信息不一致" told a developer who the court knows (issue 13)."""
    from mediation.identifiers import make_resident_id

    project = make.project()
    staff = make.user("developer", developer=project.developer)
    known = make.person(name="王五")
    headers = bearer(staff)
    answers = []
    for resident_id in (known.resident_id, make_resident_id("46900519900101125")):
        response = client.post("/api/v1/complaints", headers=headers, json=_complaint_body(
            project.id, respondent_resident_id=resident_id, respondent_name="猜的名字"))
        answers.append((response.status_code, sorted(response.get_json())))
        assert "不一致" not in response.get_data(as_text=True)
    assert answers[0] == answers[1] == (201, ["id", "receipt_no", "status"])
    bad = client.post("/api/v1/complaints", headers=headers, json=_complaint_body(
        project.id, respondent_resident_id="469005199001011230", respondent_name="李四"))
    assert bad.status_code == 422
    assert [e["field"] for e in bad.get_json()["errors"]] == ["respondent_resident_id"]


@pytest.mark.parametrize("value", ["2147483648", "9223372036854775808", "0"])
def test_a_project_filter_past_the_id_range_names_the_argument(client, make, bearer, value):
    response = client.get(f"/api/v1/cases?project_id={value}", headers=bearer(make.user("judge")))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "project_id"
