"""The operators page of the reminders (/court/reminders) and GET /api/v1/reminders:
judges and the clerk see their own court's reminders, the heartbeat, and retry a failure."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.leadership import beat
from app.models import Reminder
from app.models.types import utcnow
from tests.factories import NOW
from tests.api.conftest import bearer  # noqa: F401  (the fixture)
from tests.web.helpers import csrf_token, get_page, login


@pytest.fixture
def board(app, make):
    court, other = make.court(), make.court(code="琼9006")
    judge = make.user("judge", court=court, name="李法官")
    clerk = make.user("admin", court=court)
    their_judge = make.user("judge", court=other)
    case = make.case(project=make.project(court=court))

    def reminder(status, court_of, key, error=None):
        return make._save(Reminder(
            kind="inquiry_overdue" if status == "failed" else "assign_due",
            recipient_id=judge.id, channel="notice", court_id=court_of.id, subject_type="case",
            subject_id=case.id, case_id=case.id, payload={}, due_at=NOW, status=status,
            attempts=5 if status == "failed" else 0, last_error=error, dedupe_key=key,
            created_at=NOW, settled_at=NOW if status != "pending" else None))

    ours = reminder("failed", court, "ours", "SMTP 550 mailbox unavailable")
    reminder("pending", court, "ours-pending")
    theirs = reminder("failed", other, "theirs", "他院的错误")
    return dict(judge=judge, clerk=clerk, their_judge=their_judge, ours=ours, theirs=theirs,
                case=case)


def test_the_judge_sees_the_heartbeat_the_counts_and_the_courts_failures(app, client, board):
    with app.app_context():
        beat("vm:4242", now=utcnow() - timedelta(seconds=40), report="dispatch: reminders: 3 sent")
    login(client, board["judge"].username)
    response, html = get_page(client, "/court/reminders/", status="failed")
    assert response.status_code == 200
    assert "上次运行：4" in html and "秒前" in html and "dispatch: reminders: 3 sent" in html
    assert "SMTP 550 mailbox unavailable" in html and "他院的错误" not in html
    assert "待发送 (1)" in html and "失败 (1)" in html
    assert f'data-reminder-id="{board["ours"].id}"' in html
    assert board["case"].number in html


def test_a_stopped_scheduler_shows_as_stopped(app, client, board):
    with app.app_context():
        beat("vm:1", now=utcnow() - timedelta(hours=3))
    login(client, board["clerk"].username)
    _, html = get_page(client, "/court/reminders/")
    assert "上次运行：3小时前" in html and "调度器可能已停止" in html


def test_a_failed_reminder_is_retried_and_another_courts_is_not_found(app, client, board):
    login(client, board["judge"].username)
    token = csrf_token(client, "/court/reminders/?status=failed")
    theirs = client.post(f"/court/reminders/{board['theirs'].id}/retry", data={"csrf_token": token})
    assert theirs.status_code == 404
    response = client.post(f"/court/reminders/{board['ours'].id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        ours = db.session.get(Reminder, board["ours"].id)
        assert (ours.status, ours.attempts, ours.last_error) == ("pending", 0, None)
        assert db.session.get(Reminder, board["theirs"].id).status == "failed"
    again = client.post(f"/court/reminders/{board['ours'].id}/retry", data={"csrf_token": token})
    assert again.status_code == 302  # not failed any more: refused with a message, nothing changes
    no_token = client.post(f"/court/reminders/{board['ours'].id}/retry")
    assert no_token.status_code == 400


def test_the_api_lists_the_courts_reminders_by_status(app, client, board, bearer):
    headers = bearer(board["judge"])
    doc = client.get("/api/v1/reminders?status=failed", headers=headers).get_json()
    assert [item["id"] for item in doc["items"]] == [board["ours"].id]
    item = doc["items"][0]
    assert {"due_at", "channel", "status", "attempts"} <= item.keys()
    assert (item["channel"], item["status"], item["attempts"]) == ("notice", "failed", 5)
    assert item["due_at"].endswith("Z")
    pending = client.get("/api/v1/reminders", headers=headers).get_json()["items"]
    assert [i["status"] for i in pending] == ["pending"]
    theirs = client.get("/api/v1/reminders?status=failed", headers=bearer(board["their_judge"]))
    assert [i["id"] for i in theirs.get_json()["items"]] == [board["theirs"].id]
    bad = client.get("/api/v1/reminders?status=lost", headers=headers)
    assert bad.status_code == 422 and bad.headers["Content-Type"].startswith("application/problem+json")


def test_the_openapi_document_describes_the_reminders_call(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/reminders" in doc["paths"]
    assert "ReminderList" in doc["components"]["schemas"]


def test_counts_stop_at_their_cap(app, client, board, monkeypatch):
    from app.services import reminder_board

    monkeypatch.setattr(reminder_board, "COUNT_MAX", 0)
    login(client, board["judge"].username)
    _, html = get_page(client, "/court/reminders/")
    assert "待发送 (0+)" in html and "已发送 (0)" in html
