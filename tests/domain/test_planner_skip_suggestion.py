"""``plan_release(..., suggest=False)``: the same plan without the search for the smallest
unblocking guarantee (the web page plans so and queues the search: docs/release-in-the-app.md)."""
from __future__ import annotations

import pytest

import risk.planner
from risk.guarantee_graph import parse_scenario
from risk.planner import plan_release
from tests.domain.test_planner import load


@pytest.mark.parametrize("name", ["blocked", "example"])
def test_skipping_the_search_changes_nothing_but_the_suggestion(name, monkeypatch):
    scenario = parse_scenario(load(name))
    full = plan_release(scenario).to_json()

    def no_search(*args, **kwargs):
        raise AssertionError("suggest=False must not search")

    monkeypatch.setattr(risk.planner._Planner, "_suggest", no_search)
    quick = plan_release(scenario, suggest=False).to_json()
    if full["blocked"] is None:
        assert quick == full
        return
    assert {k: v for k, v in quick.items() if k != "blocked"} == {k: v for k, v in full.items() if k != "blocked"}
    assert quick["blocked"]["suggested_guarantee"] is None
    assert quick["blocked"]["reason"] in full["blocked"]["reason"]  # the shortfall, and no claim about a guarantee
    assert "无法筹足" not in quick["blocked"]["reason"]
    same = ("obligation", "owner", "shortfall", "after_stage")
    assert {k: quick["blocked"][k] for k in same} == {k: full["blocked"][k] for k in same}
