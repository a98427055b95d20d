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
from mediation.command_line import EXIT_INVALID, InputError, read_input, refuse  # noqa: F401  (exit codes)

EXIT_OK = 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mediation.assign",
                                     description="Suggest mediators for open cases (maximum assignment, least cost).")
    parser.add_argument("scenario", help="scenario JSON file ('-' reads stdin)")
    args = parser.parse_args(argv)
    try:
        result = suggest_assignments(read_scenario(read_input(args.scenario)))
    except (InputError, ScenarioError) as exc:
        return refuse("scenario", exc)
    json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
