"""The set-based dispatch keeps every guarantee of the row-by-row one: the channels each
person chose, quiet hours, digests after a pile-up, the recipient's language, Message-ID,
the fallback that retries a row that cannot be written; and the idle tick asks the
database nothing until the next due time comes or another connection plans a reminder."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count

import pytest
from sqlalchemy import create_engine, func, select, text

from app.extensions import db
from app.models import Notice, NoticePreference, Reminder, User
from app.notify.dispatch import deliver_pending
from app.services import reminder_dispatch
from app.services.reminder_dispatch import dispatch_due
from app.services.reminder_texts import TEXTS, render
from app.services.reminder_watch import DueWatch
from app.services.use_case import use_case
from mediation.lifecycle import COURT_TZ
from mediation.reminders import ReminderKind
from tests.factories import NOW

UTC = timezone.utc
_keys = count(1)
PAYLOAD = {"number": "（2026）琼9005民诉前调7号", "project": "椰风海韵", "deadline": "2026年12月11日",
           "deadline_en": "2026-12-11", "effective": "2026年12月1日", "effective_en": "2026-12-01",
           "step_due": "2026年12月2日", "step_due_en": "2026-12-02", "starts": "2026年12月3日 09:00",
           "starts_en": "09:00 on 2026-12-03", "room": "3号楼"}


def court(y, m, d, h=9, minute=0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=COURT_TZ).astimezone(UTC)


def plan(user, *, due_at, kind="follow_up", channel="notice", payload=None) -> None:
    db.session.add(Reminder(
        kind=kind, recipient_id=user.id, channel=channel, court_id=user.court_id,
        subject_type="case", subject_id=next(_keys), payload=PAYLOAD if payload is None else payload,
        due_at=due_at, status="pending", attempts=0, dedupe_key=f"test:{next(_keys)}",
        created_at=NOW))


def notices(user_id=None):
    query = select(Notice).where(Notice.kind == "reminder").order_by(Notice.id)
    if user_id is not None:
        query = query.where(Notice.user_id == user_id)
    return db.session.scalars(query).all()


def test_every_kind_renders_the_same_in_sql_as_in_python_in_both_languages(app, make):
    judge = make.user("judge", email="judge@example.com")
    with app.app_context():
        for kind in TEXTS:
            plan(judge, due_at=NOW, kind=kind.value)
        db.session.commit()
        report = dispatch_due(now=NOW)
        assert report.row_batches == 0 and report.sent == len(TEXTS)
        for notice, kind in zip(notices(), TEXTS):
            subject, body = render(kind, PAYLOAD)
            assert (notice.subject, notice.body) == (str(subject), str(body))
            assert (notice.subject_en, notice.body_en) == (subject.en, body.en)
            assert "{" not in notice.body + notice.body_en  # every fact filled
        follow_up = render(ReminderKind.FOLLOW_UP, PAYLOAD)[1]
        assert "2026年12月1日生效" in follow_up and "took effect on 2026-12-01" in follow_up.en


def test_a_missing_fact_reads_empty_and_a_missing_english_fact_falls_back(app, make):
    judge = make.user("judge")
    with app.app_context():
        plan(judge, due_at=NOW, kind="follow_up", payload={"number": 7, "effective": "昨日"})
        db.session.commit()
        dispatch_due(now=NOW)
        notice = notices()[0]
        subject, body = render("follow_up", {"number": 7, "effective": "昨日"})
        assert notice.subject == str(subject) == "回访：7"
        assert notice.body_en == body.en and "took effect on 昨日" in body.en


def test_the_channels_follow_addresses_preferences_and_the_mail_switch(app, make, mail_configured):
    everything = make.user("judge", email="a@example.com", phone="13800000001")
    no_mail = make.user("judge", email="b@example.com", phone="13800000002")
    no_address = make.user("judge")
    with app.app_context():
        db.session.add(NoticePreference(user_id=no_mail.id, email=False, sms=True, updated_at=NOW))
        for user in (everything, no_mail, no_address):
            plan(user, due_at=NOW)
        db.session.commit()
        report = dispatch_due(now=court(2026, 11, 27, 10))
        assert (report.row_batches, report.sent, report.notices) == (0, 3, 6)
        got = {(n.user_id, n.channel, n.status) for n in notices()}
        assert got == {(everything.id, "inbox", "sent"), (everything.id, "email", "pending"),
                       (everything.id, "sms", "pending"), (no_mail.id, "inbox", "sent"),
                       (no_mail.id, "sms", "pending"), (no_address.id, "inbox", "sent")}
        keys = {n.dedupe_key.rsplit(":", 1)[0] for n in notices(everything.id)}
        assert len(keys) == 1 and keys.pop().startswith("reminder:")
        mail_configured["MAIL_SERVER"] = None  # e-mail off: inbox and SMS only
        plan(everything, due_at=NOW)
        db.session.commit()
        dispatch_due(now=court(2026, 11, 27, 10))
        assert [n.channel for n in notices(everything.id)][3:] == ["inbox", "sms"]


def test_an_sms_reminder_in_the_quiet_hours_waits_for_eight_o_clock(app, make):
    judge = make.user("judge", phone="13800000003")
    due = court(2026, 11, 27, 22)
    with app.app_context():
        plan(judge, due_at=due)
        db.session.commit()
        dispatch_due(now=court(2026, 11, 27, 23))
        sms = [n for n in notices() if n.channel == "sms"]
        assert len(sms) == 1 and sms[0].next_attempt_at == court(2026, 11, 28, 8)
        assert deliver_pending(now=court(2026, 11, 27, 23, 30)).sms_sent == 0  # deferred
        assert deliver_pending(now=court(2026, 11, 28, 8)).sms_sent == 1  # not dropped


def test_reminders_piled_up_for_a_day_go_as_one_digest_and_in_english(app, make, smtp_server):
    english = make.user("judge", email="ann@example.com", locale="en")
    chinese = make.user("judge", email="wang@example.com")
    with app.app_context():
        for hour in (9, 10, 11, 12):  # the scheduler was down from Friday 09:00
            plan(english, due_at=court(2026, 11, 27, hour), kind="inquiry_overdue")
        plan(chinese, due_at=court(2026, 11, 28, 9), kind="rating_follow_up")
        db.session.commit()
        saturday = court(2026, 11, 28, 10)
        assert dispatch_due(now=saturday).sent == 5
        report = deliver_pending(now=saturday)
    assert (report.sent, report.digests) == (5, 1)
    mails = {m[1][0]: m[2] for m in smtp_server.messages}
    digest = mails["ann@example.com"]
    assert digest["Subject"] == "You have 4 new notices"
    assert digest.get_content().count("Inquiry overdue: 椰风海韵") == 4
    single = mails["wang@example.com"]  # fresh (due 1 h ago, alone): one by one, in Chinese
    assert single["Subject"] == "差评回访：（2026）琼9005民诉前调7号"
    assert "收到当事人差评" in single.get_content()
    assert single["X-Notice-Key"].startswith("reminder:") and single["X-Notice-Key"].endswith(":email")
    assert single["Message-ID"].startswith("<notice-")


def test_an_english_reader_gets_the_reminder_e_mail_in_english(app, make, smtp_server):
    ann = make.user("judge", email="ann@example.com", locale="en")
    with app.app_context():
        plan(ann, due_at=NOW, kind="mediation_ending")
        db.session.commit()
        dispatch_due(now=NOW)
        deliver_pending(now=NOW)
    (_, to, message), = smtp_server.messages
    assert to == ["ann@example.com"]
    assert message["Subject"] == "Mediation period ending: （2026）琼9005民诉前调7号"
    assert "ends on 2026-12-11" in message.get_content()


def test_a_batch_that_cannot_be_written_as_a_set_is_written_row_by_row(app, make, monkeypatch):
    judge = make.user("judge")
    with app.app_context():
        for _ in range(3):
            plan(judge, due_at=NOW)
        db.session.commit()

        @use_case
        def broken(**_):
            db.session.execute(text("SELECT no_such_column FROM reminders"))

        monkeypatch.setattr(reminder_dispatch, "dispatch_set", broken)
        report = dispatch_due(now=NOW)
        assert (report.sent, report.row_batches) == (3, 1)
        assert len(notices()) == 3
        assert db.session.scalar(select(func.count()).select_from(Reminder).where(Reminder.status == "pending")) == 0


def test_a_row_that_breaks_the_set_is_retried_with_backoff_and_the_others_go(app, make, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL refuses malformed JSON when it is stored; SQLite only")
    judge = make.user("judge")
    with app.app_context():
        plan(judge, due_at=NOW)
        plan(judge, due_at=NOW)
        db.session.commit()
        bad = db.session.scalars(select(Reminder.id).order_by(Reminder.id)).first()
        db.session.execute(text("UPDATE reminders SET payload = '{broken' WHERE id = :id"), {"id": bad})
        db.session.commit()
        report = dispatch_due(now=NOW)
        assert (report.sent, report.retrying, report.row_batches) == (1, 1, 1)
        row = db.session.execute(select(Reminder.status, Reminder.attempts, Reminder.due_at,
                                        Reminder.last_error).where(Reminder.id == bad)).one()
        assert row.status == "pending" and row.attempts == 1 and row.due_at == NOW + timedelta(minutes=1)
        assert "JSON" in row.last_error or "Expecting" in row.last_error


def test_the_idle_tick_asks_nothing_until_another_connection_plans_a_reminder(app, make, database_url):
    judge = make.user("judge")
    with app.app_context():
        watch = DueWatch(db.engine)
        try:
            assert not watch.anything_due(NOW)
            asked = watch.queries
            for minute in range(1, 50):
                assert not watch.anything_due(NOW + timedelta(minutes=minute))
            assert watch.queries == asked  # idle: not one query

            # A web worker (another connection, another engine) plans a reminder due now.
            other = create_engine(database_url)
            with other.begin() as connection:
                connection.execute(Reminder.__table__.insert().values(
                    kind="rating_follow_up", recipient_id=judge.id, channel="notice",
                    subject_type="case", subject_id=1, payload={}, due_at=NOW, status="pending", attempts=0,
                    dedupe_key="web:1", created_at=NOW))
            other.dispose()
            _wait_for_delivery(db.engine)
            assert watch.anything_due(NOW + timedelta(minutes=50))
            assert dispatch_due(now=NOW + timedelta(minutes=50)).sent == 1

            # A future reminder: idle until its time, then asked once.
            plan(judge, due_at=NOW + timedelta(hours=2))
            db.session.commit()
            _wait_for_delivery(db.engine)
            assert not watch.anything_due(NOW + timedelta(hours=1))
            asked = watch.queries
            assert not watch.anything_due(NOW + timedelta(hours=1, minutes=1))
            assert watch.queries == asked
            assert watch.anything_due(NOW + timedelta(hours=2))
            assert watch.queries == asked + 1
        finally:
            watch.close()


def _wait_for_delivery(engine) -> None:
    """PostgreSQL delivers a notification just after the commit: give the socket a moment
    (a tick is a minute apart in the scheduler)."""
    if engine.dialect.name == "postgresql":
        import time

        time.sleep(0.2)


def test_an_idle_dispatch_job_touches_no_table_and_a_committed_notice_still_goes(
        app, make, smtp_server, database_url):
    """The scheduler's dispatch job asks both watches (reminders, notice outbox) first."""
    from app.jobs import run_job
    from app.notify.outbox import queue_notice
    from app.services.reminder_watch import watch_for

    ann = make.user("judge", email="ann@example.com")
    run_job(app, "dispatch", now=NOW)  # the watches read the tables once …
    with app.app_context():
        _wait_for_delivery(db.engine)  # … and the earlier tests' notifications arrive
    run_job(app, "dispatch", now=NOW)
    with app.app_context():
        watches = [watch_for(db.engine, what) for what in ("reminders", "notices")]
    asked = [w.queries for w in watches]
    statements = []

    def count(*_):
        statements.append(1)

    from sqlalchemy import event
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for minute in range(1, 30):
            assert run_job(app, "dispatch", now=NOW + timedelta(minutes=minute)).startswith(
                "reminders: 0 sent")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert statements == [] and [w.queries for w in watches] == asked  # idle: nothing asked

    with app.app_context():  # a use-case elsewhere queues an e-mail and commits
        queue_notice(user=db.session.get(User, ann.id), kind="reminder", subject="测试", body="正文",
                     dedupe_key="elsewhere:1", now=NOW + timedelta(minutes=30))
        db.session.commit()
    _wait_for_delivery(engine)
    assert "1 e-mail(s) sent" in run_job(app, "dispatch", now=NOW + timedelta(minutes=31))
    assert [m[1] for m in smtp_server.messages] == [["ann@example.com"]]


