"""The referral import pages and the agency-task pages, from every side."""
from __future__ import annotations

import csv
import io
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import func, select

from app.extensions import db
from app.models import AgencyTask, Complaint, ReferralImport, User
from app.models.types import utcnow
from app.services import referral_csv, referrals
from tests.factories import NOW
from tests.services.test_referrals import HEADER, csv_bytes, row
from tests.web.helpers import csrf_token, login

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "referrals_sample.csv"


@pytest.fixture
def court_setup(make):
    court = make.court()
    developer = make.developer()
    make.project(developer=developer, court=court, name="椰风海韵")
    make.project(developer=developer, court=court, name="航天花园")
    return {"court": court, "judge": make.user("judge", court=court)}


def import_now(app, user_id: int, data: bytes) -> int:
    """Run an import synchronously (the service the background thread runs)."""
    with app.app_context():
        actor = db.session.get(User, user_id)
        return referrals.import_referrals(data, filename="转办.csv", agency="petition_office",
                                          actor=actor, now=NOW).id


def upload(client, data: bytes, filename: str = "转办.csv", agency: str = "housing_bureau", token=None):
    form = {"agency": agency, "file": (io.BytesIO(data), filename)}
    form["csrf_token"] = token if token is not None else csrf_token(client, "/court/imports/new")
    return client.post("/court/imports/new", data=form, content_type="multipart/form-data")


def wait_until_finished(client, import_id: int, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = client.get(f"/court/imports/{import_id}/progress.json").get_json()
        if doc["finished"]:
            return doc
        time.sleep(0.05)
    raise AssertionError("the import did not finish in time")


def test_a_judge_uploads_a_file_and_follows_its_progress_to_the_end(app, client, court_setup):
    """Does an upload run in the background, show progress, and end with the imported rows?"""
    login(client, court_setup["judge"].username)
    response = upload(client, SAMPLE.read_bytes())
    assert response.status_code == 302
    import_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "导入" in page
    doc = wait_until_finished(client, import_id)
    assert doc | {"id": 0} == {
        "id": 0, "status": "imported", "phase": "imported", "finished": True, "interrupted": False,
        "total_rows": 4, "processed_rows": 4, "imported_rows": 4, "duplicate_rows": 0,
        "error_count": 0, "percent": 100}
    html = client.get(f"/court/imports/{import_id}").get_data(as_text=True)
    assert 'data-testid="import-done"' in html and "王海燕" in html
    assert "4690**********0023" in html and "469005198503120023" not in html  # masked in lists
    listing = client.get("/court/imports/").get_data(as_text=True)
    assert "转办.csv" in listing
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)
                                 .where(Complaint.channel == "referral_housing")) == 4


def test_a_running_import_shows_a_progress_bar_that_polls(app, client, court_setup):
    login(client, court_setup["judge"].username)
    with app.app_context():
        record = referrals.start_referral_import(
            filename="big.csv", agency="police", actor=db.session.get(User, court_setup["judge"].id),
            now=utcnow())
        record.total_rows, record.processed_rows = 5000, 1200
        db.session.commit()
        import_id = record.id
    html = client.get(f"/court/imports/{import_id}").get_data(as_text=True)
    assert '<progress id="import-progress" max="5000" value="1200">' in html
    assert f'data-progress-url="/court/imports/{import_id}/progress.json"' in html
    assert "/static/js/imports.js" in html and "http" not in html.split("imports.js")[0][-60:]
    doc = client.get(f"/court/imports/{import_id}/progress.json").get_json()
    assert (doc["phase"], doc["percent"], doc["finished"]) == ("validating", 24, False)
    assert client.get("/static/js/imports.js").status_code == 200


def test_an_import_left_running_by_a_stopped_worker_shows_as_interrupted(app, client, court_setup):
    login(client, court_setup["judge"].username)
    with app.app_context():
        record = referrals.start_referral_import(
            filename="x.csv", agency="police", actor=db.session.get(User, court_setup["judge"].id),
            now=utcnow() - timedelta(hours=1))
        import_id = record.id
    assert client.get(f"/court/imports/{import_id}/progress.json").get_json()["interrupted"] is True
    assert 'data-testid="import-interrupted"' in client.get(f"/court/imports/{import_id}").get_data(as_text=True)


