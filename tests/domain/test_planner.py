"""The release planner on the court's own questions: the §4 example, the seed's story, a
guarantee circle, an under-secured freeze, a blocked plan, and every kind of bad input."""

from __future__ import annotations

import ast
import copy
import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from risk.guarantee_graph import ScenarioError, parse_scenario, read_scenario
from risk.plan import main
from risk.plan_report import yuan
from risk.planner import plan_release

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def load(name: str) -> dict:
    return json.loads((DATA / f"plan_{name}.json").read_text(encoding="utf-8"))


def plan_of(data: dict) -> dict:
    return plan_release(parse_scenario(data)).to_json()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "risk.plan", *args], cwd=ROOT, capture_output=True, text=True, encoding="utf-8"
    )


def without_extensions(plan: dict) -> dict:
    """The plan restricted to the keys of the §4 contract."""
    plan = copy.deepcopy(plan)
    plan.pop("explanations")
    for stage in plan["stages"]:
        stage.pop("explanations")
    return plan


# --------------------------------------------------------------------------- §4 example


def test_the_design_example_gives_exactly_the_plan_of_section_4():
    """Does DESIGN §4's scenario give exactly the plan printed there?"""
    expected = load("example_expected")
    assert without_extensions(plan_of(load("example"))) == expected


def test_the_cli_prints_the_section_4_plan_and_exits_0():
    """Does `python -m risk.plan` print that plan as JSON and exit 0?"""
    result = run_cli(str(DATA / "plan_example.json"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert without_extensions(json.loads(result.stdout)) == load("example_expected")


def test_each_release_is_explained_in_a_sentence_a_judge_can_read():
    """Does the first release say which guarantee and which retained value cover each case?"""
    stage = plan_of(load("example"))["stages"][0]
    assert stage["explanations"][0] == (
        "解除F1冻结150万元（保留150万元）：C1由保函G1覆盖50万元，其余由F1保留部分覆盖；C2由F1保留部分覆盖"
    )
    assert stage["explanations"][1] == "履行O1：D1支付50万元，C1标的减少60万元，余60万元"


def test_the_text_report_reads_as_a_plan():
    """Does --format text render the stages, the releases and the conclusion in Chinese?"""
    result = run_cli(str(DATA / "plan_example.json"), "--format", "text")
    assert result.returncode == 0
    assert "结论：可全部履行完毕；累计解除冻结210万元" in result.stdout
    assert "第2阶段" in result.stdout and "仍冻结：F1 90万元" in result.stdout


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (150_000_000, "150万元"),
        (3_000_000_000, "3000万元"),
        (15_000_000_000, "1.5亿元"),
        (12_340_000, "12.34万元"),
        (12_345_600, "123,456元"),
        (123_456, "1,234.56元"),
        (100, "1元"),
        (0, "0元"),
    ],
)
def test_amounts_are_written_exactly_in_yuan(fen, text):
    """Are fen written in yuan without rounding (万元/亿元 only when exact)?"""
    assert yuan(fen) == text


# --------------------------------------------------------------------------- the stories


def test_the_seed_story_releases_30_million_yuan_in_stages_for_13_cases():
    """Two developers, 13 cases settled through counter-guarantees, ¥30,000,000 released in stages."""
    data = load("seed_story")
    plan = plan_of(data)
    assert plan["status"] == "complete"
    assert len(data["cases"]) == 13 and {a["owner"] for a in data["assets"]} == {"D1", "D2"}
    assert plan["total_released"] == 30_000_000 * 100
    assert len(plan["stages"]) >= 3
    assert all(stage["release"] for stage in plan["stages"])
    assert plan["discharge"] == ["G1", "G2", "G3"]
    assert plan["still_frozen"] == {}


