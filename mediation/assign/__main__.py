"""``python -m mediation.assign SCENARIO.json`` — the assignment suggestion as JSON.

Input: ``cases`` [{id, dispute_type, developer_id, project_id}], ``projects`` [{id, lat,
lon}], ``mediators`` [{id, skills, lat, lon, capacity, load?, conflicts?, available?}]
(``load`` 0, ``conflicts`` [] and ``available`` true when left out), ``load_weight_km``
(default 5). Other keys are ignored. ``-`` reads the scenario from stdin.

Output: ``{"assignments": [{case_id, mediator_id, distance_km, reasons}], "unassigned":
[{case_id, code, reasons}], "assigned", "total_cost"}``, kilometres and cost rounded to 3
decimals, cases in the order of the input.

Exit status: 0 on valid input, also when some cases stay unassigned; 2 on invalid input
(unknown or duplicate ids, negative numbers, latitudes outside ±90 …) with one line on
stderr naming the field, and no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys

from mediation.assign.scenario import ScenarioError, read_scenario
from mediation.assign.suggest import suggest_assignments

EXIT_OK = 0
EXIT_INVALID = 2  # also argparse's status for a bad command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mediation.assign",
                                     description="Suggest mediators for open cases (maximum assignment, least cost).")
    parser.add_argument("scenario", help="scenario JSON file ('-' reads stdin)")
    args = parser.parse_args(argv)
    try:
        if args.scenario == "-":
            text = sys.stdin.read()
        else:
            with open(args.scenario, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"invalid scenario: cannot read {args.scenario}: {exc}".replace("\n", " "), file=sys.stderr)
        return EXIT_INVALID
    try:
        result = suggest_assignments(read_scenario(text))
    except ScenarioError as exc:
        print(f"invalid scenario: {exc}".replace("\n", " "), file=sys.stderr)
        return EXIT_INVALID
    json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
