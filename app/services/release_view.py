"""What the release-plan page shows, computed from the planner's JSON: each stage's coverage
before and after, the developer's cash, and the graph of assets, guarantees and cases as
server-rendered SVG (no script, no CDN). Pure presentation; no database access here
except through :func:`app.services.release.plan_for`.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class StageRow:
    number: int
    release: list[dict]
    perform: list[str]
    #: (case, exposure and secured before, after) for the cases the stage changed
    coverage: list[tuple[str, int, int, int, int]]
    cash_after: dict
    explanations: list[str]



def _yuan(fen: int) -> str:
    """Whole yuan for the graph's labels, rounded half up in integers (money is never float)."""
    return f"{(fen + 50) // 100:,}"

def stage_rows(scenario: dict, plan: dict) -> list[StageRow]:
    before = {c["id"]: {"exposure": c["exposure"], "secured": c["exposure"]} for c in scenario["cases"]}
    rows = []
    for stage in plan["stages"]:
        after = stage["coverage"]
        coverage = []
        for case_id in sorted(set(before) | set(after)):
            b = before.get(case_id, {"exposure": 0, "secured": 0})
            a = after.get(case_id, {"exposure": 0, "secured": 0})
            if (b["exposure"], b["secured"]) != (a["exposure"], a["secured"]):  # only what the stage changed
                coverage.append((case_id, b["exposure"], b["secured"], a["exposure"], a["secured"]))
        rows.append(StageRow(stage["stage"], stage["release"], stage["perform"], coverage,
                             stage["cash_after"], stage["explanations"]))
        before = {**before, **after}
    return rows


def graph_svg(scenario: dict, plan: dict) -> str:
    """Assets and guarantees (left) linked to the cases they secure (right); excluded
    guarantees drawn dashed, backing links in grey."""
    left = [("asset", a["id"], a["value"]) for a in scenario["assets"]] + \
           [("guarantee", g["id"], g["value"]) for g in scenario["guarantees"]]
    cases = [(c["id"], c["exposure"]) for c in scenario["cases"]]
    excluded = set(plan.get("excluded_guarantees", []))
    step, width = 28, 520
    height = max(len(left), len(cases), 1) * step + 20
    y_left = {key: 20 + i * step for i, (_, key, _) in enumerate(left)}
    y_case = {key: 20 + i * step for i, (key, _) in enumerate(cases)}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="release-graph" role="img" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    links = [(a["id"], a["secures"], False) for a in scenario["assets"]] + \
            [(g["id"], g["secures"], g["id"] in excluded) for g in scenario["guarantees"]]
    for item, secures, dashed in links:
        for case_id in secures:
            if case_id in y_case:
                style = ' stroke-dasharray="4 3"' if dashed else ""
                parts.append(f'<line x1="170" y1="{y_left[item]}" x2="350" y2="{y_case[case_id]}" '
                             f'stroke="#5b7fa6"{style}/>')
    for g in scenario["guarantees"]:
        for backer in g.get("backed_by", []):
            if backer in y_left:
                parts.append(f'<path d="M 20 {y_left[g["id"]]} C 0 {y_left[g["id"]]}, 0 {y_left[backer]}, 20 '
                             f'{y_left[backer]}" fill="none" stroke="#999"/>')
    for kind, key, value in left:
        fill = "#f6d8a8" if kind == "asset" else ("#eee" if key in excluded else "#cde8c4")
        parts.append(f'<rect x="20" y="{y_left[key] - 10}" width="150" height="20" fill="{fill}" stroke="#666"/>'
                     f'<text x="26" y="{y_left[key] + 5}" font-size="12">{escape(key)} {_yuan(value)}元</text>')
    for key, exposure in cases:
        parts.append(f'<rect x="350" y="{y_case[key] - 10}" width="150" height="20" fill="#dde6f3" stroke="#666"/>'
                     f'<text x="356" y="{y_case[key] + 5}" font-size="12">{escape(key)} {_yuan(exposure)}元</text>')
    parts.append("</svg>")
    return "".join(parts)
