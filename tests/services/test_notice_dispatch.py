"""The outbox and its dispatcher, against a real SMTP server on loopback (aiosmtpd)."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models import Notice, User
from app.notify import dispatch
from app.notify.dispatch import MAX_ATTEMPTS, RETRY_AFTER, deliver_pending
from app.notify.email import notice_message_id
from app.notify.outbox import queue_notice
from tests.factories import NOW


def queue(app, user, n: int = 1, *, subject: str = "投诉已受理：（2026）琼9005民诉前调1号",
          key: str = "test") -> list[int]:
    """Queue ``n`` notices to ``user`` the way a use-case does, and commit them."""
    with app.app_context():
        recipient = db.session.get(User, user.id)
        for i in range(n):
            queue_notice(user=recipient, kind="complaint_accepted", subject=subject,
                         body=f"您的投诉已予受理，登记为诉前调解案件（2026）琼9005民诉前调{i + 1}号。",
                         dedupe_key=f"{key}:{i}:user:{user.id}", now=NOW, case_id=None)
        db.session.commit()
        return list(db.session.scalars(
            select(Notice.id).where(Notice.channel == "email").order_by(Notice.id)))


def emails(app) -> list[Notice]:
    with app.app_context():
        rows = list(db.session.scalars(
            select(Notice).where(Notice.channel == "email").order_by(Notice.id)))
        db.session.expunge_all()
        return rows


def run(app, now=NOW, **kwargs):
    with app.app_context():
        return deliver_pending(now=now, **kwargs)


# --- Queueing -------------------------------------------------------------------------------


def test_a_notice_queued_twice_is_stored_once_per_channel(app, make, mail_configured):
    user = make.user("homeowner", email="wang@example.com")
    with app.app_context():
        recipient = db.session.get(User, user.id)
        first = queue_notice(user=recipient, kind="complaint_rejected", subject="投诉未予受理",
                             body="理由：……", dedupe_key="k:1", now=NOW)
        again = queue_notice(user=recipient, kind="complaint_rejected", subject="投诉未予受理",
                             body="理由：……", dedupe_key="k:1", now=NOW)
        db.session.commit()
        assert (first, again) == (["inbox", "email"], [])
        rows = db.session.scalars(select(Notice).order_by(Notice.id)).all()
        assert [(n.channel, n.status, n.dedupe_key) for n in rows] == [
            ("inbox", "sent", "k:1:inbox"), ("email", "pending", "k:1:email")]


def test_queueing_commits_nothing_by_itself(app, make):
    """The outbox rides on the use-case's transaction: rolled back with it."""
    user = make.user("homeowner")
    with app.app_context():
        queue_notice(user=db.session.get(User, user.id), kind="complaint_accepted", subject="s",
                     body="b", dedupe_key="k:2", now=NOW)
        db.session.rollback()
        assert db.session.scalars(select(Notice)).all() == []


# --- Sending --------------------------------------------------------------------------------


def test_the_dispatcher_sends_pending_emails_to_a_real_smtp_server(app, make, smtp_server):
    """Does the message arrive with its subject, recipient and text — and is it marked sent?"""
    user = make.user("homeowner", email="wang@example.com")
    [notice_id] = queue(app, user)
    report = run(app, now=NOW + timedelta(seconds=30))
    assert (report.claimed, report.sent, report.retrying, report.failed) == (1, 1, 0, 0)
    [(mail_from, rcpt_tos, message)] = smtp_server.messages
    assert mail_from == "notice@wenchang-court.example"
    assert rcpt_tos == ["wang@example.com"] and message["To"] == "wang@example.com"
    assert message["Subject"] == "投诉已受理：（2026）琼9005民诉前调1号"
    assert "（2026）琼9005民诉前调1号" in message.get_content()
    assert message["X-Notice-Key"] == f"test:0:user:{user.id}:email"
    [row] = emails(app)
    assert (row.id, row.status, row.attempts, row.sent_at, row.last_error, row.claim_token) == (
        notice_id, "sent", 1, NOW + timedelta(seconds=30), None, None)


