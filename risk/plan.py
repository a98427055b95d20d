"""``python -m risk.plan SCENARIO.json [--format json|text]`` — the release plan from the
command line (the contract in docs/release-planner.md).

边履行边解封: frozen assets are released in stages as the developer performs, never leaving
a claim less secured (民事诉讼法 art. 107; 保全规定 art. 22). The plan is printed on stdout.

Exit status: 0 the plan completes; 3 it is blocked (the plan up to the block is still
printed); 2 the input is invalid — one line on stderr naming the field, no traceback.

Input (amounts in integer fen, ids unique across cases, assets, guarantees, obligations):
``cases`` [{id, exposure}], ``assets`` [{id, owner, kind?, value, secures, divisible?,
release_allowed?}], ``guarantees``
[{id, provider, kind?, value, secures, backed_by?, from_stage?}], ``obligations``
[{id, owner, cost, reduces {case: fen}, after?}], ``cash`` {owner: fen} (owners left out
hold 0), ``policy`` {circular_guarantees: "exclude" (default) | "include"}. Other keys
(``title``, ``note`` …) are ignored. ``from_stage`` (default 1) is a guarantee posted
while the plan runs: it counts from that stage on. ``divisible`` and ``release_allowed``
are optional booleans (default true): an asset that is not divisible is released whole or not
at all, one whose release is not allowed secures its cases but is never released.

Output: exactly the keys of the contract, extended (never renamed) with ``explanations`` —
Chinese sentences per stage (each release, performance and waiting obligation) and for the
whole plan (circles, self-given guarantees, what stays frozen and why) — and, in
``blocked``, the ``owner``, ``after_stage`` (stages done before the block) and, in the
suggestion, ``from_stage`` and ``frees``; and ``exclusions`` — for every excluded guarantee,
in scenario order, ``{guarantee, rule, path}`` with rule ``circle``, ``self_given``,
``frozen_asset`` or ``excluded_guarantee`` and, for the last two, the ``backed_by`` chain from
the guarantee to what it rests on. The suggested guarantee is the smallest one
that, posted after the block (``from_stage`` = after_stage + 1), frees enough of the
owner's frozen value at the next stage to perform the obligation; one fen less does not
(no smaller value does either). When re-planning from the start with it would not perform
the obligation, the value is raised until it does (``from_stage`` 1), one fen less not.
"""

from __future__ import annotations

import argparse
import json
import sys

from risk.guarantee_graph import ScenarioError, read_scenario
from risk.plan_report import render_plan_text
from risk.planner import BLOCKED, plan_release

EXIT_COMPLETE = 0
EXIT_INVALID = 2  # also argparse's status for a bad command line
EXIT_BLOCKED = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m risk.plan", description="Plan the staged release of frozen assets.")
    parser.add_argument("scenario", help="scenario JSON file ('-' reads stdin)")
    parser.add_argument("--format", choices=("json", "text"), default="json")
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
        scenario = read_scenario(text)
    except ScenarioError as exc:
        print(f"invalid scenario: {exc}".replace("\n", " "), file=sys.stderr)
        return EXIT_INVALID
    plan = plan_release(scenario).to_json()
    if args.format == "text":
        sys.stdout.write(render_plan_text(plan))
    else:
        json.dump(plan, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return EXIT_BLOCKED if plan["status"] == BLOCKED else EXIT_COMPLETE


if __name__ == "__main__":
    sys.exit(main())
