"""Mediator assignment on the court's own questions: the contract's example, who may never
be chosen, why a case waits, and the command's answers to bad input."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from mediation.assign import ScenarioError, parse_scenario, read_scenario, suggest_assignments
from mediation.assign.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = {
    "cases": [{"id": "K1", "dispute_type": "late_delivery", "developer_id": "D1", "project_id": "P1"}],
    "projects": [{"id": "P1", "lat": 19.61, "lon": 110.75}],
    "mediators": [{"id": "M1", "skills": ["late_delivery", "quality"], "lat": 19.55, "lon": 110.80,
                   "capacity": 3, "load": 4, "conflicts": ["D9"], "available": True}],
    "load_weight_km": 5,
}


def suggest(data: dict) -> dict:
    return suggest_assignments(parse_scenario(data)).to_json()


def scenario(cases, mediators, projects=None, weight=5) -> dict:
    """Cases as (id, dispute_type, developer, project); projects default to P1 (文城) and P2 (铺前)."""
    projects = projects or [{"id": "P1", "lat": 19.543, "lon": 110.797}, {"id": "P2", "lat": 20.030, "lon": 110.580}]
    return {
        "cases": [{"id": c, "dispute_type": t, "developer_id": d, "project_id": p} for c, t, d, p in cases],
        "projects": projects,
        "mediators": [{"skills": ["late_delivery"], "lat": 19.543, "lon": 110.797, "capacity": 5, "load": 0,
                       "conflicts": [], "available": True} | m for m in mediators],
        "load_weight_km": weight,
    }


def run_main(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    try:
        if stdin is not None:
            sys.stdin = io.StringIO(stdin)
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


# --------------------------------------------------------------------------- the contract's example


def test_the_design_example_gives_exactly_the_published_answer():
    """Does the example scenario give K1 → M1 at 8.482 km, total cost 8.482 + 5 × 5 = 33.482?"""
    result = suggest(EXAMPLE)
    assert [(a["case_id"], a["mediator_id"], a["distance_km"]) for a in result["assignments"]] == [("K1", "M1", 8.482)]
    assert result["unassigned"] == []
    assert result["assigned"] == 1
    assert result["total_cost"] == 33.482
    assert set(result) == {"assignments", "unassigned", "assigned", "total_cost"}
    assert set(result["assignments"][0]) == {"case_id", "mediator_id", "distance_km", "reasons"}


def test_the_command_prints_the_example_as_json_and_exits_0(tmp_path):
    """Does `python -m mediation.assign SCENARIO.json` answer the example exactly, in a real process?"""
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mediation.assign", str(path)], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    output = json.loads(done.stdout)
    assert output["assignments"][0]["distance_km"] == 8.482
    assert output["total_cost"] == 33.482
    assert output["assigned"] == 1


def test_a_suggestion_explains_itself_in_chinese():
    """Does the judge read the distance, the mediator's open cases and its skill?"""
    reasons = suggest(EXAMPLE)["assignments"][0]["reasons"]
    assert reasons[:3] == ["距离8.5公里", "当前在办4件", "擅长逾期交房"]
    assert reasons[3] == "本次共分派1件，尚可再接2件"


# --------------------------------------------------------------------------- who may never be chosen


def test_a_conflicted_unskilled_unavailable_or_full_mediator_is_never_chosen_even_when_nearest():
    """Is the only acceptable mediator chosen although four others sit closer to the project?"""
    data = scenario(
        [("K1", "late_delivery", "D1", "P1")],
        [
            {"id": "CONFLICTED", "conflicts": ["D1"]},
            {"id": "UNSKILLED", "skills": ["quality"]},
            {"id": "ON_LEAVE", "available": False},
            {"id": "FULL", "capacity": 0},
            {"id": "FAR", "lat": 20.030, "lon": 110.580, "load": 30},
        ],
    )
    result = suggest(data)
    assert [(a["case_id"], a["mediator_id"]) for a in result["assignments"]] == [("K1", "FAR")]


def test_no_mediator_receives_more_cases_than_its_capacity():
    """With six cases and capacities 2 and 1, are exactly three assigned, two and one?"""
    data = scenario([(f"K{i}", "late_delivery", "D1", "P1") for i in range(6)],
                    [{"id": "M1", "capacity": 2}, {"id": "M2", "capacity": 1, "lat": 20.03, "lon": 110.58}])
    result = suggest(data)
    given = [a["mediator_id"] for a in result["assignments"]]
    assert (given.count("M1"), given.count("M2")) == (2, 1)
    assert [u["code"] for u in result["unassigned"]] == ["capacity_taken"] * 3


def test_more_cases_assigned_beats_a_cheaper_suggestion():
    """Does the suggestion send K1 far away so that K2, which only M1 can take, is assigned too?

    Greedy would give K1 its nearest mediator M1 and leave K2 without anyone."""
    data = scenario(
        [("K1", "late_delivery", "D1", "P1"), ("K2", "quality", "D1", "P1")],
        [{"id": "M1", "skills": ["late_delivery", "quality"], "capacity": 1},
         {"id": "M2", "lat": 20.03, "lon": 110.58, "capacity": 1}],
    )
    result = suggest(data)
    assert {a["case_id"]: a["mediator_id"] for a in result["assignments"]} == {"K1": "M2", "K2": "M1"}
    assert result["unassigned"] == []


