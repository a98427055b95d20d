"""GET /api/v1/inquiries, POST /api/v1/inquiries/{id}/answers, GET /api/v1/warnings:
a developer's own, a judge's court's, each item with developer_id; never another's."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models import User
from app.models.types import utcnow


@pytest.fixture
def world(app, make):
    from app.services import inquiries
    from app.services.early_warnings import evaluate_warnings

    court = make.court()
    project = make.project(court=court)
    theirs = make.project()
    judge = make.user("judge", court=court)
    their_judge = make.user("judge", court=theirs.court)
    with app.app_context():
        mine = inquiries.issue_inquiry(project.id, letter_type="advertising", working_days=10,
                                       actor=db.session.get(User, judge.id), now=utcnow()).id
        other = inquiries.issue_inquiry(theirs.id, letter_type="advertising", working_days=10,
                                        actor=db.session.get(User, their_judge.id), now=utcnow()).id
        evaluate_warnings(now=utcnow())
    return {"project": project, "theirs": theirs, "judge": judge, "mine": mine, "other": other,
            "staff": make.user("developer", developer=project.developer),
            "stranger": make.user("developer", developer=theirs.developer)}


def test_a_developer_lists_only_its_own_inquiries_and_warnings(client, world, bearer):
    headers = bearer(world["staff"])
    items = client.get("/api/v1/inquiries", headers=headers).get_json()["items"]
    assert [i["id"] for i in items] == [world["mine"]]
    assert items[0]["developer_id"] == world["project"].developer_id and items[0]["state"] == "awaiting"
    warnings = client.get("/api/v1/warnings", headers=headers).get_json()["items"]
    assert warnings and {w["developer_id"] for w in warnings} == {world["project"].developer_id}
    assert any(w["warnings"][0]["rule"] == "overdue_delivery" for w in warnings)


def test_a_judge_lists_the_courts_and_a_homeowner_is_refused(client, world, bearer, make):
    items = client.get("/api/v1/inquiries", headers=bearer(world["judge"])).get_json()["items"]
    assert [i["id"] for i in items] == [world["mine"]]
    assert client.get("/api/v1/warnings", headers=bearer(make.user("homeowner"))).status_code == 403


def test_a_developer_answers_its_own_inquiry_and_never_anothers(client, world, bearer):
    body = {"answers": [{"position": 1, "text": "资料见附件"}, {"position": 2, "text": "已写入合同"}]}
    stranger = client.post(f"/api/v1/inquiries/{world['mine']}/answers", json=body, headers=bearer(world["stranger"]))
    assert stranger.status_code == 404 and "资料见附件" not in stranger.get_data(as_text=True)
    judge = client.post(f"/api/v1/inquiries/{world['mine']}/answers", json=body, headers=bearer(world["judge"]))
    assert judge.status_code == 403
    headers = bearer(world["staff"])
    short = client.post(f"/api/v1/inquiries/{world['mine']}/answers", json={"answers": body["answers"][:1]},
                        headers=headers)
    assert short.status_code == 422 and short.headers["Content-Type"].startswith("application/problem+json")
    done = client.post(f"/api/v1/inquiries/{world['mine']}/answers", json=body, headers=headers)
    assert done.status_code == 200 and done.get_json()["state"] == "answered"
    assert [q["answer"] for q in done.get_json()["questions"]] == ["资料见附件", "已写入合同"]
    again = client.post(f"/api/v1/inquiries/{world['mine']}/answers", json=body, headers=headers)
    assert again.status_code == 409


# --- Answers with files (multipart/form-data) -----------------------------------------------

import io  # noqa: E402
import json  # noqa: E402

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 300
PDF = b"%PDF-1.7\n" + b"\x02" * 300
ANSWERS = json.dumps([{"position": 1, "text": "预售许可证见附件"}, {"position": 2, "text": "广告已撤下"}])


def _form(answers=ANSWERS, **files):
    data = {} if answers is None else {"answers": answers}
    for name, items in files.items():
        data[name] = [(io.BytesIO(content), filename) for filename, content in items]
    return data


def _post(client, inquiry_id, headers, data):
    return client.post(f"/api/v1/inquiries/{inquiry_id}/answers", data=data, headers=headers,
                       content_type="multipart/form-data")


def _attachment_count(app) -> int:
    from sqlalchemy import func, select

    from app.models import Attachment
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attachment)
                                 .where(Attachment.inquiry_question_id.is_not(None)))


def test_a_developer_answers_with_files_and_only_it_and_the_judge_download_them(client, world, bearer, make):
    headers = bearer(world["staff"])
    response = _post(client, world["mine"], headers,
                     _form(files_1=[("许可证.jpg", JPEG)], files_2=[("撤下通知.pdf", PDF), ("照片.png", JPEG)]))
    assert response.status_code == 200, response.get_json()
    questions = response.get_json()["questions"]
    assert [q["answer"] for q in questions] == ["预售许可证见附件", "广告已撤下"]
    assert [[f["name"] for f in q["files"]] for q in questions] == [["许可证.jpg"], ["撤下通知.pdf", "照片.png"]]
    # The content decides the type, not the name: the "png" is a JPEG.
    assert [f["content_type"] for f in questions[1]["files"]] == ["application/pdf", "image/jpeg"]
    url = questions[1]["files"][0]["url"]
    for allowed in (headers, bearer(world["judge"])):
        download = client.get(url, headers=allowed)
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    for refused in (world["stranger"], make.user("judge"), make.user("homeowner")):
        answer = client.get(url, headers=bearer(refused))
        assert answer.status_code == 404 and answer.headers["Content-Type"].startswith("application/problem+json")
    assert client.get(url).status_code == 401
    listed = client.get("/api/v1/inquiries", headers=bearer(world["judge"])).get_json()["items"][0]
    assert [q["attachments"] for q in listed["questions"]] == [1, 2]


def test_developer_y_cannot_attach_to_developer_xs_inquiry(app, client, world, bearer):
    """Can developer Y put a file into developer X's inquiry? No: 404, nothing stored."""
    response = _post(client, world["mine"], bearer(world["stranger"]), _form(files_1=[("y.jpg", JPEG)]))
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("application/problem+json")
    judge = _post(client, world["mine"], bearer(world["judge"]), _form(files_1=[("j.jpg", JPEG)]))
    assert judge.status_code == 403
    assert _attachment_count(app) == 0
    mine = client.get("/api/v1/inquiries", headers=bearer(world["staff"])).get_json()["items"][0]
    assert mine["state"] == "awaiting" and mine["answered_at"] is None


