"""Triage, numbering, group cases and the case lifecycle, through the services."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Case, CaseCounter, CaseEvent, CaseRepresentative, Complaint, Mediator, MediatorConflict, User,
)
from app.services import agreements, case_page, case_records, cases, confirmation, delegation, triage
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from mediation.agreements import Content
from tests.factories import NOW, PASSWORD

# NOW is 2026-11-27 10:00 in Wenchang (a Friday).


def actor(user) -> User:
    return db.session.get(User, user.id)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def events_of(case_id) -> list[CaseEvent]:
    return list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at, CaseEvent.id)))


@pytest.fixture
def court_setup(make):
    """A court with a judge, a project and its developer."""
    court = make.court(code="琼9005")
    project = make.project(court=court)
    judge = make.user("judge", court=court)
    return court, project, judge


def group_of(make, project, n, dispute_type="late_delivery"):
    """``n`` submitted complaints by ``n`` different homeowners about ``project``."""
    return [make.complaint(project=project, dispute_type=dispute_type) for _ in range(n)]


# --- Accepting and numbering ---------------------------------------------------------------------


def test_accepting_a_complaint_registers_a_case_with_the_next_court_style_number(app, make, court_setup):
    """Does acceptance give a case （2026）琼9005民诉前调1号 carrying the complaint's facts?"""
    court, project, judge = court_setup
    complaint, another = make.complaint(project=project), make.complaint(project=project)
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=actor(judge), now=NOW)
        assert case.number == "（2026）琼9005民诉前调1号"
        assert (case.court_id, case.year, case.seq) == (court.id, 2026, 1)
        assert (case.project_id, case.developer_id) == (project.id, project.developer_id)
        assert case.dispute_type == "late_delivery" and case.status == "registered"
        assert case.received_at == complaint.submitted_at and case.registered_at == NOW
        assert case.claim_total_fen == 1_000_000 and case.judge_id == judge.id
        assert case.is_group is False
        stored = db.session.get(Complaint, complaint.id)
        assert (stored.status, stored.case_id, stored.decided_at) == ("accepted", case.id, NOW)
        [event] = events_of(case.id)
        assert (event.from_status, event.to_status, event.actor_id, event.actor_role) == (
            None, "registered", judge.id, "judge")
        assert complaint.receipt_no in event.reason
        second = triage.accept_complaint(another.id, actor=actor(judge), now=NOW)
        assert second.number == "（2026）琼9005民诉前调2号"


def test_numbers_run_per_court_and_per_court_year_in_shanghai_time(app, make, court_setup):
    """Does each court count on its own, and does a case accepted at 00:30 on 1 January
    Shanghai time (still 31 December in UTC) start the new year at 1?"""
    court, project, judge = court_setup
    other_court = make.court(code="琼9006")
    other_project = make.project(court=other_court)
    other_judge = make.user("judge", court=other_court)
    new_year = datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)
    first, theirs, later = (make.complaint(project=project), make.complaint(project=other_project),
                            make.complaint(project=project))
    with app.app_context():
        assert triage.accept_complaint(first.id, actor=actor(judge), now=NOW).seq == 1
        assert triage.accept_complaint(theirs.id, actor=actor(other_judge),
                                    now=NOW).number == "（2026）琼9006民诉前调1号"
        case = triage.accept_complaint(later.id, actor=actor(judge), now=new_year)
        assert case.number == "（2027）琼9005民诉前调1号"
        assert db.session.get(CaseCounter, (court.id, 2026)).last_seq == 1


def _accept_in_threads(app, judge_id, complaint_ids):
    """Accept each complaint in its own thread, app context and session, all at once."""
    barrier = threading.Barrier(len(complaint_ids))
    results, errors = [], []

    def work(complaint_id):
        with app.app_context():
            try:
                judge = db.session.get(User, judge_id)
                judge.role  # loaded now, so the transaction below starts after the barrier
                db.session.commit()
                barrier.wait(timeout=30)
                case = triage.accept_complaint(complaint_id, actor=judge, now=NOW)
                results.append((case.id, case.seq, case.number))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(cid,)) for cid in complaint_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_concurrent_acceptances_get_numbers_without_gaps_or_duplicates(app, make, court_setup):
    """Eight judges accept eight complaints at the same moment, in a year whose counter row
    does not exist yet: are the numbers exactly 1..8?"""
    court, project, judge = court_setup
    complaints = group_of(make, project, 8)
    results, errors = _accept_in_threads(app, judge.id, [c.id for c in complaints])
    assert errors == []
    assert sorted(seq for _, seq, _ in results) == list(range(1, 9))
    assert len({number for _, _, number in results}) == 8
    with app.app_context():
        assert db.session.get(CaseCounter, (court.id, 2026)).last_seq == 8
        assert sorted(db.session.scalars(select(Case.seq).where(Case.court_id == court.id))) == list(range(1, 9))


