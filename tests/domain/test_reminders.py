"""The reminder rules (mediation.reminders): whom each deadline reminds, and when."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from mediation.lifecycle import COURT_TZ, CaseStatus
from mediation.reminders import (
    CASE_KINDS, CaseFacts, Recipient, ReminderKind, agreement_confirmed, agreement_effective,
    case_changed, followup_done, inquiry_answered, inquiry_issued, milestone_met, rating_given,
    visit_scheduled, warning_issued, working_days_before,
)

UTC = timezone.utc


def court(y, m, d, h=9, minute=0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=COURT_TZ).astimezone(UTC)


# 2026-06-01 is a Monday.
MONDAY = court(2026, 6, 1, 10)


def kinds(plan):
    return sorted((p.kind.value, p.recipient.value, p.due_at) for p in plan.create)


def test_a_registered_case_reminds_the_judge_on_the_morning_of_the_third_working_day():
    plan = case_changed(CaseFacts(CaseStatus.REGISTERED, registered_at=MONDAY), now=MONDAY)
    assert kinds(plan) == [("assign_due", "judge", court(2026, 6, 4))]
    assert plan.cancel == CASE_KINDS


def test_working_days_skip_weekends_and_holidays_the_caller_names():
    friday = court(2026, 6, 5, 10)
    plan = case_changed(CaseFacts(CaseStatus.REGISTERED, registered_at=friday), now=friday)
    assert plan.create[0].due_at == court(2026, 6, 10)  # Mon, Tue, Wed
    holiday = {date(2026, 6, 8)}
    plan = case_changed(CaseFacts(CaseStatus.REGISTERED, registered_at=friday), now=friday,
                        is_working_day=lambda d: d.weekday() < 5 and d not in holiday)
    assert plan.create[0].due_at == court(2026, 6, 11)


def test_a_delegated_case_reminds_the_mediator_to_accept_and_cancels_the_judges_reminder():
    plan = case_changed(CaseFacts(CaseStatus.ASSIGNED, assigned_at=MONDAY), now=MONDAY)
    assert kinds(plan) == [("accept_due", "mediator", court(2026, 6, 4))]
    assert ReminderKind.ASSIGN_DUE in plan.cancel


def test_accepted_mediation_warns_three_days_before_the_end_and_tells_when_it_ended():
    plan = case_changed(CaseFacts(CaseStatus.IN_MEDIATION, assigned_at=MONDAY,
                                  accepted_at=MONDAY, mediation_deadline=date(2026, 7, 1)),
                        now=MONDAY)
    assert kinds(plan) == [
        ("mediation_ended", "judge", court(2026, 7, 2)),
        ("mediation_ended", "mediator", court(2026, 7, 2)),
        ("mediation_ending", "judge", court(2026, 6, 28)),
        ("mediation_ending", "mediator", court(2026, 6, 28)),
    ]
    assert ReminderKind.ACCEPT_DUE in plan.cancel


def test_an_extension_moves_the_end_reminders_to_other_keys():
    facts = dict(assigned_at=MONDAY, accepted_at=MONDAY)
    before = case_changed(CaseFacts(CaseStatus.IN_MEDIATION, mediation_deadline=date(2026, 7, 1),
                                    **facts), now=MONDAY)
    after = case_changed(CaseFacts(CaseStatus.IN_MEDIATION, mediation_deadline=date(2026, 7, 16),
                                   **facts), now=MONDAY)
    assert not {p.dedupe_part() for p in before.create} & {p.dedupe_part() for p in after.create}


def test_a_concluded_case_keeps_no_case_reminder():
    for status in (CaseStatus.MEDIATED, CaseStatus.FAILED, CaseStatus.WITHDRAWN, CaseStatus.CLOSED):
        plan = case_changed(CaseFacts(status, accepted_at=MONDAY,
                                      mediation_deadline=date(2026, 7, 1)), now=MONDAY)
        assert plan.create == () and plan.cancel == CASE_KINDS


def test_a_deadline_already_past_is_due_at_once_not_dropped():
    late = court(2026, 6, 20, 15)
    plan = case_changed(CaseFacts(CaseStatus.REGISTERED, registered_at=MONDAY), now=late)
    assert plan.create[0].due_at == late


def test_every_party_is_reminded_at_nine_the_day_before_a_visit():
    plan = visit_scheduled(court(2026, 6, 10, 14, 30), now=MONDAY)
    assert kinds(plan) == [("visit_tomorrow", "parties", court(2026, 6, 9))]
    assert visit_scheduled(MONDAY - timedelta(hours=1), now=MONDAY).create == ()
    soon = visit_scheduled(MONDAY + timedelta(hours=3), now=MONDAY)
    assert soon.create[0].due_at == MONDAY


def test_an_inquiry_reminds_3_and_1_working_days_before_and_escalates_the_morning_after():
    plan = inquiry_issued(date(2026, 6, 15), now=MONDAY)  # a Monday
    assert kinds(plan) == [
        ("inquiry_due", "developer", court(2026, 6, 10)),
        ("inquiry_due", "developer", court(2026, 6, 12)),
        ("inquiry_overdue", "judge", court(2026, 6, 16)),
    ]
    assert working_days_before(date(2026, 6, 15), 1, is_working_day=lambda d: d.weekday() < 5) \
        == date(2026, 6, 12)


def test_an_inquiry_with_a_short_deadline_skips_the_reminders_already_past():
    plan = inquiry_issued(date(2026, 6, 3), now=MONDAY)
    assert [p.key for p in plan.create if p.kind is ReminderKind.INQUIRY_DUE] == ["1wd"]


def test_an_answer_cancels_the_inquiry_reminders():
    assert inquiry_answered().cancel == {ReminderKind.INQUIRY_DUE, ReminderKind.INQUIRY_OVERDUE}
    assert inquiry_answered().create == ()


def test_an_agreement_in_effect_opens_the_window_the_follow_ups_and_the_milestones():
    plan = agreement_effective(MONDAY, [(0, date(2026, 6, 20))], now=MONDAY)
    assert kinds(plan) == [
        ("confirmation_window", "mediator", court(2026, 6, 24)),
        ("follow_up", "mediator", court(2026, 6, 8)),
        ("follow_up", "mediator", court(2026, 7, 1)),
        ("milestone_due", "developer", court(2026, 6, 17)),
        ("milestone_overdue", "judge", court(2026, 6, 21)),
    ]
    assert agreement_confirmed().cancel == {ReminderKind.CONFIRMATION_WINDOW}


def test_a_milestone_a_homeowner_performs_reminds_that_homeowner_not_the_developer():
    plan = agreement_effective(MONDAY, [(0, date(2026, 6, 20), {Recipient.DEVELOPER}),
                                        (1, date(2026, 6, 20), {Recipient.HOMEOWNERS}),
                                        (2, date(2026, 6, 20), set())], now=MONDAY)
    assert [(p.recipient.value, p.key) for p in plan.create
            if p.kind is ReminderKind.MILESTONE_DUE] == [("developer", "m0"), ("homeowners", "m1")]
    # A guarantor's milestone (nobody of the parties): only the judge checks it, the day after.
    assert [(p.recipient.value, p.key) for p in plan.create
            if p.kind is ReminderKind.MILESTONE_OVERDUE] == [("judge", "m0"), ("judge", "m1"),
                                                             ("judge", "m2")]


def test_only_a_bad_rating_asks_the_judge_to_follow_up():
    assert kinds(rating_given(2, now=MONDAY)) == [("rating_follow_up", "judge", MONDAY)]
    assert rating_given(4, now=MONDAY).create == ()
    # With the follow-up's last day: that morning; recording the follow-up cancels it.
    assert kinds(rating_given(1, now=MONDAY, followup_due=date(2026, 6, 8))) == [
        ("rating_follow_up", "judge", court(2026, 6, 8))]
    assert followup_done().cancel == {ReminderKind.RATING_FOLLOW_UP}


def test_a_milestone_performed_cancels_that_milestones_reminders_only():
    plan = milestone_met(1)
    assert plan.cancel == frozenset() and plan.cancel_keys == {
        (ReminderKind.MILESTONE_DUE, "m1"), (ReminderKind.MILESTONE_OVERDUE, "m1")}


def test_a_warning_waits_three_working_days_for_its_acknowledgement():
    friday = court(2026, 6, 5, 2)
    assert kinds(warning_issued(friday, now=friday)) == [
        ("warning_ack", "developer", court(2026, 6, 10))]


def test_each_reminder_of_a_plan_has_its_own_key():
    plan = agreement_effective(MONDAY, [(0, date(2026, 6, 20)), (1, date(2026, 6, 20))],
                               now=MONDAY)
    parts = [(p.dedupe_part(), p.recipient) for p in plan.create]
    assert len(parts) == len(set(parts))


def test_the_day_the_case_row_keeps_wins_over_counting_again():
    plan = case_changed(CaseFacts(CaseStatus.REGISTERED, registered_at=MONDAY,
                                  step_due=date(2026, 6, 9)), now=MONDAY)
    assert plan.create[0].due_at == court(2026, 6, 9)


def test_a_moved_visits_reminder_replaces_the_old_one_even_at_the_same_minute():
    first = visit_scheduled(court(2026, 6, 10, 14, 30), now=MONDAY)
    moved = visit_scheduled(court(2026, 6, 10, 16, 0), now=MONDAY, version="m20260608101500")
    assert first.create[0].due_at == moved.create[0].due_at
    assert first.create[0].dedupe_part() != moved.create[0].dedupe_part()
    assert ReminderKind.VISIT_TOMORROW in moved.cancel
