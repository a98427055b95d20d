"""Tasks for other agencies on a case (九龙治水): only the case's judges give and close them."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.extensions import db
from app.models import AgencyTask, User
from app.services import agency_tasks
from app.services.errors import ConflictError, NotFoundError, ServiceError
from tests.factories import NOW  # 2026-11-27 10:00 in Shanghai

TOMORROW = date(2026, 11, 28)


@pytest.fixture
def setup(make):
    case = make.case()
    judge = make.user("judge", court=case.court)
    return {"case": case, "judge": judge}


def create(app, user_id, case_id, *, now=NOW, due_on=TOMORROW, **fields):
    values = {"agency": "housing_bureau", "owner_name": "住建局王科长",
              "description": "核查该项目预售资金监管账户余额"} | fields
    with app.app_context():
        actor = db.session.get(User, user_id)
        task = agency_tasks.create_agency_task(case_id, actor=actor, now=now, due_on=due_on, **values)
        return task.id


def test_a_judge_of_the_court_gives_a_task_with_an_owner_and_a_deadline(app, setup):
    task_id = create(app, setup["judge"].id, setup["case"].id)
    with app.app_context():
        task = db.session.get(AgencyTask, task_id)
        assert (task.status, task.agency, task.owner_name, task.due_on) == (
            "open", "housing_bureau", "住建局王科长", TOMORROW)
        assert task.created_by_id == setup["judge"].id and task.created_at == NOW


@pytest.mark.parametrize("role", ["judge", "mediator", "developer", "homeowner", "admin"])
def test_nobody_but_the_case_courts_judges_may_give_a_task(app, setup, make, role):
    """Can a judge of another court, or the case's own mediator or parties, give a task?"""
    if role == "mediator":
        user = make.user("mediator", court=setup["case"].court)
    else:
        user = make.user(role)  # judges and clerks of another court
    with pytest.raises(NotFoundError):
        create(app, user.id, setup["case"].id)
    with app.app_context():
        assert db.session.query(AgencyTask).count() == 0


def test_an_unknown_case_is_not_found(app, setup):
    with pytest.raises(NotFoundError):
        create(app, setup["judge"].id, 999_999)


@pytest.mark.parametrize("fields, field", [
    ({"agency": "aliens"}, "agency"),
    ({"owner_name": "  "}, "owner_name"),
    ({"owner_name": "长" * 51}, "owner_name"),
    ({"description": ""}, "description"),
    ({"due_on": None}, "due_on"),
    ({"due_on": date(2026, 11, 26)}, "due_on"),
])
def test_invalid_tasks_are_refused_next_to_the_field(app, setup, fields, field):
    with pytest.raises(ServiceError) as refused:
        create(app, setup["judge"].id, setup["case"].id, **fields)
    assert refused.value.field == field


def test_a_deadline_in_the_past_is_judged_by_the_court_date(app, setup):
    """At 01:00 in Shanghai (17:00 UTC the day before) yesterday's date is already past."""
    late_evening_utc = datetime(2026, 11, 27, 17, 0, tzinfo=timezone.utc)  # 28 Nov 01:00 Shanghai
    with pytest.raises(ServiceError):
        create(app, setup["judge"].id, setup["case"].id, now=late_evening_utc,
               due_on=date(2026, 11, 27))
    create(app, setup["judge"].id, setup["case"].id, now=late_evening_utc, due_on=date(2026, 11, 28))


def test_a_closed_case_gets_no_new_tasks(app, make):
    case = make.case(status="closed", outcome="mediated", concluded_at=NOW)
    judge = make.user("judge", court=case.court)
    with pytest.raises(ServiceError):
        create(app, judge.id, case.id)