def test_a_failed_import_shows_each_bad_row_and_imports_nothing(app, client, court_setup):
    rows = [row(n) for n in range(1, 21)]
    rows[15][1] = rows[15][1][:17] + ("0" if rows[15][1][17] != "0" else "1")
    import_id = import_now(app, court_setup["judge"].id, csv_bytes(rows))
    login(client, court_setup["judge"].username)
    html = client.get(f"/court/imports/{import_id}").get_data(as_text=True)
    assert 'data-testid="import-failed"' in html
    assert "第17行：身份证号校验位错误" in html and "<td data-label" in html
    assert "标题行为第1行" in html  # the page says how rows are counted
    report = client.get(f"/court/imports/{import_id}/report.csv")
    assert report.status_code == 200 and report.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(report.get_data().decode("utf-8-sig"))))
    assert lines[1][:2] == ["17", "身份证号"]


def test_hostile_content_is_shown_escaped(app, client, court_setup):
    """Are script tags and formulas from an agency's file shown as text, never run?"""
    data = csv_bytes([row(1, name="<script>alert('x')</script>", unit="<img src=x onerror=alert(1)>",
                          facts='=HYPERLINK("http://evil.example","x")')])
    import_id = import_now(app, court_setup["judge"].id, data)
    bad = import_now(app, court_setup["judge"].id, csv_bytes([row(2, project="<b>楼盘</b>")]))
    login(client, court_setup["judge"].username)
    html = client.get(f"/court/imports/{import_id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    failed = client.get(f"/court/imports/{bad}").get_data(as_text=True)
    assert "<b>楼盘</b>" not in failed and "&lt;b&gt;楼盘&lt;/b&gt;" in failed


def test_the_form_refuses_a_missing_or_mislabelled_file_next_to_the_field(client, court_setup):
    login(client, court_setup["judge"].username)
    response = client.post("/court/imports/new", content_type="multipart/form-data", data={
        "agency": "housing_bureau", "csrf_token": csrf_token(client, "/court/imports/new")})
    assert response.status_code == 422 and 'id="file-error"' in response.get_data(as_text=True)
    response = upload(client, b"MZ\x90\x00", filename="../../evil.exe")
    assert response.status_code == 422 and 'id="file-error"' in response.get_data(as_text=True)
    response = upload(client, b"a,b\r\n", agency="aliens")
    assert response.status_code == 422 and 'id="agency-error"' in response.get_data(as_text=True)


def test_an_upload_without_csrf_token_is_refused(app, client, court_setup):
    login(client, court_setup["judge"].username)
    response = upload(client, SAMPLE.read_bytes(), token="")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReferralImport)) == 0


def test_the_template_can_be_downloaded(client, court_setup):
    login(client, court_setup["judge"].username)
    response = client.get("/court/imports/template.csv")
    assert response.status_code == 200
    assert response.get_data().decode("utf-8-sig").startswith("姓名,身份证号,电话,项目")


