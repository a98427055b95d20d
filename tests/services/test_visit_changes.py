"""Moving or cancelling a site visit: the clash checks run again, every party is told, the
"visit tomorrow" reminders follow, the visit stays (marked) on the calendars and the API,
the printed sheet is made anew, and someone else's visit is not found."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import CaseEvent, Document, Notice, Reminder, User, Visit
from app.services import visit_sheets, visits
from app.services.errors import ConflictError, NotFoundError, ServiceError
from tests.factories import NOW
from tests.services.test_visits import NINE, site  # noqa: F401  (the fixture)


def actor(user) -> User:
    return db.session.get(User, user.id)


def _book(project, cases, mediator, *, room="售楼部会议室", start=NINE, hours=2):
    return visits.schedule_visit(project.id, [c.id for c in cases], room=room, starts_at=start,
                                 ends_at=start + timedelta(hours=hours), actor=actor(mediator), now=NOW).id


def _visit_tomorrow(visit_id):
    return db.session.scalars(select(Reminder).where(
        Reminder.subject_type == "visit", Reminder.subject_id == visit_id,
        Reminder.kind == "visit_tomorrow").order_by(Reminder.id)).all()


def test_a_moved_visit_tells_the_parties_and_replans_the_reminder(app, site):
    project, wang, li, owner, first, second, theirs, judge = site
    with app.app_context():
        visit_id = _book(project, [first, second], wang)
        old = _visit_tomorrow(visit_id)
        assert [r.status for r in old] != [] and {r.status for r in old} == {"pending"}
        later = NINE + timedelta(days=1, hours=5)
        visits.move_visit(visit_id, room="物业会议室", starts_at=later, ends_at=later + timedelta(hours=1),
                          actor=actor(wang), now=NOW + timedelta(minutes=1))
        visit = db.session.get(Visit, visit_id)
        assert (visit.status, visit.room, visit.starts_at, visit.moved_at) == (
            "planned", "物业会议室", later, NOW + timedelta(minutes=1))
        told = db.session.scalars(select(Notice).where(Notice.user_id == owner.id,
                                                       Notice.kind == "visit_moved")).all()
        assert len(told) == 1 and "物业会议室" in told[0].body and "14:00" in told[0].body
        assert "2026-12-03 09:00" in told[0].body  # what it was
        reminders = _visit_tomorrow(visit_id)
        pending = [r for r in reminders if r.status == "pending"]
        assert pending and all(r.payload["room"] == "物业会议室" for r in pending)
        assert all(r.status == "cancelled" for r in reminders if r.payload["room"] == "售楼部会议室")
        lines = db.session.scalars(select(CaseEvent.reason).where(CaseEvent.case_id == first.id)).all()
        assert any("上门调解改期" in (line or "") for line in lines)


def test_a_move_that_double_books_is_refused_and_changes_nothing(app, site):
    project, wang, li, owner, first, second, theirs, judge = site
    with app.app_context():
        mine = _book(project, [first], wang)
        theirs_id = _book(project, [theirs], li, room="物业办公室", start=NINE + timedelta(hours=3))
        # The owner is a party to both: moving Li's visit onto Wang's is refused, naming the clash.
        with pytest.raises(ServiceError, match="当事人") as refused:
            visits.move_visit(theirs_id, room="物业办公室", starts_at=NINE + timedelta(hours=1),
                              ends_at=NINE + timedelta(hours=2), actor=actor(li), now=NOW)
        assert refused.value.field == "case_ids"
        with pytest.raises(ServiceError, match="已被占用"):  # the room
            visits.move_visit(theirs_id, room="售楼部会议室", starts_at=NINE, ends_at=NINE + timedelta(hours=1),
                              actor=actor(judge), now=NOW)
        assert db.session.get(Visit, theirs_id).starts_at == NINE + timedelta(hours=3)
        assert db.session.scalar(select(Notice.id).where(Notice.kind == "visit_moved")) is None
        # Moving a visit within its own old slot is no clash with itself.
        visits.move_visit(mine, room="售楼部会议室", starts_at=NINE + timedelta(minutes=30),
                          ends_at=NINE + timedelta(hours=2), actor=actor(wang), now=NOW)


def test_a_cancelled_visit_stays_marked_frees_its_slot_and_cancels_the_reminders(app, site):
    project, wang, li, owner, first, second, theirs, judge = site
    with app.app_context():
        visit_id = _book(project, [first], wang)
        with pytest.raises(ServiceError) as refused:
            visits.cancel_visit(visit_id, reason="  ", actor=actor(judge), now=NOW)
        assert refused.value.field == "reason"
        visits.cancel_visit(visit_id, reason="台风停工", actor=actor(judge), now=NOW + timedelta(minutes=1))
        visit = db.session.get(Visit, visit_id)
        assert (visit.status, visit.cancel_reason, visit.cancelled_at) == (
            "cancelled", "台风停工", NOW + timedelta(minutes=1))
        assert {r.status for r in _visit_tomorrow(visit_id)} == {"cancelled"}
        told = {n.user_id for n in db.session.scalars(select(Notice).where(Notice.kind == "visit_cancelled"))}
        assert {owner.id, wang.id} <= told  # the parties and the mediator (the judge cancelled)
        found = visits.visits_between(actor=actor(wang), start=NINE, end=NINE + timedelta(days=1))
        assert [(v.id, v.status) for v in found] == [(visit_id, "cancelled")]
        # The slot is free again: the same party, room and mediator can be booked.
        _book(project, [theirs], li)
        with pytest.raises(ConflictError):
            visits.cancel_visit(visit_id, reason="再次", actor=actor(wang), now=NOW)
        with pytest.raises(ConflictError):
            visits.move_visit(visit_id, room="x", starts_at=NINE, ends_at=NINE + timedelta(hours=1),
                              actor=actor(wang), now=NOW)


def test_a_visit_that_has_begun_can_no_longer_be_changed(app, site):
    project, wang, li, owner, first, second, theirs, judge = site
    with app.app_context():
        visit_id = _book(project, [first], wang)
        with pytest.raises(ConflictError, match="已经开始"):
            visits.cancel_visit(visit_id, reason="迟到", actor=actor(wang), now=NINE + timedelta(minutes=5))


def test_only_the_visits_mediator_or_a_judge_of_its_court_changes_it(app, site, make):
    project, wang, li, owner, first, second, theirs, judge = site
    strangers = (li, owner, make.user("judge"), make.user("developer", developer=project.developer))
    with app.app_context():
        visit_id = _book(project, [first], wang)
        for stranger in strangers:
            with pytest.raises(NotFoundError):
                visits.cancel_visit(visit_id, reason="x", actor=actor(stranger), now=NOW)
        assert db.session.get(Visit, visit_id).status == "planned"


def test_the_sheet_printed_before_a_change_is_replaced_by_one_showing_it(app, site, tmp_path):
    from app.services.documents import path_of
    from tests.documents_support import pdf_text
    project, wang, li, owner, first, second, theirs, judge = site
    with app.test_request_context():
        visit_id = _book(project, [first], wang)
        before = visit_sheets.issue_visit_sheet(visit_id, actor=actor(wang), now=NOW).id
        visits.cancel_visit(visit_id, reason="台风停工", actor=actor(wang), now=NOW)
        after = visit_sheets.issue_visit_sheet(visit_id, actor=actor(wang), now=NOW)
        assert after.id != before and db.session.get(Document, before).visit_id is None
        text = pdf_text(path_of(after).read_bytes(), tmp_path)
        assert "已取消" in text and "台风停工" in text
