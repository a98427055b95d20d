"""Warning notices, commitments and the blacklist through the services: one notice per rise,
signed and answered only by the developer's own staff; a commitment recorded broken only
after its day, by a judge of a court where the developer builds; three broken within 365
days put it on the blacklist and its guarantees are refused; the contagion path is drawn."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Commitment, DeveloperGuarantee, Notice, User, WarningNotice
from app.services import warning_notices as svc
from app.services.early_warnings import evaluate_warnings
from app.services.errors import ConflictError, NotFoundError, ServiceError
from tests.factories import NOW
from tests.services.test_release import frozen_developer  # noqa: F401  (the fixture)

EVENING = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)  # 20:00 in Wenchang
TODAY = date(2026, 12, 1)


def actor(user) -> User:
    return db.session.get(User, user.id)


@pytest.fixture
def sides(make):
    court = make.court()
    project = make.project(court=court)  # 90 of 100 units undelivered since 2025-06-30: red
    return {"project": project, "judge": make.user("judge", court=court),
            "staff": make.user("developer", developer=project.developer),
            "stranger": make.user("developer"), "other_judge": make.user("judge")}


def _notice(app, sides) -> int:
    with app.app_context():
        evaluate_warnings(now=EVENING)
        return db.session.scalar(select(WarningNotice.id).where(WarningNotice.project_id == sides["project"].id))


def test_one_notice_per_rise_however_often_the_evaluation_runs(app, sides):
    _notice(app, sides)
    with app.app_context():
        evaluate_warnings(now=EVENING)
        evaluate_warnings(now=EVENING + timedelta(days=1))
        assert db.session.scalar(select(func.count()).select_from(WarningNotice)) == 1
        notice = db.session.scalar(select(WarningNotice))
        assert notice.level == "red" and notice.warnings[0]["rule"] == "overdue_delivery"
        assert svc.issue_notice_documents(now=EVENING) == 1 and svc.issue_notice_documents(now=EVENING) == 0
        assert svc.notice_document(notice).kind == "warning_notice"
        told = db.session.scalar(select(Notice).where(Notice.kind == "warning_issued"))
        assert "红色预警" in told.subject and "rose to red" in told.subject_en
        assert told.body_en.endswith("send a rectification plan with dated commitments.")


def test_only_the_developers_own_staff_sign_and_answer_a_notice(app, sides):
    notice_id = _notice(app, sides)
    with app.app_context():
        for outsider in (sides["stranger"], sides["judge"]):
            with pytest.raises(NotFoundError):
                svc.acknowledge_notice(notice_id, actor=actor(outsider), now=EVENING)
        with pytest.raises(ServiceError, match="签收"):
            svc.answer_notice(notice_id, plan="计划", promises=[svc.Promise("封顶", TODAY + timedelta(days=30))],
                              actor=actor(sides["staff"]), now=EVENING)
        svc.acknowledge_notice(notice_id, actor=actor(sides["staff"]), now=EVENING)
        with pytest.raises(ServiceError) as refused:
            svc.answer_notice(notice_id, plan="计划", promises=[svc.Promise("封顶", TODAY)],
                              actor=actor(sides["staff"]), now=EVENING)
        assert refused.value.field == "commitments-0-due_on"
        svc.answer_notice(notice_id, plan="计划", promises=[svc.Promise("封顶", TODAY + timedelta(days=30))],
                          actor=actor(sides["staff"]), now=EVENING)
        with pytest.raises(ConflictError):
            svc.answer_notice(notice_id, plan="再改", promises=[svc.Promise("封顶", TODAY + timedelta(days=40))],
                              actor=actor(sides["staff"]), now=EVENING)
        assert [n.id for n in svc.list_notices(actor(sides["stranger"]))] == []
        assert [n.id for n in svc.list_notices(actor(sides["other_judge"]))] == []
        assert [n.id for n in svc.list_notices(actor(sides["judge"]))] == [notice_id]


def test_a_commitment_is_broken_only_after_its_day_and_only_by_a_judge_over_the_developer(app, sides):
    notice_id = _notice(app, sides)
    with app.app_context():
        svc.acknowledge_notice(notice_id, actor=actor(sides["staff"]), now=EVENING)
        svc.answer_notice(notice_id, plan="计划", promises=[svc.Promise("封顶", TODAY + timedelta(days=1))],
                          actor=actor(sides["staff"]), now=EVENING)
        commitment_id = db.session.scalar(select(Commitment.id))
        with pytest.raises(NotFoundError):
            svc.settle_commitment(commitment_id, kept=False, note="", actor=actor(sides["other_judge"]),
                                  now=EVENING + timedelta(days=2))
        with pytest.raises(NotFoundError):
            svc.settle_commitment(commitment_id, kept=True, note="", actor=actor(sides["staff"]), now=EVENING)
        with pytest.raises(ServiceError, match="届满前"):
            svc.settle_commitment(commitment_id, kept=False, note="", actor=actor(sides["judge"]),
                                  now=EVENING + timedelta(days=1))
        svc.settle_commitment(commitment_id, kept=False, note="未封顶", actor=actor(sides["judge"]),
                              now=EVENING + timedelta(days=2))
        assert db.session.get(Commitment, commitment_id).status == "broken"


def test_three_broken_commitments_blacklist_the_developer_and_its_guarantee_is_refused(app, make, frozen_developer):  # noqa: F811
    from app.services import release_records
    from tests.services.test_release import blacklist_refusal, offer

    with app.app_context():
        listed = make.project()
        for age in (10, 100, 300):
            db.session.add(Commitment(developer_id=listed.developer_id, text="按期交房", status="broken",
                                      due_on=TODAY - timedelta(days=age), made_at=NOW, settled_at=NOW))
        db.session.commit()
        assert not svc.is_blacklisted(listed.developer_id)
        evaluate_warnings(now=EVENING)
        assert svc.is_blacklisted(listed.developer_id)  # by the rule's count, no judge's decision
        guarantee = offer(frozen_developer["developer"], provider=listed.developer.name,
                          kind="surety", provider_developer_id=listed.developer_id,
                          value_fen=1_000_000, cases=[frozen_developer["cases"][0]],
                          valid_from=date(2026, 6, 1), valid_until=date(2027, 6, 1))
        with pytest.raises(ServiceError) as refused:
            release_records.review_guarantee(guarantee.id, accept=True, reason="足额", actor=None, now=NOW)
        assert "失信" in blacklist_refusal(refused.value)


def test_a_judge_decides_and_lifts_a_blacklisting_with_a_reason(app, sides):
    developer_id = sides["project"].developer_id
    with app.app_context():
        with pytest.raises(ServiceError):
            svc.blacklist_developer(developer_id, reason=" ", actor=actor(sides["judge"]), now=EVENING)
        with pytest.raises(NotFoundError):
            svc.blacklist_developer(developer_id, reason="虚假承诺", actor=actor(sides["other_judge"]), now=EVENING)
        svc.blacklist_developer(developer_id, reason="虚假承诺", actor=actor(sides["judge"]), now=EVENING)
        assert svc.is_blacklisted(developer_id)
        with pytest.raises(ConflictError):
            svc.blacklist_developer(developer_id, reason="again", actor=actor(sides["judge"]), now=EVENING)
        svc.lift_blacklist(developer_id, actor=actor(sides["judge"]), now=EVENING)
        assert not svc.is_blacklisted(developer_id)


def test_the_contagion_path_runs_through_the_chain_and_is_drawn(app, make, sides):
    from app.services.risk_overview import developer_page

    a, b = make.project(court=sides["project"].court), make.project(court=sides["project"].court)
    red = sides["project"].developer_id
    with app.app_context():
        from app.models import Project

        for quiet in (a, b):  # delivered in full: only the chain can raise them
            db.session.get(Project, quiet.id).units_delivered = 100
        db.session.add_all([DeveloperGuarantee(guarantor_id=a.developer_id, debtor_id=b.developer_id),
                            DeveloperGuarantee(guarantor_id=b.developer_id, debtor_id=red)])
        db.session.commit()
        evaluate_warnings(now=EVENING)
        page = developer_page(actor(sides["judge"]), a.developer_id)
        assert [n.id for n in page["nodes"] if n.on_path] == sorted([a.developer_id, b.developer_id, red])
        assert page["path"] == [f"{a.developer.name}为{b.developer.name}提供担保",
                                f"{b.developer.name}为{sides['project'].developer.name}提供担保"]
        assert sum(e.on_path for e in page["edges"]) == 2
        with pytest.raises(NotFoundError):
            developer_page(actor(sides["stranger"]), a.developer_id)