def test_two_dispatch_runs_never_send_a_notice_twice(app, make, smtp_server):
    user = make.user("homeowner", email="wang@example.com")
    queue(app, user, 3)
    assert run(app).sent == 3
    second = run(app, now=NOW + timedelta(hours=1))
    assert (second.claimed, second.sent) == (0, 0)
    assert len(smtp_server.messages) == 3


def test_two_dispatchers_at_the_same_moment_send_each_notice_once(app, make, smtp_server):
    """Two scheduler processes claim at once: every notice arrives exactly once.

    On PostgreSQL both runs are held just before their claiming UPDATE until the other
    one got there too, so they really overlap (SQLite lets one writer in at a time: the
    second run waits at BEGIN IMMEDIATE instead).
    """
    from sqlalchemy import event

    user = make.user("homeowner", email="wang@example.com")
    ids = queue(app, user, 12)
    with app.app_context():
        engine = db.engine
    overlap = threading.Barrier(2)

    def hold_the_claim(conn, cursor, statement, parameters, context, executemany):
        claiming = statement.startswith("UPDATE notices") and "notices.attempts +" in statement
        if engine.dialect.name == "postgresql" and claiming:
            overlap.wait(timeout=10)

    reports, errors = [], []

    def dispatcher():
        try:
            with app.app_context():
                reports.append(deliver_pending(now=NOW, limit=8))
                db.session.remove()
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    event.listen(engine, "before_cursor_execute", hold_the_claim)
    try:
        threads = [threading.Thread(target=dispatcher) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        event.remove(engine, "before_cursor_execute", hold_the_claim)
    assert errors == []
    keys = [m["X-Notice-Key"] for _, _, m in smtp_server.messages]
    assert len(keys) == len(set(keys)) == sum(r.sent for r in reports)
    assert sorted(r.claimed for r in reports) == [4, 8]  # disjoint claims, together all 12
    assert run(app).claimed == 0
    assert len(smtp_server.messages) == len(ids) == 12
    assert {n.status for n in emails(app)} == {"sent"}


def test_an_smtp_failure_leaves_the_row_pending_with_the_error_for_a_later_attempt(app, make, smtp_server):
    """451 from the server: nothing lost — pending, attempts + 1, the error kept, retried later."""
    user = make.user("homeowner", email="wang@example.com")
    queue(app, user)
    smtp_server.data_reply = "451 4.3.0 Mail server temporarily rejected message"
    report = run(app)
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    [row] = emails(app)
    assert (row.status, row.attempts, row.sent_at) == ("pending", 1, None)
    assert "451" in row.last_error and row.claim_token is None
    assert row.next_attempt_at == NOW + RETRY_AFTER[0]
    smtp_server.data_reply = None
    assert run(app, now=NOW + timedelta(seconds=30)).claimed == 0  # not due yet
    assert run(app, now=NOW + RETRY_AFTER[0]).sent == 1
    [row] = emails(app)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert len(smtp_server.messages) == 1


def test_a_server_that_is_down_delays_every_email_of_the_run(app, make, mail_configured):
    """Nothing listens on the port: every claimed e-mail waits for the next attempt."""
    user = make.user("homeowner", email="wang@example.com")
    queue(app, user, 2)
    report = run(app)
    assert (report.claimed, report.sent, report.retrying) == (2, 0, 2)
    rows = emails(app)
    assert {(r.status, r.attempts) for r in rows} == {("pending", 1)}
    assert all(r.last_error for r in rows)


def test_a_recipient_refused_for_good_fails_at_once(app, make, smtp_server):
    user = make.user("homeowner", email="nobody@example.com")
    queue(app, user)
    smtp_server.rcpt_reply = "550 5.1.1 No such user"
    report = run(app)
    assert (report.sent, report.failed) == (0, 1)
    [row] = emails(app)
    assert row.status == "failed" and "550" in row.last_error and row.next_attempt_at is None


def test_a_message_refused_for_good_fails_but_a_refused_sender_is_retried(app, make, smtp_server):
    """554 to the message itself: final. 550 to our sender address: a configuration
    mistake to fix, so the notices wait instead of being thrown away."""
    user = make.user("homeowner", email="wang@example.com")
    [first] = queue(app, user, key="content")
    smtp_server.data_reply = "554 5.6.0 Message content rejected"
    assert run(app).failed == 1
    smtp_server.data_reply = None
    [_, second] = queue(app, user, key="sender")
    smtp_server.mail_reply = "550 5.7.1 Sender address rejected"
    report = run(app)
    assert (report.failed, report.retrying) == (0, 1)
    rows = {row.id: row for row in emails(app)}
    assert (rows[first].status, rows[second].status) == ("failed", "pending")
    assert "550" in rows[second].last_error


def test_the_dispatcher_gives_up_after_the_last_attempt(app, make, smtp_server):
    user = make.user("homeowner", email="wang@example.com")
    queue(app, user)
    smtp_server.data_reply = "451 4.3.0 Try again later"
    now = NOW
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = run(app, now=now)
        assert report.claimed == 1, attempt
        [row] = emails(app)
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert row.status == "pending"
            waits.append(row.next_attempt_at - now)
            now = row.next_attempt_at
    assert waits == list(RETRY_AFTER)  # each wait longer than the one before
    assert all(a < b for a, b in zip(waits, waits[1:]))
    assert (row.status, report.failed) == ("failed", 1)
    assert "451" in row.last_error and row.next_attempt_at is None
    assert run(app, now=now + timedelta(days=30)).claimed == 0


def test_a_crashed_dispatchers_emails_are_sent_once_its_claim_has_expired(app, make, smtp_server):
    """A run died after claiming: its rows stay 'sending' until the claim ends, then go."""
    user = make.user("homeowner", email="wang@example.com")
    [notice_id] = queue(app, user)
    with app.app_context():
        db.session.execute(update(Notice).where(Notice.id == notice_id).values(
            status="sending", claim_token="crashed-run", attempts=1,
            next_attempt_at=NOW + timedelta(minutes=10)))
        db.session.commit()
    assert run(app, now=NOW + timedelta(minutes=5)).claimed == 0
    assert smtp_server.messages == []
    report = run(app, now=NOW + timedelta(minutes=10))
    assert (report.sent, report.recovered, report.possible_duplicates) == (1, 1, [notice_id])
    [row] = emails(app)
    assert (row.status, row.attempts, row.crash_resends) == ("sent", 2, 1)
    assert len(smtp_server.messages) == 1


def test_the_message_id_is_the_same_for_every_attempt_at_one_notice(app, make, smtp_server):
    """A resend carries the first copy's Message-ID: the server sees one message twice."""
    user = make.user("homeowner", email="wang@example.com")
    [notice_id] = queue(app, user)
    smtp_server.data_reply = "451 4.3.0 Try again later"
    run(app)
    smtp_server.data_reply = None
    run(app, now=NOW + RETRY_AFTER[0])
    [(_, _, message)] = smtp_server.messages
    with app.app_context():
        key = db.session.get(Notice, notice_id).dedupe_key
    assert message["Message-ID"] == notice_message_id(notice_id, key,
                                                      "notice@wenchang-court.example")
    assert message["Message-ID"].startswith(f"<notice-{notice_id}.")
    assert message["Message-ID"].endswith("@wenchang-court.example>")
    other = notice_message_id(notice_id + 1, key, "notice@wenchang-court.example")
    assert other != message["Message-ID"]


def test_only_the_first_unfinished_row_of_a_crashed_run_counts_as_a_possible_duplicate(
        app, make, smtp_server):
    """A run sends in id order and records each message at once: of its rows left
    'sending', only the first can have been in the server's hands when it died."""
    user = make.user("homeowner", email="wang@example.com")
    first, second, third, fourth = queue(app, user, 4)
    with app.app_context():
        db.session.execute(update(Notice).where(Notice.id == first).values(
            status="sent", sent_at=NOW, next_attempt_at=None, attempts=1))
        db.session.execute(update(Notice).where(Notice.id.in_([second, third])).values(
            status="sending", claim_token="crashed-run", attempts=1,
            next_attempt_at=NOW + timedelta(minutes=10)))
        db.session.commit()
    report = run(app, now=NOW + timedelta(minutes=10))
    assert (report.sent, report.recovered, report.possible_duplicates) == (3, 2, [second])
    assert "possibly sent twice" in report.line() and str(second) in report.line()
    assert {row.id: row.crash_resends for row in emails(app)} == {
        first: 0, second: 1, third: 0, fourth: 0}
    result = app.test_cli_runner().invoke(args=["notices", "duplicates"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "notices: 1 possibly delivered twice (same Message-ID or reference)"
    assert lines[0].startswith(f"notice {second} to wang@example.com (sent)")
    assert f"<notice-{second}." in lines[0]


def test_with_email_off_the_dispatcher_does_nothing(app, make):
    report = run(app)
    assert report.disabled and report.claimed == 0
    assert "MAIL_SERVER" in report.line()


def test_inbox_notices_are_never_touched_by_the_dispatcher(app, make, smtp_server):
    user = make.user("homeowner")  # no e-mail address: inbox only
    queue(app, user)
    assert run(app).claimed == 0
    with app.app_context():
        [row] = db.session.scalars(select(Notice)).all()
        assert (row.channel, row.status, row.attempts) == ("inbox", "sent", 0)


def test_flask_notices_send_runs_the_dispatcher_once_and_says_how_many(app, make, smtp_server):
    user = make.user("homeowner", email="wang@example.com")
    queue(app, user, 2)
    result = app.test_cli_runner().invoke(args=["notices", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == ["notices: 2 e-mail(s) sent, 0 to retry, 0 failed"]
    again = app.test_cli_runner().invoke(args=["notices", "send"])
    assert again.output.strip() == "notices: 0 e-mail(s) sent, 0 to retry, 0 failed"
    assert len(smtp_server.messages) == 2


def test_the_retry_schedule_is_increasing(app):
    assert list(RETRY_AFTER) == sorted(RETRY_AFTER)
    assert dispatch.MAX_ATTEMPTS == len(RETRY_AFTER) + 1


def test_a_claim_is_a_short_lease_so_a_restart_repairs_a_crash_within_minutes(app, make, smtp_server):
    """A run claims and dies before sending: its rows come back CLAIM_LEASE later, not hours."""
    from app.notify.dispatch import CLAIM_LEASE, DispatchReport, _claim

    user = make.user("homeowner", email="wang@example.com")
    [notice_id] = queue(app, user)
    with app.app_context():
        assert list(_claim("died", channels=["email"], now=NOW, until=NOW + CLAIM_LEASE, limit=10,
                      report=DispatchReport())) == [notice_id]
    [row] = emails(app)
    assert (row.status, row.next_attempt_at) == ("sending", NOW + CLAIM_LEASE)
    assert run(app, now=NOW + CLAIM_LEASE - timedelta(seconds=1)).claimed == 0
    report = run(app, now=NOW + CLAIM_LEASE)
    assert (report.sent, report.recovered) == (1, 1)
    assert CLAIM_LEASE <= timedelta(minutes=5)


def test_a_working_run_renews_its_lease_by_the_time_it_has_taken(app, make, mail_configured):
    from app.notify.dispatch import CLAIM_LEASE, DispatchReport, _claim, _Lease

    user = make.user("homeowner", email="wang@example.com")
    queue(app, user, 2)
    with app.app_context():
        _claim("working", channels=["email"], now=NOW, until=NOW + CLAIM_LEASE, limit=10,
               report=DispatchReport())
        lease = _Lease("working", NOW)
        lease.keep()  # just claimed: nothing to renew
        assert {r.next_attempt_at for r in emails(app)} == {NOW + CLAIM_LEASE}
        lease.started -= 90  # the run has been working for 90 s
        lease.renewed -= 90
        lease.keep()
    [first, second] = emails(app)
    assert first.next_attempt_at == second.next_attempt_at
    assert abs(first.next_attempt_at - (NOW + timedelta(seconds=90) + CLAIM_LEASE)) < timedelta(seconds=2)
