"""Does the judge's suggestion come from the court's own data, and respect every rule?"""
from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import Case, Mediator, MediatorConflict, MediatorLeave, Project, User
from app.services import assignment_suggestions as suggestions_service
from app.services.errors import ForbiddenError, ServiceError
from tests.factories import NOW


def actor(user) -> User:
    return db.session.get(User, user.id)


@pytest.fixture
def court(app, make):
    court = make.court()
    near = make.project(court=court)
    far = make.project(court=court, developer=near.developer)
    with app.app_context():
        db.session.get(Project, near.id).latitude, db.session.get(Project, near.id).longitude = 19.61, 110.75
        db.session.get(Project, far.id).latitude, db.session.get(Project, far.id).longitude = 20.0, 110.9
        db.session.commit()
    judge = make.user("judge", court=court)
    people = {}
    for name, lat in (("近调解", 19.60), ("远调解", 20.01), ("休假调解", 19.61), ("回避调解", 19.61)):
        user = make.user("mediator", court=court, name=name)
        with app.app_context():
            m = db.session.get(Mediator, user.mediator.id)
            m.base_lat, m.base_lon, m.capacity = lat, 110.75 if lat < 20 else 110.9, 1
            db.session.commit()
        people[name] = user
    with app.app_context():
        db.session.add(MediatorLeave(mediator_id=people["休假调解"].mediator.id,
                                     starts_on=date(2026, 11, 20), ends_on=date(2026, 12, 10)))
        db.session.add(MediatorConflict(mediator_id=people["回避调解"].mediator.id,
                                        developer_id=near.developer_id, reason="曾任法律顾问"))
        db.session.commit()
    cases = [make.case(project=near), make.case(project=far), make.case(project=near)]
    return judge, people, cases


def test_the_suggestion_never_uses_a_mediator_on_leave_or_in_conflict(app, court):
    judge, people, cases = court
    with app.app_context():
        page = suggestions_service.suggestions(actor=actor(judge), now=NOW)
        chosen = {row.case.id: row.mediator.user.name for row in page.rows if row.mediator}
        assert chosen == {cases[0].id: "近调解", cases[1].id: "远调解"}
        left = [row for row in page.rows if row.mediator is None]
        assert [row.case.id for row in left] == [cases[2].id]
        assert left[0].reasons  # it says why


def test_accepting_assigns_all_in_one_go_and_an_override_must_be_eligible(app, court):
    judge, people, cases = court
    with app.app_context():
        with pytest.raises(ServiceError, match="休假"):
            suggestions_service.accept_assignments(
                [(cases[0].id, people["近调解"].mediator.id),
                 (cases[1].id, people["休假调解"].mediator.id)], actor=actor(judge), now=NOW)
        assert db.session.get(Case, cases[0].id).status == "registered"  # nothing half-saved
        done = suggestions_service.accept_assignments(
            [(cases[0].id, people["近调解"].mediator.id), (cases[1].id, people["远调解"].mediator.id)],
            actor=actor(judge), now=NOW)
        assert [c.status for c in done] == ["assigned", "assigned"]
        # 近调解 is now at capacity (1): a second case is refused with the reason.
        with pytest.raises(ServiceError, match="已达上限1件"):
            suggestions_service.accept_assignments(
                [(cases[2].id, people["近调解"].mediator.id)], actor=actor(judge), now=NOW)


def test_only_a_judge_asks_for_suggestions(app, make, court):
    clerk = make.user("admin")
    with app.app_context():
        with pytest.raises(ForbiddenError):
            suggestions_service.suggestions(actor=actor(clerk), now=NOW)
