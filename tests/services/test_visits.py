"""Can a mediator book a site visit for several cases, and is nobody double-booked?"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Case, Notice, User
from app.services import visits
from app.services.errors import ForbiddenError, ServiceError
from tests.factories import NOW

NINE = datetime(2026, 12, 3, 1, 0, tzinfo=timezone.utc)  # Thursday 09:00 in Wenchang


def actor(user) -> User:
    return db.session.get(User, user.id)


@pytest.fixture
def site(app, make):
    court = make.court()
    project = make.project(court=court)
    wang = make.user("mediator", court=court, name="王调解")
    li = make.user("mediator", court=court, name="李调解")
    owner = make.user("homeowner")
    neighbour = make.user("homeowner")
    first = make.case(project=project, status="assigned", mediator=wang.mediator, claimant=owner.person)
    second = make.case(project=project, status="scheduled", mediator=wang.mediator,
                       claimant=neighbour.person)
    theirs = make.case(project=project, status="assigned", mediator=li.mediator, claimant=owner.person)
    return project, wang, li, owner, first, second, theirs, make.user("judge", court=court)


def test_one_visit_serves_two_cases_schedules_them_and_tells_the_parties(app, site):
    project, wang, li, owner, first, second, theirs, judge = site
    with app.app_context():
        visit = visits.schedule_visit(project.id, [first.id, second.id], room="售楼部会议室",
                                      starts_at=NINE, ends_at=NINE + timedelta(hours=2),
                                      actor=actor(wang), now=NOW)
        assert sorted(c.id for c in visit.cases) == [first.id, second.id]
        assert db.session.get(Case, first.id).status == "scheduled"
        told = db.session.scalars(select(Notice).where(Notice.user_id == owner.id,
                                                       Notice.kind == "visit_scheduled")).all()
        assert len(told) == 1 and "售楼部会议室" in told[0].body and "09:00" in told[0].body
        assert [v.id for v in visits.visits_between(actor=actor(judge), start=NINE,
                                                    end=NINE + timedelta(days=1))] == [visit.id]
        assert visits.visits_between(actor=actor(li), start=NINE, end=NINE + timedelta(days=1)) == []


def test_a_party_due_elsewhere_and_a_taken_room_are_refused_with_the_clash_named(app, site):
    project, wang, li, owner, first, second, theirs, judge = site
    with app.app_context():
        visits.schedule_visit(project.id, [first.id], room="售楼部会议室", starts_at=NINE,
                              ends_at=NINE + timedelta(hours=2), actor=actor(wang), now=NOW)
        with pytest.raises(ServiceError, match="当事人张三在2026-12-03 09:00") as refused:
            visits.schedule_visit(project.id, [theirs.id], room="物业办公室",
                                  starts_at=NINE + timedelta(hours=1),
                                  ends_at=NINE + timedelta(hours=3), actor=actor(li), now=NOW)
        assert refused.value.field == "case_ids"
        with pytest.raises(ServiceError, match="“售楼部会议室”在2026-12-03 09:00至2026-12-03 11:00已被占用"):
            visits.schedule_visit(project.id, [theirs.id], room="售楼部会议室",
                                  starts_at=NINE + timedelta(minutes=30),
                                  ends_at=NINE + timedelta(hours=1), actor=actor(li), now=NOW)
        assert db.session.get(Case, theirs.id).status == "assigned"  # nothing half-saved


def test_only_the_cases_own_mediator_books_them(app, site):
    project, wang, li, owner, first, second, theirs, judge = site
    with app.app_context():
        with pytest.raises(ServiceError, match="不是您已接受的案件"):
            visits.schedule_visit(project.id, [theirs.id], room="会议室", starts_at=NINE,
                                  ends_at=NINE + timedelta(hours=1), actor=actor(wang), now=NOW)
        with pytest.raises(ForbiddenError):
            visits.schedule_visit(project.id, [first.id], room="会议室", starts_at=NINE,
                                  ends_at=NINE + timedelta(hours=1), actor=actor(judge), now=NOW)
