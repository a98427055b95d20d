"""The assignment scenario: open cases, the projects they concern, the court's mediators.

A scenario is plain data (the JSON of ``python -m mediation.assign``, or dataclasses the
web app builds from its tables). This module refuses anything the court could not act on
— unknown or duplicate ids, negative counts, latitudes outside ±90°, longitudes outside
±180°, fractional capacities, missing fields — with :class:`ScenarioError`, whose ``field``
names the offending input (``mediators[2].capacity``) so the command can print one line.

Ids are strings and live in three namespaces (cases, projects, mediators); a developer id
only has to be a string, since a mediator may declare a conflict with a developer that has
no open case today. Whether a mediator is available on the day (active, not on leave) is
decided by the caller, who knows the calendar: the scenario carries the answer.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Mapping

__all__ = [
    "DEFAULT_LOAD_WEIGHT_KM", "AssignmentScenario", "MediatorProfile", "OpenCase", "ProjectSite",
    "ScenarioError", "parse_scenario", "read_scenario",
]

# The court's default price of one more open case, in kilometres of travel: a mediator with
# four open cases is worth a detour of 5 km over one with three (docs/contracts.md,
# "load_weight_km defaults to 5").
DEFAULT_LOAD_WEIGHT_KM = 5.0

# Bounds far beyond any court, which keep every cost the solver sees inside int64 once
# scaled (see mediation.assign.solver): no mediator carries 100,000 open cases, and a
# weight of 10,000 km per case already means "never mind the distance".
MAX_COUNT = 100_000
MAX_LOAD_WEIGHT_KM = 10_000.0


class ScenarioError(ValueError):
    """The scenario cannot be assigned; ``field`` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class OpenCase:
    """A registered case waiting for a mediator."""

    id: str
    dispute_type: str  # a mediation.disputes.DisputeType code
    developer_id: str
    project_id: str


@dataclass(frozen=True)
class ProjectSite:
    """Where a housing project stands (degrees, WGS 84)."""

    id: str
    lat: float
    lon: float


@dataclass(frozen=True)
class MediatorProfile:
    """A mediator as the assignment sees it today."""

    id: str
    skills: frozenset[str]  # dispute type codes
    lat: float  # the mediator's base
    lon: float
    capacity: int  # how many more cases the mediator may take now
    load: int = 0  # open cases now
    conflicts: frozenset[str] = frozenset()  # developer ids (回避)
    available: bool = True  # active and not on leave on the day


@dataclass(frozen=True)
class AssignmentScenario:
    cases: tuple[OpenCase, ...]
    projects: tuple[ProjectSite, ...]
    mediators: tuple[MediatorProfile, ...]
    load_weight_km: float = DEFAULT_LOAD_WEIGHT_KM


# --------------------------------------------------------------------------- reading