def test_two_judges_accepting_the_same_complaint_at_once_register_one_case(app, make, court_setup):
    """A double click, or two judges at once: is the complaint registered only once?"""
    court, project, judge = court_setup
    complaint = make.complaint(project=project)
    results, errors = _accept_in_threads(app, judge.id, [complaint.id, complaint.id])
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], ConflictError)
    with app.app_context():
        assert count(Case) == 1
        assert db.session.get(CaseCounter, (court.id, 2026)).last_seq == 1


def test_a_registration_that_fails_gives_its_number_back(app, make, court_setup, monkeypatch):
    """If registering fails after the number was taken, does the next case get that number?"""
    court, project, judge = court_setup
    first, second = make.complaint(project=project), make.complaint(project=project)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    with app.app_context():
        with monkeypatch.context() as patch:
            patch.setattr(case_records, "record", broken)
            with pytest.raises(RuntimeError):
                triage.accept_complaint(first.id, actor=actor(judge), now=NOW)
        assert count(Case) == 0
        assert db.session.get(Complaint, first.id).status == "submitted"
        assert triage.accept_complaint(second.id, actor=actor(judge), now=NOW).seq == 1


@pytest.mark.parametrize("role", ["homeowner", "developer", "mediator", "admin"])
def test_only_a_judge_of_the_court_accepts_complaints(app, make, court_setup, role):
    """Can anyone but a judge of the complaint's court accept it? Nothing is stored."""
    court, project, judge = court_setup
    complaint = make.complaint(project=project)
    outsider_judge = make.user("judge")
    user = make.user(role, court=court) if role in ("mediator", "admin") else (
        make.user(role, developer=project.developer) if role == "developer"
        else make.user(role, person=complaint.claimant_person))
    with app.app_context():
        with pytest.raises((ForbiddenError, NotFoundError)):
            triage.accept_complaint(complaint.id, actor=actor(user), now=NOW)
        with pytest.raises(NotFoundError):
            triage.accept_complaint(complaint.id, actor=actor(outsider_judge), now=NOW)
        with pytest.raises(NotFoundError):
            triage.accept_complaint(987654, actor=actor(judge), now=NOW)
        assert count(Case) == 0 and count(CaseCounter) == 0
        assert db.session.get(Complaint, complaint.id).status == "submitted"


def test_a_decided_complaint_cannot_be_accepted_again(app, make, court_setup):
    court, project, judge = court_setup
    complaint = make.complaint(project=project)
    with app.app_context():
        triage.accept_complaint(complaint.id, actor=actor(judge), now=NOW)
        with pytest.raises(ConflictError, match="已受理"):
            triage.accept_complaint(complaint.id, actor=actor(judge), now=NOW)
        with pytest.raises(ConflictError):
            triage.reject_complaint(complaint.id, actor=actor(judge), now=NOW, reason="x")
        assert count(Case) == 1


# --- Rejecting -------------------------------------------------------------------------------------


def test_a_complaint_is_rejected_only_with_a_reason_that_is_kept_for_the_filer(app, make, court_setup):
    court, project, judge = court_setup
    complaint = make.complaint(project=project)
    with app.app_context():
        with pytest.raises(ServiceError, match="请填写不予受理理由") as refused:
            triage.reject_complaint(complaint.id, actor=actor(judge), now=NOW, reason="   ")
        assert refused.value.field == "reason"
        assert db.session.get(Complaint, complaint.id).status == "submitted"
        triage.reject_complaint(complaint.id, actor=actor(judge), now=NOW, reason=" 不属于本院管辖 ")
        stored = db.session.get(Complaint, complaint.id)
        assert (stored.status, stored.decision_reason, stored.decided_at) == (
            "rejected", "不属于本院管辖", NOW)
        assert stored.case_id is None and count(Case) == 0


# --- Merging complaints into group cases ---------------------------------------------------------


def test_merging_complaints_opens_one_group_case_led_by_the_earliest(app, make, court_setup):
    """Do ten homeowners' complaints become one 群体性纠纷 case with their claims summed?"""
    court, project, judge = court_setup
    complaints = group_of(make, project, 10)
    with app.app_context():
        case = triage.merge_complaints([c.id for c in reversed(complaints)], actor=actor(judge), now=NOW)
        assert case.is_group is True
        assert case.claim_total_fen == 10 * 1_000_000
        assert case.seq == 1
        statuses = dict(db.session.execute(
            select(Complaint.id, Complaint.status).where(Complaint.case_id == case.id)).all())
        assert len(statuses) == 10
        assert statuses[complaints[0].id] == "accepted"
        assert sorted(statuses.values()) == ["accepted"] + ["merged"] * 9
        [event] = events_of(case.id)
        assert "合并受理投诉10件" in event.reason


