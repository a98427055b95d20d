"""May this mediator take the case? Inactive, in conflict, or full: refused, and told why."""
from __future__ import annotations

import pytest

from mediation.eligibility import (
    MediatorFacts, assess_mediator, counts_toward_workload, rank_mediators,
)
from mediation.lifecycle import CaseStatus

DEVELOPER = "文昌海景置业有限公司"


def mediator(name="林调解", **facts):
    values = {"active": True, "workload": 3, "capacity": 20} | facts
    return MediatorFacts(name=name, **values)


def test_an_active_mediator_with_room_and_no_conflict_may_take_the_case():
    assessment = assess_mediator(mediator(), developer=DEVELOPER)
    assert assessment.available and assessment.refusal is None


def test_an_inactive_mediator_is_refused():
    assessment = assess_mediator(mediator(active=False), developer=DEVELOPER)
    assert assessment.inactive and not assessment.available
    assert assessment.refusal == "调解员林调解已停用"


def test_a_mediator_in_conflict_with_the_developer_must_withdraw():
    assessment = assess_mediator(mediator(conflict="曾任该公司法律顾问"), developer=DEVELOPER)
    assert assessment.conflict == "曾任该公司法律顾问"
    assert assessment.refusal == (
        "调解员林调解与文昌海景置业有限公司存在利益冲突（曾任该公司法律顾问），应当回避")


@pytest.mark.parametrize("workload, capacity, full", [(19, 20, False), (20, 20, True),
                                                      (21, 20, True), (0, 0, True)])
def test_a_mediator_is_full_once_the_workload_reaches_the_capacity(workload, capacity, full):
    assessment = assess_mediator(mediator(workload=workload, capacity=capacity),
                                 developer=DEVELOPER)
    assert assessment.full is full
    if full:
        assert assessment.refusal == f"调解员林调解在办案件{workload}件，已达上限{capacity}件"


def test_inactivity_is_named_before_a_conflict_and_a_conflict_before_a_full_load():
    everything = mediator(active=False, conflict="亲属在该公司任职", workload=20, capacity=20)
    assert assess_mediator(everything, developer=DEVELOPER).refusal.endswith("已停用")
    conflicted_and_full = mediator(conflict="亲属在该公司任职", workload=20, capacity=20)
    assert "应当回避" in assess_mediator(conflicted_and_full, developer=DEVELOPER).refusal


@pytest.mark.parametrize("status, counts", [
    ("registered", False), ("assigned", True), ("scheduled", True), ("in_mediation", True),
    ("mediated", False), ("performing", False), ("failed", False), ("closed", False),
])
def test_only_cases_in_the_mediation_phase_count_toward_the_workload(status, counts):
    """After settlement a case needs follow-up visits, not sessions: it no longer counts."""
    assert counts_toward_workload(status) is counts
    assert counts_toward_workload(CaseStatus(status)) is counts


def test_the_judge_sees_available_mediators_first_then_the_skilled_the_least_loaded():
    ranked = rank_mediators(assess_mediator(m, developer=DEVELOPER) for m in [
        mediator("甲", active=False, workload=0),
        mediator("乙", workload=5),
        mediator("丙", workload=9, skilled=True),
        mediator("丁", workload=2),
        mediator("戊", workload=20, capacity=20, skilled=True),
    ])
    assert [a.facts.name for a in ranked] == ["丙", "丁", "乙", "戊", "甲"]


def test_a_refusal_explains_itself_in_english_too():
    from mediation.messages import localize

    refusal = assess_mediator(mediator(workload=20, capacity=20), developer=DEVELOPER).refusal
    assert localize(refusal, "en") == "Mediator 林调解 holds 20 open cases, the limit is 20"
