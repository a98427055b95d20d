"""Every party is told when a case moves on, and the homeowner when the developer answers.

Checked from every side: both parties, the mediator and the judge hear of a move (never
the person who made it); a bystander homeowner, another company's staff and another
court's judge hear nothing.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Case, Notice, User
from app.services import cases, delegation, intake, triage
from tests.factories import NOW


def actor(user) -> User:
    return db.session.get(User, user.id)


def inbox(kind: str, since_id: int = 0) -> dict[int, Notice]:
    """Recipient → the inbox notice of ``kind`` (one each)."""
    found: dict[int, Notice] = {}
    for notice in db.session.scalars(select(Notice).where(
            Notice.kind == kind, Notice.channel == "inbox", Notice.id > since_id)
            .order_by(Notice.id)):
        assert notice.user_id not in found, "told twice"
        found[notice.user_id] = notice
    return found


def last_id() -> int:
    return db.session.scalar(select(db.func.max(Notice.id))) or 0


@pytest.fixture
def world(app, make):
    court = make.court(code="琼9005")
    project = make.project(court=court, name="椰风海韵")

    class World:
        pass

    w = World()
    w.judge = make.user("judge", court=court)
    w.filer = make.user("homeowner", person=make.person(name="王海燕"))
    w.staff = make.user("developer", developer=project.developer)
    w.mediator = make.user("mediator", court=court)
    # Must hear nothing:
    w.bystander = make.user("homeowner", person=make.person(name="赵旁观"))
    w.other_staff = make.user("developer", developer=make.project(court=court).developer)
    w.other_judge = make.user("judge", court=make.court(code="琼9006"))
    complaint = make.complaint(project=project, person=w.filer.person)
    w.complaint = complaint
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=actor(w.judge), now=NOW)
        cases.assign_mediator(case.id, w.mediator.mediator.id, actor=actor(w.judge), now=NOW)
        delegation.accept_case(case.id, actor=actor(w.mediator), now=NOW)
        w.case_id, w.number = case.id, case.number
    return w


def test_scheduling_failure_and_litigation_reach_every_party_but_not_the_actor(app, world):
    w = world
    with app.app_context():
        steps = [("scheduled", w.mediator, {}), ("in_mediation", w.mediator, {}),
                 ("failed", w.mediator, {"reason": "开发商不同意赔偿方案"}),
                 ("litigation", w.judge, {})]
        told = {}
        for day, (to, who, extra) in enumerate(steps, start=1):
            before = last_id()
            cases.transition_case(w.case_id, to, actor=actor(who), now=NOW + timedelta(days=day),
                                  **extra)
            told[to] = inbox("case_status_changed", before)
        parties = {w.filer.id, w.staff.id}
        assert set(told["scheduled"]) == parties | {w.judge.id}  # the mediator scheduled it
        assert told["in_mediation"] == {}  # not a step the parties need a notice for
        assert set(told["failed"]) == parties | {w.judge.id}
        assert set(told["litigation"]) == parties | {w.mediator.id}  # the judge moved it
        nobody = {w.bystander.id, w.other_staff.id, w.other_judge.id}
        assert not nobody & {uid for t in told.values() for uid in t}
        failed = told["failed"][w.staff.id]
        assert failed.subject == f"案件{w.number}调解不成"
        assert "开发商不同意赔偿方案" in failed.body and "椰风海韵" in failed.body
        assert "王海燕" not in failed.body  # the company never reads the homeowner's name
        assert failed.case_id == w.case_id
        scheduled = told["scheduled"][w.filer.id]
        assert scheduled.subject == f"案件{w.number}已排期"
        assert "2026年11月28日" in scheduled.body


def test_closing_tells_everyone_the_outcome(app, world):
    w = world
    with app.app_context():
        for day, (to, who, extra) in enumerate(
                [("scheduled", w.mediator, {}), ("in_mediation", w.mediator, {}),
                 ("failed", w.mediator, {"reason": "未达成一致"}), ("litigation", w.judge, {}),
                 ("closed", w.judge, {"outcome": "judged", "reason": "已判决"})], start=1):
            before = last_id()
            cases.transition_case(w.case_id, to, actor=actor(who), now=NOW + timedelta(days=day),
                                  **extra)
        closed = inbox("case_status_changed", before)
        assert set(closed) == {w.filer.id, w.staff.id, w.mediator.id}
        assert closed[w.filer.id].subject == f"案件{w.number}已结案"
        assert "结案方式：判决" in closed[w.filer.id].body
        assert db.session.get(Case, w.case_id).status == "closed"


def test_a_refused_move_tells_nobody(app, world):
    from app.services.errors import ServiceError

    w = world
    with app.app_context():
        before = last_id()
        with pytest.raises(ServiceError):
            cases.transition_case(w.case_id, "closed", actor=actor(w.judge), now=NOW,
                                  outcome="judged", reason="x")
        assert inbox("case_status_changed", before) == {}


def test_the_developers_answer_reaches_the_homeowner_and_nobody_else(app, world):
    w = world
    with app.app_context():
        response = intake.respond_to_complaint(actor=actor(w.staff), now=NOW + timedelta(days=1),
                                               complaint_id=w.complaint.id,
                                               text="我司已安排维修，预计两周内完成。")
        told = inbox("complaint_answered")
        assert set(told) == {w.filer.id}
        notice = told[w.filer.id]
        assert w.complaint.receipt_no in notice.subject
        assert "我司已安排维修" not in notice.body  # the answer is read on the complaint
        assert (notice.complaint_id, notice.case_id) == (w.complaint.id, w.case_id)
        assert response.id is not None
