"""Text the database cannot hold is refused next to its field, never a 500 (issues 8 and 13)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Complaint
from tests.web.helpers import csrf_token, login
from tests.web.test_filing import _form


def test_a_nul_in_the_login_name_is_a_field_message_not_a_500(client, make):
    """Before authentication, on PostgreSQL too: the username never reaches SQL."""
    make.user("judge", "judge_nul")
    response = client.post("/login", data={"username": "judge_nul\x00", "password": "x",
                                           "csrf_token": csrf_token(client)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "U+0000" in html.split('id="username-error"', 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize("facts, codepoint", [
    ("至今未交付\x00", "U+0000"), ("至今\x08未交付", "U+0008"), ("\x7f", "U+007F"),
])
def test_a_control_character_in_the_facts_is_refused_next_to_the_field(
        app, client, make, facts, codepoint):
    project = make.project()
    login(client, make.user("homeowner").username)
    response = client.post("/homeowner/complaints/new",
                           data=_form(client, project.id, facts=facts))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = html.split('id="facts-error"', 1)[1].split("</p>", 1)[0]
    assert codepoint in error
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_line_breaks_typed_in_a_textarea_are_kept(app, client, make):
    project = make.project()
    login(client, make.user("homeowner").username)
    response = client.post("/homeowner/complaints/new",
                           data=_form(client, project.id, facts="第一段\r\n\t第二段"))
    assert response.status_code == 302


def test_a_nul_in_the_project_search_is_a_400(client, make):
    login(client, make.user("homeowner").username)
    for path in ("/homeowner/projects.json?q=%00", "/homeowner/complaints/new?q=a%00b"):
        response = client.get(path)
        assert response.status_code == 400
        assert "U+0000" in response.get_data(as_text=True)


def test_every_web_form_gives_its_text_fields_the_check(app):
    """A form deriving straight from FlaskForm or wtforms.Form would skip the check."""
    import importlib
    import pkgutil

    import wtforms
    from flask_wtf import FlaskForm

    import app.web
    from app.web.forms import BaseForm, SubForm

    for module in pkgutil.walk_packages(app.web.__path__, "app.web."):
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    stray = sorted({f"{c.__module__}.{c.__qualname__}" for c in subclasses(wtforms.Form)
                    if c.__module__.startswith("app.")
                    and c not in (BaseForm, SubForm)
                    and not issubclass(c, (BaseForm, SubForm))})
    assert stray == []
    assert not [c for c in subclasses(FlaskForm) if c.__module__.startswith("app.")
                and not issubclass(c, BaseForm)]


def test_the_developer_sees_the_name_it_typed_and_the_judge_sees_both(app, client, make):
    """The register's name for an ID is the court's to see, not the filer's (issue 13)."""
    from app.services import intake
    from app.models.types import utcnow

    project = make.project()
    staff = make.user("developer", developer=project.developer)
    known = make.person(name="王五")
    with app.app_context():
        complaint = intake.file_complaint(
            actor=staff, now=utcnow(), project_id=project.id, unit="1栋101",
            dispute_type="other", facts="欠付房款。", claims=[{"kind": "房款", "amount_fen": 100}],
            respondent_resident_id=known.resident_id, respondent_name="猜的名字")
        complaint_id = complaint.id
    login(client, staff.username)
    for path in (f"/developer/complaints/{complaint_id}", "/developer/complaints"):
        html = client.get(path).get_data(as_text=True)
        assert "猜的名字" in html and "王五" not in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})
    login(client, make.user("judge", court=project.court).username)
    html = client.get(f"/court/complaints/{complaint_id}").get_data(as_text=True)
    assert "王五" in html and 'data-testid="respondent-name-differs"' in html and "猜的名字" in html
