"""Notices by SMS, quiet hours, digests after downtime and the user's choice of channels.

SMS goes through the running app's gateway: the logging backend (which keeps what it was
given) or the HTTP backend against a tiny HTTP server on loopback; e-mail through a real
SMTP server (aiosmtpd). Time is passed as ``now``.
"""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notice, NoticePreference, User
from app.notify.dispatch import RETRY_AFTER, deliver_pending
from app.notify.outbox import queue_notice
from app.notify.sms import HttpSmsGateway, LoggingSmsGateway
from app.services.notice_preferences import notice_channels, set_notice_channels
from mediation.lifecycle import COURT_TZ
from tests.factories import NOW


def court(day: int, hour: int, minute: int = 0) -> datetime:
    """A court-time moment (Asia/Shanghai) in December 2026, as UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=COURT_TZ).astimezone(timezone.utc)


@pytest.fixture
def texts(app):
    """The app's logging SMS gateway, emptied; the messages it was given."""
    gateway = app.extensions["sms"]
    assert isinstance(gateway, LoggingSmsGateway)
    gateway.outbox.clear()
    yield gateway.outbox
    gateway.outbox.clear()


def queue(app, user, n=1, *, now=NOW, key="t", subject="案件已排期"):
    with app.app_context():
        recipient = db.session.get(User, user.id)
        channels = [queue_notice(user=recipient, kind="visit_scheduled",
                                 subject=f"{subject}{i + 1}", body=f"第{i + 1}条的详情。",
                                 dedupe_key=f"{key}:{i}:user:{user.id}", now=now)
                    for i in range(n)]
        db.session.commit()
        return channels


def rows(app, channel):
    with app.app_context():
        found = list(db.session.scalars(
            select(Notice).where(Notice.channel == channel).order_by(Notice.id)))
        db.session.expunge_all()
        return found


def run(app, now, **kwargs):
    with app.app_context():
        return deliver_pending(now=now, **kwargs)


# --- SMS ------------------------------------------------------------------------------------


def test_a_user_with_a_mobile_number_gets_the_notice_by_sms_too(app, make, texts):
    owner = make.user("homeowner", phone="13800138000")
    assert queue(app, owner) == [["inbox", "sms"]]
    report = run(app, NOW)
    assert (report.claimed, report.sms_sent, report.sent) == (1, 1, 0)
    [sms] = list(texts)
    assert sms.phone == "13800138000" and sms.text.startswith("案件已排期1。")
    assert "详情请登录" in sms.text and len(sms.text) <= 140
    [row] = rows(app, "sms")
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, NOW)
    assert run(app, NOW + timedelta(hours=1)).claimed == 0 and len(texts) == 1


def test_an_sms_queued_at_night_waits_for_eight_oclock_and_is_not_dropped(
        app, make, texts, smtp_server):
    """22:30 court time: the e-mail goes at once, the text message at 08:00 next morning."""
    owner = make.user("homeowner", phone="13800138000", email="wang@example.com")
    night = court(2, 22, 30)
    assert queue(app, owner, now=night) == [["inbox", "email", "sms"]]
    [row] = rows(app, "sms")
    assert row.next_attempt_at == court(3, 8, 0)
    report = run(app, night)
    assert (report.sent, report.sms_sent) == (1, 0) and not texts
    assert run(app, court(3, 7, 59)).claimed == 0 and not texts  # still quiet
    assert run(app, court(3, 8, 0)).sms_sent == 1
    assert [t.phone for t in texts] == ["13800138000"]


def test_a_due_sms_is_not_sent_in_the_quiet_hours_even_when_the_dispatcher_was_down(
        app, make, texts):
    """Queued at 20:50, the dispatcher comes back at 21:10: the text waits for the morning."""
    owner = make.user("homeowner", phone="13800138000")
    queue(app, owner, now=court(2, 20, 50))
    assert run(app, court(2, 21, 10)).claimed == 0 and not texts
    assert run(app, court(3, 8, 5)).sms_sent == 1