def test_the_load_term_spreads_work_to_a_slightly_farther_idle_mediator():
    """Does a mediator at the project lose the second case to an equally busy one 3 km away?

    Both carry 10 cases. M1 sits at the project: 5×11 = 55 for a first case, 5×12 = 60 for a
    second, 115 for both. M2 is 3 km away: one case each costs 55 + (3 + 55) = 113."""
    projects = [{"id": "P1", "lat": 19.543, "lon": 110.797}]
    data = scenario([("K1", "late_delivery", "D1", "P1"), ("K2", "late_delivery", "D1", "P1")],
                    [{"id": "M1", "load": 10}, {"id": "M2", "load": 10, "lat": 19.570}], projects=projects)
    result = suggest(data)
    assert sorted(a["mediator_id"] for a in result["assignments"]) == ["M1", "M2"]
    near = next(a for a in result["assignments"] if a["mediator_id"] == "M2")["distance_km"]
    assert result["total_cost"] == pytest.approx(near + 5 * 11 + 5 * 11, abs=1e-3)


def test_with_no_load_weight_only_distance_counts():
    """With load_weight_km 0, do both cases go to the nearest mediator however busy?"""
    projects = [{"id": "P1", "lat": 19.543, "lon": 110.797}]
    data = scenario([("K1", "late_delivery", "D1", "P1"), ("K2", "late_delivery", "D1", "P1")],
                    [{"id": "M1", "load": 40}, {"id": "M2", "lat": 19.6}], projects=projects, weight=0)
    result = suggest(data)
    assert [a["mediator_id"] for a in result["assignments"]] == ["M1", "M1"]
    assert result["total_cost"] == 0.0


# --------------------------------------------------------------------------- why a case waits


@pytest.mark.parametrize(("mediators", "code", "phrase"), [
    ([{"id": "M1", "skills": ["quality"]}], "no_skill", "没有擅长逾期交房的调解员"),
    ([{"id": "M1", "available": False}, {"id": "M2", "available": False}], "none_available", "2名不在岗"),
    ([{"id": "M1", "conflicts": ["D1"]}, {"id": "M2", "available": False}], "all_conflicted", "1名与开发企业D1存在利益冲突"),
    ([{"id": "M1", "capacity": 0}], "no_capacity", "1名已无接案余量"),
], ids=["no skill", "none available", "all conflicted", "no capacity"])
def test_a_case_left_out_says_why(mediators, code, phrase):
    """Does a case nobody can take name the test its candidates failed?"""
    result = suggest(scenario([("K1", "late_delivery", "D1", "P1")], mediators))
    assert result["assigned"] == 0
    [left] = result["unassigned"]
    assert left["case_id"] == "K1" and left["code"] == code
    assert any(phrase in reason for reason in left["reasons"]), left["reasons"]


def test_a_case_outrun_by_others_names_the_mediators_whose_capacity_went_elsewhere():
    """Does a case left out of a full assignment say which mediators were taken, and why?"""
    result = suggest(scenario([("K1", "late_delivery", "D1", "P1"), ("K2", "late_delivery", "D1", "P1")],
                              [{"id": "M1", "capacity": 1}]))
    [left] = result["unassigned"]
    assert left["code"] == "capacity_taken"
    assert "M1" in left["reasons"][-1] and "先使分派的案件最多" in left["reasons"][-1]


def test_cases_keep_the_input_order_and_an_empty_scenario_is_valid():
    """Are suggestions listed in the order of the cases, and does nothing to assign give nothing?"""
    data = scenario([(f"K{i}", "late_delivery", "D1", "P2" if i % 2 else "P1") for i in range(5)],
                    [{"id": "M1"}, {"id": "M2", "lat": 20.03, "lon": 110.58}])
    assert [a["case_id"] for a in suggest(data)["assignments"]] == [f"K{i}" for i in range(5)]
    empty = suggest({"cases": [], "projects": [], "mediators": []})
    assert empty == {"assignments": [], "unassigned": [], "assigned": 0, "total_cost": 0.0}


def test_grouping_identical_cases_changes_nothing_in_the_answer():
    """Do the grouped and the case-by-case networks give the same count and cost?"""
    data = scenario([(f"K{i}", ["late_delivery", "quality"][i % 2], f"D{i % 3}", f"P{1 + i % 2}") for i in range(30)],
                    [{"id": "M1", "skills": ["late_delivery", "quality"], "capacity": 7, "load": 3},
                     {"id": "M2", "lat": 20.03, "lon": 110.58, "capacity": 6, "conflicts": ["D1"]},
                     {"id": "M3", "skills": ["quality"], "lat": 19.8, "lon": 110.7, "capacity": 9, "load": 1}])
    scen = parse_scenario(data)
    grouped, single = suggest_assignments(scen), suggest_assignments(scen, group_identical=False)
    assert grouped.assigned == single.assigned == 22
    assert grouped.total_cost == pytest.approx(single.total_cost, abs=1e-6)