def test_a_clerk_of_the_court_reaches_the_import_pages(client, make, court_setup):
    clerk = make.user("admin", court=court_setup["court"])
    login(client, clerk.username)
    for path in ("/court/imports/", "/court/imports/new", "/court/imports/template.csv"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", ["homeowner", "developer", "mediator"])
def test_homeowners_developers_and_mediators_cannot_reach_the_import_pages(app, client, make, court_setup, role):
    """Can a party or a mediator open, upload to, or poll an import? (403)"""
    import_id = import_now(app, court_setup["judge"].id, csv_bytes([row(1)]))
    user = make.user(role, court=court_setup["court"]) if role == "mediator" else make.user(role)
    login(client, user.username)
    for path in ("/court/imports/", "/court/imports/new", "/court/imports/template.csv",
                 f"/court/imports/{import_id}", f"/court/imports/{import_id}/progress.json",
                 f"/court/imports/{import_id}/report.csv"):
        assert client.get(path).status_code == 403, path
    assert client.post("/court/imports/new", data={}).status_code in (400, 403)


@pytest.mark.parametrize("role", ["judge", "admin"])
def test_a_judge_or_clerk_of_another_court_cannot_see_an_import(app, client, make, court_setup, role):
    """Can another court's staff open this court's import, its progress or its report? (404)"""
    import_id = import_now(app, court_setup["judge"].id, csv_bytes([row(1, name="保密的名字")]))
    stranger = make.user(role)
    login(client, stranger.username)
    for suffix in ("", "/progress.json", "/report.csv"):
        response = client.get(f"/court/imports/{import_id}{suffix}")
        assert response.status_code == 404, suffix
        assert "保密的名字" not in response.get_data(as_text=True)
    assert "保密的名字" not in client.get("/court/imports/").get_data(as_text=True)
    assert "转办.csv" not in client.get("/court/imports/").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_login(client, court_setup):
    response = client.get("/court/imports/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- Agency tasks ----------------------------------------------------------------------


@pytest.fixture
def task_setup(make):
    case = make.case()
    return {"case": case, "judge": make.user("judge", court=case.court)}


def tasks_path(case) -> str:
    return f"/court/cases/{case.id}/tasks"


def post_task(client, case, **fields):
    data = {"agency": "petition_office", "owner_name": "信访局李主任", "description": "约谈业主代表",
            "due_on": "2030-01-31", "next": f"/court/cases/{case.id}", **fields}
    data["csrf_token"] = csrf_token(client, tasks_path(case))
    return client.post(tasks_path(case), data=data)


def test_a_judge_gives_a_task_and_returns_to_the_case_page(app, client, task_setup):
    case = task_setup["case"]
    login(client, task_setup["judge"].username)
    response = post_task(client, case)
    assert response.status_code == 302 and response.headers["Location"] == f"/court/cases/{case.id}"
    html = client.get(tasks_path(case)).get_data(as_text=True)
    assert "信访局李主任" in html and "约谈业主代表" in html and "2030-01-31" in html


def test_a_foreign_next_address_is_not_followed(client, task_setup):
    login(client, task_setup["judge"].username)
    response = post_task(client, task_setup["case"], next="https://evil.example/")
    assert response.headers["Location"] == tasks_path(task_setup["case"])


def test_an_invalid_task_is_refused_next_to_the_field_and_escaped(app, client, task_setup):
    login(client, task_setup["judge"].username)
    response = post_task(client, task_setup["case"], due_on="2020-01-01",
                         description="<script>alert(1)</script>")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="due_on-error"' in html and "办理期限不能早于今天" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    response = post_task(client, task_setup["case"], owner_name="")
    assert response.status_code == 422 and 'id="owner_name-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AgencyTask)) == 0


def _add_task(app, case, judge, due_on, **extra) -> int:
    with app.app_context():
        task = AgencyTask(case_id=case.id, agency="police", owner_name="派出所张警官",
                          description="调查现场冲突", due_on=due_on, created_by_id=judge.id,
                          created_at=NOW, **extra)
        db.session.add(task)
        db.session.commit()
        return task.id


def test_an_overdue_task_is_shown_as_overdue(app, client, task_setup):
    overdue = _add_task(app, task_setup["case"], task_setup["judge"], date(2020, 1, 1))
    upcoming = _add_task(app, task_setup["case"], task_setup["judge"], date(2099, 1, 1))
    login(client, task_setup["judge"].username)
    html = client.get(tasks_path(task_setup["case"])).get_data(as_text=True)
    overdue_row = html.split(f'data-testid="agency-task-{overdue}"')[1].split("</tr>")[0]
    upcoming_row = html.split(f'data-testid="agency-task-{upcoming}"')[1].split("</tr>")[0]
    assert 'data-testid="overdue"' in overdue_row and "已超期" in overdue_row
    assert 'data-testid="overdue"' not in upcoming_row


def test_a_judge_completes_a_task_with_its_result(app, client, task_setup):
    task_id = _add_task(app, task_setup["case"], task_setup["judge"], date(2099, 1, 1))
    login(client, task_setup["judge"].username)
    token = csrf_token(client, tasks_path(task_setup["case"]))
    empty = client.post(f"/court/tasks/{task_id}/complete",
                        data={"csrf_token": token, f"task{task_id}-result": " "})
    assert empty.status_code == 422 and f'id="task{task_id}-result-error"' in empty.get_data(as_text=True)
    done = client.post(f"/court/tasks/{task_id}/complete",
                       data={"csrf_token": token, f"task{task_id}-result": "已出警调解"})
    assert done.status_code == 302
    with app.app_context():
        task = db.session.get(AgencyTask, task_id)
        assert (task.status, task.result) == ("done", "已出警调解")
    again = client.post(f"/court/tasks/{task_id}/cancel",
                        data={"csrf_token": token, f"task{task_id}-result": "撤销"})
    assert again.status_code == 422 and "已办结或已撤销" in again.get_data(as_text=True)


def test_a_judge_of_another_court_cannot_see_or_touch_the_tasks(app, client, make, task_setup):
    """From the other side: another court's judge gets 404 and changes nothing."""
    task_id = _add_task(app, task_setup["case"], task_setup["judge"], date(2099, 1, 1))
    stranger = make.user("judge")
    login(client, stranger.username)
    assert client.get(tasks_path(task_setup["case"])).status_code == 404
    token = csrf_token(client, "/account/password")
    assert client.post(tasks_path(task_setup["case"]), data={
        "csrf_token": token, "agency": "police", "owner_name": "x", "description": "x",
        "due_on": "2099-01-01"}).status_code == 404
    for action in ("complete", "cancel"):
        response = client.post(f"/court/tasks/{task_id}/{action}",
                               data={"csrf_token": token, f"task{task_id}-result": "x"})
        assert response.status_code == 404
    assert client.post("/court/tasks/999999/complete", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(AgencyTask, task_id).status == "open"
        assert db.session.scalar(select(func.count()).select_from(AgencyTask)) == 1


@pytest.mark.parametrize("role", ["mediator", "developer", "homeowner", "admin"])
def test_other_roles_cannot_reach_the_task_routes(app, client, make, task_setup, role):
    task_id = _add_task(app, task_setup["case"], task_setup["judge"], date(2099, 1, 1))
    user = make.user(role, court=task_setup["case"].court) if role in ("mediator", "admin") else make.user(role)
    login(client, user.username)
    assert client.get(tasks_path(task_setup["case"])).status_code == 403
    assert client.post(f"/court/tasks/{task_id}/complete", data={}).status_code in (400, 403)


def _render_partial(app, user_id: int, case_id: int) -> str:
    """The partial as a page includes it: with the section the service made for the viewer."""
    from app.models import Case
    from app.models.types import utcnow
    from app.services.agency_tasks import task_section

    with app.test_request_context("/court/cases/1"):
        viewer = db.session.get(User, user_id)
        login_user(viewer)
        case = db.session.get(Case, case_id)
        tasks = task_section(case, viewer=viewer, now=utcnow())
        return render_template_string('{% include "court/_agency_tasks.html" %}', case=case,
                                      tasks=tasks)


def test_the_partial_shows_the_form_only_to_the_cases_judges(app, make, task_setup):
    """Included in a case page: judges of the court get the forms, the case's mediator only
    the list, a party of the case nothing."""
    case = task_setup["case"]
    _add_task(app, case, task_setup["judge"], date(2020, 1, 1))
    judge_html = _render_partial(app, task_setup["judge"].id, case.id)
    assert 'data-testid="agency-task-form"' in judge_html and "派出所张警官" in judge_html
    assert 'data-testid="overdue"' in judge_html

    mediator = make.user("mediator", court=case.court)
    with app.app_context():
        from app.models import Case

        db.session.get(Case, case.id).mediator_id = mediator.mediator.id
        db.session.commit()
    mediator_html = _render_partial(app, mediator.id, case.id)
    assert "派出所张警官" in mediator_html and 'data-testid="agency-task-form"' not in mediator_html
    assert "/complete" not in mediator_html

    developer = make.user("developer", developer=case.developer)
    developer_html = _render_partial(app, developer.id, case.id)
    assert "派出所张警官" not in developer_html and 'data-testid="agency-task-form"' not in developer_html


def test_the_column_headers_in_the_header_list_are_those_of_the_service():
    assert HEADER == [c.header for c in referral_csv.COLUMNS[:8]]


@pytest.mark.parametrize("path", [
    "/court/imports/999999", "/court/imports/99999999999999999999999/progress.json",
    "/court/imports/-1", "/court/cases/99999999999999999999/tasks",
])
def test_unknown_or_absurd_ids_are_not_found(client, court_setup, path):
    login(client, court_setup["judge"].username)
    assert client.get(path).status_code == 404


def test_a_homeowner_is_not_told_there_are_no_tasks_on_a_case_that_has_some(app, client, make):
    """The claimant may not see the agencies' tasks; saying "none yet" would be untrue."""
    owner = make.user("homeowner")
    case = make.case(claimant=owner.person)
    _add_task(app, case, make.user("judge", court=case.court), date(2099, 1, 1))
    login(client, owner.username)
    response = client.get(f"/cases/{case.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and case.number in html
    assert "尚无部门协办任务" not in html and 'data-testid="agency-tasks"' not in html


def test_an_english_reader_sees_the_bad_rows_in_english(app, client, court_setup):
    """The report keeps each message's English (message_en) for readers who chose English."""
    rows = [row(n) for n in range(1, 21)]
    rows[15][1] = rows[15][1][:17] + ("0" if rows[15][1][17] != "0" else "1")
    import_id = import_now(app, court_setup["judge"].id, csv_bytes(rows))
    with app.app_context():
        [stored] = db.session.get(ReferralImport, import_id).errors
        assert stored["message"].startswith("第17行：身份证号校验位错误")
        assert stored["message_en"].startswith("Row 17: ")
    login(client, court_setup["judge"].username)
    client.get("/lang/en")
    html = client.get(f"/court/imports/{import_id}").get_data(as_text=True)
    assert "Row 17: " in html and "第17行：身份证号校验位错误" not in html
