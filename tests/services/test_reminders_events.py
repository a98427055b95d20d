"""The events that cancel what they made pointless, each in its own transaction: a warning
acknowledged, a milestone confirmed performed (that milestone only), a bad rating's
follow-up planned and recorded done; and the registry names every event of the issue."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import FollowUp, Obligation, Reminder, User, WarningNotice
from app.services import confirmation, ratings, release
from app.services import warning_notices as warning_svc
from app.services.early_warnings import evaluate_warnings
from app.services.reminders import EVENTS
from mediation.lifecycle import COURT_TZ
from tests.factories import NOW
from tests.services.test_agreements import world  # noqa: F401  (the fixture)
from tests.services.test_confirmation import _apply, _effective
from tests.services.test_ratings import closed  # noqa: F401  (the fixture)
from tests.services.test_warning_notices import EVENING, sides  # noqa: F401  (the fixture)


def actor(user) -> User:
    return db.session.get(User, user.id)


def by_status(kind: str) -> dict[str, list[str]]:
    """Each status of the ``kind`` reminders → their keys (payload["key"]), sorted."""
    found: dict[str, list[str]] = {}
    for row in db.session.scalars(select(Reminder).where(Reminder.kind == kind).order_by(Reminder.id)):
        found.setdefault(row.status, []).append(row.payload.get("key", ""))
    return {status: sorted(keys) for status, keys in found.items()}


def test_acknowledging_a_warning_cancels_its_reminder(app, sides):  # noqa: F811
    with app.app_context():
        evaluate_warnings(now=EVENING)
        assert list(by_status("warning_ack")) == ["pending"]
        notice_id = db.session.scalar(select(WarningNotice.id))
        warning_svc.acknowledge_notice(notice_id, actor=actor(sides["staff"]), now=EVENING)
        assert list(by_status("warning_ack")) == ["cancelled"]
        warning_svc.acknowledge_notice(notice_id, actor=actor(sides["staff"]), now=EVENING)  # again: nothing
        assert list(by_status("warning_ack")) == ["cancelled"]


def test_a_milestone_confirmed_performed_cancels_its_own_reminders_only(app, world):  # noqa: F811
    with app.test_request_context():
        agreement_id = _effective(world)
        assert by_status("milestone_due") == {"pending": ["m0", "m1"]}
        _apply(world, agreement_id, "home")
        application = _apply(world, agreement_id, "company", days=2)
        confirmation.decide_confirmation(application.id, actor=actor(world["judge"]),
                                         now=NOW + timedelta(days=3), confirm=True)
        assert by_status("confirmation_window") == {"cancelled": [""]}  # confirmed: window closed
        # The developer's obligations (the homeowner's filing, m1, is the homeowner's own).
        payment, milestone = db.session.scalars(select(Obligation).where(Obligation.developer_id.is_not(None))
                                                .order_by(Obligation.due_on)).all()
        release.confirm_obligation(payment.id, now=NOW + timedelta(days=50))  # a payment: no milestone
        assert by_status("milestone_due") == {"pending": ["m0", "m1"]}
        release.confirm_obligation(milestone.id, now=NOW + timedelta(days=60))
        # The developer's delivery (m0) is done; the homeowner's filing (m1) is still due.
        for kind in ("milestone_due", "milestone_overdue"):
            assert by_status(kind) == {"cancelled": ["m0"], "pending": ["m1"]}


def test_each_milestone_reminds_whoever_performs_it(app, world):  # noqa: F811
    """Is a homeowner reminded of the filing they promised, and the developer not of it?"""
    with app.test_request_context():
        _effective(world)
        due = {(row.payload["key"], row.recipient_id) for row in db.session.scalars(
            select(Reminder).where(Reminder.kind == "milestone_due"))}
        # m0: the developer delivers (开发企业); m1: the homeowner files (申请人).
        assert due == {("m0", world["company"].id), ("m1", world["home"].id)}


def test_a_bad_rating_reminds_the_judge_on_the_follow_ups_last_day_until_it_is_done(app, closed):  # noqa: F811
    with app.app_context():
        ratings.rate_case(closed["case"].id, actor=actor(closed["company"]), score=5, comment="", now=NOW)
        assert by_status("rating_follow_up") == {}  # a good rating: nothing
        ratings.rate_case(closed["case"].id, actor=actor(closed["home"]), score=1, comment="没人理", now=NOW)
        followup = db.session.scalar(select(FollowUp))
        row = db.session.scalar(select(Reminder).where(Reminder.kind == "rating_follow_up"))
        # The follow-up is due Friday 4 December: the judge is reminded that morning.
        assert row.recipient_id == closed["judge"].id and row.status == "pending"
        assert row.due_at == datetime(2026, 12, 4, 9, tzinfo=COURT_TZ)
        assert row.payload["deadline_en"] == "2026-12-04"
        ratings.complete_followup(followup.id, actor=actor(closed["judge"]), note="已回访", now=NOW)
        assert list(by_status("rating_follow_up")) == ["cancelled"]


def test_every_event_of_the_issue_is_in_the_registry():
    """Registration, assignment, acceptance and the 30 days follow the case's state
    (case_changed, recomputed at every change); the others have an event each."""
    assert set(EVENTS) == {
        "case_changed", "inquiry_issued", "inquiry_answered", "visit_scheduled",
        "agreement_effective", "obligation_performed", "warning_raised", "warning_acknowledged",
        "bad_rating", "followup_done", "visit_moved", "visit_cancelled"}
