"""A judge of the case's court marks an obligation of a confirmed agreement performed or
confirmed from the case page — a homeowner's as well as the developer's, by the same use
case as the release records page: the status, the timeline line and the milestone's
reminders move together, the release plan never sees a homeowner's, and nobody else
changes anything (docs/on-site.md)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import CaseEvent, Obligation, Reminder
from app.services import release, release_records
from tests.factories import NOW
from tests.services.test_agreements import world  # noqa: F401  (the fixture)
from tests.services.test_confirmation import CONTENT, _confirmed, actor
from tests.web.helpers import csrf_token, login


def _statuses(kind: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in db.session.scalars(select(Reminder).where(Reminder.kind == kind).order_by(Reminder.id)):
        found.setdefault(row.status, []).append(row.payload.get("key", ""))
    return {status: sorted(keys) for status, keys in found.items()}


@pytest.fixture
def confirmed(app, world):  # noqa: F811
    """The case's agreement confirmed: the developer's payment and delivery (m0), the
    homeowner's filing (m1)."""
    with app.test_request_context():
        _confirmed(world, CONTENT)
        rows = db.session.scalars(select(Obligation).order_by(Obligation.due_on, Obligation.id)).all()
        payment, delivery, filing = rows
        assert filing.person_id == world["home"].person_id and filing.developer_id is None
        return {**world, "payment": payment.id, "delivery": delivery.id, "filing": filing.id,
                "case_id": world["case"].id}


def _mark(client, world, obligation_id, status, *, case_id=None):
    token = csrf_token(client, "/account/password")
    return client.post(f"/cases/{case_id or world['case_id']}/obligations/{obligation_id}/mark",
                       data={"csrf_token": token, "status": status})


def _events(case_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id))


def test_the_judge_marks_a_homeowners_obligation_from_the_case_page(app, client, confirmed):
    world = confirmed
    login(client, world["judge"].username)
    page = client.get(f"/cases/{world['case_id']}").get_data(as_text=True)
    assert f'data-testid="mark-obligation-{world["filing"]}"' in page
    assert f'/cases/{world["case_id"]}/obligations/{world["filing"]}/mark' in page
    with app.app_context():
        plan_before = release.build_scenario(world["case"].developer_id)
        events_before = _events(world["case_id"])

    response = _mark(client, world, world["filing"], "performed")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/cases/{world['case_id']}#obligations")
    with app.app_context():
        assert db.session.get(Obligation, world["filing"]).status == "performed"
        assert _statuses("milestone_due") == {"pending": ["m0", "m1"]}  # performed: not yet confirmed

    response = _mark(client, world, world["filing"], "confirmed")
    assert response.status_code == 303
    with app.app_context():
        filing = db.session.get(Obligation, world["filing"])
        assert filing.status == "confirmed" and filing.confirmed_at is not None
        assert _events(world["case_id"]) == events_before + 2
        lines = db.session.scalars(select(CaseEvent.reason).where(CaseEvent.case_id == world["case_id"])
                                   .order_by(CaseEvent.id.desc()).limit(2)).all()
        assert all(f"O{world['filing']}" in line for line in lines)
        # The homeowner's filing (m1) is done; the developer's delivery (m0) is still due.
        for kind in ("milestone_due", "milestone_overdue"):
            assert _statuses(kind) == {"cancelled": ["m1"], "pending": ["m0"]}
        # The release plan never saw it.
        assert release.build_scenario(world["case"].developer_id) == plan_before
    page = client.get(f"/cases/{world['case_id']}").get_data(as_text=True)
    assert "confirmed" in page and f'/obligations/{world["filing"]}/mark' not in page

    # A second click: the conflict is flashed, nothing moves and no line is added.
    response = _mark(client, world, world["filing"], "confirmed")
    assert response.status_code == 303
    with app.app_context():
        assert _events(world["case_id"]) == events_before + 2
    assert "这项义务的状态已经变更" in client.get(f"/cases/{world['case_id']}").get_data(as_text=True)


def test_the_developers_obligation_is_marked_from_either_page_by_the_same_use_case(app, client, confirmed):
    world = confirmed
    login(client, world["judge"].username)
    response = _mark(client, world, world["delivery"], "confirmed")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Obligation, world["delivery"]).status == "confirmed"
        for kind in ("milestone_due", "milestone_overdue"):
            assert _statuses(kind) == {"cancelled": ["m0"], "pending": ["m1"]}
    # The release records page still marks the developer's, and sends the judge back there.
    token = csrf_token(client, "/account/password")
    response = client.post(f"/court/obligations/{world['payment']}/mark",
                           data={"csrf_token": token, "status": "performed"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/court/developers/{world['case'].developer_id}/release/records")
    # A homeowner's obligation is no release record: that page does not take it.
    response = client.post(f"/court/obligations/{world['filing']}/mark",
                           data={"csrf_token": token, "status": "performed"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Obligation, world["payment"]).status == "performed"
        assert db.session.get(Obligation, world["filing"]).status == "open"


@pytest.mark.parametrize("who, code", [("home", 403), ("company", 403), ("mediator", 403),
                                       ("stranger", 404), ("other_judge", 404)])
def test_nobody_else_marks_an_obligation(app, client, make, confirmed, who, code):
    world = dict(confirmed)
    with app.app_context():
        world["other_judge"] = make.user("judge")  # another court
        events_before = _events(world["case_id"])
    login(client, world[who].username)
    for obligation in ("filing", "delivery"):
        assert _mark(client, world, world[obligation], "confirmed").status_code == code
    if code == 403:  # they see the case, but not the forms
        page = client.get(f"/cases/{world['case_id']}").get_data(as_text=True)
        assert "data-testid=\"mark-obligation-" not in page and "/mark" not in page
    with app.app_context():
        assert [db.session.get(Obligation, world[k]).status for k in ("payment", "delivery", "filing")] == \
            ["open"] * 3
        assert _events(world["case_id"]) == events_before
        assert _statuses("milestone_due") == {"pending": ["m0", "m1"]}


def test_an_obligation_of_another_case_is_not_found_under_this_one(app, client, make, confirmed):
    world = confirmed
    with app.app_context():
        other = make.case(project=make.project(court=world["judge"].court))
        other_id = other.id
    login(client, world["judge"].username)
    assert _mark(client, world, world["filing"], "confirmed", case_id=other_id).status_code == 404
    with app.app_context():
        assert db.session.get(Obligation, world["filing"]).status == "open"


def test_a_milestone_of_several_buyers_keeps_its_reminders_until_each_has_performed(app, confirmed):
    world = confirmed
    with app.test_request_context():
        filing = db.session.get(Obligation, world["filing"])
        second = Obligation(description=filing.description, cost_fen=0, status="open", created_at=NOW,
                            agreement_id=filing.agreement_id, case_id=filing.case_id, due_on=filing.due_on,
                            performer=filing.performer, person_id=world["stranger"].person_id)
        db.session.add(second)
        db.session.commit()
        second_id = second.id
        release_records.mark_obligation(world["filing"], status="confirmed", actor=actor(world["judge"]),
                                        now=NOW + timedelta(days=40))
        assert _statuses("milestone_due") == {"pending": ["m0", "m1"]}
        release_records.mark_obligation(second_id, status="confirmed", actor=actor(world["judge"]),
                                        now=NOW + timedelta(days=41))
        assert _statuses("milestone_due") == {"cancelled": ["m1"], "pending": ["m0"]}