def test_nine_claimants_make_a_merged_case_but_no_group_dispute(app, make, court_setup):
    court, project, judge = court_setup
    people = [make.person() for _ in range(9)]
    complaints = [make.complaint(project=project, person=p) for p in people]
    complaints.append(make.complaint(project=project, person=people[0]))  # a second unit
    with app.app_context():
        case = triage.merge_complaints([c.id for c in complaints], actor=actor(judge), now=NOW)
        assert case.is_group is False
        assert count(Complaint, Complaint.case_id == case.id) == 10


def test_complaints_of_another_project_or_dispute_type_are_not_merged(app, make, court_setup):
    """Is a merge across projects or dispute types refused, leaving all complaints waiting?"""
    court, project, judge = court_setup
    other_project = make.project(court=court, developer=project.developer)
    a = make.complaint(project=project)
    b = make.complaint(project=other_project)
    c = make.complaint(project=project, dispute_type="quality")
    with app.app_context():
        for pair in ([a.id, b.id], [a.id, c.id]):
            with pytest.raises(ServiceError, match="同一项目、同一纠纷类型") as refused:
                triage.merge_complaints(pair, actor=actor(judge), now=NOW)
            assert refused.value.field == "complaint_ids"
        with pytest.raises(ServiceError, match="至少选择两件"):
            triage.merge_complaints([a.id], actor=actor(judge), now=NOW)
        with pytest.raises(ServiceError, match="无效"):
            triage.merge_complaints([a.id, "../1"], actor=actor(judge), now=NOW)
        with pytest.raises(ServiceError, match="无效"):
            triage.merge_complaints([a.id, 2**40], actor=actor(judge), now=NOW)
        assert count(Case) == 0 and count(CaseCounter) == 0
        assert count(Complaint, Complaint.status == "submitted") == 3


def test_complaints_join_an_existing_open_case_and_make_it_a_group(app, make, court_setup):
    court, project, judge = court_setup
    first = make.complaint(project=project)
    newcomers = group_of(make, project, 9)
    with app.app_context():
        case = triage.accept_complaint(first.id, actor=actor(judge), now=NOW)
        later = NOW + timedelta(hours=1)
        merged = triage.merge_complaints([c.id for c in newcomers], actor=actor(judge), now=later,
                                      into_case_id=case.id)
        assert merged.id == case.id and merged.is_group is True
        assert merged.claim_total_fen == 10 * 1_000_000
        assert count(Case) == 1
        assert count(Complaint, Complaint.case_id == case.id, Complaint.status == "merged") == 9
        assert "并入投诉9件" in events_of(case.id)[-1].reason


def test_complaints_cannot_join_a_concluded_case_or_one_of_another_project(app, make, court_setup):
    court, project, judge = court_setup
    closed = make.case(project=project, status="closed", outcome="mediated", concluded_at=NOW)
    elsewhere = make.case(project=make.project(court=court))
    waiting = make.complaint(project=project)
    with app.app_context():
        with pytest.raises(ServiceError, match="调解已结束"):
            triage.merge_complaints([waiting.id], actor=actor(judge), now=NOW, into_case_id=closed.id)
        with pytest.raises(ServiceError, match="同一项目"):
            triage.merge_complaints([waiting.id], actor=actor(judge), now=NOW, into_case_id=elsewhere.id)
        assert db.session.get(Complaint, waiting.id).status == "submitted"


def test_the_platform_proposes_groups_by_project_and_dispute_type(app, make, court_setup):
    """Are waiting complaints grouped by project and type, big groups flagged 群体性纠纷?"""
    court, project, judge = court_setup
    big = group_of(make, project, 10)
    small = group_of(make, project, 2, dispute_type="quality")
    group_of(make, make.project(court=court), 1)  # alone: no group
    group_of(make, make.project(), 3)  # another court
    open_case = make.case(project=project, status="assigned")
    with app.app_context():
        proposals = triage.proposed_groups(court.id)
        assert [(p.project_id, p.dispute_type.value, len(p.complaint_ids)) for p in proposals] == [
            (project.id, "late_delivery", 10), (project.id, "quality", 2)]
        first, second = proposals
        assert first.is_group_dispute and first.representatives_required == (2, 5)
        assert not second.is_group_dispute and second.representatives_required is None
        assert set(first.complaint_ids) == {c.id for c in big}
        assert set(second.complaint_ids) == {c.id for c in small}
        assert first.existing_case.id == open_case.id and second.existing_case is None
        assert first.project.name == project.name


# --- Merging cases (并案) ----------------------------------------------------------------------------