@pytest.mark.parametrize("files, field", [
    ({"files_2": [("page.html", b"<html><script>alert(1)</script></html>")]}, "files_2"),  # not a document
    ({"files_1": [("empty.jpg", b"")]}, "files_1"),
    ({"files_1": [("big.jpg", JPEG + b"\x00" * 2048)]}, "files_1"),  # over the per-file limit below
    ({"files_1": [(f"{n}.jpg", JPEG) for n in range(11)]}, "files_1"),  # 11 files for one answer
    ({"files_3": [("x.jpg", JPEG)]}, "files_3"),  # the inquiry has two questions
    ({"photo": [("x.jpg", JPEG)]}, "photo"),  # not a files_N field
])
def test_a_refused_file_is_a_problem_naming_its_field_and_nothing_is_saved(app, client, world, bearer, files, field):
    app.config["MAX_UPLOAD_BYTES"] = 1024
    response = _post(client, world["mine"], bearer(world["staff"]), _form(files_1=[("ok.jpg", JPEG)], **files)
                     if "files_1" not in files else _form(**files))
    body = response.get_json()
    assert response.status_code == 422 and response.headers["Content-Type"].startswith("application/problem+json")
    assert field in [e["field"] for e in body["errors"]], body
    assert _attachment_count(app) == 0
    state = client.get("/api/v1/inquiries", headers=bearer(world["staff"])).get_json()["items"][0]
    assert state["answered_at"] is None and [q["answer"] for q in state["questions"]] == [None, None]


@pytest.mark.parametrize("answers, field", [
    (None, "answers"), ("not json", "answers"), ('{"position": 1}', "answers"),
    ("[" * 100_000 + "]" * 100_000, "answers"),  # nested beyond any parser: a 422, not a 500
    (json.dumps([{"position": 1, "text": "只答一题"}]), "answer_2"),
    (json.dumps([{"position": 1, "text": "含\u0000控制字符"}, {"position": 2, "text": "答"}]), "answers.0.text"),
])
def test_the_answers_of_a_multipart_request_are_checked_like_the_json_body(client, world, bearer, answers, field):
    response = _post(client, world["mine"], bearer(world["staff"]), _form(answers, files_1=[("a.jpg", JPEG)]))
    assert response.status_code == 422, response.get_json()
    assert field in [e["field"] for e in response.get_json()["errors"]], response.get_json()


def test_the_openapi_document_describes_the_multipart_answer(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/inquiries/{inquiry_id}/answers"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert content["multipart/form-data"]["schema"]["required"] == ["answers"]
    assert "413" in operation["responses"] and "422" in operation["responses"]


def test_developer_y_never_sees_xs_inquiry_warning_plan_or_commitments_through_the_api(app, client, world, bearer):
    """X answers its inquiry and its warning with a plan and a commitment; Y lists both
    calls and finds only its own things, none of X's words; X's file is not Y's to fetch."""
    from datetime import timedelta

    from sqlalchemy import select

    from app.models import WarningNotice
    from app.services import warning_notices
    from mediation.lifecycle import court_date

    staff = bearer(world["staff"])
    answered = _post(client, world["mine"], staff, _form(json.dumps(
        [{"position": 1, "text": "X公司的秘密答复"}, {"position": 2, "text": "X公司的第二个答复"}]),
        files_1=[("X公司流水.pdf", PDF)]))
    assert answered.status_code == 200
    file_url = answered.get_json()["questions"][0]["files"][0]["url"]
    with app.app_context():
        notice_id = db.session.scalar(select(WarningNotice.id).where(
            WarningNotice.developer_id == world["project"].developer_id))
        actor = db.session.get(User, world["staff"].id)
        warning_notices.acknowledge_notice(notice_id, actor=actor, now=utcnow())
        warning_notices.answer_notice(notice_id, plan="X公司的整改方案", actor=actor, now=utcnow(), promises=[
            warning_notices.Promise("X公司的秘密承诺", court_date(utcnow()) + timedelta(days=30))])
    mine = client.get("/api/v1/warnings", headers=staff).get_json()["items"]
    assert any(c["text"] == "X公司的秘密承诺" for n in mine for c in n["commitments"])

    stranger = bearer(world["stranger"])
    for url in ("/api/v1/inquiries", "/api/v1/warnings"):
        response = client.get(url, headers=stranger)
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert {i["developer_id"] for i in response.get_json()["items"]} <= {world["theirs"].developer_id}
        for secret in ("X公司", world["project"].name):
            assert secret not in body
    assert client.get(file_url, headers=stranger).status_code == 404
    again = _post(client, world["mine"], stranger, _form(files_1=[("y.jpg", JPEG)]))
    assert again.status_code == 404 and "X公司" not in again.get_data(as_text=True)