def test_a_guarantee_circle_and_a_self_given_guarantee_add_no_security():
    """Are G1↔G2 (担保圈) and D1's own G3 excluded and reported, and counted under include?"""
    data = load("guarantee_circle")
    plan = plan_of(data)
    assert plan["excluded_guarantees"] == ["G1", "G2", "G3"]
    assert plan["guarantee_cycles"] == [["G1", "G2"]]
    # only G4 (80万元) stands in for F1 at the start
    assert plan["stages"][0]["release"] == [{"asset": "F1", "amount": 80_000_000}]
    assert any("担保圈G1→G2→G1" in note for note in plan["explanations"])

    data["policy"]["circular_guarantees"] = "include"
    counted = plan_of(data)
    assert counted["excluded_guarantees"] == []
    assert counted["guarantee_cycles"] == [["G1", "G2"]]
    assert counted["stages"][0]["release"] == [{"asset": "F1", "amount": 300_000_000}]


def test_an_under_secured_freeze_releases_only_what_no_short_case_could_use():
    """Where the court froze too little, does C1 keep all the security it can get?"""
    plan = plan_of(load("under_secured"))
    assert plan["status"] == "complete"
    assert plan["stages"][0]["release"] == [{"asset": "F2", "amount": 30_000_000}]
    for stage in plan["stages"]:
        assert stage["coverage"]["C1"] == {"exposure": 100_000_000, "secured": 60_000_000}
    assert plan["still_frozen"] == {"F1": 60_000_000}


def test_a_blocked_plan_names_the_obligation_its_shortfall_and_the_guarantee_that_unblocks_it():
    """Is O2 blocked for 55万元, and does a 55万元 guarantee on C1, C2 let the plan finish?"""
    data = load("blocked")
    plan = plan_of(data)
    assert plan["status"] == "blocked"
    blocked = plan["blocked"]
    assert (blocked["obligation"], blocked["shortfall"]) == ("O2", 55_000_000)
    assert blocked["suggested_guarantee"]["value"] == 55_000_000
    assert blocked["suggested_guarantee"]["secures"] == ["C1", "C2"]
    assert "追加价值55万元" in blocked["reason"]

    for posted_after_block in (True, False):
        extra = copy.deepcopy(data)
        guarantee = {"id": "GX", "provider": "B2", "kind": "bank_letter", "value": 55_000_000,
                     "secures": ["C1", "C2"], "backed_by": []}
        if posted_after_block:
            guarantee["from_stage"] = blocked["after_stage"] + 1
        extra["guarantees"].append(guarantee)
        again = plan_of(extra)
        assert again["status"] == "complete"
        assert any("O2" in stage["perform"] for stage in again["stages"])

        guarantee["value"] -= 1
        short = plan_of(extra)
        assert short["status"] == "blocked" and short["blocked"]["obligation"] == "O2"


def test_no_guarantee_is_suggested_when_the_owner_has_too_little_frozen():
    """If everything frozen would not cover the shortfall, is the suggestion null?"""
    data = load("blocked")
    data["obligations"][1]["cost"] = 400_000_000
    blocked = plan_of(data)["blocked"]
    assert blocked["suggested_guarantee"] is None
    assert "追加反担保也无法筹足" in blocked["reason"]


def test_the_cli_exits_3_on_a_blocked_plan_and_still_prints_it():
    """Does a blocked plan exit 3 with the stages so far on stdout?"""
    result = run_cli(str(DATA / "plan_blocked.json"))
    assert result.returncode == 3
    plan = json.loads(result.stdout)
    assert plan["status"] == "blocked" and len(plan["stages"]) == 2


def test_a_guarantee_that_no_case_needs_any_more_is_discharged():
    """Once C1 is settled, can its bank letter go back while F1 still secures C2?"""
    data = {
        "cases": [{"id": "C1", "exposure": 50}, {"id": "C2", "exposure": 70}],
        "assets": [{"id": "F1", "owner": "D1", "kind": "bank_account", "value": 70, "secures": ["C2"]}],
        "guarantees": [{"id": "G1", "provider": "B1", "kind": "bank_letter", "value": 50, "secures": ["C1"]}],
        "obligations": [{"id": "O1", "owner": "D1", "cost": 10, "reduces": {"C1": 50}}],
        "cash": {"D1": 10},
    }
    plan = plan_of(data)
    assert plan["status"] == "complete"
    assert plan["discharge"] == ["G1"]
    assert plan["still_frozen"] == {"F1": 70}


