"""Group cases: the settlement binds a represented claimant only with its consent, one
agreement per consenting claimant, and the case is mediated when every one of them holds."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agreement, Case, CaseRepresentative, User
from app.services import agreements, group_settlement
from app.services.errors import ForbiddenError, ServiceError
from mediation.agreements import Content
from tests.factories import NOW, PASSWORD

CONTENT = Content(terms=("被申请人向每位申请人支付逾期交房违约金20,000元。",))


def actor(user) -> User:
    return db.session.get(User, user.id)


@pytest.fixture
def group(app, make):
    project = make.project()
    mediator = make.user("mediator", court=project.court)
    people = [make.person(f"业主{i}") for i in range(4)]
    case = make.case(project=project, claimant=people[0], status="in_mediation", mediator=mediator.mediator)
    for person in people[1:]:
        make.complaint(project=project, person=person, status="accepted", case=case)
    with app.app_context():
        row = db.session.get(Case, case.id)
        row.is_group = True
        for person in people[:2]:
            db.session.add(CaseRepresentative(case_id=case.id, person_id=person.id, chosen_at=NOW))
        db.session.commit()
    return {"case": case.id, "mediator": mediator, "people": people,
            "homes": [make.user("homeowner", person=p) for p in people],
            "company": make.user("developer", developer=project.developer)}


def test_only_consenting_claimants_get_an_agreement_and_the_others_are_named(app, group):
    with app.app_context():
        for person in group["people"][:3]:
            group_settlement.record_consent(group["case"], person.id, actor=actor(group["mediator"]), now=NOW)
        seen = []
        result = group_settlement.issue_group_agreements(
            group["case"], CONTENT, actor=actor(group["mediator"]), now=NOW, progress=lambda i, n: seen.append((i, n)))
        assert result.created == 3 and result.without_consent == ["业主3"]
        assert seen[-1] == (3, 3)
        bound = set(db.session.scalars(select(Agreement.claimant_person_id)))
        assert bound == {p.id for p in group["people"][:3]}


def test_the_case_is_mediated_when_every_claimants_agreement_is_signed(app, group):
    with app.test_request_context():
        for home in group["homes"][:2]:
            group_settlement.record_consent(group["case"], home.person_id, actor=actor(home), now=NOW)
        group_settlement.issue_group_agreements(group["case"], CONTENT, actor=actor(group["mediator"]), now=NOW)
        ids = {a.claimant_person_id: a.id for a in db.session.scalars(select(Agreement))}
        first, second = (ids[h.person_id] for h in group["homes"][:2])
        with pytest.raises(ForbiddenError):  # a claimant signs only its own agreement
            agreements.sign_agreement(second, actor=actor(group["homes"][0]), now=NOW, password=PASSWORD, ip="::1")
        for i, (home, agreement_id) in enumerate(((group["homes"][0], first), (group["homes"][1], second))):
            agreements.sign_agreement(agreement_id, actor=actor(home), now=NOW, password=PASSWORD, ip="::1")
            agreements.sign_agreement(agreement_id, actor=actor(group["company"]), now=NOW + timedelta(hours=i),
                                      password=PASSWORD, ip="::1")
            status = db.session.get(Case, group["case"]).status
            assert status == ("in_mediation" if i == 0 else "mediated")


def test_a_claimant_consents_only_for_itself_and_nobody_without_representatives(app, group, make):
    with app.app_context():
        with pytest.raises(ForbiddenError):
            group_settlement.record_consent(group["case"], group["people"][1].id, actor=actor(group["homes"][0]),
                                            now=NOW)
        with pytest.raises(ServiceError, match="尚无申请人同意"):
            group_settlement.issue_group_agreements(group["case"], CONTENT, actor=actor(group["mediator"]), now=NOW)
        db.session.execute(CaseRepresentative.__table__.delete())
        db.session.commit()
        with pytest.raises(ServiceError, match="推选2至5名代表人"):
            group_settlement.issue_group_agreements(group["case"], CONTENT, actor=actor(group["mediator"]), now=NOW)


def test_a_claimant_who_opted_out_gets_no_agreement_even_after_consenting(app, group):
    from app.models import Complaint
    with app.app_context():
        for person in group["people"][:3]:
            group_settlement.record_consent(group["case"], person.id, actor=actor(group["mediator"]), now=NOW)
        leaver = group["people"][2]
        complaint = db.session.scalar(select(Complaint).where(Complaint.case_id == group["case"],
                                                              Complaint.claimant_person_id == leaver.id))
        complaint.opted_out_at = NOW + timedelta(minutes=1)  # left the group case
        db.session.commit()
        result = group_settlement.issue_group_agreements(group["case"], CONTENT, actor=actor(group["mediator"]),
                                                         now=NOW + timedelta(minutes=2))
        bound = set(db.session.scalars(select(Agreement.claimant_person_id)))
        assert result.created == 2 and bound == {p.id for p in group["people"][:2]}
        assert leaver.id not in bound
