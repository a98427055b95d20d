"""The judges' risk overview, a developer's risk page and the developer staff's own view.

* ``court_overview``: the court's projects by level, what changed in the last 7 days, the
  rules that fired most, and a map of the towns coloured by their highest project level —
  drawn as SVG from the towns' approximate coordinates (the page says so).
* ``developer_page``: levels, blacklist (decisions and the rule), commitments, and the
  guarantee graph between developers with the contagion path, drawn as SVG (positions
  from networkx, presentation attributes only: the CSP forbids inline style).
* ``developer_overview``: for the developer's staff, its projects' levels and what it must
  do next (inquiries to answer, notices to sign or answer, commitments falling due).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import networkx as nx
from sqlalchemy import select

from app.access import Permission, can
from app.extensions import db
from app.models import (
    Commitment, ComplianceInquiry, Developer, DeveloperGuarantee, Project, RiskLevelChange, RiskLevelRow, Town,
    User, WarningNotice,
)
from app.services.warning_notices import blacklist_decisions, developer_for, is_blacklisted
from risk.warnings import Level

LEVELS = ("red", "orange", "yellow", "blue", "none")
#: Fill colours of the levels on the map and the graph (SVG ``fill`` attributes).
COLOURS = {"none": "#e5e7eb", "blue": "#60a5fa", "yellow": "#facc15", "orange": "#fb923c", "red": "#ef4444"}


@dataclass(frozen=True)
class TownDot:
    name: str
    level: str
    projects: int
    x: float
    y: float
    fill: str


def _town_map(rows: list[tuple[Town, str]], width: int = 480, height: int = 360, pad: int = 30) -> list[TownDot]:
    """Each town with projects at its approximate coordinates, scaled into the drawing."""
    by_town: dict[int, list] = defaultdict(list)
    towns = {}
    for town, level in rows:
        if town.latitude is None or town.longitude is None:
            continue
        by_town[town.id].append(level)
        towns[town.id] = town
    if not towns:
        return []
    lats = [t.latitude for t in towns.values()]
    lons = [t.longitude for t in towns.values()]
    lat0, lat1 = min(lats), max(lats) or 1
    lon0, lon1 = min(lons), max(lons)
    span_lat, span_lon = (lat1 - lat0) or 1, (lon1 - lon0) or 1
    dots = []
    for town_id, levels in sorted(by_town.items()):
        town = towns[town_id]
        top = max(levels, key=lambda c: Level.from_code(c))
        dots.append(TownDot(town.name, top, len(levels),
                            round(pad + (town.longitude - lon0) / span_lon * (width - 2 * pad), 1),
                            round(pad + (lat1 - town.latitude) / span_lat * (height - 2 * pad), 1), COLOURS[top]))
    return dots


def court_overview(user: User, today: date) -> dict:
    """The judge's court: projects by level, this week's changes, the rules fired most, the map."""
    rows = db.session.execute(
        select(Project, RiskLevelRow.level, RiskLevelRow.warnings, Town)
        .join(Town, Town.id == Project.town_id)
        .outerjoin(RiskLevelRow, RiskLevelRow.project_id == Project.id)
        .where(Project.court_id == user.court_id).order_by(Project.name)).all()
    by_level: dict[str, list] = {level: [] for level in LEVELS}
    fired = Counter()
    for project, level, warnings, _town in rows:
        by_level[level or "none"].append(project)
        for warning in warnings or ():
            fired[warning["rule"]] += 1
    week = today - timedelta(days=6)
    changes = db.session.execute(
        select(RiskLevelChange, Project).join(Project, Project.id == RiskLevelChange.project_id)
        .where(Project.court_id == user.court_id, RiskLevelChange.evaluated_on >= week)
        .order_by(RiskLevelChange.evaluated_on.desc(), RiskLevelChange.id.desc())).all()
    return {"by_level": by_level, "changes": changes, "fired": fired.most_common(),
            "towns": _town_map([(town, level or "none") for _p, level, _w, town in rows]),
            "colours": COLOURS, "week_from": week, "today": today}


@dataclass(frozen=True)
class GraphNode:
    id: int
    name: str
    level: str
    x: float
    y: float
    fill: str
    on_path: bool


@dataclass(frozen=True)
class GraphEdge:
    x1: float
    y1: float
    x2: float
    y2: float
    on_path: bool


def guarantee_drawing(developer_id: int, size: int = 360) -> tuple[list[GraphNode], list[GraphEdge], list]:
    """The developer's guarantee component (either direction), laid out by networkx, and the
    shortest path to a red developer in it (the contagion path)."""
    graph = nx.Graph()
    directed = nx.DiGraph()
    for g in db.session.scalars(select(DeveloperGuarantee)):
        graph.add_edge(g.guarantor_id, g.debtor_id)
        directed.add_edge(g.guarantor_id, g.debtor_id)
    if developer_id not in graph:
        return [], [], []
    component = graph.subgraph(nx.node_connected_component(graph, developer_id)).copy()
    levels = dict(db.session.execute(select(RiskLevelRow.developer_id, RiskLevelRow.level).where(
        RiskLevelRow.developer_id.in_(list(component.nodes)))).all())
    names = dict(db.session.execute(select(Developer.id, Developer.name).where(
        Developer.id.in_(list(component.nodes)))).all())
    reds = [n for n in component.nodes if levels.get(n) == "red" and n != developer_id]
    path = []
    if reds:
        lengths = nx.single_source_shortest_path(component, developer_id)
        nearest = min((r for r in reds if r in lengths), key=lambda r: (len(lengths[r]), r), default=None)
        path = lengths[nearest] if nearest is not None else []
    positions = nx.circular_layout(sorted(component.nodes), scale=size / 2 - 40, center=(size / 2, size / 2))
    on_path = set(zip(path, path[1:])) | set(zip(path[1:], path))
    nodes = [GraphNode(n, names.get(n, str(n)), levels.get(n, "none"), round(float(positions[n][0]), 1),
                       round(float(positions[n][1]), 1), COLOURS[levels.get(n, "none")], n in path)
             for n in sorted(component.nodes)]
    edges = [GraphEdge(round(float(positions[a][0]), 1), round(float(positions[a][1]), 1),
                       round(float(positions[b][0]), 1), round(float(positions[b][1]), 1), (a, b) in on_path)
             for a, b in directed.edges if a in component and b in component]
    path_text = []
    for a, b in zip(path, path[1:]):
        if directed.has_edge(a, b):
            path_text.append(f"{names.get(a)}为{names.get(b)}提供担保")
        else:
            path_text.append(f"{names.get(b)}为{names.get(a)}提供担保")
    return nodes, edges, path_text


def developer_page(user: User, developer_id: int) -> dict:
    developer = developer_for(user, developer_id)
    level = db.session.scalar(select(RiskLevelRow).where(RiskLevelRow.developer_id == developer.id))
    projects = db.session.execute(
        select(Project, RiskLevelRow.level).outerjoin(RiskLevelRow, RiskLevelRow.project_id == Project.id)
        .where(Project.developer_id == developer.id).order_by(Project.name)).all()
    if user.role == "judge":
        projects = [(p, lv) for p, lv in projects if p.court_id == user.court_id]
    commitments = list(db.session.scalars(select(Commitment).where(Commitment.developer_id == developer.id)
                                          .order_by(Commitment.due_on.desc())))
    nodes, edges, path = guarantee_drawing(developer.id)
    return {"developer": developer, "level": level, "projects": projects, "commitments": commitments,
            "blacklisted": is_blacklisted(developer.id), "decisions": blacklist_decisions(developer.id),
            "nodes": nodes, "edges": edges, "path": path,
            "may_settle": can(user, Permission.RISK_VIEW)}


def developer_overview(user: User) -> dict:
    """A developer's staff: its projects' levels and what it must do next."""
    developer_id = user.developer_id
    if developer_id is None:
        return {"projects": [], "inquiries": [], "notices": [], "commitments": [], "developer_level": None}
    projects = db.session.execute(
        select(Project, RiskLevelRow.level, RiskLevelRow.warnings)
        .outerjoin(RiskLevelRow, RiskLevelRow.project_id == Project.id)
        .where(Project.developer_id == developer_id).order_by(Project.name)).all()
    return {
        "developer_id": developer_id,
        "developer_level": db.session.scalar(select(RiskLevelRow).where(RiskLevelRow.developer_id == developer_id)),
        "projects": projects,
        "inquiries": list(db.session.scalars(select(ComplianceInquiry).where(
            ComplianceInquiry.developer_id == developer_id, ComplianceInquiry.answered_at.is_(None))
            .order_by(ComplianceInquiry.deadline_on))),
        "notices": list(db.session.scalars(select(WarningNotice).where(
            WarningNotice.developer_id == developer_id, WarningNotice.answered_at.is_(None))
            .order_by(WarningNotice.created_at))),
        "commitments": list(db.session.scalars(select(Commitment).where(
            Commitment.developer_id == developer_id, Commitment.status == "open").order_by(Commitment.due_on))),
    }
