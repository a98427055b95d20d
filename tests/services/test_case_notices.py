"""The filer is told: notices queued by triage and assignment, from every party's side."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, Complaint, Mediator, Notice, User
from app.services import case_notices
from app.services import cases, triage
from app.services.errors import ConflictError
from tests.factories import NOW


def actor(user) -> User:
    return db.session.get(User, user.id)


def told() -> list[Notice]:
    return list(db.session.scalars(select(Notice).order_by(Notice.id)))


def who(notices=None) -> set[tuple[int, str, str]]:
    """(recipient, kind, channel) of every notice."""
    return {(n.user_id, n.kind, n.channel) for n in (told() if notices is None else notices)}


def one(user, kind) -> Notice:
    [notice] = [n for n in told() if n.user_id == user.id and n.kind == kind]
    return notice


@pytest.fixture
def world(make):
    """A court, its judge, a project with two staff of its developer, and outsiders who must
    hear nothing: a homeowner with no complaint, another company's staff, an inactive
    staff member of the developer, a mediator."""
    court = make.court(code="琼9005")
    project = make.project(court=court, name="椰风海韵")
    other_project = make.project(court=court, name="航天花园")

    class World:
        pass

    w = World()
    w.court, w.project = court, project
    w.judge = make.user("judge", court=court, name="李法官")
    w.staff = [make.user("developer", developer=project.developer) for _ in range(2)]
    w.inactive_staff = make.user("developer", developer=project.developer, active=False)
    w.other_developer = make.user("developer", developer=other_project.developer)
    w.bystander = make.user("homeowner", person=make.person(name="赵旁观"))
    w.mediator = make.user("mediator", court=court, name="陈调解")
    w.other_mediator = make.user("mediator", court=court, name="吴调解")
    return w


def homeowner(make, name: str, **extra) -> User:
    return make.user("homeowner", person=make.person(name=name), **extra)


# --- Accepting ------------------------------------------------------------------------------


def test_accepting_tells_the_filer_the_case_number_and_the_company_a_case_against_it(app, make, world):
    """Who hears of an accepted complaint, and what do they read? The filer: the case number.
    The developer's staff: a case against them — without the homeowner's personal data."""
    filer = homeowner(make, "王海燕")
    complaint = make.complaint(project=world.project, person=filer.person)
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=actor(world.judge), now=NOW)
        assert who() == {(filer.id, "complaint_accepted", "inbox"),
                         *((s.id, "case_against_you", "inbox") for s in world.staff)}
        accepted = one(filer, "complaint_accepted")
        assert case.number in accepted.subject and case.number in accepted.body
        assert complaint.receipt_no in accepted.body and "椰风海韵" in accepted.body
        assert "2026年11月27日" in accepted.body  # the filing day, court time
        assert (accepted.case_id, accepted.complaint_id) == (case.id, complaint.id)
        assert (accepted.status, accepted.sent_at, accepted.created_at, accepted.read_at) == (
            "sent", NOW, NOW, None)
        for staff in world.staff:
            against = one(staff, "case_against_you")
            assert case.number in against.body and "椰风海韵" in against.body
            assert "逾期交房" in against.body
            person = filer.person
            for private in (person.name, person.resident_id, person.phone, "1栋101",
                            complaint.receipt_no):
                assert private not in against.subject + against.body, private


def test_nobody_outside_the_case_hears_of_an_acceptance(app, make, world):
    """Do another homeowner, another company, an inactive account, the mediators or the
    judge get anything? No."""
    filer = homeowner(make, "王海燕")
    complaint = make.complaint(project=world.project, person=filer.person)
    with app.app_context():
        triage.accept_complaint(complaint.id, actor=actor(world.judge), now=NOW)
        recipients = {n.user_id for n in told()}
    outsiders = {world.bystander.id, world.other_developer.id, world.inactive_staff.id,
                 world.mediator.id, world.other_mediator.id, world.judge.id}
    assert recipients and not recipients & outsiders


def test_a_claimant_without_an_account_is_simply_not_told(app, make, world):
    """A referral's claimant has no account: the developer is still told, nothing fails."""
    complaint = make.complaint(project=world.project, person=make.person(name="无账号"))
    with app.app_context():
        triage.accept_complaint(complaint.id, actor=actor(world.judge), now=NOW)
        assert who() == {(s.id, "case_against_you", "inbox") for s in world.staff}


