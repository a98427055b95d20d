"""好差评 on the database: invited at closing, once per party, a bad rating opens a dated
follow-up for the judge, and the statistics API gains the two rates."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import FollowUp, Notice, User
from app.services import cases, ratings
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from tests.factories import NOW


def actor(user) -> User:
    return db.session.get(User, user.id)


@pytest.fixture
def closed(app, make):
    person = make.person("王海燕")
    project = make.project()
    mediator = make.user("mediator", court=project.court)
    judge = make.user("judge", court=project.court)
    home = make.user("homeowner", person=person)
    company = make.user("developer", developer=project.developer)
    case = make.case(project=project, claimant=person, status="performing", mediator=mediator.mediator,
                     outcome="mediated", concluded_at=NOW)
    with app.app_context():
        cases.transition_case(case.id, "closed", actor=actor(judge), now=NOW, reason="履行完毕")
    return {"case": case, "judge": judge, "home": home, "company": company, "mediator": mediator,
            "stranger": make.user("homeowner"), "other_judge": make.user("judge")}


def test_closing_invites_the_parties_and_a_bad_rating_opens_a_follow_up(app, closed):
    with app.app_context():
        invited = set(db.session.scalars(select(Notice.user_id).where(Notice.kind == "rating_invited")))
        assert invited == {closed["home"].id, closed["company"].id}
        ratings.rate_case(closed["case"].id, actor=actor(closed["home"]), score=2, comment="调解员迟到", now=NOW)
        followup = db.session.scalar(select(FollowUp))
        # 2026-11-27 (Fri) + 5 working days = 2026-12-04 (Fri).
        assert (followup.status, followup.due_on) == ("open", date(2026, 12, 4))
        task = db.session.scalar(select(Notice).where(Notice.kind == "followup_task"))
        assert task.user_id == closed["judge"].id and "调解员迟到" in task.body
        with pytest.raises(ConflictError):
            ratings.rate_case(closed["case"].id, actor=actor(closed["home"]), score=5, comment="", now=NOW)
        ratings.rate_case(closed["case"].id, actor=actor(closed["company"]), score=5, comment="", now=NOW)
        assert db.session.query(FollowUp).count() == 1  # a good rating opens nothing
        with pytest.raises(ServiceError) as missing:
            ratings.complete_followup(followup.id, actor=actor(closed["judge"]), note=" ", now=NOW)
        assert missing.value.field == "note"
        with pytest.raises(NotFoundError):
            ratings.complete_followup(followup.id, actor=actor(closed["other_judge"]), note="已回访", now=NOW)
        ratings.complete_followup(followup.id, actor=actor(closed["judge"]), note="已电话回访，调解员致歉", now=NOW)
        assert db.session.get(FollowUp, followup.id).status == "done"


def test_only_parties_rate_and_only_once_closed(app, make, closed):
    with app.app_context():
        with pytest.raises(NotFoundError):
            ratings.rate_case(closed["case"].id, actor=actor(closed["stranger"]), score=5, comment="", now=NOW)
        with pytest.raises(ForbiddenError):
            ratings.rate_case(closed["case"].id, actor=actor(closed["mediator"]), score=5, comment="", now=NOW)
        with pytest.raises(ServiceError) as bad:
            ratings.rate_case(closed["case"].id, actor=actor(closed["home"]), score=7, comment="", now=NOW)
        assert bad.value.field == "score"
        person = make.person("符海燕")
        home = make.user("homeowner", person=person)
        open_case = make.case(claimant=person, status="in_mediation")
        with pytest.raises(ServiceError, match="结案后"):
            ratings.rate_case(open_case.id, actor=actor(home), score=5, comment="", now=NOW)


def test_the_summary_gains_satisfaction_and_followup_rates(app, client, closed):
    from tests.factories import PASSWORD
    with app.app_context():
        ratings.rate_case(closed["case"].id, actor=actor(closed["home"]), score=1, comment="", now=NOW)
        ratings.rate_case(closed["case"].id, actor=actor(closed["company"]), score=4, comment="", now=NOW)
    token = client.post("/api/v1/auth/token", json={"username": closed["judge"].username,
                                                    "password": PASSWORD}).get_json()["token"]
    day = (NOW + timedelta(hours=8)).date().isoformat()
    body = client.get(f"/api/v1/stats/summary?from={day}&to={day}",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["satisfaction_rate"] == 0.5 and body["followup_rate"] == 0.0
    assert "mediation_withdrawal_rate" in body  # extended, nothing renamed
    with app.app_context():
        followup = db.session.scalar(select(FollowUp))
        ratings.complete_followup(followup.id, actor=actor(closed["judge"]), note="已回访", now=NOW)
    body = client.get(f"/api/v1/stats/summary?from={day}&to={day}",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["followup_rate"] == 1.0
    empty = client.get("/api/v1/stats/summary?from=2020-01-01&to=2020-01-31",
                       headers={"Authorization": f"Bearer {token}"}).get_json()
    assert empty["satisfaction_rate"] is None and empty["followup_rate"] is None
