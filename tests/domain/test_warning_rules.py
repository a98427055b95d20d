"""Does each early-warning rule fire at its threshold, and not one step below?"""
from datetime import date, timedelta

import pytest

from risk.warnings import Level, SurgeStep, WarningRules
from tests.domain.warning_snapshots import (
    TODAY,
    days_ago,
    developer_result,
    evaluate,
    inquiry,
    iso,
    project,
    project_result,
    rule_level,
    snapshot,
)


def _surge(recent: int, before: int, **kwargs):
    complaints = [days_ago(k % 30) for k in range(recent)] + [days_ago(30 + k % 180) for k in range(before)]
    evaluation = evaluate(snapshot(projects=[project(complaints=complaints)]), **kwargs)
    return project_result(evaluation)


# --- surge ------------------------------------------------------------------------------

@pytest.mark.parametrize("recent, before, level", [
    (5, 0, "blue"), (4, 0, "none"),            # at least 5, the mean taken as 1
    (6, 18, "blue"), (5, 18, "none"),          # m = 3: twice the mean is 6
    (10, 0, "yellow"), (9, 0, "blue"),
    (12, 24, "yellow"), (11, 24, "blue"),      # m = 4: three times is 12
    (20, 0, "orange"), (19, 0, "yellow"),
    (25, 30, "orange"), (24, 30, "yellow"),    # m = 5: five times is 25
])
def test_a_surge_of_complaints_is_rated_by_count_and_by_multiple_of_the_monthly_mean(recent, before, level):
    assert rule_level(_surge(recent, before), "surge") == level


def test_the_surge_window_is_30_days_including_today_and_the_baseline_the_180_before():
    in_window = [days_ago(29)] * 5
    assert rule_level(project_result(evaluate(snapshot(projects=[project(complaints=in_window)]))),
                      "surge") == "blue"
    # Day 30 back is the baseline's first day: 4 in the window, 1 in the baseline.
    shifted = [days_ago(29)] * 4 + [days_ago(30)]
    assert rule_level(project_result(evaluate(snapshot(projects=[project(complaints=shifted)]))),
                      "surge") == "none"
    # The baseline ends 209 days back: 18 complaints there make m = 3 and 5 too few …
    base = [days_ago(0)] * 5 + [days_ago(209)] * 18
    assert rule_level(project_result(evaluate(snapshot(projects=[project(complaints=base)]))),
                      "surge") == "none"
    # … one day earlier they fall outside it, the mean is 1 again and 5 fire.
    older = [days_ago(0)] * 5 + [days_ago(210)] * 18
    assert rule_level(project_result(evaluate(snapshot(projects=[project(complaints=older)]))),
                      "surge") == "blue"


def test_complaints_after_today_do_not_count():
    future = [iso(TODAY + timedelta(days=1))] * 20
    assert project_result(evaluate(snapshot(projects=[project(complaints=future)]))).level is Level.NONE


def test_a_surge_states_its_facts_like_the_court_writes_them():
    warning = _surge(42, 72).warnings[0]  # 72 in 180 days: 12 a month
    assert warning.facts_zh == "近30天新增投诉42件，为此前月均的3.5倍"
    assert warning.facts_en == "42 new complaints in the last 30 days, 3.5 times the previous monthly average"
    quiet = _surge(5, 0).warnings[0]
    assert quiet.facts_zh == "近30天新增投诉5件，此前180天无投诉（月均按1件计）"


def test_the_thresholds_can_be_changed():
    stricter = WarningRules(surge_steps=(SurgeStep(Level.BLUE, 3, 2),))
    assert rule_level(_surge(3, 0, rules=stricter), "surge") == "blue"
    assert rule_level(_surge(3, 0), "surge") == "none"


# --- overdue delivery -------------------------------------------------------------------

@pytest.mark.parametrize("late, undelivered, level", [
    (0, 50, "none"), (1, 50, "yellow"), (1, 0, "none"),
    (90, 20, "yellow"), (91, 20, "orange"), (91, 19, "yellow"),
    (180, 20, "orange"), (181, 20, "red"), (181, 19, "yellow"),
])
def test_a_late_delivery_is_rated_by_days_late_and_the_share_undelivered(late, undelivered, level):
    p = project(units=100, delivered_units=100 - undelivered,
                promised_delivery=days_ago(late))
    assert rule_level(project_result(evaluate(snapshot(projects=[p]))), "overdue_delivery") == level


def test_a_late_delivery_states_days_and_units():
    p = project(units=200, delivered_units=150, promised_delivery="2026-05-01")
    warning = project_result(evaluate(snapshot(projects=[p]))).warnings[0]
    assert warning.facts_zh == "承诺交房日2026年5月1日已逾期213天，尚有50套未交付（共200套，占25.0%）"


# --- inquiries --------------------------------------------------------------------------