def test_merging_cases_moves_the_complaints_and_closes_the_others_as_merged(app, make, court_setup):
    """Is an emptied case closed with an outcome that is no conclusion, and says where it went?"""
    court, project, judge = court_setup
    complaints = group_of(make, project, 3)
    with app.app_context():
        accepted = [triage.accept_complaint(c.id, actor=actor(judge), now=NOW) for c in complaints]
        target_id, others = accepted[0].id, [c.id for c in accepted[1:]]
        numbers = {c.id: c.number for c in accepted}
        merged = cases.merge_cases([target_id, *others], actor=actor(judge), now=NOW + timedelta(hours=2))
        assert merged.id == target_id and merged.claim_total_fen == 3 * 1_000_000
        assert count(Complaint, Complaint.case_id == target_id) == 3
        for other_id in others:
            other = db.session.get(Case, other_id)
            assert (other.status, other.outcome) == ("closed", "merged")
            assert other.closed_at and other.concluded_at
            last = events_of(other_id)[-1]
            assert (last.to_status, last.outcome, last.reason) == (
                "closed", "merged", f"并入{numbers[target_id]}")
        assert numbers[others[0]] in events_of(target_id)[-1].reason


def test_cases_in_mediation_or_of_another_project_are_not_merged(app, make, court_setup):
    court, project, judge = court_setup
    a, scheduled = make.case(project=project), make.case(project=project, status="scheduled")
    other = make.case(project=make.project(court=court))
    with app.app_context():
        with pytest.raises(ServiceError, match="只有“已登记”或“已分派”的案件可以并案"):
            cases.merge_cases([a.id, scheduled.id], actor=actor(judge), now=NOW)
        with pytest.raises(ServiceError, match="同一项目"):
            cases.merge_cases([a.id, other.id], actor=actor(judge), now=NOW)
        assert db.session.get(Case, scheduled.id).status == "scheduled"
        assert count(Complaint, Complaint.case_id == a.id) == 1


# --- Representatives and opting out -------------------------------------------------------------------


@pytest.fixture
def group_case(app, make, court_setup):
    """A registered group case of ten homeowners; returns (case id, persons, judge)."""
    court, project, judge = court_setup
    complaints = group_of(make, project, 10)
    with app.app_context():
        case = triage.merge_complaints([c.id for c in complaints], actor=actor(judge), now=NOW)
        return case.id, [c.claimant_person for c in complaints], judge, complaints


def test_a_group_chooses_two_to_five_representatives_from_among_its_claimants(app, make, group_case):
    case_id, persons, judge, _ = group_case
    stranger = make.person()
    with app.app_context():
        for chosen, message in (([persons[0].id], "2至5名"),
                                ([p.id for p in persons[:6]], "2至5名"),
                                ([persons[0].id, stranger.id], "不是本组成员")):
            with pytest.raises(ServiceError, match=message):
                cases.choose_representatives(case_id, chosen, actor=actor(judge), now=NOW)
        assert count(CaseRepresentative) == 0
        cases.choose_representatives(case_id, [persons[1].id, persons[2].id], actor=actor(judge), now=NOW)
        cases.choose_representatives(case_id, [persons[3].id, persons[4].id, persons[5].id],
                                   actor=actor(judge), now=NOW)
        assert set(db.session.scalars(select(CaseRepresentative.person_id))) == {
            persons[3].id, persons[4].id, persons[5].id}
        last = events_of(case_id)[-1]
        assert last.reason == "推选代表人"  # the names are ids, shown to each viewer by the rule
        assert last.person_ids == [persons[3].id, persons[4].id, persons[5].id]


def test_a_claimant_cannot_choose_the_representatives_alone(app, make, group_case):
    case_id, persons, judge, _ = group_case
    homeowner = make.user("homeowner", person=persons[0])
    with app.app_context():
        with pytest.raises(ForbiddenError):
            cases.choose_representatives(case_id, [persons[0].id, persons[1].id],
                                       actor=actor(homeowner), now=NOW)


def test_a_claimant_opts_out_and_gets_a_case_of_their_own(app, make, group_case):
    """Does an opting-out homeowner leave the group (no longer a 群体性纠纷 with nine),
    lose their representative seat, and get their own case number?"""
    case_id, persons, judge, complaints = group_case
    homeowner = make.user("homeowner", person=persons[0])
    with app.app_context():
        cases.choose_representatives(case_id, [persons[0].id, persons[1].id], actor=actor(judge), now=NOW)
        later = NOW + timedelta(days=1)
        own = cases.opt_out_of_group(complaints[0].id, actor=actor(homeowner), now=later)
        assert own.id != case_id and own.seq == 2 and own.status == "registered"
        assert own.judge_id == judge.id
        mine = db.session.get(Complaint, complaints[0].id)
        assert (mine.case_id, mine.status, mine.opted_out_at) == (own.id, "accepted", later)
        group = db.session.get(Case, case_id)
        assert group.is_group is False and group.claim_total_fen == 9 * 1_000_000
        assert set(db.session.scalars(select(CaseRepresentative.person_id).where(
            CaseRepresentative.case_id == case_id))) == {persons[1].id}
        assert own.number in events_of(case_id)[-1].reason