def read_scenario(text: str) -> AssignmentScenario:
    """Parse scenario JSON text; syntax errors become a :class:`ScenarioError` too."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ScenarioError("scenario", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ScenarioError("scenario", "nested too deeply to be a scenario") from None
    except ScenarioError:  # NaN or Infinity, refused by _refuse_constant
        raise
    except ValueError as exc:  # a number of more than 4,300 digits (sys.int_info)
        raise ScenarioError("scenario", f"not valid JSON: {exc}") from None
    return parse_scenario(data)


def _refuse_constant(name: str) -> Any:
    raise ScenarioError("scenario", f"{name} is not a number")


def parse_scenario(data: Any) -> AssignmentScenario:
    """Check a decoded JSON scenario and turn it into dataclasses."""
    root = _object(data, "scenario")
    projects = tuple(_project(p, f"projects[{i}]") for i, p in enumerate(_list(_require(root, "projects", "scenario"), "projects")))
    _unique(projects, "projects")
    project_ids = {p.id for p in projects}
    cases = tuple(_case(c, f"cases[{i}]", project_ids) for i, c in enumerate(_list(_require(root, "cases", "scenario"), "cases")))
    _unique(cases, "cases")
    mediators = tuple(_mediator(m, f"mediators[{i}]") for i, m in enumerate(_list(_require(root, "mediators", "scenario"), "mediators")))
    _unique(mediators, "mediators")
    weight = root.get("load_weight_km", DEFAULT_LOAD_WEIGHT_KM)
    weight = _number(weight, "load_weight_km", 0.0, MAX_LOAD_WEIGHT_KM)
    return AssignmentScenario(cases=cases, projects=projects, mediators=mediators, load_weight_km=weight)


def check_scenario(scenario: AssignmentScenario) -> None:
    """Refuse a scenario built in code whose ids do not hold together (the parser's rules)."""
    for kind in ("projects", "cases", "mediators"):
        _unique(getattr(scenario, kind), kind)
    project_ids = {p.id for p in scenario.projects}
    for i, case in enumerate(scenario.cases):
        if case.project_id not in project_ids:
            raise ScenarioError(f"cases[{i}].project_id", f"unknown project {_quote(case.project_id)}")
    for i, m in enumerate(scenario.mediators):
        for key in ("capacity", "load"):
            if getattr(m, key) < 0:
                raise ScenarioError(f"mediators[{i}].{key}", f"must not be negative, got {getattr(m, key)}")
    if scenario.load_weight_km < 0:
        raise ScenarioError("load_weight_km", f"must not be negative, got {scenario.load_weight_km}")


def _project(obj: Any, where: str) -> ProjectSite:
    obj = _object(obj, where)
    return ProjectSite(
        id=_text(_require(obj, "id", where), f"{where}.id"),
        lat=_number(_require(obj, "lat", where), f"{where}.lat", -90.0, 90.0),
        lon=_number(_require(obj, "lon", where), f"{where}.lon", -180.0, 180.0),
    )


def _case(obj: Any, where: str, project_ids: set[str]) -> OpenCase:
    obj = _object(obj, where)
    project_id = _text(_require(obj, "project_id", where), f"{where}.project_id")
    if project_id not in project_ids:
        raise ScenarioError(f"{where}.project_id", f"unknown project {_quote(project_id)}")
    return OpenCase(
        id=_text(_require(obj, "id", where), f"{where}.id"),
        dispute_type=_text(_require(obj, "dispute_type", where), f"{where}.dispute_type"),
        developer_id=_text(_require(obj, "developer_id", where), f"{where}.developer_id"),
        project_id=project_id,
    )


def _mediator(obj: Any, where: str) -> MediatorProfile:
    obj = _object(obj, where)
    available = obj.get("available", True)
    if not isinstance(available, bool):
        raise ScenarioError(f"{where}.available", f"must be true or false, got {_quote_type(available)}")
    return MediatorProfile(
        id=_text(_require(obj, "id", where), f"{where}.id"),
        skills=frozenset(_texts(_require(obj, "skills", where), f"{where}.skills")),
        lat=_number(_require(obj, "lat", where), f"{where}.lat", -90.0, 90.0),
        lon=_number(_require(obj, "lon", where), f"{where}.lon", -180.0, 180.0),
        capacity=_count(_require(obj, "capacity", where), f"{where}.capacity"),
        load=_count(obj.get("load", 0), f"{where}.load"),
        conflicts=frozenset(_texts(obj.get("conflicts", []), f"{where}.conflicts")),
        available=available,
    )


def _unique(items, where: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            raise ScenarioError(f"{where}[{i}].id", f"duplicate id {_quote(item.id)}")
        seen.add(item.id)


def _require(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise ScenarioError(f"{where}.{key}" if where != "scenario" else key, "missing field")
    return obj[key]


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScenarioError(where, f"must be an object, got {_quote_type(value)}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScenarioError(where, f"must be a list, got {_quote_type(value)}")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(where, f"must be a non-empty string, got {_quote_type(value)}")
    return value


def _texts(value: Any, where: str) -> list[str]:
    return [_text(item, f"{where}[{i}]") for i, item in enumerate(_list(value, where))]


def _number(value: Any, where: str, low: float, high: float) -> float:
    """A finite JSON number within [low, high] (true, "5", NaN are all refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(where, f"must be a number, got {_quote_type(value)}")
    if isinstance(value, int) and abs(value) > 10**6:  # float() of a huge int would overflow
        raise ScenarioError(where, f"must be between {low:g} and {high:g}, got {value}")
    value = float(value)
    if not math.isfinite(value):
        raise ScenarioError(where, f"must be a finite number, got {value}")
    if value < 0 <= low:
        raise ScenarioError(where, f"must not be negative, got {value:g}")
    if not low <= value <= high:
        raise ScenarioError(where, f"must be between {low:g} and {high:g}, got {value:g}")
    return value


def _count(value: Any, where: str) -> int:
    """A count of cases: a non-negative whole number (3.0 is accepted as 3, 2.5 is not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(where, f"must be a whole number, got {_quote_type(value)}")
    if isinstance(value, float) and not value.is_integer():
        raise ScenarioError(where, f"must be a whole number, got {value!r}")
    if value < 0:
        raise ScenarioError(where, f"must not be negative, got {value:g}")
    if value > MAX_COUNT:
        raise ScenarioError(where, f"exceeds the largest accepted count {MAX_COUNT}")
    return int(value)


def _quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _quote_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {_quote(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
