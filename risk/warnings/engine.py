"""Evaluate a snapshot: each project's rules, then each developer's, then contagion."""
from __future__ import annotations

from collections import defaultdict

from risk.holidays import HolidayCalendar
from risk.warnings import rules as r
from risk.warnings.contagion import contagion, guarantee_graph, paths_to_red
from risk.warnings.model import (
    DEFAULT_RULES,
    RULES,
    Assessment,
    Evaluation,
    Level,
    Snapshot,
    RiskWarning,
    WarningRules,
)
from risk.workdays import DEFAULT_CALENDAR


def _level(warnings) -> Level:
    return max((w.level for w in warnings), default=Level.NONE)


def _ordered(warnings) -> tuple[RiskWarning, ...]:
    return tuple(sorted((w for w in warnings if w is not None), key=lambda w: RULES.index(w.rule)))


def assess(snapshot: Snapshot, rules: WarningRules = DEFAULT_RULES,
           calendar: HolidayCalendar | None = None) -> Evaluation:
    """Assess every project and developer of ``snapshot`` on ``snapshot.today``."""
    calendar = calendar or DEFAULT_CALENDAR
    today = snapshot.today
    inquiries, milestones, commitments = defaultdict(list), defaultdict(list), defaultdict(list)
    for inquiry in snapshot.inquiries:
        inquiries[inquiry.project_id].append(inquiry)
    for milestone in snapshot.milestones:
        milestones[milestone.developer_id].append(milestone)
    for commitment in snapshot.commitments:
        commitments[commitment.developer_id].append(commitment)
    decided = set(snapshot.blacklisted)

    developer_ids = snapshot.developer_ids()
    own: dict = {}
    for dev in developer_ids:
        own[dev] = [
            r.milestone_overdue(milestones[dev], today, rules),
            r.commitment_broken(commitments[dev], today, rules),
            r.blacklist(commitments[dev], today, rules, dev in decided),
        ]
    blacklisted = {dev for dev, ws in own.items() if ws[2] is not None}

    projects = []
    for project in snapshot.projects:
        warnings = [
            r.surge(project, today, rules),
            r.overdue_delivery(project, today, rules),
            r.inquiry_unanswered(inquiries[project.id], today, rules, calendar),
            r.inquiry_non_compliant(inquiries[project.id], today, rules),
        ]
        if project.developer_id in blacklisted:
            warnings.append(RiskWarning(
                "blacklist", Level.RED,
                f"开发企业{project.developer_id}已列入失信名单",
                f"developer {project.developer_id} is on the blacklist"))
        warnings = _ordered(warnings)
        projects.append(Assessment(project.id, _level(warnings), warnings,
                                   developer_id=project.developer_id))

    levels = {dev: _level(w for w in own[dev] if w is not None) for dev in developer_ids}
    for project in projects:
        levels[project.developer_id] = max(levels[project.developer_id], project.level)

    graph = guarantee_graph(developer_ids, snapshot.guarantees)
    paths = paths_to_red(graph, [dev for dev in developer_ids if levels[dev] is Level.RED])
    developers = []
    for dev in developer_ids:
        warnings = list(own[dev])
        if dev in paths:
            warnings.append(contagion(levels[dev], paths[dev], graph, rules))
        warnings = _ordered(warnings)
        level = max(levels[dev], _level(warnings))
        developers.append(Assessment(dev, level, warnings, blacklisted=dev in blacklisted))
    return Evaluation(today, tuple(projects), tuple(developers))
