"""A list page rendered afresh: the rows come from app/web/case_rows.py and the filter
choices from a copy kept per data version — same table, same choices, never stale."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from tests.web.helpers import get_page, login


@pytest.fixture
def listed(app, make):
    court = make.court()
    project = make.project(court=court, name="椰风海韵")
    judge = make.user("judge", court=court)
    mediator = make.user("mediator", court=court, name="调解员甲")
    owner = make.person(name="<b>王海燕</b>")
    case = make.case(project=project, claimant=owner, mediator=mediator.mediator, status="assigned")
    make.complaint(project=project, status="accepted", case=case)  # a second claimant
    developer = make.user("developer", developer=project.developer)
    homeowner = make.user("homeowner", person=owner)
    return dict(court=court, project=project, judge=judge, mediator=mediator, owner=owner,
                case=case, developer=developer, homeowner=homeowner)


def _table(html: str) -> tuple[int, list[int]]:
    """Header cells, and cells in each row, of the case table."""
    table = re.search(r'<table class="case-list".*?</table>', html, re.S).group(0)
    head = len(re.findall(r"<th ", table))
    rows = [len(re.findall(r"<td ", row)) for row in re.findall(r"<tr data-case-id.*?</tr>", table, re.S)]
    return head, rows


@pytest.mark.parametrize("role, path", [
    ("judge", "/court/cases"), ("mediator", "/mediator/cases"),
    ("developer", "/developer/cases"), ("homeowner", "/homeowner/cases"),
])
def test_each_roles_rows_have_the_cells_its_header_names(client, listed, role, path):
    """The rows are rendered apart from the header: do they still line up, for every role?"""
    login(client, listed[role].username)
    response, html = get_page(client, path)
    assert response.status_code == 200
    head, rows = _table(html)
    assert rows and all(cells == head for cells in rows), (head, rows)


def test_a_row_shows_escaped_names_masked_phones_links_and_marks(client, listed):
    login(client, listed["judge"].username)
    _, html = get_page(client, "/court/cases")
    row = re.search(r"<tr data-case-id=\"%d\".*?</tr>" % listed["case"].id, html, re.S).group(0)
    assert "&lt;b&gt;王海燕&lt;/b&gt;" in row and "<b>" not in row
    assert "138****8000" in row and "13800138000" not in row
    assert f'href="/cases/{listed["case"].id}"' in row
    assert f'project_id={listed["project"].id}"' in row and "调解员甲" in row
    assert "等 2 人" in row  # the second claimant


def _option_queries(app):
    """Statements that read the filter choices (the towns of the court's projects)."""
    from app.extensions import db

    seen = []
    with app.app_context():
        engine = db.engine

    def note(conn, cursor, statement, *args):
        if "towns" in statement and "SELECT" in statement:
            seen.append(statement)
    event.listen(engine, "before_cursor_execute", note)
    return seen, lambda: event.remove(engine, "before_cursor_execute", note)


def test_the_filter_choices_are_queried_once_per_data_version(app, client, listed):
    """A judge pages through the list: the towns and mediators are not read again each time."""
    login(client, listed["judge"].username)
    get_page(client, "/court/cases")
    seen, stop = _option_queries(app)
    try:
        for page in ({"sort": "registered_asc"}, {"dispute_type": "late_delivery"}, {}):
            assert get_page(client, "/court/cases", **page)[0].status_code == 200
    finally:
        stop()
    assert seen == []


def test_a_new_mediator_is_a_choice_on_the_very_next_request(app, client, listed, make):
    """The kept choices follow the data version: a change shows at once."""
    login(client, listed["judge"].username)
    _, before = get_page(client, "/court/cases")
    assert "调解员乙" not in before
    make.user("mediator", court=listed["court"], name="调解员乙")
    _, after = get_page(client, "/court/cases", sort="registered_asc")
    assert re.search(r"<option value=\"\d+\"[^>]*>调解员乙</option>", after)


def test_a_select_marks_the_chosen_option_and_escapes_names():
    from app.web.case_rows import option_tags

    html = str(option_tags([("", "不限"), (7, "<王>"), ("8", "李四")], 7))
    assert html == ('<option value="">不限</option><option value="7" selected>&lt;王&gt;</option>'
                    '<option value="8">李四</option>')
    assert ' selected' not in str(option_tags([("7", "王")], None))


def test_after_an_invalid_bulk_action_the_chosen_mediator_is_still_selected(client, listed):
    """The bulk bar's selects keep what the judge chose when the form comes back with errors."""
    from tests.web.helpers import csrf_token

    login(client, listed["judge"].username)
    mediator_id = listed["mediator"].mediator.id
    response = client.post("/court/cases/bulk", data={
        "csrf_token": csrf_token(client, "/court/cases"), "action": "assign",
        "mediator_id": str(mediator_id)})  # no case ticked
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<option value="{mediator_id}" selected>调解员甲</option>' in html
    assert '<option value="assign" selected>' in html


def test_the_rows_texts_are_escaped_in_one_pass_each_on_its_own_place():
    from app.web.case_rows import _escape_all

    texts = ['王<b>海燕</b>', 'O\'Brien & "Co"', "", "椰风海韵"]
    assert _escape_all(texts) == ["王&lt;b&gt;海燕&lt;/b&gt;", "O&#x27;Brien &amp; &quot;Co&quot;",
                                  "", "椰风海韵"]
    assert _escape_all([]) == []
    # A NUL inside a text (none can be stored, but if one were): each is escaped on its own.
    assert _escape_all(["a\x00<b>", "c"]) == ["a\x00&lt;b&gt;", "c"]