@pytest.fixture
def sms_gateway_server(app):
    """The app's SMS gateway switched to HTTP, posting to a local server answering ``status``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            server.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(server.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.received, server.status = [], 200
    threading.Thread(target=server.serve_forever, daemon=True).start()
    before = app.extensions["sms"]
    app.extensions["sms"] = HttpSmsGateway(f"http://127.0.0.1:{server.server_address[1]}/sms")
    yield server
    app.extensions["sms"] = before
    server.shutdown()
    server.server_close()


def test_notices_go_to_the_http_sms_gateway_with_their_dedupe_key(app, make, sms_gateway_server):
    owner = make.user("homeowner", phone="13800138000")
    queue(app, owner)
    assert run(app, NOW).sms_sent == 1
    [body] = sms_gateway_server.received
    assert body["phone"] == "13800138000" and body["text"].startswith("案件已排期1")
    assert body["reference"] == f"t:0:user:{owner.id}:sms"


def test_a_failed_sms_is_retried_later_but_never_into_the_night(app, make, sms_gateway_server):
    """503 at 20:59:30: the retry a minute later would fall at 21:00:30 — it waits for 08:00."""
    owner = make.user("homeowner", phone="13800138000")
    evening = court(2, 20, 59) + timedelta(seconds=30)
    queue(app, owner, now=evening)
    sms_gateway_server.status = 503
    report = run(app, evening)
    assert (report.sms_sent, report.retrying) == (0, 1)
    [row] = rows(app, "sms")
    assert (row.status, row.attempts) == ("pending", 1) and "503" in row.last_error
    assert row.next_attempt_at == court(3, 8, 0) > evening + RETRY_AFTER[0]
    sms_gateway_server.status = 200
    assert run(app, court(3, 8, 0)).sms_sent == 1
    [row] = rows(app, "sms")
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


def test_an_sms_refused_for_good_fails_at_once(app, make, sms_gateway_server):
    owner = make.user("homeowner", phone="13800138000")
    queue(app, owner)
    sms_gateway_server.status = 400
    assert run(app, NOW).failed == 1
    [row] = rows(app, "sms")
    assert row.status == "failed" and "400" in row.last_error


# --- Digests after downtime ----------------------------------------------------------------


def test_notices_piled_up_while_the_dispatcher_was_down_go_as_one_digest_per_person_and_channel(
        app, make, smtp_server, texts):
    """A scheduler stopped for a day: four e-mails and four texts for one person become one
    e-mail and one text; another person's single notice goes on its own."""
    owner = make.user("homeowner", email="wang@example.com", phone="13800138000")
    other = make.user("developer", email="li@example.com")
    queue(app, owner, 4)
    queue(app, other, 1, key="other")
    report = run(app, NOW + timedelta(days=1))
    assert (report.sent, report.sms_sent, report.digests) == (5, 4, 2)
    by_recipient = {tuple(rcpt): message for _, rcpt, message in smtp_server.messages}
    assert set(by_recipient) == {("wang@example.com",), ("li@example.com",)}
    digest = by_recipient[("wang@example.com",)]
    assert digest["Subject"] == "您有4条新通知"
    content = digest.get_content()
    assert all(f"{i}. 案件已排期{i}" in content for i in range(1, 5))
    assert digest["Message-ID"].startswith("<digest-")
    assert by_recipient[("li@example.com",)]["Subject"] == "案件已排期1"
    [sms] = list(texts)
    assert sms.text.startswith("您有4条新通知")
    assert {r.status for r in rows(app, "email") + rows(app, "sms")} == {"sent"}


def test_fresh_notices_are_not_merged_into_a_digest(app, make, smtp_server):
    """The dispatcher runs every minute: three new notices for a judge go one by one."""
    judge = make.user("judge", email="judge@example.com")
    queue(app, judge, 3)
    report = run(app, NOW + timedelta(minutes=1))
    assert (report.sent, report.digests) == (3, 0)
    assert sorted(m["Subject"] for _, _, m in smtp_server.messages) == [
        "案件已排期1", "案件已排期2", "案件已排期3"]


# --- The user's choice ---------------------------------------------------------------------


