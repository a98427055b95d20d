"""Who goes on the blacklist, and how far does a red developer's risk spread through guarantees?"""
import pytest

from risk.warnings import Level
from tests.domain.warning_snapshots import (
    days_ago,
    developer_result,
    evaluate,
    project,
    project_result,
    rule_level,
    snapshot,
)


def _broken(*ages, developer="D1"):
    return [{"id": f"K{developer}{i}", "developer_id": developer, "due": days_ago(age), "kept": False}
            for i, age in enumerate(ages)]


def test_three_broken_commitments_within_365_days_put_the_developer_and_its_projects_on_red():
    data = snapshot(projects=[project("P1"), project("P2")], commitments=_broken(1, 100, 364))
    evaluation = evaluate(data)
    developer = developer_result(evaluation)
    assert developer.blacklisted and developer.level is Level.RED
    assert rule_level(developer, "blacklist") == "red"
    assert "其提供的担保不予接受" in next(w for w in developer.warnings if w.rule == "blacklist").facts_zh
    for p in ("P1", "P2"):
        assert rule_level(project_result(evaluation, p), "blacklist") == "red"
        assert project_result(evaluation, p).level is Level.RED


def test_a_commitment_due_365_days_ago_has_left_the_window():
    developer = developer_result(evaluate(snapshot(commitments=_broken(1, 100, 365))))
    assert not developer.blacklisted
    assert developer.level is Level.ORANGE  # still three broken commitments
    assert rule_level(developer, "commitment_broken") == "orange"


def test_two_broken_commitments_are_not_enough():
    assert not developer_result(evaluate(snapshot(commitments=_broken(1, 2)))).blacklisted


def test_a_judge_can_blacklist_a_developer_without_broken_commitments():
    evaluation = evaluate(snapshot(blacklisted=["D1"]))
    developer = developer_result(evaluation)
    assert developer.blacklisted and developer.level is Level.RED
    assert "经法官决定列入失信名单" in developer.warnings[0].facts_zh
    assert project_result(evaluation).level is Level.RED


def _chain(**extra):
    # D2 guarantees D1's debts; D3 guarantees D2's; D1 guarantees D5's; D4 stands alone.
    guarantees = [{"guarantor": "D2", "debtor": "D1"}, {"guarantor": "D3", "debtor": "D2"},
                  {"guarantor": "D1", "debtor": "D5"}]
    projects = [project(f"P{i}", f"D{i}") for i in range(1, 6)]
    return snapshot(projects=projects, guarantees=guarantees, blacklisted=["D1"], **extra)


def test_contagion_spreads_through_a_chain_in_either_direction_and_shows_the_path():
    evaluation = evaluate(_chain())
    d2, d3, d4, d5 = (developer_result(evaluation, f"D{i}") for i in (2, 3, 4, 5))
    assert d2.level is Level.YELLOW and d3.level is Level.YELLOW and d5.level is Level.YELLOW
    assert d4.level is Level.NONE and d4.warnings == ()
    contagion = d3.warnings[0]
    assert contagion.rule == "contagion" and contagion.path == ("D3", "D2", "D1")
    assert contagion.facts_zh == "经担保关系与红色预警企业D1关联（2步）：D3为D2提供担保，D2为D1提供担保"
    # A debtor whose guarantor is red is linked too.
    assert developer_result(evaluation, "D5").warnings[0].path == ("D5", "D1")
    # Contagion raises the developer, not its projects.
    assert project_result(evaluation, "P3").level is Level.NONE


def test_contagion_is_one_level_above_its_own_and_never_above_orange():
    yellow_d2 = project("P2", "D2", units=10, delivered_units=5, promised_delivery=days_ago(1))
    data = _chain()
    data["projects"][1] = yellow_d2
    assert developer_result(evaluate(data), "D2").level is Level.ORANGE
    orange_d2 = project("P2", "D2", units=10, delivered_units=5, promised_delivery=days_ago(100))
    data["projects"][1] = orange_d2
    d2 = developer_result(evaluate(data), "D2")
    assert d2.level is Level.ORANGE and rule_level(d2, "contagion") == "orange"


def test_a_red_developer_is_not_raised_by_another_red_one():
    data = _chain()
    data["blacklisted"] = ["D1", "D2"]
    d2 = developer_result(evaluate(data), "D2")
    assert d2.level is Level.RED and rule_level(d2, "contagion") == "none"


def test_without_a_red_developer_nothing_spreads():
    data = _chain()
    data["blacklisted"] = []
    assert all(d.level is Level.NONE for d in evaluate(data).developers)


@pytest.mark.parametrize("length", [2, 6])
def test_contagion_reaches_any_distance(length):
    guarantees = [{"guarantor": f"D{i + 1}", "debtor": f"D{i}"} for i in range(1, length)]
    data = snapshot(projects=[project("P1", "D1")], guarantees=guarantees, blacklisted=["D1"])
    last = developer_result(evaluate(data), f"D{length}")
    assert last.level is Level.YELLOW and len(last.warnings[0].path) == length
