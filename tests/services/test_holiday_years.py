"""Does the clerk's entry of a year's holiday notice govern the deadlines the app computes?"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import HolidayDay, HolidayYear, User
from app.services import delegation, cases as case_svc
from app.services import triage
from app.services import holidays as svc
from app.services.errors import ForbiddenError, ServiceError
from tests.factories import NOW

NOTICE_2027 = {"holidays": "2027-01-01\n2027-02-05..2027-02-11\n2027-10-01 至 2027-10-07",
               "workdays": "2027-02-13, 2027-10-09", "notice": "国办发明电〔2026〕X号"}


def actor(user) -> User:
    return db.session.get(User, user.id)


def _court_date(moment: datetime) -> date:
    return moment.astimezone(timezone(timedelta(hours=8))).date()


def test_an_entered_year_replaces_the_estimate(app, make):
    clerk = make.user("admin")
    with app.app_context():
        assert svc.court_calendar().is_estimate(date(2027, 3, 1))
        assert svc.court_calendar().is_working_day(date(2027, 2, 9))  # estimate: 5–8 Feb only
        svc.save_holiday_year(2027, actor=actor(clerk), now=NOW, **NOTICE_2027)
        calendar = svc.court_calendar()
        assert not calendar.is_estimate(date(2027, 3, 1))
        assert not calendar.is_working_day(date(2027, 2, 9))
        assert calendar.is_working_day(date(2027, 2, 13))  # a make-up Saturday
        row = db.session.get(HolidayYear, 2027)
        assert row.notice == "国办发明电〔2026〕X号" and row.updated_by_id == clerk.id
        assert db.session.scalar(select(func.count()).select_from(HolidayDay)) == 1 + 7 + 7 + 2


def test_saving_a_year_again_replaces_its_days(app, make):
    clerk = make.user("admin")
    with app.app_context():
        svc.save_holiday_year(2027, actor=actor(clerk), now=NOW, **NOTICE_2027)
        svc.save_holiday_year(2027, holidays="2027-01-01", workdays="", notice=None,
                              actor=actor(clerk), now=NOW)
        assert svc.court_calendar().is_working_day(date(2027, 2, 9))
        assert svc.court_calendar().arrangement(2027).holidays == {date(2027, 1, 1)}


def test_another_worker_sees_the_new_notice_on_its_next_request(app, make):
    clerk = make.user("admin")
    with app.app_context():
        assert svc.court_calendar().is_estimate(date(2027, 1, 4))  # cached in this process
    with app.app_context():  # the clerk's request, perhaps in another worker
        svc.save_holiday_year(2027, actor=actor(clerk), now=NOW, **NOTICE_2027)
    with app.app_context():
        assert not svc.court_calendar().is_estimate(date(2027, 1, 4))
    with app.app_context():
        svc.delete_holiday_year(2027, actor=actor(clerk))
    with app.app_context():
        assert svc.court_calendar().is_estimate(date(2027, 1, 4))


@pytest.mark.parametrize("fields, field, words", [
    ({"holidays": "2026-12-31"}, "holidays", "不在2027年内"),
    ({"holidays": "2027-02-13", "workdays": "2027-02-13"}, "workdays", "既是放假日又是调休上班日"),
    ({"holidays": "2027-10-01", "workdays": "2027-10-08"}, "workdays", "周六或周日"),
    ({"holidays": "2027-02-30"}, "holidays", "不是有效日期"),
    ({"holidays": "国庆"}, "holidays", "不是日期"),
    ({"holidays": "2027-10-07..2027-10-01"}, "holidays", "日期范围"),
    ({"holidays": ""}, "holidays", "请填写放假日期"),
])
def test_an_arrangement_that_cannot_be_right_is_refused_next_to_its_field(app, make, fields, field, words):
    clerk = make.user("admin")
    fields = {"workdays": "", "notice": None, **fields}
    with app.app_context():
        with pytest.raises(ServiceError) as raised:
            svc.save_holiday_year(2027, actor=actor(clerk), now=NOW, **fields)
        assert raised.value.field == field and words in raised.value.message
        assert db.session.get(HolidayYear, 2027) is None


def test_only_the_clerk_enters_notices(app, make):
    judge = make.user("judge")
    with app.app_context():
        with pytest.raises(ForbiddenError):
            svc.save_holiday_year(2027, actor=actor(judge), now=NOW, **NOTICE_2027)


def _assign_on(app, make, moment: datetime):
    court = make.court()
    project = make.project(court=court)
    judge = make.user("judge", court=court)
    mediator = make.user("mediator", court=court)
    complaint = make.complaint(project=project)
    with app.app_context():
        case = triage.accept_complaint(complaint.id, actor=actor(judge), now=NOW)
        case = case_svc.assign_mediator(case.id, mediator.mediator.id, actor=actor(judge), now=moment)
        # The 30 days run from the mediator's acceptance (在线调解规则 art. 24).
        case = delegation.accept_case(case.id, actor=actor(mediator), now=moment)
        return _court_date(case.mediation_deadline_at)


ASSIGNED = datetime(2027, 9, 1, 2, 0, tzinfo=timezone.utc)  # 1 Sep 2027, 10:00 in Wenchang


def test_a_mediation_period_ending_in_the_estimated_national_day_runs_to_the_next_working_day(app, make):
    # 30 days after 1 Sep 2027 is Fri 1 Oct: estimated holidays 1–3 Oct, so Mon 4 Oct.
    assert _assign_on(app, make, ASSIGNED) == date(2027, 10, 4)


def test_the_clerks_notice_moves_the_mediation_deadline(app, make):
    clerk = make.user("admin")
    with app.app_context():
        svc.save_holiday_year(2027, actor=actor(clerk), now=NOW, **NOTICE_2027)
    # The notice gives 1–7 Oct off: the period ends on Fri 8 Oct.
    assert _assign_on(app, make, ASSIGNED) == date(2027, 10, 8)
