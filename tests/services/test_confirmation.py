"""Judicial confirmation: a joint application within 30 days, the judge's ruling with its
ground, the ruling PDF, and the milestones tracked as obligations — the developer's for the
release planner, a homeowner's as theirs, outside every release plan."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Case, ConfirmationApplication, Document, Notice, Obligation, User
from app.services import agreements, confirmation, documents
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from mediation.agreements import Content, MilestoneTerm, PaymentTerm
from tests.documents_support import pdf_text
from tests.factories import NOW, PASSWORD
from tests.services.test_agreements import world  # noqa: F401  (the fixture)

CONTENT = Content(
    terms=("被申请人于2027年3月31日前向申请人交付房屋。",),
    payments=(PaymentTerm(date(2027, 1, 15), "开发企业", "申请人", 4_800_000, "逾期交房违约金"),),
    milestones=(MilestoneTerm("交付房屋并移交钥匙", "开发企业", date(2027, 3, 31), None, "交付房屋"),
                MilestoneTerm("配合办理网签备案", "申请人", date(2027, 4, 30))),
)


def actor(user) -> User:
    return db.session.get(User, user.id)


def _effective(world):
    agreement, _ = agreements.record_agreement(world["case"].id, CONTENT, actor=actor(world["mediator"]), now=NOW)
    for who in ("home", "company"):
        agreements.sign_agreement(agreement.id, actor=actor(world[who]), now=NOW, password=PASSWORD, ip="::1")
    return agreement.id


def _apply(world, agreement_id, who, days=1):
    return confirmation.apply_for_confirmation(agreement_id, actor=actor(world[who]),
                                               now=NOW + timedelta(days=days), ip="203.0.113.9")


def test_a_joint_application_then_confirmation_tracks_the_developers_obligations(app, world, tmp_path):
    with app.test_request_context():
        agreement_id = _effective(world)
        application = _apply(world, agreement_id, "home")
        assert application.status == "applying"
        with pytest.raises(ConflictError):
            _apply(world, agreement_id, "home")
        application = _apply(world, agreement_id, "company", days=2)
        assert application.status == "pending" and application.applied_at == NOW + timedelta(days=2)
        judged = set(db.session.scalars(select(Notice.user_id).where(Notice.kind == "confirmation_applied")))
        assert world["judge"].id in judged
        decided = confirmation.decide_confirmation(application.id, actor=actor(world["judge"]),
                                                   now=NOW + timedelta(days=3), confirm=True)
        assert decided.status == "confirmed" and decided.ruling_number == "（2026）琼9005民特1号"
        assert db.session.get(Case, world["case"].id).status == "confirmed"
        obligations = db.session.scalars(select(Obligation).order_by(Obligation.due_on)).all()
        # The developer's payment and milestone, and the homeowner's milestone as theirs.
        assert [(o.due_on, o.cost_fen, o.performer, o.person_id is not None) for o in obligations] == [
            (date(2027, 1, 15), 4_800_000, "开发企业", False), (date(2027, 3, 31), 0, "开发企业", False),
            (date(2027, 4, 30), 0, "申请人", True)]
        assert [(r.case_id, r.amount_fen) for r in obligations[0].reductions] == [(world["case"].id, 4_800_000)]
        rulings = db.session.scalars(select(Document).where(Document.kind == "confirmation_ruling")).all()
        assert len(rulings) == 3
        mine = next(d for d in rulings if d.party_developer_id is not None)
        text = "".join(pdf_text(documents.path_of(mine).read_bytes(), tmp_path).split())
        assert "民事裁定书" in text and "申请人达成的上述调解协议有效" in text and "交付房屋并移交钥匙" in text
        assert world["home"].person.resident_id not in text
        with pytest.raises(ConflictError):
            confirmation.decide_confirmation(application.id, actor=actor(world["judge"]), now=NOW, confirm=True)


def test_a_refusal_needs_its_ground_and_leaves_the_case_mediated(app, world):
    with app.test_request_context():
        agreement_id = _effective(world)
        _apply(world, agreement_id, "home")
        application = _apply(world, agreement_id, "company")
        with pytest.raises(ServiceError) as refused:
            confirmation.decide_confirmation(application.id, actor=actor(world["judge"]), now=NOW, confirm=False)
        assert refused.value.field == "ground"
        decided = confirmation.decide_confirmation(application.id, actor=actor(world["judge"]),
                                                   now=NOW + timedelta(days=2), confirm=False,
                                                   ground="协议第一条约定的交付条件不明确，无法执行")
        assert decided.status == "refused" and db.session.get(Case, world["case"].id).status == "mediated"
        assert db.session.query(Obligation).count() == 0
        told = set(db.session.scalars(select(Notice.user_id).where(Notice.kind == "confirmation_decided")))
        assert told == {world["home"].id, world["company"].id, world["mediator"].id}


def test_an_application_after_the_30_days_is_refused(app, world):
    from mediation.confirmation import application_deadline
    from mediation.lifecycle import court_date
    from risk.workdays import is_working_day
    with app.test_request_context():
        agreement_id = _effective(world)
        last = application_deadline(NOW, is_working_day=is_working_day)
        late = (last - court_date(NOW)).days + 1
        with pytest.raises(ServiceError, match="三十日内"):
            _apply(world, agreement_id, "home", days=late)
        assert db.session.query(ConfirmationApplication).count() == 0
        assert _apply(world, agreement_id, "home", days=late - 1).status == "applying"


def test_nobody_else_applies_or_decides(app, world):
    with app.test_request_context():
        agreement_id = _effective(world)
        with pytest.raises(NotFoundError):
            _apply(world, agreement_id, "stranger")
        with pytest.raises(ForbiddenError):
            _apply(world, agreement_id, "mediator")
        _apply(world, agreement_id, "home")
        application = _apply(world, agreement_id, "company")
        with pytest.raises(ForbiddenError):
            confirmation.decide_confirmation(application.id, actor=actor(world["mediator"]), now=NOW, confirm=True)
        with pytest.raises(NotFoundError):
            confirmation.decide_confirmation(application.id, actor=actor(world["other_mediator"]), now=NOW,
                                             confirm=True)


def test_the_bare_button_is_gone(app, world):
    from app.services import cases
    with app.test_request_context():
        _effective(world)
        with pytest.raises(ServiceError, match="共同申请"):
            cases.transition_case(world["case"].id, "confirmed", actor=actor(world["judge"]), now=NOW)


HOMEOWNER_CONTENT = Content(
    terms=("被申请人于2027年3月31日前向申请人交付房屋，申请人于交付时付清购房尾款。",),
    payments=(PaymentTerm(date(2027, 1, 15), "开发企业", "申请人", 4_800_000, "逾期交房违约金"),
              PaymentTerm(date(2027, 3, 31), "申请人", "开发企业", 12_000_000, "购房尾款")),
    milestones=(MilestoneTerm("办理收房手续", "王海燕", date(2027, 4, 15)),
                MilestoneTerm("海南担保有限公司出具保函", "海南担保有限公司", date(2027, 1, 10))),
)


def _confirmed(world, content):
    agreement, _ = agreements.record_agreement(world["case"].id, content, actor=actor(world["mediator"]), now=NOW)
    for who in ("home", "company"):
        agreements.sign_agreement(agreement.id, actor=actor(world[who]), now=NOW, password=PASSWORD, ip="::1")
    _apply(world, agreement.id, "home")
    application = _apply(world, agreement.id, "company")
    confirmation.decide_confirmation(application.id, actor=actor(world["judge"]), now=NOW + timedelta(days=3),
                                     confirm=True)
    return agreement.id


def test_a_homeowners_milestones_become_their_obligations_and_leave_the_release_plan_alone(app, world):
    from app.services import release
    from app.services.agreement_obligations import obligations_of
    with app.test_request_context():
        developer_id = world["case"].developer_id
        person_id = world["home"].person_id
        _confirmed(world, HOMEOWNER_CONTENT)
        rows = db.session.scalars(select(Obligation).order_by(Obligation.due_on, Obligation.id)).all()
        # The guarantor's item names no party: it stays in the agreement only.
        assert [(o.due_on, o.developer_id, o.person_id, o.cost_fen, o.performer) for o in rows] == [
            (date(2027, 1, 15), developer_id, None, 4_800_000, "开发企业"),
            (date(2027, 3, 31), None, person_id, 12_000_000, "申请人"),
            (date(2027, 4, 15), None, person_id, 0, "王海燕")]
        assert rows[1].reductions == [] and rows[2].reductions == []
        scenario = release.build_scenario(developer_id)
        assert [o["id"] for o in scenario["obligations"]] == [f"O{rows[0].id}"]
        mine = obligations_of(actor(world["home"]))
        assert [(r.side, r.party, r.obligation.id) for r in mine] == [
            ("homeowner", "王海燕", rows[1].id), ("homeowner", "王海燕", rows[2].id)]
        theirs = obligations_of(actor(world["company"]))
        assert [(r.side, r.obligation.id) for r in theirs] == [
            ("developer", rows[0].id), ("homeowner", rows[1].id), ("homeowner", rows[2].id)]
        assert obligations_of(actor(world["stranger"])) == []


def test_homeowner_obligations_do_not_change_a_release_plans_scenario(app, world):
    """The same agreement without the homeowner's items gives the developer the same scenario."""
    from dataclasses import replace

    from app.services import release
    with app.test_request_context():
        _confirmed(world, replace(HOMEOWNER_CONTENT, payments=HOMEOWNER_CONTENT.payments[:1], milestones=()))
        without = release.build_scenario(world["case"].developer_id)
        db.session.execute(Obligation.__table__.insert().values(
            description="付清购房尾款", cost_fen=12_000_000, status="open", created_at=NOW,
            person_id=world["home"].person_id, case_id=world["case"].id))
        db.session.commit()
        assert release.build_scenario(world["case"].developer_id) == without