def test_a_developers_own_dispute_tells_its_staff_and_the_buyer_it_is_against(app, make, world):
    """A developer filed against a buyer: its staff hear of the acceptance, the buyer of a case
    against them, naming the company."""
    buyer = homeowner(make, "欠款人")
    complaint = make.complaint(project=world.project, against=buyer.person)
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=actor(world.judge), now=NOW)
        assert who() == {(buyer.id, "case_against_you", "inbox"),
                         *((s.id, "complaint_accepted", "inbox") for s in world.staff)}
        notice = one(buyer, "case_against_you")
        assert case.number in notice.body and world.project.developer.name in notice.body


def test_with_email_configured_users_with_an_address_also_get_an_email(app, make, world,
                                                                      mail_configured):
    """Inbox always; e-mail too when SMTP is configured and the user has an address."""
    filer = homeowner(make, "王海燕", email="wang@example.com")
    complaint = make.complaint(project=world.project, person=filer.person)
    with app.app_context():
        triage.accept_complaint(complaint.id, actor=actor(world.judge), now=NOW)
        assert who() == {(filer.id, "complaint_accepted", "inbox"),
                         (filer.id, "complaint_accepted", "email"),
                         *((s.id, "case_against_you", "inbox") for s in world.staff)}
        email = next(n for n in told() if n.channel == "email")
        assert (email.status, email.sent_at, email.next_attempt_at, email.attempts) == (
            "pending", None, NOW, 0)


def test_without_smtp_no_email_is_queued(app, make, world):
    """MAIL_SERVER empty (the default): an address is not enough, the inbox is the channel."""
    filer = homeowner(make, "王海燕", email="wang@example.com")
    complaint = make.complaint(project=world.project, person=filer.person)
    with app.app_context():
        assert app.config["MAIL_SERVER"] == ""
        triage.accept_complaint(complaint.id, actor=actor(world.judge), now=NOW)
        assert {n.channel for n in told()} == {"inbox"}


# --- Rejecting ------------------------------------------------------------------------------


def test_rejecting_tells_the_filer_the_reason_and_nobody_else(app, make, world):
    filer = homeowner(make, "王海燕")
    complaint = make.complaint(project=world.project, person=filer.person)
    with app.app_context():
        triage.reject_complaint(complaint.id, actor=actor(world.judge), now=NOW,
                             reason="不属于本院管辖，请向三亚市城郊人民法院提出")
        assert who() == {(filer.id, "complaint_rejected", "inbox")}
        notice = one(filer, "complaint_rejected")
        assert complaint.receipt_no in notice.subject
        assert "理由：不属于本院管辖，请向三亚市城郊人民法院提出" in notice.body
        assert (notice.complaint_id, notice.case_id) == (complaint.id, None)


# --- Merging --------------------------------------------------------------------------------


def test_merging_complaints_tells_each_filer_the_group_case_number_once(app, make, world):
    """Complaints gathered into a new case: every filer hears its number — one notice for a
    filer with two complaints, naming both — and the developer hears of one new case."""
    twice = homeowner(make, "王海燕")
    others = [homeowner(make, f"业主{i}") for i in range(3)]
    complaints = ([make.complaint(project=world.project, person=twice.person) for _ in range(2)]
                  + [make.complaint(project=world.project, person=o.person) for o in others])
    with app.app_context():
        case = triage.merge_complaints([c.id for c in complaints], actor=actor(world.judge), now=NOW)
        assert who() == {*((u.id, "complaint_merged", "inbox") for u in [twice, *others]),
                         *((s.id, "case_against_you", "inbox") for s in world.staff)}
        notice = one(twice, "complaint_merged")
        assert case.number in notice.subject and case.number in notice.body
        assert complaints[0].receipt_no in notice.body and complaints[1].receipt_no in notice.body
        assert "申请人共4名" in notice.body
        assert complaints[2].receipt_no not in notice.body  # a neighbour's receipt is not theirs
        assert complaints[2].receipt_no in one(others[0], "complaint_merged").body


