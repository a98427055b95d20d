"""Does each event plan and cancel the right reminders, in its own transaction, and does the
dispatch turn each due reminder into notices exactly once?"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, Notice, Reminder, User
from app.services import agreements, cases, delegation, inquiries, triage, visits
from app.services.reminder_dispatch import dispatch_due, retry_reminder
from app.services.reminders import remind
from mediation.agreements import Content, MilestoneTerm
from mediation.lifecycle import COURT_TZ
from tests.factories import NOW, PASSWORD

UTC = timezone.utc


def actor(user) -> User:
    return db.session.get(User, user.id)


def court_time(y, m, d, h=9) -> datetime:
    return datetime(y, m, d, h, tzinfo=COURT_TZ).astimezone(UTC)


def reminders(status="pending", **where):
    query = select(Reminder).where(Reminder.status == status).order_by(Reminder.due_at, Reminder.id)
    for name, value in where.items():
        query = query.where(getattr(Reminder, name) == value)
    return [(r.kind, r.recipient_id, r.due_at) for r in db.session.scalars(query)]


@pytest.fixture
def filed(app, make):
    court = make.court()
    project = make.project(court=court)
    judge = make.user("judge", court=court, name="李法官")
    mediator = make.user("mediator", court=court, name="陈调解")
    claimant = make.user("homeowner")
    staff = make.user("developer", developer=project.developer)
    complaint = make.complaint(project=project, person=claimant.person)
    other_judge = make.user("judge", court=make.court(code="琼9006"))
    return dict(court=court, project=project, judge=judge, mediator=mediator, claimant=claimant,
                staff=staff, complaint=complaint, other_judge=other_judge)


# NOW is Friday 2026-11-27 10:00 in Wenchang.


def test_registration_delegation_and_acceptance_move_the_reminders_along(app, filed):
    judge, mediator = filed["judge"], filed["mediator"]
    with app.app_context():
        case = triage.accept_complaint(filed["complaint"].id, actor=actor(judge), now=NOW)
        # 3 working days after Friday: Mon, Tue, Wed 2 December; the judge only.
        assert reminders() == [("assign_due", judge.id, court_time(2026, 12, 2))]
        cases.assign_mediator(case.id, mediator.mediator.id, actor=actor(judge), now=NOW)
        assert reminders() == [("accept_due", mediator.id, court_time(2026, 12, 2))]
        assert reminders("cancelled") == [("assign_due", judge.id, court_time(2026, 12, 2))]
        delegation.accept_case(case.id, actor=actor(mediator), now=NOW)
        deadline = db.session.get(Case, case.id).mediation_deadline_at.astimezone(COURT_TZ).date()
        assert deadline == date(2026, 12, 28)
        assert sorted(reminders()) == sorted([
            ("mediation_ending", mediator.id, court_time(2026, 12, 25)),
            ("mediation_ending", judge.id, court_time(2026, 12, 25)),
            ("mediation_ended", mediator.id, court_time(2026, 12, 29)),
            ("mediation_ended", judge.id, court_time(2026, 12, 29)),
        ])
        assert ("accept_due", mediator.id, court_time(2026, 12, 2)) in reminders("cancelled")
        # Nobody of another court is ever a recipient.
        assert filed["other_judge"].id not in {r.recipient_id for r in db.session.scalars(select(Reminder))}


def test_a_decline_gives_the_judge_a_new_assignment_reminder(app, filed):
    judge, mediator = filed["judge"], filed["mediator"]
    with app.app_context():
        case = triage.accept_complaint(filed["complaint"].id, actor=actor(judge), now=NOW)
        cases.assign_mediator(case.id, mediator.mediator.id, actor=actor(judge), now=NOW)
        later = NOW + timedelta(days=4)  # Tuesday 1 December
        delegation.decline_case(case.id, "曾为该开发企业提供法律服务", actor=actor(mediator), now=later)
        assert reminders() == [("assign_due", judge.id, court_time(2026, 12, 4))]


def test_recording_the_same_state_again_plans_nothing_new(app, filed):
    judge = filed["judge"]
    with app.app_context():
        case = triage.accept_complaint(filed["complaint"].id, actor=actor(judge), now=NOW)
        before = db.session.scalar(select(func.count()).select_from(Reminder))
        from app.services.case_records import record
        record(db.session.get(Case, case.id), actor=actor(judge), now=NOW + timedelta(hours=1),
               from_status="registered", to_status="registered", reason="备注")
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Reminder)) == before == 1


def test_an_inquiry_reminds_the_developer_escalates_to_the_judge_and_an_answer_cancels(app, filed):
    judge, staff = filed["judge"], filed["staff"]
    with app.app_context():
        inquiry = inquiries.issue_inquiry(filed["project"].id, letter_type="presale_funds",
                                          working_days=10, actor=actor(judge), now=NOW)
        assert inquiry.deadline_on == date(2026, 12, 11)
        assert reminders() == [
            ("inquiry_due", staff.id, court_time(2026, 12, 8)),
            ("inquiry_due", staff.id, court_time(2026, 12, 10)),
            ("inquiry_overdue", judge.id, court_time(2026, 12, 12)),
        ]
        inquiries.answer_inquiry(inquiry.id, {q.position: "已按规定使用" for q in inquiry.questions},
                                 actor=actor(staff), now=NOW + timedelta(days=1))
        assert reminders() == [] and len(reminders("cancelled")) == 3


def test_a_refused_use_case_leaves_no_reminder(app, filed):
    judge = filed["judge"]
    with app.app_context():
        inquiry = inquiries.issue_inquiry(filed["project"].id, letter_type="presale_funds",
                                          working_days=10, actor=actor(judge), now=NOW)
        remind("inquiry_answered", inquiry, now=NOW)  # planned in a transaction …
        db.session.rollback()  # … that is rolled back
        assert len(reminders()) == 3 and reminders("cancelled") == []


def test_a_visit_reminds_every_party_the_day_before(app, make):
    court = make.court()
    project = make.project(court=court)
    wang = make.user("mediator", court=court, name="王调解")
    owner = make.user("homeowner")
    staff = make.user("developer", developer=project.developer)
    stranger = make.user("homeowner")
    case = make.case(project=project, status="assigned", mediator=wang.mediator, claimant=owner.person)
    starts = court_time(2026, 12, 3, 9)
    with app.app_context():
        visits.schedule_visit(project.id, [case.id], room="售楼部会议室", starts_at=starts,
                              ends_at=starts + timedelta(hours=2), actor=actor(wang), now=NOW)
        due = court_time(2026, 12, 2)
        assert sorted(reminders(kind="visit_tomorrow")) == [
            ("visit_tomorrow", owner.id, due), ("visit_tomorrow", staff.id, due)]
        assert stranger.id not in {r[1] for r in reminders()}


def test_an_effective_agreement_plans_window_follow_ups_and_milestones(app, make):
    person = make.person("王海燕")
    project = make.project()
    mediator = make.user("mediator", court=project.court, name="陈调解")
    judge = make.user("judge", court=project.court)
    case = make.case(project=project, claimant=person, status="in_mediation", mediator=mediator.mediator)
    home = make.user("homeowner", person=person)
    company = make.user("developer", developer=project.developer)
    content = Content(terms=("被申请人于2027年3月31日前交付房屋。",),
                      milestones=(MilestoneTerm("交付房屋", "开发企业", date(2027, 3, 31)),))
    with app.test_request_context():
        agreement, _ = agreements.record_agreement(case.id, content, actor=actor(mediator), now=NOW)
        for user in (home, company):
            agreements.sign_agreement(agreement.id, actor=actor(user), now=NOW, password=PASSWORD,
                                      ip="203.0.113.7")
        planned = reminders()
        assert ("confirmation_window", mediator.id, court_time(2026, 12, 20)) in planned
        assert ("follow_up", mediator.id, court_time(2026, 12, 4)) in planned
        assert ("follow_up", mediator.id, court_time(2026, 12, 27)) in planned
        assert ("milestone_due", company.id, court_time(2027, 3, 28)) in planned
        assert ("milestone_overdue", judge.id, court_time(2027, 4, 1)) in planned
        # The case is mediated: its 30-day reminders are gone.
        assert not [r for r in planned if r[0].startswith("mediation_")]


# --- Dispatch ---------------------------------------------------------------------------------


def test_due_reminders_become_notices_once_and_a_second_run_changes_nothing(app, filed):
    judge = filed["judge"]
    with app.app_context():
        inquiries.issue_inquiry(filed["project"].id, letter_type="presale_funds",
                                working_days=10, actor=actor(judge), now=NOW)
        assert dispatch_due(now=NOW).sent == 0  # nothing due yet
        first = dispatch_due(now=court_time(2026, 12, 8, 9))
        assert (first.sent, first.failed) == (1, 0)
        notices = db.session.scalars(select(Notice).where(Notice.kind == "reminder")).all()
        assert [(n.user_id, n.channel) for n in notices] == [(filed["staff"].id, "inbox")]
        assert "函询答复期限临近" in notices[0].subject and "2026年12月11日" in notices[0].body
        again = dispatch_due(now=court_time(2026, 12, 8, 9))
        assert again.sent == 0
        assert db.session.scalar(select(func.count()).select_from(Notice)
                                 .where(Notice.kind == "reminder")) == len(notices)


def test_a_scheduler_stopped_for_days_writes_every_piled_up_reminder_in_one_run(app, filed):
    judge = filed["judge"]
    with app.app_context():
        for _ in range(3):
            inquiries.issue_inquiry(filed["project"].id, letter_type="presale_funds",
                                    working_days=10, actor=actor(judge), now=NOW)
        report = dispatch_due(now=court_time(2026, 12, 20), batch=2)  # batches of 2, one run
        assert report.sent == 9 and report.batches == 5
        assert reminders() == []
        assert db.session.scalar(select(func.count()).select_from(Notice)
                                 .where(Notice.kind == "reminder")) == 9


def test_a_reminder_to_a_deactivated_account_fails_with_its_reason_and_can_be_retried(app, filed):
    judge, staff = filed["judge"], filed["staff"]
    with app.app_context():
        inquiries.issue_inquiry(filed["project"].id, letter_type="presale_funds",
                                working_days=10, actor=actor(judge), now=NOW)
        actor(staff).active = False
        db.session.commit()
        report = dispatch_due(now=court_time(2026, 12, 8, 9))
        assert report.failed == 1
        failed = db.session.scalars(select(Reminder).where(Reminder.status == "failed")).one()
        assert "inactive" in failed.last_error and failed.attempts == 1
        assert not retry_reminder(failed.id, court_id=filed["other_judge"].court_id, now=NOW)
        assert retry_reminder(failed.id, court_id=failed.court_id, now=court_time(2026, 12, 8, 10))
        actor(staff).active = True
        db.session.commit()
        assert dispatch_due(now=court_time(2026, 12, 8, 10)).sent == 1


def test_the_demo_plans_the_reminders_its_open_cases_and_inquiries_have(app, make):
    from app.demo_reminders import plan_demo_reminders
    from app.models import ComplianceInquiry

    court = make.court()
    project = make.project(court=court)
    judge = make.user("judge", court=court)
    staff = make.user("developer", developer=project.developer)
    make.case(project=project, status="registered", response_due_at=NOW + timedelta(days=3))
    make.case(project=project, status="withdrawn", outcome="withdrawn_applied",
              concluded_at=NOW)
    make._save(ComplianceInquiry(
        court_id=court.id, developer_id=project.developer_id, project_id=project.id,
        letter_type="presale_funds", issued_at=NOW, issued_by_id=judge.id,
        deadline_working_days=10, deadline_on=date(2026, 12, 11)))
    with app.app_context():
        assert plan_demo_reminders(NOW) == 4
        db.session.commit()
        assert {(k, r) for k, r, _ in reminders()} == {
            ("assign_due", judge.id), ("inquiry_due", staff.id), ("inquiry_overdue", judge.id)}
        assert plan_demo_reminders(NOW) == 0  # a rebuild plans nothing twice


def test_the_due_scans_read_the_partial_index_even_with_a_generic_plan(app):
    """Do the watch's probe and the batch's claim read ix_reminders_due, whatever the
    parameters? (A prepared statement's generic plan once chose a table scan: it grew with
    future rows.)"""
    from sqlalchemy import text

    from app.services.reminder_dispatch import _FIRST_DUE
    from app.services.reminder_watch import _NEXT_DUE

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            for query in (_NEXT_DUE, _FIRST_DUE.replace(":now", "'2026-12-01 00:00:00.000000'")
                          .replace(":limit", "2000")):
                plan = " ".join(r[-1] for r in db.session.execute(
                    text(f"EXPLAIN QUERY PLAN {query}")).all())
                assert "USING INDEX ix_reminders_due" in plan, plan
                assert "TEMP B-TREE" not in plan, plan
            return
        db.session.execute(text("SET plan_cache_mode = force_generic_plan"))
        db.session.execute(text(
            "PREPARE claim(timestamp, int) AS "
            + _FIRST_DUE.replace(":now", "$1").replace(":limit", "$2") + " FOR UPDATE SKIP LOCKED"))
        for statement in ("EXPLAIN EXECUTE claim('2026-12-01', 2000)", f"EXPLAIN {_NEXT_DUE}"):
            plan = " ".join(db.session.execute(text(statement)).scalars())
            assert "ix_reminders_due" in plan and "Seq Scan" not in plan and "Sort" not in plan, plan
        db.session.rollback()