def test_only_the_claimant_or_a_judge_opts_out_and_only_while_mediation_is_open(app, make, group_case):
    case_id, persons, judge, complaints = group_case
    neighbour = make.user("homeowner", person=persons[1])
    staff = make.user("developer", developer=complaints[0].project.developer)
    with app.app_context():
        with pytest.raises(NotFoundError):  # someone else's complaint is not even visible
            cases.opt_out_of_group(complaints[0].id, actor=actor(neighbour), now=NOW)
        with pytest.raises(ForbiddenError, match="只有申请人本人或法官"):
            cases.opt_out_of_group(complaints[0].id, actor=actor(staff), now=NOW)
        case = db.session.get(Case, case_id)
        case.status, case.outcome, case.concluded_at = "mediated", "mediated", NOW
        db.session.commit()
        with pytest.raises(ServiceError, match="调解已结束"):
            cases.opt_out_of_group(complaints[1].id, actor=actor(judge), now=NOW)
        assert count(Case) == 1


# --- Assigning a mediator --------------------------------------------------------------------------


@pytest.fixture
def registered(app, make, court_setup):
    court, project, judge = court_setup
    complaint = make.complaint(project=project)
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=actor(judge), now=NOW)
        return case.id, court, project, judge, complaint


def test_assigning_gives_the_mediator_three_working_days_and_acceptance_starts_the_period(
        app, make, registered):
    """Arts. 12, 24: the mediator answers within 3 working days; the 30 days run from acceptance."""
    case_id, court, project, judge, _ = registered
    mediator_user = make.user("mediator", court=court, name="王调解")
    with app.app_context():
        case = cases.assign_mediator(case_id, mediator_user.mediator.id, actor=actor(judge), now=NOW)
        assert (case.status, case.mediator_id, case.assigned_at) == ("assigned", mediator_user.mediator.id, NOW)
        assert case.mediation_deadline_at is None and case.accepted_at is None
        # Friday 2026-11-27 + 3 working days = Wednesday 2 December.
        local = timezone(timedelta(hours=8))
        assert case.response_due_at.astimezone(local).date() == date(2026, 12, 2)
        event = events_of(case_id)[-1]
        assert (event.from_status, event.to_status, event.actor_id) == ("registered", "assigned", judge.id)
        assert "王调解" in event.reason and "2026年12月2日" in event.reason
        accepted_at = NOW + timedelta(days=1)  # Saturday 28 November
        case = delegation.accept_case(case_id, actor=actor(mediator_user), now=accepted_at)
        assert case.accepted_at == accepted_at and case.response_due_at is None
        # 30 days after 28 November is Monday 28 December.
        assert case.mediation_deadline_at.astimezone(local).date() == date(2026, 12, 28)
        assert "2026年12月28日" in events_of(case_id)[-1].reason


def test_a_mediator_in_conflict_with_the_developer_must_recuse(app, make, registered):
    """Is a mediator who once worked for the developer refused (回避), and nothing changed?"""
    case_id, court, project, judge, _ = registered
    mediator_user = make.user("mediator", court=court)
    make._save(MediatorConflict(mediator_id=mediator_user.mediator.id,
                                developer_id=project.developer_id, reason="曾任该公司法律顾问"))
    with app.app_context():
        with pytest.raises(ServiceError, match="应当回避") as refused:
            cases.assign_mediator(case_id, mediator_user.mediator.id, actor=actor(judge), now=NOW)
        assert refused.value.field == "mediator_id"
        case = db.session.get(Case, case_id)
        assert (case.status, case.mediator_id) == ("registered", None)
        assert len(events_of(case_id)) == 1


def test_a_mediator_at_capacity_or_of_another_court_or_inactive_is_not_assigned(app, make, registered):
    case_id, court, project, judge, _ = registered
    busy = make.user("mediator", court=court)
    with app.app_context():
        m = db.session.get(Mediator, busy.mediator.id)
        m.capacity = 1
        db.session.commit()
    make.case(project=project, status="in_mediation", mediator=busy.mediator)
    elsewhere = make.user("mediator")
    retired = make.user("mediator", court=court)
    with app.app_context():
        db.session.get(Mediator, retired.mediator.id).active = False
        db.session.commit()
        for mediator_id, message in ((busy.mediator.id, "已达上限1件"),
                                     (elsewhere.mediator.id, "本院的调解员"),
                                     (retired.mediator.id, "已停用"),
                                     ("x", "无效"), (None, "请选择调解员")):
            with pytest.raises(ServiceError, match=message):
                cases.assign_mediator(case_id, mediator_id, actor=actor(judge), now=NOW)
        assert db.session.get(Case, case_id).status == "registered"


