"""``risk.release_stage.least_whole_threshold`` computes, with four maximum flows per trial,
the least cap of the extra guarantee at which some failed whole asset could go. Checked
here against the definition — every cap in the range tried one by one with networkx's
max-flow, code that shares nothing with the planner's flow machinery."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk.flow import SecurityNetwork
from risk.release_stage import least_whole_threshold


def secured(network: SecurityNetwork, caps, exposures) -> int:
    graph = nx.DiGraph()
    for k, cap in enumerate(caps):
        graph.add_edge("s", ("i", k), capacity=int(cap))
    for c, exposure in enumerate(exposures):
        graph.add_edge(("c", c), "t", capacity=int(exposure))
    for i, c in zip(network.arc_item.tolist(), network.arc_case.tolist()):
        graph.add_edge(("i", i), ("c", c), capacity=int(caps[i]))
    return int(nx.maximum_flow_value(graph, "s", "t"))


@st.composite
def networks(draw):
    n_items = draw(st.integers(2, 5))
    n_cases = draw(st.integers(1, 4))
    arcs = draw(st.lists(st.tuples(st.integers(0, n_items - 2), st.integers(0, n_cases - 1)),
                         min_size=1, max_size=10, unique=True))
    extra = n_items - 1
    extra_cases = draw(st.lists(st.integers(0, n_cases - 1), min_size=1, max_size=n_cases, unique=True))
    arcs += [(extra, c) for c in extra_cases]
    network = SecurityNetwork(np.arange(n_items), np.arange(n_cases),
                              np.array([i for i, _ in arcs]), np.array([c for _, c in arcs]))
    caps = np.array(draw(st.lists(st.integers(0, 12), min_size=n_items, max_size=n_items)), dtype=np.int64)
    exposures = np.array(draw(st.lists(st.integers(0, 12), min_size=n_cases, max_size=n_cases)), dtype=np.int64)
    trials = draw(st.lists(st.integers(0, n_items - 2), min_size=1, max_size=3, unique=True))
    lo = draw(st.integers(0, 6))
    hi = draw(st.integers(lo, 40))
    return network, caps, exposures, extra, trials, lo, hi


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_the_least_threshold_is_the_least_cap_where_some_asset_adds_nothing(case):
    network, caps, exposures, extra, items, lo, hi = case
    trials = [(item, caps) for item in items]

    def some_goes(g: int) -> bool:
        for item in items:
            with_it = caps.copy()
            with_it[extra] = g
            without = with_it.copy()
            without[item] = 0
            if secured(network, with_it, exposures) == secured(network, without, exposures):
                return True
        return False

    expected = next((g for g in range(lo + 1, hi + 1) if some_goes(g)), None)
    assert least_whole_threshold(network, exposures, trials, extra, lo, hi) == expected


def test_a_threshold_far_above_int32_is_exact():
    """Caps beyond int32 (the solver scales them): the unit goes exactly when the extra
    guarantee covers the whole case besides the account."""
    network = SecurityNetwork(np.arange(3), np.arange(1), np.array([0, 1, 2]), np.array([0, 0, 0]))
    exposure = 9_000_000_000
    caps = np.array([6_000_000_000, 5_000_000_000, 0], dtype=np.int64)  # unit, account, extra
    exposures = np.array([exposure], dtype=np.int64)
    threshold = least_whole_threshold(network, exposures, [(0, caps)], 2, 0, exposure)
    assert threshold == exposure - 5_000_000_000