def test_a_watch_whose_connection_fails_says_ask_and_recovers(app, make):
    judge = make.user("judge")
    with app.app_context():
        watch = DueWatch(db.engine)
        try:
            assert not watch.anything_due(NOW)
            watch._connection.invalidate()  # the server went away
            assert watch.anything_due(NOW)  # in doubt: the dispatch asks the database itself
            plan(judge, due_at=NOW + timedelta(hours=1))
            db.session.commit()
            _wait_for_delivery(db.engine)
            assert not watch.anything_due(NOW)  # a new connection, the table read again
            assert watch.next_due == NOW + timedelta(hours=1)
        finally:
            watch.close()


def test_forget_all_makes_every_watch_ask_the_database_again(app):
    """TRUNCATE fires no trigger and a job run by hand must see the table: forget_all()."""
    from app.services.reminder_watch import forget_all, watch_for

    with app.app_context():
        watch = watch_for(db.engine)
        watch.anything_due(NOW)
        asked = watch.queries
        watch.anything_due(NOW)
        assert watch.queries == asked  # known and unchanged: memory answers
        forget_all()
        watch.anything_due(NOW)
        assert watch.queries == asked + 1


def test_close_all_gives_the_watches_kept_connections_back_before_the_engine_goes(app):
    """A kept connection left to the interpreter's exit logs a failed rollback: close_all()."""
    from app.services.reminder_watch import close_all, watch_for

    with app.app_context():
        db.session.remove()
        engine = db.engine
        close_all(engine)  # the watches earlier tests left
        before = engine.pool.checkedout()
        watches = [watch_for(engine, what) for what in ("reminders", "notices")]
        for watch in watches:
            watch.anything_due(NOW)
        kept = engine.pool.checkedout() - before
        close_all(engine)
        assert all(w._connection is None for w in watches)
        assert watch_for(engine) is not watches[0]  # a later tick starts a new watch
        on_sqlite = engine.dialect.name == "sqlite"
    # Two kept connections, given back (SQLite) or dropped from the pool (PostgreSQL: they LISTEN).
    assert kept == 2 and (engine.pool.checkedout() == before or not on_sqlite)