def test_only_the_judge_assigns_and_a_second_assignment_is_refused(app, make, registered):
    case_id, court, project, judge, complaint = registered
    mediator_user = make.user("mediator", court=court)
    homeowner = make.user("homeowner", person=complaint.claimant_person)
    with app.app_context():
        with pytest.raises(ForbiddenError):
            cases.assign_mediator(case_id, mediator_user.mediator.id, actor=actor(homeowner), now=NOW)
        cases.assign_mediator(case_id, mediator_user.mediator.id, actor=actor(judge), now=NOW)
        with pytest.raises(ConflictError):
            cases.assign_mediator(case_id, mediator_user.mediator.id, actor=actor(judge), now=NOW,
                                expected_status="registered")
        with pytest.raises(ServiceError, match="已是“已分派”"):
            cases.assign_mediator(case_id, mediator_user.mediator.id, actor=actor(judge), now=NOW)


# --- Moving along the lifecycle -------------------------------------------------------------------------


@pytest.fixture
def assigned(app, make, registered):
    case_id, court, project, judge, complaint = registered
    mediator_user = make.user("mediator", court=court)
    with app.app_context():
        cases.assign_mediator(case_id, mediator_user.mediator.id, actor=actor(judge), now=NOW)
        delegation.accept_case(case_id, actor=actor(mediator_user), now=NOW)
    return case_id, judge, mediator_user, complaint, project


def test_each_move_is_recorded_with_who_when_and_why(app, make, assigned):
    """Walk a case from assignment to closing: is every move on the timeline? (Mediated is
    reached by the parties' signatures, see tests/services/test_agreements.py.)"""
    case_id, judge, mediator_user, complaint, project = assigned
    homeowner = make.user("homeowner", person=complaint.claimant_person)
    company = make.user("developer", developer=project.developer)
    steps = [("scheduled", mediator_user, {}), ("in_mediation", mediator_user, {}),
             ("mediated", None, {}), ("confirmed", judge, {}),
             ("performing", mediator_user, {}), ("closed", mediator_user, {"reason": "履行完毕"})]
    with app.test_request_context():
        for index, (to, who, extra) in enumerate(steps, start=1):
            at = NOW + timedelta(days=index)
            before = db.session.get(Case, case_id).status
            if to == "mediated":
                agreement, _ = agreements.record_agreement(
                    case_id, Content(terms=("被申请人向申请人支付违约金。",)), actor=actor(mediator_user), now=at)
                agreements.sign_agreement(agreement.id, actor=actor(homeowner), now=at, password=PASSWORD, ip="::1")
                agreements.sign_agreement(agreement.id, actor=actor(company), now=at, password=PASSWORD, ip="::1")
                who = company
                case = db.session.get(Case, case_id)
            elif to == "confirmed":  # only by a ruling on the joint application (司法确认)
                agreement_id = agreements.case_agreements(actor(judge), case_id)[0].id
                for party in (homeowner, company):
                    application = confirmation.apply_for_confirmation(agreement_id, actor=actor(party), now=at,
                                                                      ip="::1")
                confirmation.decide_confirmation(application.id, actor=actor(judge), now=at, confirm=True)
                case = db.session.get(Case, case_id)
            else:
                case = cases.transition_case(case_id, to, actor=actor(who), now=at,
                                             expected_status=before, **extra)
            assert case.status == to and case.updated_at == at
            event = events_of(case_id)[-1]
            assert (event.from_status, event.to_status, event.actor_id, event.actor_role, event.at) == (
                before, to, who.id, who.role, at)
        case = db.session.get(Case, case_id)
        assert (case.outcome, case.concluded_at) == ("mediated", NOW + timedelta(days=3))
        assert case.closed_at == NOW + timedelta(days=6)
        assert events_of(case_id)[-1].reason == "履行完毕"
        # registration, assignment and acceptance, the moves, the agreement recorded and signed twice,
        # and the confirmation applied for twice and ruled on
        assert len(events_of(case_id)) == 3 + len(steps) + 3 + 3


def _snapshot(case_id):
    case = db.session.get(Case, case_id)
    db.session.refresh(case)
    return (case.status, case.outcome, case.updated_at, case.mediation_deadline_at,
            case.extension_days, len(events_of(case_id)))


