"""A released supervised pre-sale account is reported to the housing bureau: one task on the
case, a notice to each of the court's housing-bureau officers in their language — and none
for a bank account, none twice for a retried approval, none for another court's bureau."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import AgencyTask, Case, Mediator, Notice
from app.notify.render import notice_text
from app.services import release, release_records
from app.services.errors import ConflictError
from tests.services.test_release import NOW
from tests.web.helpers import login


def _officer(make, court, *, locale=None, kind="housing_bureau"):
    user = make.user("mediator", court=court, locale=locale)
    with make.app.app_context():
        db.session.execute(update(Mediator).where(Mediator.user_id == user.id).values(kind=kind))
        db.session.commit()
    return user


#: Each kind's preservation ruling has its own number (ruling numbers are unique).
_RULING_SEQ = {"presale_account": 21, "bank_account": 22}


def _developer_with(app, make, kind: str) -> dict:
    """Two cases (60万 and 40万元) secured by one account of 150万元 of ``kind``: stage 1
    releases the 50万元 the cases do not need."""
    with app.app_context():
        project = make.project()
        first, second = make.case(project=project), make.case(project=project)
        for case, claim in ((first, 60_000_000), (second, 40_000_000)):
            db.session.execute(update(Case).where(Case.id == case.id).values(claim_total_fen=claim))
        db.session.commit()
        order = release_records.record_order(
            project.developer_id, court_id=project.court_id, ruling_no=f"(2026)琼9005财保{_RULING_SEQ[kind]}号",
            ruled_on=date(2026, 6, 1), expires_on=date(2027, 6, 1), actor=None, now=NOW,
            asset={"kind": kind, "label": "某项目预售资金监管账户", "frozen_fen": 150_000_000,
                   "cases": [first.id, second.id]})
        plan = release.propose_plan(project.developer_id, actor_id=None, now=NOW)
        return {"plan": plan.id, "court": project.court, "cases": (first.id, second.id),
                "asset": order.assets[0].id}


@pytest.fixture
def presale(app, make):
    return _developer_with(app, make, "presale_account")


def test_a_presale_release_gives_the_bureau_one_task_and_tells_each_officer_in_their_language(app, make, presale):
    chinese, english = _officer(make, presale["court"]), _officer(make, presale["court"], locale="en")
    plain_mediator = make.user("mediator", court=presale["court"])  # a court mediator, not the bureau's
    elsewhere = _officer(make, make.court())  # another court's bureau officer
    judge = make.user("judge", court=presale["court"])
    with app.app_context():
        release.approve_stage(presale["plan"], 1, actor_id=judge.id, actor_role="judge", now=NOW)
        [task] = db.session.scalars(select(AgencyTask)).all()
        assert task.agency == "housing_bureau" and task.case_id == presale["cases"][0]
        assert task.status == "open" and task.created_by_id == judge.id and task.due_on > date(2026, 12, 2)
        assert task.owner_name == chinese.name  # the court's first officer is named responsible
        ruling = db.session.scalar(select(release.AssetRelease).where(release.AssetRelease.id == task.asset_release_id))
        assert ruling.asset_id == presale["asset"] and ruling.amount_fen == 50_000_000
        from app.models import Document

        [document] = db.session.scalars(select(Document).where(Document.kind == "release_ruling")).all()
        for fact in ("某项目预售资金监管账户", "（2026）琼9005财保21号", "¥500,000.00", "¥1,000,000.00",
                     document.verify_code, document.title):
            assert fact in task.description, fact
        notices = db.session.scalars(select(Notice).where(Notice.kind == "presale_released")).all()
        assert {n.user_id for n in notices} == {chinese.id, english.id}
        assert all(n.channel == "inbox" and n.case_id == task.case_id for n in notices)
        mine = next(n for n in notices if n.user_id == english.id)
        text = notice_text(mine, english.locale)
        assert text.subject.startswith("Pre-sale account released") and document.verify_code in text.body
        assert notice_text(next(n for n in notices if n.user_id == chinese.id), None).subject.startswith("预售资金监管账户")
        assert plain_mediator.id not in {n.user_id for n in notices} and elsewhere.id not in {n.user_id for n in notices}


def test_a_bank_account_release_gives_the_bureau_nothing(app, make):
    bank = _developer_with(app, make, "bank_account")
    _officer(make, bank["court"])
    with app.app_context():
        release.approve_stage(bank["plan"], 1, actor_id=None, actor_role="judge", now=NOW)
        assert db.session.get(release.FrozenAsset, bank["asset"]).released_fen == 50_000_000  # it was released
        assert db.session.scalars(select(AgencyTask)).all() == []
        assert db.session.scalars(select(Notice).where(Notice.kind == "presale_released")).all() == []


def test_a_retried_approval_gives_no_second_task_or_notice(app, make, presale):
    officer = _officer(make, presale["court"])
    with app.app_context():
        release.approve_stage(presale["plan"], 1, actor_id=None, actor_role="judge", now=NOW)
        with pytest.raises(ConflictError):
            release.approve_stage(presale["plan"], 1, actor_id=None, actor_role="judge", now=NOW)
        assert len(db.session.scalars(select(AgencyTask)).all()) == 1
        assert len(db.session.scalars(select(Notice).where(Notice.user_id == officer.id)).all()) == 1


def test_the_bureau_officer_sees_the_task_and_no_other_mediator_does(app, client, make, presale):
    officer = _officer(make, presale["court"])
    other_court_officer = _officer(make, make.court())
    plain = make.user("mediator", court=presale["court"])
    with app.app_context():
        release.approve_stage(presale["plan"], 1, actor_id=None, actor_role="judge", now=NOW)
        task_id = db.session.scalar(select(AgencyTask.id))
    login(client, officer.username)
    page = client.get("/mediator/agency-tasks")
    assert page.status_code == 200 and f'data-testid="agency-task-{task_id}"' in page.get_data(as_text=True)
    for someone in (other_court_officer, plain):
        theirs = app.test_client()
        login(theirs, someone.username)
        html = theirs.get("/mediator/agency-tasks").get_data(as_text=True)
        assert "agency-task-" not in html, someone.username
