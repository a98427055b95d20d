"""Does ``python -m risk.warnings`` keep its contract: the output shape, exit 0, and exit 2
with one line on stderr for invalid input?"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.domain.warning_snapshots import days_ago, inquiry, project, snapshot

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path, data, *args):
    path = tmp_path / "snapshot.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "risk.warnings", str(path), *args], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8")


def test_the_output_has_exactly_the_contracts_shape(tmp_path):
    data = snapshot(
        projects=[project("P1", "D1", units=10, delivered_units=5, promised_delivery=days_ago(5)),
                  project("P2", "D2")],
        inquiries=[inquiry("I1", "P1", deadline=days_ago(3))],
        commitments=[{"id": "K1", "developer_id": "D1", "due": days_ago(2), "kept": False}],
        milestones=[{"id": "M1", "developer_id": "D1", "due": days_ago(40), "performed_on": None}],
        guarantees=[{"guarantor": "D2", "debtor": "D1"}])
    result = _run(tmp_path, data)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = json.loads(result.stdout)
    assert set(out) == {"projects", "developers"}
    for p in out["projects"]:
        assert set(p) == {"id", "level", "warnings"}
    for d in out["developers"]:
        assert set(d) == {"id", "level", "blacklisted", "warnings"}
    for w in (w for item in out["projects"] + out["developers"] for w in item["warnings"]):
        assert set(w) == {"rule", "level", "facts"}
    assert out["projects"][0] == {"id": "P1", "level": "yellow", "warnings": [
        {"rule": "overdue_delivery", "level": "yellow",
         "facts": "承诺交房日2026年11月25日已逾期5天，尚有5套未交付（共10套，占50.0%）"},
        {"rule": "inquiry_unanswered", "level": "yellow",
         "facts": "函询I1答复期限2026年11月27日已过，逾期1个工作日未答复"}]}
    assert out["projects"][1] == {"id": "P2", "level": "none", "warnings": []}
    d1, d2 = out["developers"]
    assert d1["id"] == "D1" and d1["level"] == "red" and d1["blacklisted"] is False
    assert [w["rule"] for w in d1["warnings"]] == ["milestone_overdue", "commitment_broken"]
    assert d2["level"] == "yellow" and d2["warnings"][0]["rule"] == "contagion"


def test_facts_come_in_english_on_request(tmp_path):
    data = snapshot(projects=[project(units=10, delivered_units=5, promised_delivery=days_ago(5))])
    out = json.loads(_run(tmp_path, data, "--lang", "en").stdout)
    assert out["projects"][0]["warnings"][0]["facts"].startswith("5 days past the promised delivery date")


def _invalid(**changes):
    data = snapshot(projects=[project("P1"), project("P2")], inquiries=[inquiry("I1", "P1")])
    for key, value in changes.items():
        data[key] = value
    return data


@pytest.mark.parametrize("data, field", [
    (_invalid(inquiries=[inquiry("I1", "P9")]), "inquiries[0].project_id"),
    (_invalid(today="2026-02-30"), "today"),
    (_invalid(today="2026/11/30"), "today"),
    (_invalid(today=None), "today"),
    (_invalid(projects=[project("P1"), project("P1")]), "projects[1].id"),
    (_invalid(inquiries=[inquiry("I1", "P1"), inquiry("I1", "P2")]), "inquiries[1].id"),
    (_invalid(projects=[project("P1", complaints=["2026-1-5"])]), "projects[0].complaints[0]"),
    (_invalid(projects=[project("P1", units=-1)]), "projects[0].units"),
    (_invalid(projects=[project("P1", units=10, delivered_units=11)]), "projects[0].delivered_units"),
    (_invalid(inquiries=[inquiry("I1", "P1", review="ok")]), "inquiries[0].review"),
    (_invalid(milestones=[{"id": "M1", "developer_id": "D1", "due": "soon"}]), "milestones[0].due"),
    (_invalid(commitments=[{"id": "K", "developer_id": "D1", "due": "2026-01-01", "kept": 1},
                           ]), "commitments[0].kept"),
    (_invalid(commitments=[{"id": "K", "developer_id": "D1", "due": "2026-01-01", "kept": True},
                           {"id": "K", "developer_id": "D1", "due": "2026-01-02", "kept": True}]),
     "commitments[1].id"),
    (_invalid(projects={"P1": {}}), "projects"),
    ("{not json", "snapshot"),
    ("[]", "snapshot"),
])
def test_invalid_input_exits_2_with_one_line_naming_the_field(tmp_path, data, field):
    result = _run(tmp_path, data)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert field in lines[0]


def test_a_missing_file_is_invalid_input_too(tmp_path):
    result = subprocess.run([sys.executable, "-m", "risk.warnings", str(tmp_path / "none.json")],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