def test_a_group_case_notice_explains_representatives_and_opting_out(app, make, world):
    people = [homeowner(make, f"业主{i}") for i in range(10)]
    complaints = [make.complaint(project=world.project, person=p.person) for p in people]
    with app.app_context():
        case = triage.merge_complaints([c.id for c in complaints], actor=actor(world.judge), now=NOW)
        assert case.is_group
        body = one(people[0], "complaint_merged").body
        assert "群体性纠纷" in body and "2至5名代表人" in body and "退出" in body


def test_joining_an_open_case_tells_only_the_newcomers(app, make, world):
    """Complaints merged into an existing case: their filers are told; the case's first
    claimant and the developer (who already know the case) hear nothing new."""
    first = homeowner(make, "王海燕")
    newcomers = [homeowner(make, f"业主{i}") for i in range(2)]
    lead = make.complaint(project=world.project, person=first.person)
    joining = [make.complaint(project=world.project, person=n.person) for n in newcomers]
    with app.app_context():
        case = triage.accept_complaint(lead.id, actor=actor(world.judge), now=NOW)
        before = who()
        triage.merge_complaints([c.id for c in joining], actor=actor(world.judge), now=NOW,
                             into_case_id=case.id)
        assert who() - before == {(n.id, "complaint_merged", "inbox") for n in newcomers}
        assert len(told()) == len(before) + 2
        assert case.number in one(newcomers[0], "complaint_merged").body


def test_merging_cases_tells_the_absorbed_cases_filers_the_case_that_goes_on(app, make, world):
    keeper, absorbed = homeowner(make, "王海燕"), homeowner(make, "林小梅")
    a = make.complaint(project=world.project, person=keeper.person)
    b = make.complaint(project=world.project, person=absorbed.person)
    with app.app_context():
        target = triage.accept_complaint(a.id, actor=actor(world.judge), now=NOW)
        other = triage.accept_complaint(b.id, actor=actor(world.judge), now=NOW)
        target_number, other_number, other_id = target.number, other.number, other.id
        before = who()
        merged = cases.merge_cases([target.id, other_id], actor=actor(world.judge),
                                 now=NOW + timedelta(hours=1))
        assert who() - before == {(absorbed.id, "case_merged", "inbox")}
        notice = one(absorbed, "case_merged")
        assert target_number in notice.subject
        assert other_number in notice.body and target_number in notice.body
        assert notice.case_id == merged.id == target.id
        assert db.session.get(Case, other_id).outcome == "merged"


# --- Assigning ------------------------------------------------------------------------------


def test_assigning_tells_the_claimants_and_the_mediator_who_and_until_when(app, make, world):
    filer = homeowner(make, "王海燕")
    complaint = make.complaint(project=world.project, person=filer.person)
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=actor(world.judge), now=NOW)
        before = who()
        mediator_id = db.session.scalar(select(Mediator.id).where(Mediator.user_id == world.mediator.id))
        cases.assign_mediator(case.id, mediator_id, actor=actor(world.judge), now=NOW)
        assert who() - before == {(filer.id, "mediator_assigned", "inbox"),
                                  (world.mediator.id, "mediator_assigned", "inbox")}
        deadline = db.session.get(Case, case.id).mediation_deadline_at
        day = (deadline + timedelta(hours=8)).date()
        due = f"{day.year}年{day.month}月{day.day}日"
        to_claimant = one(filer, "mediator_assigned")
        assert "陈调解" in to_claimant.subject and case.number in to_claimant.subject
        assert "陈调解" in to_claimant.body and f"调解期限至{due}" in to_claimant.body
        to_mediator = one(world.mediator, "mediator_assigned")
        assert case.number in to_mediator.subject and "李法官" in to_mediator.body
        assert "椰风海韵" in to_mediator.body and due in to_mediator.body
        assert to_mediator.case_id == case.id
        outsiders = {world.other_mediator.id, world.bystander.id, world.other_developer.id,
                     *(s.id for s in world.staff)}
        assert not {n.user_id for n in told() if n.kind == "mediator_assigned"} & outsiders