# --------------------------------------------------------------------------- bad input


def mutated(path: str, value) -> dict:
    """The example with one field replaced (path like 'mediators.0.capacity'); DELETE removes it."""
    data = copy.deepcopy(EXAMPLE)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is DELETE:
        del node[int(last) if isinstance(node, list) else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


DELETE = object()
DUPLICATE_CASE = copy.deepcopy(EXAMPLE)
DUPLICATE_CASE["cases"].append(dict(EXAMPLE["cases"][0]))
DUPLICATE_MEDIATOR = copy.deepcopy(EXAMPLE)
DUPLICATE_MEDIATOR["mediators"].append(dict(EXAMPLE["mediators"][0]))
DUPLICATE_PROJECT = copy.deepcopy(EXAMPLE)
DUPLICATE_PROJECT["projects"].append(dict(EXAMPLE["projects"][0]))

BAD_INPUT = [
    ("unknown project", mutated("cases.0.project_id", "P9"), "cases[0].project_id"),
    ("duplicate case", DUPLICATE_CASE, "cases[1].id"),
    ("duplicate mediator", DUPLICATE_MEDIATOR, "mediators[1].id"),
    ("duplicate project", DUPLICATE_PROJECT, "projects[1].id"),
    ("negative capacity", mutated("mediators.0.capacity", -1), "mediators[0].capacity"),
    ("negative load", mutated("mediators.0.load", -2), "mediators[0].load"),
    ("negative weight", mutated("load_weight_km", -5), "load_weight_km"),
    ("latitude above 90", mutated("projects.0.lat", 90.5), "projects[0].lat"),
    ("latitude below -90", mutated("mediators.0.lat", -91), "mediators[0].lat"),
    ("longitude beyond 180", mutated("projects.0.lon", 181), "projects[0].lon"),
    ("fractional capacity", mutated("mediators.0.capacity", 2.5), "mediators[0].capacity"),
    ("capacity as text", mutated("mediators.0.capacity", "3"), "mediators[0].capacity"),
    ("latitude as boolean", mutated("projects.0.lat", True), "projects[0].lat"),
    ("available as text", mutated("mediators.0.available", "yes"), "mediators[0].available"),
    ("skills not a list", mutated("mediators.0.skills", "late_delivery"), "mediators[0].skills"),
    ("empty case id", mutated("cases.0.id", ""), "cases[0].id"),
    ("numeric case id", mutated("cases.0.id", 1), "cases[0].id"),
    ("missing dispute type", mutated("cases.0.dispute_type", DELETE), "cases[0].dispute_type"),
    ("missing mediators", mutated("mediators", DELETE), "mediators"),
    ("cases not a list", mutated("cases", {"K1": 1}), "cases"),
]


@pytest.mark.parametrize(("data", "field"), [b[1:] for b in BAD_INPUT], ids=[b[0] for b in BAD_INPUT])
def test_invalid_input_exits_2_with_one_line_naming_the_field(tmp_path, data, field):
    """Does every kind of bad scenario get exit 2, one line on stderr naming the field, no output?"""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run_main(str(path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("invalid scenario: ")
    assert field in err


@pytest.mark.parametrize(("text", "phrase"), [
    ("{not json", "not valid JSON"),
    ('{"cases": [], "projects": [{"id": "P1", "lat": NaN, "lon": 110}], "mediators": []}', "NaN"),
    ("[]", "must be an object"),
    ("[" * 100_000, "scenario"),
])
def test_text_that_is_no_scenario_exits_2(text, phrase):
    """Do broken JSON, NaN, a list and absurd nesting each give one line and exit 2?"""
    code, out, err = run_main("-", stdin=text)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and phrase in err


def test_a_missing_file_exits_2_without_a_traceback(tmp_path):
    """Does a scenario path that does not exist give one line and exit 2 from a real process?"""
    done = subprocess.run([sys.executable, "-m", "mediation.assign", str(tmp_path / "none.json")], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_a_scenario_built_in_code_is_checked_like_one_read_from_json():
    """Does a dataclass scenario naming an unknown project fail as clearly as the JSON would?"""
    scen = read_scenario(json.dumps(EXAMPLE))
    broken = type(scen)(cases=scen.cases, projects=(), mediators=scen.mediators)
    with pytest.raises(ScenarioError) as caught:
        suggest_assignments(broken)
    assert caught.value.field == "cases[0].project_id"


def test_optional_fields_take_their_defaults():
    """May a mediator leave out load, conflicts and available, and the scenario the weight (5)?"""
    data = copy.deepcopy(EXAMPLE)
    for key in ("load", "conflicts", "available"):
        del data["mediators"][0][key]
    del data["load_weight_km"]
    result = suggest(data)
    assert result["total_cost"] == pytest.approx(8.482 + 5 * 1, abs=1e-3)