def test_refused_moves_change_nothing(app, make, assigned):
    """Skipping a step, a missing reason, a wrong outcome, a party closing: all refused,
    and the case and its timeline stay exactly as they were."""
    case_id, judge, mediator_user, complaint, project = assigned
    homeowner = make.user("homeowner", person=complaint.claimant_person)
    with app.app_context():
        before = _snapshot(case_id)
        attempts = [
            (mediator_user, "mediated", {"outcome": "mediated"}, ServiceError, "不能直接变更"),
            (mediator_user, "registered", {}, ServiceError, "请填写拒绝或回避理由"),
            (judge, "closed", {"outcome": "judged", "reason": "x"}, ServiceError, "不适用"),
            (homeowner, "closed", {"outcome": "transferred", "reason": "x"}, ForbiddenError, "业主无权"),
            (homeowner, "scheduled", {}, ForbiddenError, "业主无权"),
            (mediator_user, "nonsense", {}, ServiceError, "未知的案件状态"),
            (mediator_user, "assigned", {"extension_days": 5}, ServiceError, "双方当事人同意"),
        ]
        for who, to, extra, error, message in attempts:
            with pytest.raises(error, match=message):
                cases.transition_case(case_id, to, actor=actor(who), now=NOW + timedelta(days=1), **extra)
            assert _snapshot(case_id) == before


def test_a_stale_form_is_refused_as_a_conflict(app, make, assigned):
    """Two people press "schedule" on the same page: does the second change nothing?"""
    case_id, judge, mediator_user, *_ = assigned
    with app.app_context():
        cases.transition_case(case_id, "scheduled", actor=actor(mediator_user), now=NOW,
                            expected_status="assigned")
        before = _snapshot(case_id)
        with pytest.raises(ConflictError, match="已变更为“已排期”"):
            cases.transition_case(case_id, "scheduled", actor=actor(judge), now=NOW,
                                expected_status="assigned")
        assert _snapshot(case_id) == before


def test_the_sole_claimant_may_withdraw_but_not_the_developer_or_one_of_a_group(app, make, assigned, group_case):
    case_id, judge, mediator_user, complaint, project = assigned
    homeowner = make.user("homeowner", person=complaint.claimant_person)
    staff = make.user("developer", developer=project.developer)
    group_id, persons, *_ = group_case
    member = make.user("homeowner", person=persons[0])
    with app.app_context():
        with pytest.raises(ForbiddenError, match="只有申请人可以撤回"):
            cases.transition_case(case_id, "withdrawn", actor=actor(staff), now=NOW,
                                outcome="withdrawn_applied", reason="x")
        with pytest.raises(ForbiddenError, match="多名申请人"):
            cases.transition_case(group_id, "withdrawn", actor=actor(member), now=NOW,
                                outcome="withdrawn_applied", reason="x")
        with pytest.raises(ServiceError, match="不能以“按撤诉处理”结案"):
            cases.transition_case(case_id, "withdrawn", actor=actor(homeowner), now=NOW,
                                outcome="withdrawn_deemed", reason="x")
        case = cases.transition_case(case_id, "withdrawn", actor=actor(homeowner), now=NOW,
                                   outcome="withdrawn_applied", reason="已与开发商和解")
        assert (case.status, case.outcome) == ("withdrawn", "withdrawn_applied")
        assert db.session.get(Case, group_id).status == "registered"


def test_mediation_is_extended_only_with_both_parties_consent_and_recorded(app, make, assigned):
    case_id, judge, mediator_user, *_ = assigned
    with app.app_context():
        deadline = db.session.get(Case, case_id).mediation_deadline_at
        with pytest.raises(ServiceError, match="双方当事人同意"):
            cases.transition_case(case_id, "assigned", actor=actor(mediator_user), now=NOW,
                                extension_days=10)
        case = cases.transition_case(case_id, "assigned", actor=actor(mediator_user), now=NOW,
                                   extension_days=10, parties_consent=True, reason="双方书面同意")
        assert case.status == "assigned" and case.extension_days == 10
        assert case.mediation_deadline_at == deadline + timedelta(days=10)
        event = events_of(case_id)[-1]
        assert (event.from_status, event.to_status) == ("assigned", "assigned")
        assert "延长调解期限10日" in event.reason and "双方书面同意" in event.reason


def test_past_the_deadline_mediation_is_over_and_no_extension_revives_it(app, make, assigned):
    """Art. 25: an extension comes before the end; after it, the mediation has ended."""
    case_id, judge, mediator_user, *_ = assigned
    late = NOW + timedelta(days=40)
    with app.app_context():
        with pytest.raises(ServiceError, match="调解终止"):
            cases.transition_case(case_id, "scheduled", actor=actor(mediator_user), now=late)
        with pytest.raises(ServiceError, match="期限届满后不能再延长") as refused:
            cases.transition_case(case_id, "scheduled", actor=actor(mediator_user), now=late,
                                  extension_days=15, parties_consent=True)
        assert refused.value.field == "extension_days"
        assert db.session.get(Case, case_id).status == "assigned"
        assert delegation.end_expired_mediations(now=late) == [db.session.get(Case, case_id).number]
        case = db.session.get(Case, case_id)
        assert case.status == "failed"
        assert "第二十五条" in events_of(case_id)[-1].reason
        assert events_of(case_id)[-1].actor_id is None
        assert delegation.end_expired_mediations(now=late) == []  # run twice: nothing more


