"""`flask demo` builds a database whose figures are the circuit court's published results."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.models import Case, Complaint, Court, Developer, Project, Town, User
from mediation.statistics import format_percent


def test_the_demo_reproduces_the_published_figures(app):
    """2018: 910 received, 调撤率 34.8 %; 2019–2020: 1,223 received, 50.55 % (docs/court-rules.md §5)."""
    from app.demo import build_demo
    from app.extensions import db
    from app.services.statistics import period_summary

    lines: list[str] = []
    with app.app_context():
        build_demo(seed=2020, echo=lines.append, password="Demo@2026")
        y2018 = period_summary(date(2018, 1, 1), date(2018, 12, 31))
        y1920 = period_summary(date(2019, 1, 1), date(2020, 12, 31))
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        towns, developers, projects = count(Town), count(Developer), count(Project)
        usernames = set(db.session.scalars(select(User.username)))
        circuit = db.session.scalar(select(Court).where(Court.name.contains("巡回法庭")))
        pending = db.session.scalar(select(func.count()).select_from(Complaint)
                                    .where(Complaint.status == "submitted"))
        open_cases = db.session.scalar(select(func.count()).select_from(Case)
                                       .where(Case.status != "closed"))
        from app.models import CaseTally

        tallies = db.session.execute(select(CaseTally.court_id, CaseTally.n)).all()
        per_court = db.session.execute(select(Case.court_id, func.count()).group_by(Case.court_id)).all()
        db.session.remove()
    # Folded at the end of the build: the judge's list counts from one row a court at once.
    assert sorted(tallies) == sorted(per_court)
    assert (y2018.received, format_percent(y2018.mediation_withdrawal_rate, 1)) == (910, "34.8%")
    assert (y1920.received, format_percent(y1920.mediation_withdrawal_rate)) == (1223, "50.55%")
    assert y2018.withdrawn_deemed > 0  # deemed withdrawals exist and are not counted
    assert (towns, developers, projects) == (17, 20, 40)
    assert {"admin", "judge", "mediator", "developer", "homeowner"} <= usernames
    assert circuit is not None and circuit.code == "琼9005"
    assert pending >= 10 and open_cases >= 40
    assert any("1223/1223" in line for line in lines)  # progress was shown


def test_demo_logins_work_with_the_demo_password(app, client):
    from app.demo import build_demo
    from app.extensions import db
    from tests.web.helpers import login

    with app.app_context():
        build_demo(seed=1, echo=lambda _: None, password="Another-demo-1")
        db.session.remove()
    assert login(client, "judge", "Another-demo-1").headers["Location"] == "/court/"


def test_flask_demo_refuses_a_production_configuration(database_url):
    from app import create_app
    from app.config import Settings

    settings = Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "k" * 48,
                                  "DATABASE_URL": database_url})
    production = create_app(settings)
    result = production.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 2
    assert "production" in result.output


def test_the_demo_homeowner_finds_the_acceptance_of_their_case_in_the_inbox(app):
    """A newcomer logging in as `homeowner` sees what a real filer would have been told."""
    from app.demo import build_demo
    from app.extensions import db
    from app.models import Notice

    with app.app_context():
        build_demo(seed=2020, echo=lambda line: None, password="Demo@2026")
        told = {username: list(db.session.execute(
            select(Notice.kind, Notice.subject, Case.number)
            .join(User, User.id == Notice.user_id).join(Case, Case.id == Notice.case_id)
            .where(User.username == username, Notice.channel == "inbox")))
            for username in ("homeowner", "developer", "judge")}
        db.session.remove()
    # Each notice names its case; on-site mediation (app.demo_onsite) adds the notices its
    # sessions, agreements, confirmation and ratings make for the parties and the judge.
    onsite = {"session_to_confirm", "agreement_to_sign", "agreement_effective", "confirmation_applied",
              "confirmation_decided", "rating_invited", "mediation_failed", "followup_task", "case_in_litigation",
              # and every later move of a case tells its parties (app.services.lifecycle_notices)
              "case_status_changed"}
    assert told["homeowner"] and all(number in subject for _, subject, number in told["homeowner"])
    assert {kind for kind, _, _ in told["homeowner"]} - onsite == {"complaint_accepted"}
    assert {kind for kind, _, _ in told["developer"]} - onsite == {"case_against_you"}
    assert {kind for kind, _, _ in told["judge"]} <= onsite
    with app.app_context():
        from app.models import Mediator, Visit

        mediator_visits = db.session.scalar(select(func.count()).select_from(Visit).join(
            Mediator, Mediator.id == Visit.mediator_id).join(User, User.id == Mediator.user_id)
            .where(User.username == "mediator"))
        awaiting = db.session.scalar(select(func.count()).select_from(Case).where(
            Case.status == "assigned", Case.accepted_at.is_(None)))
        located = db.session.scalar(select(func.count()).select_from(Mediator).where(
            Mediator.base_lat.is_not(None)))
        from app.models import ConfirmationApplication, FollowUp, Rating
        onsite_rows = (
            db.session.scalar(select(func.count()).select_from(ConfirmationApplication).where(
                ConfirmationApplication.status == "confirmed")),
            db.session.scalar(select(func.count()).select_from(Case).where(Case.status == "performing",
                                                                          Case.litigation_number.is_(None))),
            db.session.scalar(select(func.count()).select_from(Case).where(Case.litigation_number.is_not(None))),
            db.session.scalar(select(func.count()).select_from(Rating).where(Rating.score <= 2)),
            db.session.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.status == "done")))
        db.session.remove()
    assert mediator_visits >= 1 and awaiting >= 1 and located == 6
    # On site (app.demo_onsite): confirmed and performing, in litigation, bad ratings followed up.
    assert onsite_rows[0] == 1 and onsite_rows[1] >= 1 and onsite_rows[2] == 1
    assert onsite_rows[3] == 2 and onsite_rows[4] == 1


def test_the_demo_can_be_rebuilt_after_imports_and_group_filings(app):
    """`./run.sh --fresh-demo` on a platform that was used: every table is emptied first."""
    from app.demo import build_demo
    from app.extensions import db
    from app.models import GroupFiling, ReferralImport

    with app.app_context():
        build_demo(seed=2020, echo=lambda line: None, password="Demo@2026")
        judge = db.session.scalar(select(User).where(User.username == "judge"))
        homeowner = db.session.scalar(select(User).where(User.username == "homeowner"))
        project = db.session.scalar(select(Project).where(Project.court_id == judge.court_id))
        db.session.add(ReferralImport(court_id=judge.court_id, uploaded_by_id=judge.id,
                                      agency="housing_bureau", filename="x.csv",
                                      created_at=judge.created_at))
        db.session.add(GroupFiling(court_id=judge.court_id, project_id=project.id,
                                   filed_by_id=homeowner.id, dispute_type="late_delivery",
                                   facts="逾期交房", created_at=judge.created_at))
        db.session.commit()
        build_demo(seed=2020, echo=lambda line: None, password="Demo@2026")
        left = (db.session.scalar(select(func.count()).select_from(ReferralImport)),
                db.session.scalar(select(func.count()).select_from(GroupFiling)))
        db.session.remove()
    assert left == (0, 0)


def test_the_demo_holds_together_for_a_newcomer(app):
    """Nothing dated after the build; one receipt format; one phone per homeowner;
    `homeowner` a claimant of a group case; every login named at the end (issue 8)."""
    import re
    from datetime import datetime, timezone

    from app.demo import build_demo
    from app.extensions import db
    from app.models import CaseEvent, Person

    now = datetime(2026, 12, 2, 1, 30, tzinfo=timezone.utc)  # 09:30 in Wenchang
    lines: list[str] = []
    with app.app_context():
        build_demo(seed=7, echo=lines.append, password="Demo@2026", now=now)
        latest = [db.session.scalar(select(func.max(column))) for column in (
            Complaint.submitted_at, Complaint.decided_at, Case.received_at, Case.registered_at,
            Case.assigned_at, Case.concluded_at, CaseEvent.at)]
        receipts = list(db.session.scalars(select(Complaint.receipt_no)))
        phones = db.session.execute(select(User.phone, Person.phone).join(
            Person, Person.id == User.person_id).where(User.role == "homeowner")).all()
        homeowner = db.session.scalar(select(User).where(User.username == "homeowner"))
        group_cases = db.session.scalars(select(Case).join(Complaint, Complaint.case_id == Case.id)
                                         .where(Complaint.claimant_person_id == homeowner.person_id,
                                                Case.is_group.is_(True))).all()
        db.session.remove()
    assert all(moment is None or moment <= now for moment in latest), latest
    assert all(re.fullmatch(r"TS\d{8}-[2-9A-HJKMNP-Z]{6}", r) for r in receipts)
    assert len(set(receipts)) == len(receipts)
    assert phones and all(user_phone == person_phone for user_phone, person_phone in phones)
    assert group_cases
    assert any("judge_meilan" in line for line in lines[-7:])
