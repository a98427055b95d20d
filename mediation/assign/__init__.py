"""Mediator assignment: the suggestion a judge accepts, amends or overrides.

The court assigns a registered pre-litigation case to a mediator within three working days,
and the mediator accepts it or declines it for a conflict of interest (回避) within three
working days (人民法院在线调解规则 2021, arts. 10 and 12). This package proposes whom to
assign, case by case, optimally rather than greedily (docs/mediator-assignment.md):

- **Eligible pairs only.** The mediator is available (active and not on leave on the day),
  has the case's dispute type among its skills, has declared no conflict with the case's
  developer, and has capacity left (``capacity`` = how many more cases it may take now).
- **First as many cases as possible**, then the least total cost: the great-circle
  kilometres between each case's project and its mediator's base (R = 6371.0088 km) plus
  ``load_weight_km`` × Σ over mediators of (load+1) + … + (load+n), n being the new cases
  it receives: each extra case costs a busy mediator more than the last, so work spreads.
- Every suggestion explains itself in Chinese ("距离3.2公里；当前在办4件；擅长逾期交房"),
  and every case left out says why: no mediator with the skill, none available, all
  conflicted, no capacity, or capacity taken by other cases of the maximum assignment.

``suggest_assignments(scenario)`` takes plain dataclasses (``AssignmentScenario``) and
returns an ``AssignmentResult``; ``python -m mediation.assign SCENARIO.json`` is the same
from the command line. The optimisation is in :mod:`mediation.assign.solver`.
"""

from mediation.assign.scenario import (
    DEFAULT_LOAD_WEIGHT_KM, AssignmentScenario, MediatorProfile, OpenCase, ProjectSite, ScenarioError,
    parse_scenario, read_scenario,
)
from mediation.assign.suggest import LEFT_OUT_CODES, AssignmentResult, LeftOut, Suggestion, suggest_assignments

__all__ = [
    "DEFAULT_LOAD_WEIGHT_KM", "LEFT_OUT_CODES", "AssignmentResult", "AssignmentScenario", "LeftOut",
    "MediatorProfile", "OpenCase", "ProjectSite", "ScenarioError", "Suggestion", "parse_scenario",
    "read_scenario", "suggest_assignments",
]