def test_a_declining_mediator_returns_the_case_to_the_judge(app, make, assigned):
    case_id, judge, mediator_user, *_ = assigned
    with app.app_context():
        case = cases.transition_case(case_id, "registered", actor=actor(mediator_user), now=NOW,
                                   reason="与申请人系亲属，申请回避")
        assert (case.status, case.mediator_id, case.assigned_at, case.mediation_deadline_at) == (
            "registered", None, None, None)
        assert case.accepted_at is None
        # Back in the pool: the judge has 3 working days again (Fri 27 Nov → Wed 2 Dec).
        local = timezone(timedelta(hours=8))
        assert case.response_due_at.astimezone(local).date() == date(2026, 12, 2)
        with pytest.raises(NotFoundError):  # no longer the mediator's case
            cases.transition_case(case_id, "assigned", actor=actor(mediator_user), now=NOW)


def test_failed_mediation_goes_to_litigation_and_the_flag_is_kept(app, make, assigned):
    case_id, judge, mediator_user, *_ = assigned
    with app.app_context():
        for to, who, extra in (("scheduled", mediator_user, {}), ("in_mediation", mediator_user, {}),
                               ("failed", mediator_user, {"reason": "开发商不同意赔偿方案"}),
                               ("litigation", judge, {})):
            cases.transition_case(case_id, to, actor=actor(who), now=NOW, **extra)
        case = db.session.get(Case, case_id)
        assert case.status == "litigation" and case.went_to_litigation is True


def test_the_assign_move_is_not_made_without_choosing_a_mediator(app, make, registered):
    case_id, court, project, judge, _ = registered
    with app.app_context():
        with pytest.raises(ServiceError, match="分派调解员") as refused:
            cases.transition_case(case_id, "assigned", actor=actor(judge), now=NOW)
        assert refused.value.field == "mediator_id"


def test_a_judge_of_another_court_cannot_move_the_case(app, make, registered):
    case_id, *_ = registered
    stranger = make.user("judge")
    with app.app_context():
        with pytest.raises(NotFoundError):
            cases.transition_case(case_id, "closed", actor=actor(stranger), now=NOW,
                                outcome="transferred", reason="x")
        assert db.session.get(Case, case_id).status == "registered"


# --- The case page's read model --------------------------------------------------------------------


def test_the_case_page_masks_other_claimants_and_offers_the_viewer_own_moves(app, make, group_case):
    case_id, persons, judge, complaints = group_case
    member = make.user("homeowner", person=persons[0])
    with app.app_context():
        page = case_page.case_page(case_id, viewer=actor(member), now=NOW)
        mine = [row for row in page.claimants if row.is_viewer]
        others = [row for row in page.claimants if not row.is_viewer]
        assert len(mine) == 1 and mine[0].resident_id == persons[0].resident_id
        assert mine[0].opt_out_complaint_id == complaints[0].id
        assert all(persons[i].resident_id not in (r.resident_id for r in others) for i in range(10))
        assert all(r.opt_out_complaint_id is None for r in others)
        assert page.moves == []  # one of many claimants cannot withdraw for all
        judge_page = case_page.case_page(case_id, viewer=actor(judge), now=NOW)
        assert judge_page.can_assign and judge_page.can_choose_representatives
        assert judge_page.representatives_needed == (2, 5)
        assert "assigned" not in {m.target.value for m in judge_page.moves}


def test_a_claimant_who_opted_out_is_not_gathered_into_a_group_again(app, make, group_case):
    """After opting out, is the claimant's own case kept out of proposals and merges?"""
    case_id, persons, judge, complaints = group_case
    project = complaints[0].project
    newcomers = group_of(make, project, 2)
    with app.app_context():
        own = cases.opt_out_of_group(complaints[0].id, actor=actor(judge), now=NOW)
        own_id = own.id
        with pytest.raises(ServiceError, match="单独处理"):
            triage.merge_complaints([c.id for c in newcomers], actor=actor(judge), now=NOW,
                                 into_case_id=own_id)
        with pytest.raises(ServiceError, match="单独处理"):
            cases.merge_cases([case_id, own_id], actor=actor(judge), now=NOW)
        [proposal] = triage.proposed_groups(project.court_id)
        assert proposal.existing_case.id == case_id
        group = db.session.get(Case, case_id)
        group.status, group.outcome, group.concluded_at = "mediated", "mediated", NOW
        db.session.commit()
        [proposal] = triage.proposed_groups(project.court_id)
        assert proposal.existing_case is None  # never the opted-out claimant's own case
        with pytest.raises(ServiceError, match="只有一名申请人"):
            cases.opt_out_of_group(complaints[0].id, actor=actor(judge), now=NOW)
        assert count(Complaint, Complaint.case_id == own_id) == 1