def test_completing_records_the_result_once(app, setup):
    task_id = create(app, setup["judge"].id, setup["case"].id)
    with app.app_context():
        actor = db.session.get(User, setup["judge"].id)
        task = agency_tasks.complete_agency_task(task_id, actor=actor, now=NOW + timedelta(hours=3),
                                              result="已核查，余额1,200万元")
        assert (task.status, task.result, task.completed_at) == (
            "done", "已核查，余额1,200万元", NOW + timedelta(hours=3))
        with pytest.raises(ConflictError):
            agency_tasks.complete_agency_task(task_id, actor=actor, now=NOW, result="again")
        with pytest.raises(ConflictError):
            agency_tasks.cancel_agency_task(task_id, actor=actor, now=NOW, reason="no")


def test_a_result_is_required(app, setup):
    task_id = create(app, setup["judge"].id, setup["case"].id)
    with app.app_context(), pytest.raises(ServiceError) as refused:
        agency_tasks.complete_agency_task(task_id, actor=db.session.get(User, setup["judge"].id),
                                       now=NOW, result="   ")
    assert refused.value.field == "result"


def test_a_judge_of_another_court_cannot_close_the_task(app, setup, make):
    task_id = create(app, setup["judge"].id, setup["case"].id)
    stranger = make.user("judge")
    with app.app_context():
        actor = db.session.get(User, stranger.id)
        with pytest.raises(NotFoundError):
            agency_tasks.complete_agency_task(task_id, actor=actor, now=NOW, result="done")
        with pytest.raises(NotFoundError):
            agency_tasks.cancel_agency_task(task_id, actor=actor, now=NOW, reason="no")
        assert db.session.get(AgencyTask, task_id).status == "open"


def test_cancelling_keeps_the_reason(app, setup):
    task_id = create(app, setup["judge"].id, setup["case"].id)
    with app.app_context():
        task = agency_tasks.cancel_agency_task(task_id, actor=db.session.get(User, setup["judge"].id),
                                            now=NOW, reason="当事人已撤回申请")
        assert (task.status, task.result, task.completed_at) == ("cancelled", "当事人已撤回申请", None)


def test_an_open_task_past_its_deadline_is_overdue(app, setup):
    """Overdue means open and due before today's court date; done tasks are never overdue."""
    first = create(app, setup["judge"].id, setup["case"].id, due_on=TOMORROW)
    second = create(app, setup["judge"].id, setup["case"].id, due_on=date(2026, 11, 27))
    with app.app_context():
        agency_tasks.complete_agency_task(second, actor=db.session.get(User, setup["judge"].id),
                                       now=NOW, result="办结")
        on_due_day = agency_tasks.agency_tasks(setup["case"].id, now=datetime(2026, 11, 28, 15, 59, tzinfo=timezone.utc))
        day_after = agency_tasks.agency_tasks(setup["case"].id, now=datetime(2026, 11, 28, 16, 0, tzinfo=timezone.utc))
    assert [(v.task.id, v.overdue) for v in on_due_day] == [(first, False), (second, False)]
    assert [(v.task.id, v.overdue) for v in day_after] == [(first, True), (second, False)]


def test_the_case_page_brings_its_agency_tasks_for_the_court_and_none_for_the_parties(app, make):
    """Does the case page's service carry the task section, so the template need not query?"""
    from app.services import case_page

    claimant = make.person("王海燕")
    case = make.case(claimant=claimant)
    judge = make.user("judge", court=case.court)
    homeowner = make.user("homeowner", person=claimant)
    create(app, judge.id, case.id)
    with app.app_context():
        judges = case_page.case_page(case.id, viewer=db.session.get(User, judge.id), now=NOW)
        assert [tv.task.owner_name for tv in judges.tasks.tasks] == ["住建局王科长"]
        assert judges.tasks.can_manage
        owners = case_page.case_page(case.id, viewer=db.session.get(User, homeowner.id), now=NOW)
        assert owners.tasks.tasks is None and not owners.tasks.can_manage


def test_no_blueprint_registers_template_globals_of_its_own():
    """Template globals come from create_app alone (app.web.templating, app.i18n)."""
    from flask import Flask

    from app.web import register_blueprints

    bare = Flask(__name__)
    before = set(bare.jinja_env.globals)
    register_blueprints(bare)
    assert set(bare.jinja_env.globals) == before