def _inquiry_level(today, rule="inquiry_unanswered", **fields):
    data = snapshot(today=today, inquiries=[inquiry(**fields)])
    return rule_level(project_result(evaluate(data)), rule)


def test_an_inquiry_is_unanswered_only_once_its_deadline_has_passed():
    assert _inquiry_level(date(2026, 11, 2), deadline="2026-11-02") == "none"
    assert _inquiry_level(date(2026, 11, 3), deadline="2026-11-02") == "yellow"
    assert _inquiry_level(date(2026, 11, 3), deadline="2026-11-02", answered_on="2026-11-03") == "none"
    # An answer dated after the snapshot's day is not there yet.
    assert _inquiry_level(date(2026, 11, 3), deadline="2026-11-02", answered_on="2026-11-04") == "yellow"


def test_ten_working_days_across_national_day_count_the_make_up_saturday():
    # After 30 Sep 2026: 8, 9, Sat 10 (make-up), 12–16, 19, 20 Oct are the ten working days.
    assert _inquiry_level(date(2026, 10, 20), deadline="2026-09-30") == "orange"
    assert _inquiry_level(date(2026, 10, 19), deadline="2026-09-30") == "yellow"


def test_ten_working_days_across_spring_festival_count_both_make_up_saturdays():
    # After Fri 13 Feb 2026: Sat 14 (make-up), 24–27, Sat 28 (make-up), 2–5 Mar.
    assert _inquiry_level(date(2026, 3, 5), deadline="2026-02-13") == "orange"
    assert _inquiry_level(date(2026, 3, 4), deadline="2026-02-13") == "yellow"


def test_working_days_in_a_year_without_a_notice_are_estimated_and_say_so():
    # 2027: 1–3 Oct estimated off, so the tenth working day after 30 Sep is Fri 15 Oct.
    data = snapshot(today=date(2027, 10, 15), inquiries=[inquiry(deadline="2027-09-30")])
    warning = project_result(evaluate(data)).warnings[0]
    assert warning.level is Level.ORANGE
    assert warning.facts_zh == "函询I1答复期限2027年9月30日已过，逾期10个工作日未答复（预计）"
    assert "(estimated)" in warning.facts_en
    assert _inquiry_level(date(2027, 10, 14), deadline="2027-09-30") == "yellow"


@pytest.mark.parametrize("fields, today, level", [
    ({"review": "non_compliant", "answered_on": "2026-10-01"}, TODAY, "orange"),
    ({"review": "compliant", "answered_on": "2026-10-01"}, TODAY, "none"),
    ({"review": "rectify", "answered_on": "2026-10-01", "rectify_by": iso(TODAY)}, TODAY, "none"),
    ({"review": "rectify", "answered_on": "2026-10-01", "rectify_by": days_ago(1)}, TODAY, "orange"),
    ({"review": "rectify", "answered_on": "2026-10-01", "rectify_by": days_ago(1),
      "rectified_on": days_ago(3)}, TODAY, "none"),
])
def test_a_non_compliant_answer_or_a_missed_rectification_is_orange(fields, today, level):
    assert _inquiry_level(today, rule="inquiry_non_compliant", deadline="2026-09-01", **fields) == level


# --- milestones and commitments ---------------------------------------------------------

@pytest.mark.parametrize("late, performed, level", [
    (0, None, "none"), (1, None, "orange"), (30, None, "orange"), (31, None, "red"),
    (31, days_ago(40), "none"),
])
def test_an_overdue_milestone_is_orange_and_red_after_30_days(late, performed, level):
    data = snapshot(milestones=[{"id": "M1", "developer_id": "D1", "due": days_ago(late),
                                 "performed_on": performed}])
    developer = developer_result(evaluate(data))
    assert rule_level(developer, "milestone_overdue") == level
    assert developer.level.code == level


@pytest.mark.parametrize("due_ago, kept, level", [
    (1, False, "orange"), (1, None, "orange"), (1, True, "none"), (0, False, "none"), (-5, False, "none"),
])
def test_a_commitment_not_kept_by_its_date_is_broken(due_ago, kept, level):
    data = snapshot(commitments=[{"id": "K1", "developer_id": "D1", "due": days_ago(due_ago), "kept": kept}])
    assert rule_level(developer_result(evaluate(data)), "commitment_broken") == level


# --- levels ---------------------------------------------------------------------------

def test_a_project_takes_its_highest_rule_and_a_developer_its_highest_project():
    projects = [project("P1", units=100, delivered_units=50, promised_delivery=days_ago(1)),
                project("P2", units=100, delivered_units=50, promised_delivery=days_ago(100))]
    evaluation = evaluate(snapshot(projects=projects))
    assert [p.level.code for p in evaluation.projects] == ["yellow", "orange"]
    assert developer_result(evaluation).level is Level.ORANGE
    assert developer_result(evaluation).warnings == ()
