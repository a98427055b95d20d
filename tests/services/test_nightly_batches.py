"""The nightly evaluation tells thousands of rises at once (BENCHMARKS.md, "Nightly early
warning"): the batch helpers it uses must do exactly what their one-at-a-time versions do —
the same channels (preferences respected), the same reminders, no duplicate on a re-run."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from app.extensions import db
from app.models import Notice, NoticePreference, Reminder, User, WarningNotice
from app.notify.outbox import Queued, queue_notice, queue_notices
from app.services.early_warnings import evaluate_warnings
from app.services.reminders import Subject, apply_plan, apply_plans
from mediation import reminders as rules
from mediation.messages import Msg
from tests.factories import NOW

EVENING = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


def _rows(model, *columns):
    return sorted(tuple(getattr(r, c) for c in columns) for r in db.session.scalars(select(model)))


def test_queue_notices_queues_what_queue_notice_does_and_respects_preferences(app, make, mail_configured):
    reachable = make.user("developer", email="a@example.com", phone="13800000001")
    quiet = make.user("developer", email="b@example.com")
    inbox_only = make.user("developer")
    with app.app_context():
        db.session.add(NoticePreference(user_id=quiet.id, email=False, sms=True, updated_at=NOW))
        db.session.commit()
        users = [db.session.get(User, u.id) for u in (reachable, quiet, inbox_only)]
        subject, body = Msg("预警", "Warning"), Msg("请签收", "Acknowledge it")
        for user in users:
            queue_notice(user=user, kind="warning_issued", subject=subject, body=body,
                         dedupe_key=f"one:{user.id}", now=NOW)
        batch = [Queued(user, "warning_issued", subject, body, f"many:{user.id}") for user in users]
        assert queue_notices(batch, now=NOW) == 5  # inbox×3, e-mail and SMS for the first
        db.session.commit()
        one = _rows(Notice, "user_id", "channel", "status", "subject", "body_en")
        assert len(one) == 10
        by_key = {n.dedupe_key: n for n in db.session.scalars(select(Notice))}
        for user in users:
            for channel in ("inbox", "email", "sms"):
                single, batched = by_key.get(f"one:{user.id}:{channel}"), by_key.get(f"many:{user.id}:{channel}")
                assert (single is None) == (batched is None), (user.username, channel)
                if single is not None:
                    assert (single.status, single.subject, single.subject_en, single.body, single.next_attempt_at) \
                        == (batched.status, batched.subject, batched.subject_en, batched.body, batched.next_attempt_at)
        assert f"many:{quiet.id}:email" not in by_key and f"many:{quiet.id}:inbox" in by_key
        queue_notices(batch, now=NOW + timedelta(hours=1))  # a re-run stores nothing twice
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Notice)) == 10


def test_apply_plans_plans_and_cancels_like_apply_plan(app, make):
    project = make.project()
    staff = make.user("developer", developer=project.developer)
    with app.app_context():
        first = rules.warning_issued(NOW, now=NOW)
        apply_plan(Subject("warning", 1, developer_ids=(project.developer_id,)), first, now=NOW)
        apply_plans([(Subject("warning", 2, developer_ids=(project.developer_id,)), first)], now=NOW)
        db.session.commit()
        rows = {r.subject_id: r for r in db.session.scalars(select(Reminder))}
        assert set(rows) == {1, 2} and rows[1].recipient_id == rows[2].recipient_id == staff.id
        assert (rows[1].kind, rows[1].due_at, rows[1].status) == (rows[2].kind, rows[2].due_at, rows[2].status)
        # Acknowledged: both cancel their pending reminder, each on its own subject only.
        apply_plan(Subject("warning", 1, developer_ids=(project.developer_id,)), rules.warning_acknowledged(), now=NOW)
        apply_plans([(Subject("warning", 2, developer_ids=(project.developer_id,)), rules.warning_acknowledged())],
                    now=NOW)
        db.session.commit()
        assert _rows(Reminder, "subject_id", "status") == [(1, "cancelled"), (2, "cancelled")]
        # Planned again on the same subject: a key planned now is kept, not cancelled.
        later = rules.warning_issued(NOW + timedelta(days=7), now=NOW + timedelta(days=7))
        apply_plans([(Subject("warning", 3, developer_ids=(project.developer_id,)), later)] * 2, now=NOW)
        db.session.commit()
        assert db.session.scalar(select(Reminder.status).where(Reminder.subject_id == 3)) == "pending"


def test_each_rise_gets_its_notice_its_inbox_copy_and_its_reminder_once(app, make, mail_configured):
    projects = [make.project() for _ in range(3)]  # the factory's projects are late: each rises
    staff = [make.user("developer", developer=p.developer, email=f"s{n}@example.com" if n == 0 else None)
             for n, p in enumerate(projects)]
    with app.app_context():
        summary = evaluate_warnings(now=EVENING)
        assert summary.rises >= 3
        notices = db.session.scalars(select(WarningNotice).where(WarningNotice.project_id.in_(
            [p.id for p in projects]))).all()
        assert len(notices) == 3
        for notice, user in zip(sorted(notices, key=lambda n: n.project_id), staff):
            told = db.session.scalars(select(Notice).where(Notice.user_id == user.id,
                                                           Notice.kind == "warning_issued")).all()
            assert sorted(n.channel for n in told) == (["email", "inbox"] if user.email else ["inbox"])
            assert "请在平台签收预警通知" in told[0].body
            reminders = db.session.scalars(select(Reminder).where(Reminder.recipient_id == user.id)).all()
            assert reminders and {r.kind for r in reminders} == {"warning_ack"}
        counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (WarningNotice, Notice, Reminder)]
        evaluate_warnings(now=EVENING + timedelta(hours=1))
        assert [db.session.scalar(select(func.count()).select_from(m))
                for m in (WarningNotice, Notice, Reminder)] == counts