def test_a_reassignment_after_a_decline_is_told_again(app, make, world):
    """The mediator declines, the judge assigns another: that is news, not a duplicate."""
    filer = homeowner(make, "王海燕")
    complaint = make.complaint(project=world.project, person=filer.person)
    ids = {}
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=actor(world.judge), now=NOW)
        for user in (world.mediator, world.other_mediator):
            ids[user.id] = db.session.scalar(select(Mediator.id).where(Mediator.user_id == user.id))
        cases.assign_mediator(case.id, ids[world.mediator.id], actor=actor(world.judge), now=NOW)
        cases.transition_case(case.id, "registered", actor=actor(world.mediator),
                            now=NOW + timedelta(hours=1), reason="与开发商存在利害关系，申请回避")
        cases.assign_mediator(case.id, ids[world.other_mediator.id], actor=actor(world.judge),
                            now=NOW + timedelta(hours=2))
        to_filer = [n for n in told() if n.user_id == filer.id and n.kind == "mediator_assigned"]
        assert ["陈调解" in to_filer[0].body, "吴调解" in to_filer[1].body] == [True, True]
        assert who() >= {(world.other_mediator.id, "mediator_assigned", "inbox")}


# --- Once, and only with the decision -------------------------------------------------------


def test_queueing_the_same_decision_again_stores_nothing_new(app, make, world, mail_configured):
    """A retried use-case or a double click: the dedupe keys keep one notice per channel."""
    filer = homeowner(make, "王海燕", email="wang@example.com")
    complaint = make.complaint(project=world.project, person=filer.person)
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=actor(world.judge), now=NOW)
        count = len(told())
        with pytest.raises(ConflictError) as refused:  # the double click is refused …
            triage.accept_complaint(complaint.id, actor=actor(world.judge), now=NOW)
        assert "“已受理”" in refused.value.message and "已已" not in refused.value.message
        assert "already accepted" in refused.value.raw_message.en
        # … and queueing the very same notices again (a retried job) adds nothing
        stored = db.session.get(Complaint, complaint.id)
        case_notices.complaint_accepted(stored, db.session.get(Case, case.id),
                                        actor=actor(world.judge), now=NOW + timedelta(minutes=1))
        db.session.commit()
        assert len(told()) == count == 4  # filer inbox + e-mail, two staff
        assert db.session.scalar(select(func.count(func.distinct(Notice.dedupe_key)))) == count


def test_a_use_case_that_fails_at_its_commit_leaves_no_notice(app, make, world, monkeypatch):
    """Nobody is told of a decision that was not saved."""
    filer = homeowner(make, "王海燕")
    complaint = make.complaint(project=world.project, person=filer.person)
    with app.app_context():
        def fail():
            raise RuntimeError("the database went away")

        monkeypatch.setattr(db.session, "commit", fail)
        with pytest.raises(RuntimeError):
            triage.accept_complaint(complaint.id, actor=actor(world.judge), now=NOW)
        monkeypatch.undo()
        assert told() == []
        assert db.session.get(Complaint, complaint.id).status == "submitted"


def test_the_actor_is_never_told_of_their_own_decision(app, make, world):
    filer = homeowner(make, "王海燕")
    complaint = make.complaint(project=world.project, person=filer.person)
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=actor(world.judge), now=NOW)
        db.session.query(Notice).delete()
        case_notices.complaint_accepted(db.session.get(Complaint, complaint.id), case,
                                        actor=actor(filer), now=NOW)
        assert filer.id not in {n.user_id for n in told()}
        db.session.rollback()