def test_a_guarantee_posted_later_counts_only_from_its_stage():
    """Does `from_stage` keep a guarantee out of the earlier stages?"""
    data = load("example")
    data["guarantees"][0]["from_stage"] = 2
    plan = plan_of(data)
    assert plan["stages"][0]["release"] == [{"asset": "F1", "amount": 100_000_000}]
    assert plan["total_released"] == 210_000_000


def test_a_plan_with_nothing_to_do_is_complete_and_empty():
    data = {"cases": [{"id": "C1", "exposure": 5}], "assets": [], "guarantees": [], "obligations": [], "cash": {}}
    plan = plan_of(data)
    assert plan["status"] == "complete" and plan["stages"] == []


# --------------------------------------------------------------------------- invalid input


def example() -> dict:
    return load("example")


def mutate(change):
    data = example()
    change(data)
    return data


INVALID = {
    "unknown case in secures": (lambda d: d["assets"][0]["secures"].append("C9"), "assets[0].secures[2]"),
    "duplicate id": (lambda d: d["guarantees"][0].update(id="C1"), "guarantees[0].id"),
    "duplicate case id": (lambda d: d["cases"].append({"id": "C2", "exposure": 1}), "cases[2].id"),
    "negative amount": (lambda d: d["cases"][0].update(exposure=-1), "cases[0].exposure"),
    "fractional amount": (lambda d: d["assets"][0].update(value=1.5), "assets[0].value"),
    "integral float": (lambda d: d["assets"][0].update(value=300000000.0), "assets[0].value"),
    "string amount": (lambda d: d["obligations"][0].update(cost="5"), "obligations[0].cost"),
    "boolean amount": (lambda d: d["cash"].update(D1=True), "cash.D1"),
    "missing exposure": (lambda d: d["cases"][0].pop("exposure"), "cases[0].exposure"),
    "missing owner": (lambda d: d["assets"][0].pop("owner"), "assets[0].owner"),
    "missing list": (lambda d: d.pop("obligations"), "scenario.obligations"),
    "missing cash": (lambda d: d.pop("cash"), "scenario.cash"),
    "unknown predecessor": (lambda d: d["obligations"][0].update(after=["O9"]), "obligations[0].after[0]"),
    "cycle in after": (
        lambda d: d["obligations"].extend(
            [
                {"id": "O2", "owner": "D1", "cost": 1, "reduces": {}, "after": ["O3"]},
                {"id": "O3", "owner": "D1", "cost": 1, "reduces": {}, "after": ["O2"]},
            ]
        ),
        "obligations[1].after",
    ),
    "self-precedence": (lambda d: d["obligations"][0].update(after=["O1"]), "obligations[0].after"),
    "unknown case in reduces": (lambda d: d["obligations"][0]["reduces"].update(C7=1), "obligations[0].reduces"),
    "unknown backer": (lambda d: d["guarantees"][0].update(backed_by=["G7"]), "guarantees[0].backed_by[0]"),
    "unknown cash owner": (lambda d: d["cash"].update(D9=5), "cash.D9"),
    "unknown policy value": (lambda d: d["policy"].update(circular_guarantees="ignore"), "policy.circular_guarantees"),
    "unknown policy key": (lambda d: d["policy"].update(circles="exclude"), "policy.circles"),
    "amount too large": (lambda d: d["cases"][0].update(exposure=10**16), "cases[0].exposure"),
    "id not a string": (lambda d: d["cases"][0].update(id=7), "cases[0].id"),
    "list not a list": (lambda d: d.update(assets={}), "assets"),
}


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_input_is_refused_naming_the_field(name):
    """Is each kind of bad input refused with the offending field named?"""
    change, field = INVALID[name]
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(mutate(change))
    assert caught.value.field == field
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("name", list(INVALID))
def test_the_cli_exits_2_with_one_line_on_invalid_input(name, tmp_path):
    """Does the CLI exit 2 with a single stderr line and print nothing on stdout?"""
    change, field = INVALID[name]
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(mutate(change)), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main([str(path)])
    assert status == 2
    assert out.getvalue() == ""
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and field in lines[0]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"cases": [{"id": "C1", "exposure": -5}], "assets": [], "guarantees": [], "obligations": [], "cash": {}}',
         "cases[0].exposure"),
        ('{"cases": [], "assets": [], "guarantees": [], "obligations": [{"id": "O1", "owner": "D1", "cost": 1, '
         '"reduces": {}, "after": ["O1"]}], "cash": {}}', "obligations[0].after"),
        ("{not json", "scenario"),
        ("[]", "scenario"),
    ],
)
def test_the_cli_as_a_subprocess_reports_bad_input_without_a_traceback(text, field, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    result = run_cli(str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and field in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_invalid_input():
    result = run_cli(str(DATA / "plan_does_not_exist.json"))
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1


def test_reading_json_text_refuses_nan():
    with pytest.raises(ScenarioError):
        read_scenario('{"cases": [{"id": "C1", "exposure": NaN}], "assets": [], "guarantees": [], '
                      '"obligations": [], "cash": {}}')


# --------------------------------------------------------------------------- purity


PLANNER_MODULES = ["guarantee_graph", "flow", "planner", "plan_report", "plan"]
ALLOWED_ROOTS = {"networkx", "numpy", "scipy", "risk", "__future__"} | set(sys.stdlib_module_names)


@pytest.mark.parametrize("module", PLANNER_MODULES)
def test_planner_modules_import_only_the_standard_library_and_computation_libraries(module):
    """Does the planner stay free of Flask, SQLAlchemy and the app?"""
    tree = ast.parse((ROOT / "risk" / f"{module}.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] in ALLOWED_ROOTS, f"risk/{module}.py imports {name}"


def test_a_suggestion_still_works_when_the_cash_would_go_to_a_cheaper_milestone_first():
    """Found by hypothesis: posted from the start, a guarantee on the cases open at the block
    frees 1 fen early, which O3 spends, so O1 never becomes payable; the suggestion must
    cover the cases the owner's asset secures from the start."""
    import copy

    from risk.guarantee_graph import parse_scenario
    from risk.planner import plan_release

    data = {
        "cases": [{"id": f"C{i}", "exposure": 40} for i in range(1, 5)],
        "assets": [{"id": "F1", "owner": "D2", "kind": "bank_account", "value": 0, "secures": []},
                   {"id": "F2", "owner": "D1", "kind": "bank_account", "value": 41,
                    "secures": ["C1", "C2", "C3"]}],
        "guarantees": [],
        "obligations": [{"id": "O1", "owner": "D1", "cost": 41, "reduces": {"C1": 0}, "after": []},
                        {"id": "O2", "owner": "D1", "cost": 0, "reduces": {"C1": 40}, "after": []},
                        {"id": "O3", "owner": "D1", "cost": 1, "reduces": {"C1": 0}, "after": []}],
        "cash": {},
        "policy": {"circular_guarantees": "exclude"},
    }
    plan = plan_release(parse_scenario(data)).to_json()
    suggestion = plan["blocked"]["suggested_guarantee"]
    assert plan["status"] == "blocked" and plan["blocked"]["obligation"] == "O1"

    def performs(value):
        extra = copy.deepcopy(data)
        extra["guarantees"].append({"id": "GX", "provider": "PX", "kind": "bank_letter",
                                    "value": value, "secures": suggestion["secures"]})
        again = plan_release(parse_scenario(extra)).to_json()
        return any("O1" in stage["perform"] for stage in again["stages"])

    assert performs(suggestion["value"])
    assert not performs(suggestion["value"] - 1)