def test_a_channel_turned_off_is_not_used_and_the_inbox_always_is(app, make, mail_configured):
    owner = make.user("homeowner", email="wang@example.com", phone="13800138000")
    with app.app_context():
        db.session.add(NoticePreference(user_id=owner.id, email=False, sms=True, updated_at=NOW))
        db.session.commit()
    assert queue(app, owner) == [["inbox", "sms"]]
    with app.app_context():
        db.session.get(NoticePreference, owner.id).sms = False
        db.session.commit()
    assert queue(app, owner, key="later") == [["inbox"]]


def test_turning_a_channel_off_is_confirmed_by_a_last_message_on_it(app, make, mail_configured):
    """Does the phone that stops receiving texts learn why — and the inbox too?"""
    owner = make.user("homeowner", email="wang@example.com", phone="13800138000")
    other = make.user("homeowner", phone="13900139000")
    with app.app_context():
        actor = db.session.get(User, owner.id)
        assert notice_channels(actor).sms is True
        assert set_notice_channels(actor=actor, email=True, sms=False, now=NOW) == ["sms"]
        assert set_notice_channels(actor=actor, email=True, sms=False,
                                   now=NOW + timedelta(minutes=1)) == []  # no change: no notice
        choice = notice_channels(actor)
        assert (choice.email, choice.sms, choice.has_phone) == (True, False, True)
        assert notice_channels(db.session.get(User, other.id)).sms is True  # only one's own
        notices = db.session.scalars(select(Notice).order_by(Notice.id)).all()
        assert [(n.user_id, n.channel, n.kind) for n in notices] == [
            (owner.id, "inbox", "channels_changed"), (owner.id, "sms", "channels_changed")]
        assert notices[0].subject == "通知方式已更改：关闭短信"
        assert "本条为最后一条" in notices[1].body
    # After the change, a notice goes to the inbox and by e-mail only.
    assert queue(app, owner) == [["inbox", "email"]]


def test_an_sms_taken_back_from_a_crashed_run_is_reported_with_its_gateway_reference(
        app, make, texts):
    from sqlalchemy import update

    owner = make.user("homeowner", phone="13800138000")
    queue(app, owner)
    with app.app_context():
        db.session.execute(update(Notice).where(Notice.channel == "sms").values(
            status="sending", claim_token="crashed", attempts=1, next_attempt_at=NOW))
        db.session.commit()
    report = run(app, NOW)
    assert (report.sms_sent, report.recovered, len(report.possible_duplicates)) == (1, 1, 1)
    result = app.test_cli_runner().invoke(args=["notices", "duplicates"])
    assert f"to 13800138000 (sent): 1 extra copy possible, reference t:0:user:{owner.id}:sms" \
        in result.output


def test_an_english_reader_gets_the_sms_email_and_digest_in_english(app, make, smtp_server, texts):
    from mediation.messages import Msg

    reader = make.user("homeowner", email="reader@example.com", phone="13800138000", locale="en")
    with app.app_context():
        recipient = db.session.get(User, reader.id)
        for i in range(1, 5):
            queue_notice(user=recipient, kind="visit_scheduled",
                         subject=Msg("案件{i}已排期", "Case {i} is scheduled", i=i),
                         body=Msg("详情", "Details"), dedupe_key=f"en:{i}", now=NOW)
        queue_notice(user=recipient, kind="visit_scheduled",
                     subject=Msg("案件9已结案", "Case 9 is closed"), body=Msg("已结案", "Closed."),
                     dedupe_key="en:late", now=NOW + timedelta(days=1))
        db.session.commit()
    report = run(app, NOW + timedelta(days=1))
    assert (report.sent, report.sms_sent, report.digests) == (5, 5, 2)
    subjects = sorted(m["Subject"] for _, _, m in smtp_server.messages)
    assert subjects == ["Case 9 is closed", "You have 4 new notices"]
    digest = [m for _, _, m in smtp_server.messages if m["Subject"].startswith("You have")][0]
    assert "1. Case 1 is scheduled" in digest.get_content()
    sms = sorted(t.text for t in texts)
    assert sms[0].startswith("Case 9 is closed.") and "inbox" in sms[0]
    assert sms[1].startswith("You have 4 new notices")
