"""Contagion through guarantees (担保链): a developer that guarantees a red developer's debts,
or whose debts a red developer guarantees, carries part of its risk — at any distance.

The guarantees form an undirected graph for reachability (either direction, any number of
steps); the directed edges only word the path ("D3为D2提供担保").
"""
from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from risk.warnings.model import Guarantee, Level, RiskWarning, WarningRules


def guarantee_graph(developer_ids: Iterable, guarantees: Iterable[Guarantee]) -> nx.DiGraph:
    """Developers as nodes, an edge guarantor → debtor for each guarantee between two of them."""
    graph = nx.DiGraph()
    graph.add_nodes_from(developer_ids)
    graph.add_edges_from((g.guarantor, g.debtor) for g in guarantees if g.guarantor != g.debtor)
    return graph


def paths_to_red(graph: nx.DiGraph, red: Iterable) -> dict:
    """For every developer linked to a red one, the shortest path from it to the nearest red."""
    sources = [d for d in graph if d in set(red)]
    if not sources:
        return {}
    paths = nx.multi_source_dijkstra_path(graph.to_undirected(as_view=True), sources)
    return {node: tuple(reversed(path)) for node, path in paths.items() if len(path) > 1}


def _step(graph: nx.DiGraph, a, b) -> tuple[str, str]:
    if graph.has_edge(a, b):
        return f"{a}为{b}提供担保", f"{a} guarantees {b}"
    return f"{b}为{a}提供担保", f"{b} guarantees {a}"


def contagion(own: Level, path: tuple, graph: nx.DiGraph, rules: WarningRules) -> RiskWarning | None:
    """One level above ``own``, at least yellow, at most orange.

    A developer already red is where contagion comes from, not where it goes: None.
    """
    if own >= Level.RED:
        return None
    level = Level(min(rules.contagion_cap, max(rules.contagion_floor, own + 1)))
    steps = [_step(graph, a, b) for a, b in zip(path, path[1:])]
    red = path[-1]
    zh = f"经担保关系与红色预警企业{red}关联（{len(steps)}步）：" + "，".join(s[0] for s in steps)
    en = (f"linked to red-level developer {red} through guarantees ({len(steps)} step(s)): "
          + ", ".join(s[1] for s in steps))
    return RiskWarning("contagion", level, zh, en, path=path)
