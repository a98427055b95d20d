"""The counter-guarantee release plan: 边履行边解封 — frozen money is released in stages as the
developer performs, and no claim is ever left less secured than before.

The rule (民事诉讼法 art. 107; 保全规定 art. 22): a freeze may be lifted when full and
effective security is given. The circuit court applied it step by step: the developer posts
counter-guarantees, the court releases what they make unnecessary, the developer spends the
money on the agreed milestones, the settled exposure frees more, and so on.

The plan (the contract and its rules: docs/release-planner.md), in integer fen:

* **Secured amount** — the maximum flow items → cases (item value, case exposure); see
  :mod:`risk.flow`. A release may never lower it; performing only lowers exposure.
* **Each stage** first releases what coverage allows — counter-guarantees are used first
  and, among frozen assets, those that can secure the fewest open cases are released first —
  then performs, in precedence order, every obligation whose predecessors are done and whose
  owner can pay for it.
* **Whole and unreleasable assets.** An asset with ``divisible: false`` (an apartment, an
  equity stake) is released whole or not at all; one with ``release_allowed: false`` (the
  disputed property while the applicant has not consented, 保全规定 art. 22) secures its
  cases but is never released. Where whole assets take part a stage's release is *maximal*
  (nothing more can go afterwards); with divisible assets only it is the *maximum*. How, and
  why, is in :mod:`risk.release_stage`.
* **Complete** when every obligation is performed and nothing more can be released;
  **blocked** when obligations remain but none can be paid and nothing can be released. A
  blocked plan names the next obligation, its shortfall and the smallest extra
  counter-guarantee that frees enough of its owner's frozen value (:mod:`risk.suggestion`),
  or ``None`` when the owner's releasable frozen value is below the shortfall.
* Guarantee circles and self-given guarantees add nothing under policy ``exclude``; a
  guarantee resting on a frozen asset of the scenario, or on an excluded guarantee, adds
  nothing under any policy (:func:`risk.guarantee_graph.screen_guarantees`).

How the release is computed. Which values may be kept frozen form a polymatroid (the rank
of a set of items is the maximum flow they can carry), so the release of the divisible assets
that keeps the secured amount and frees them in "fewest cases first" order is the greedy
vertex: taking the fixed items first (counter-guarantees, unreleasable and kept whole assets)
and then divisible assets from the most flexible to the least, each keeps exactly what it
adds to the maximum flow of those before it. Those prefix flows are found by bisection (a
stretch of assets that adds nothing, or adds all its value, needs no further look), batched
over all groups of linked cases into one compiled max-flow call per round; whole assets are
tried before, one per group per round. Only groups whose exposure changed are recomputed at
a stage. Every figure depends only on maximum-flow *values*, so the plan does not depend on
which maximum flow the solver happens to return.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from risk.flow import FlowAnswer, FlowQuery, SecurityNetwork, solve_batch
from risk.guarantee_graph import (
    RULE_EXCLUDED_BACKER,
    RULE_FROZEN_ASSET,
    Guarantee,
    Scenario,
    effective_guarantees,
    order_obligations,
    screen_guarantees,
)
from risk.plan_result import (
    BLOCKED,
    COMPLETE,
    Blocked,
    CaseCoverage,
    Release,
    ReleasePlan,
    ReleaseStage,
    SuggestedGuarantee,
)
from risk.plan_report import (
    CASES_NAMED_PER_SENTENCE,
    explain_blocked,
    explain_circle,
    explain_performance,
    explain_release,
    explain_rests_on,
    explain_self_given,
    explain_still_frozen,
    explain_waiting,
)
from risk.release_stage import FIXED, StageJob, release_stage
from risk.suggestion import SuggestionError, least_sufficient_guarantee

__all__ = [
    "BLOCKED", "COMPLETE", "Blocked", "CaseCoverage", "PlannerError", "Release", "ReleasePlan", "ReleaseStage",
    "SuggestedGuarantee", "plan_release",
]


class PlannerError(RuntimeError):
    """The planner broke one of its own invariants (a bug, never bad input)."""


def plan_release(scenario: Scenario, *, suggest: bool = True) -> ReleasePlan:
    """Plan the staged release of frozen assets as the owners perform their obligations.

    ``suggest=False`` skips the search for the smallest unblocking guarantee (a blocked plan
    then has no ``suggested_guarantee``); the stages are the same. The web page plans so and
    leaves the search to a queued job (docs/release-in-the-app.md); the CLI always searches."""
    plan = _Planner(scenario).run(suggest=suggest)
    if plan.blocked is not None and plan.blocked.suggested_guarantee is not None:
        plan = _confirm_suggestion(scenario, plan)
    return plan


#: The id and provider of the hypothetical guarantee used to check a suggestion; chosen so
#: that no scenario id can collide with them.
_PROBE_ID = "\x00suggested-guarantee"


def _with_guarantee(scenario: Scenario, value: int, secures: Sequence[str]) -> Scenario:
    probe = Guarantee(id=_PROBE_ID, provider=_PROBE_ID, kind="bank_letter", value=value,
                      secures=tuple(secures))
    return replace(scenario, guarantees=tuple(scenario.guarantees) + (probe,))


def _performs(scenario: Scenario, obligation: str) -> tuple[bool, ReleasePlan]:
    plan = _Planner(scenario).run(suggest=False)
    return any(obligation in stage.perform for stage in plan.stages), plan


def _confirm_suggestion(scenario: Scenario, plan: ReleasePlan) -> ReleasePlan:
    """Make the suggestion hold for the way a court (and the plan contract) re-plans: add the
    guarantee to the scenario and plan again from the start.

    The suggestion is computed at the block, where one fen less provably does not suffice.
    Posted from the start, the extra security can change earlier stages, and in rare
    multi-owner scenarios the freed cash then goes to other milestones first; in that case
    the value is raised to the smallest one (bisection over full re-plans) that does
    perform the blocked obligation.
    """
    blocked = plan.blocked
    g = blocked.suggested_guarantee
    ok, _ = _performs(_with_guarantee(scenario, g.value, g.secures), blocked.obligation)
    if ok:
        return plan
    # Posted from the start, the guarantee may also have to cover cases the owner's assets
    # secure that were settled before the block (their exposure is back at the start).
    owner_cases = {c for a in scenario.assets if a.owner == blocked.owner for c in a.secures}
    wider = tuple(c.id for c in scenario.cases if c.id in owner_cases and c.exposure > 0)
    found = None
    # lo is always a value known not to work: g.value for the block's cases (tested above),
    # 0 for the wider set (a guarantee of 0 changes nothing, and the plan is blocked).
    for secures, lo in ((g.secures, g.value), (wider, 0)):
        ceiling = sum(c.exposure for c in scenario.cases if c.id in set(secures)) + blocked.shortfall
        hi = max(lo * 2, lo + 1, g.value)
        while lo < ceiling:
            hi = min(hi, ceiling)
            ok, replanned = _performs(_with_guarantee(scenario, hi, secures), blocked.obligation)
            if ok:
                found = replanned
                break
            lo, hi = hi, hi * 2
        if found is not None:
            break
    if found is None:
        return plan  # only posting it at the block helps; from_stage says so
    while hi - lo > 1:
        mid = (lo + hi) // 2
        ok, replanned = _performs(_with_guarantee(scenario, mid, secures), blocked.obligation)
        if ok:
            hi, found = mid, replanned
        else:
            lo = mid
    g = replace(g, secures=tuple(secures))
    owner_assets = {a.id for a in scenario.assets if a.owner == blocked.owner}
    freed = sum(r.amount for st in found.stages for r in st.release if r.asset in owner_assets) - sum(
        r.amount for st in plan.stages for r in st.release if r.asset in owner_assets)
    suggestion = SuggestedGuarantee(hi, g.secures, 1, max(freed, 0))
    frozen = sum(v for a, v in plan.still_frozen.items() if a in owner_assets)
    cash = plan.stages[-1].cash_after.get(blocked.owner, 0) if plan.stages else scenario.cash.get(blocked.owner, 0)
    cost = blocked.shortfall + cash
    reason = explain_blocked(blocked.obligation, blocked.owner, cost, cash, frozen,
                             (suggestion.value, suggestion.secures, suggestion.frees))
    return replace(plan, blocked=replace(blocked, suggested_guarantee=suggestion, reason=reason))


# --------------------------------------------------------------------------- the planner


class _Planner:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.order = order_obligations(scenario)
        self.screening = screen_guarantees(scenario)
        self.guarantees: list[Guarantee] = effective_guarantees(scenario, self.screening)

        cases = scenario.cases
        self.case_ids = [c.id for c in cases]
        self.case_index = {c.id: i for i, c in enumerate(cases)}
        self.exposure = np.array([c.exposure for c in cases], dtype=np.int64)

        self.assets = list(scenario.assets)
        self.n_assets = len(self.assets)
        self.items: list[Any] = [*self.assets, *self.guarantees]
        self.item_ids = [item.id for item in self.items]
        self.value = np.array([item.value for item in self.items], dtype=np.int64)
        self.from_stage = np.array([1] * self.n_assets + [g.from_stage for g in self.guarantees], dtype=np.int64)
        self.active = self.from_stage <= 1
        self.item_cases = [np.array([self.case_index[c] for c in item.secures], dtype=np.int64) for item in self.items]
        self.asset_owner = [a.owner for a in self.assets]
        self.divisible = np.array([a.divisible for a in self.assets], dtype=bool)
        self.releasable = np.array([a.release_allowed for a in self.assets], dtype=bool)

        self._build_networks()
        self.secured = np.zeros(len(cases), dtype=np.int64)
        # latest maximum flow of each network with the current values and exposures
        self.full: list[FlowAnswer | None] = [None] * len(self.networks)
        self.dirty: set[int] = set(range(len(self.networks)))
        self._case_arcs: dict[int, tuple[np.ndarray, np.ndarray]] = {}

        self.cash = {owner: scenario.cash.get(owner, 0) for owner in scenario.owners()}
        self.obligations = {o.id: o for o in scenario.obligations}
        self.done: set[str] = set()
        self.remaining = list(self.order)

    def _build_networks(self) -> None:
        """Split items and cases into groups linked by ``secures`` (flows never cross groups)."""
        n_items, n_cases = len(self.items), len(self.case_ids)
        arc_items = np.repeat(np.arange(n_items, dtype=np.int64), [len(c) for c in self.item_cases])
        arc_cases = np.concatenate([*self.item_cases, np.zeros(0, dtype=np.int64)])
        links = coo_array(
            (np.ones(len(arc_items), dtype=np.int8), (arc_items, n_items + arc_cases)),
            shape=(n_items + n_cases, n_items + n_cases),
        )
        _, labels = connected_components(links, directed=False)
        item_label, case_label = labels[:n_items], labels[n_items:]
        items_by = np.argsort(item_label, kind="stable")
        cases_by = np.argsort(case_label, kind="stable")
        arcs_by = np.argsort(item_label[arc_items], kind="stable")
        groups = np.unique(item_label)
        item_starts = np.searchsorted(item_label[items_by], groups)
        item_ends = np.searchsorted(item_label[items_by], groups, side="right")
        case_starts = np.searchsorted(case_label[cases_by], groups)
        case_ends = np.searchsorted(case_label[cases_by], groups, side="right")
        arc_labels = item_label[arc_items][arcs_by]
        arc_starts = np.searchsorted(arc_labels, groups)
        arc_ends = np.searchsorted(arc_labels, groups, side="right")

        self.networks: list[SecurityNetwork] = []
        self.net_of_case = np.full(n_cases, -1, dtype=np.int64)
        self.net_of_item = np.full(n_items, -1, dtype=np.int64)
        self.pos_of_case = np.zeros(n_cases, dtype=np.int64)
        self.pos_of_item = np.zeros(n_items, dtype=np.int64)
        for g in range(len(groups)):  # cases nobody may secure form no network: secured stays 0
            items = items_by[item_starts[g] : item_ends[g]]
            cases = cases_by[case_starts[g] : case_ends[g]]
            arcs = arcs_by[arc_starts[g] : arc_ends[g]]
            self.net_of_item[items] = g
            self.net_of_case[cases] = g
            self.pos_of_item[items] = np.arange(len(items))
            self.pos_of_case[cases] = np.arange(len(cases))
            self.networks.append(
                SecurityNetwork(items, cases, self.pos_of_item[arc_items[arcs]], self.pos_of_case[arc_cases[arcs]])
            )

    # ------------------------------------------------------------------ state helpers

    def _caps(self, net: SecurityNetwork) -> np.ndarray:
        return np.where(self.active[net.items], self.value[net.items], 0)

    def _open_cases(self, items: np.ndarray) -> np.ndarray:
        return np.array(
            [int((self.exposure[self.item_cases[i]] > 0).sum()) if 0 <= i < self.n_assets else -1 for i in items]
        )

    def _stage_job(self, net: SecurityNetwork, caps: np.ndarray) -> StageJob:
        """How network ``net`` releases at this stage (see :mod:`risk.release_stage`).

        Divisible releasable assets keep in order "most open cases first" (so those that can
        secure the fewest are released first); ties keep the later asset, i.e. release the
        one listed first in the scenario. Whole releasable assets are tried in the reverse
        order: fewest open cases first, ties the one listed first. Everything else is fixed.
        """
        items = net.items
        open_cases = self._open_cases(items)
        known = (items >= 0) & (items < self.n_assets)
        releasable = np.zeros(len(items), dtype=bool)
        divisible = np.zeros(len(items), dtype=bool)
        releasable[known] = self.releasable[items[known]]
        divisible[known] = self.divisible[items[known]]
        ranked = sorted(np.flatnonzero(releasable & divisible), key=lambda k: (-open_cases[k], -items[k]))
        keep_pos = np.full(len(items), FIXED, dtype=np.int64)
        keep_pos[ranked] = np.arange(len(ranked))
        whole = sorted(np.flatnonzero(releasable & ~divisible), key=lambda k: (open_cases[k], items[k]))
        return StageJob(net, caps, self.exposure[net.cases], np.array(whole, dtype=np.int64), keep_pos)

    def _record(self, n: int, answer: FlowAnswer) -> None:
        self.full[n] = answer
        self.secured[self.networks[n].cases] = answer.case_flow

    # ------------------------------------------------------------------ one stage

    def _release(self) -> list[tuple[int, int]]:
        """Release what coverage allows in every changed network; returns (asset, amount)."""
        nets = sorted(self.dirty)
        self.dirty.clear()
        jobs = [self._stage_job(self.networks[n], self._caps(self.networks[n])) for n in nets]
        missing = [k for k, n in enumerate(nets) if self.full[n] is None]
        for k, answer in zip(missing, solve_batch([jobs[k].flow_query() for k in missing])):
            self.full[nets[k]] = answer
        for n, job in zip(nets, jobs):
            job.full = self.full[n]
            self._record(n, self.full[n])
        before = [job.caps.copy() for job in jobs]
        kept = release_stage(jobs)
        releases: list[tuple[int, int]] = []
        changed: list[int] = []
        for n, job, held, keep in zip(nets, jobs, before, kept):
            net = self.networks[n]
            freed = held - keep
            if freed.any():
                changed.append(n)
                for k in np.flatnonzero(freed):
                    item = int(net.items[k])
                    if item >= self.n_assets or not self.releasable[item]:
                        raise PlannerError(f"{self.item_ids[item]} may not be released")
                    if not self.divisible[item] and keep[k] != 0:
                        raise PlannerError(f"a whole asset was cut: {self.item_ids[item]}")
                    releases.append((item, int(freed[k])))
                assets = net.items < self.n_assets
                self.value[net.items[assets]] = keep[assets]
        answers = solve_batch([FlowQuery(self.networks[n], self._caps(self.networks[n]), self.exposure[self.networks[n].cases]) for n in changed])
        for n, answer in zip(changed, answers):
            if answer.value != self.full[n].value:
                raise PlannerError("a release lowered the secured amount")
            self._record(n, answer)
        releases.sort()
        for item, amount in releases:
            self.cash[self.asset_owner[item]] += amount
        return releases

    def _perform(self) -> tuple[list[str], list[str], dict[str, list[tuple[str, int, int]]]]:
        performed: list[str] = []
        waiting: list[str] = []
        effects: dict[str, list[tuple[str, int, int]]] = {}
        touched: set[int] = set()
        for oid in self.remaining:
            obligation = self.obligations[oid]
            if not all(pred in self.done for pred in obligation.after):
                continue
            if self.cash[obligation.owner] < obligation.cost:
                waiting.append(oid)
                continue
            self.cash[obligation.owner] -= obligation.cost
            self.done.add(oid)
            performed.append(oid)
            effect = []
            for case_id, amount in obligation.reduces.items():
                c = self.case_index[case_id]
                before = int(self.exposure[c])
                after = max(0, before - amount)
                self.exposure[c] = after
                effect.append((case_id, before - after, after))
                if before != after and self.net_of_case[c] >= 0:
                    touched.add(int(self.net_of_case[c]))
            effects[oid] = effect
        self.remaining = [oid for oid in self.remaining if oid not in self.done]
        for n in touched:
            self.full[n] = None
        self.dirty |= touched
        return performed, waiting, effects

    def _refresh_coverage(self) -> None:
        """Secured amount of every network whose exposure changed (the stage-end coverage)."""
        stale = [n for n in sorted(self.dirty) if self.full[n] is None]
        queries = [FlowQuery(self.networks[n], self._caps(self.networks[n]), self.exposure[self.networks[n].cases]) for n in stale]
        for n, answer in zip(stale, solve_batch(queries)):
            self._record(n, answer)

    def _activate(self, stage: int, *, force: bool = False) -> bool:
        """Post the guarantees due by ``stage`` (or, when forced, the next ones due)."""
        pending = ~self.active
        if not pending.any():
            return False
        due = pending & (self.from_stage <= stage)
        if force and not due.any():
            due = pending & (self.from_stage == self.from_stage[pending].min())
        if not due.any():
            return False
        self.active |= due
        for i in np.flatnonzero(due):
            n = int(self.net_of_item[i])
            if n >= 0:
                self.dirty.add(n)
                self.full[n] = None
        return True

    # ------------------------------------------------------------------ explanations

    def _arcs_by_case(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Arc indices of network ``n`` grouped by case (order, start pointers)."""
        if n not in self._case_arcs:
            net = self.networks[n]
            order = np.argsort(net.arc_case, kind="stable")
            starts = np.searchsorted(net.arc_case[order], np.arange(net.n_cases + 1))
            self._case_arcs[n] = (order, starts)
        return self._case_arcs[n]

    def _contributions(self, c: int) -> list[tuple[str, bool, str, int]]:
        """Who secures case ``c`` in the current flow: guarantees first, then assets."""
        n = int(self.net_of_case[c])
        if n < 0 or self.full[n] is None:
            return []
        net = self.networks[n]
        order, starts = self._arcs_by_case(n)
        k = int(self.pos_of_case[c])
        arcs = order[starts[k] : starts[k + 1]]
        flows = self.full[n].arc_flow[arcs]
        found = []
        for j, flow in zip(arcs[flows > 0].tolist(), flows[flows > 0].tolist()):
            item = int(net.items[net.arc_item[j]])
            found.append((self.item_ids[item], item >= self.n_assets, self.items[item].kind, flow))
        found.sort(key=lambda entry: not entry[1])  # guarantees first, then in scenario order
        return found

    def _explain_releases(self, releases: list[tuple[int, int]]) -> list[str]:
        sentences = []
        for item, amount in releases:
            open_cases = [int(c) for c in self.item_cases[item] if self.exposure[c] > 0]
            named = [
                (self.case_ids[c], int(self.exposure[c]), int(self.secured[c]), self._contributions(c))
                for c in open_cases[:CASES_NAMED_PER_SENTENCE]
            ]
            sentences.append(
                explain_release(self.item_ids[item], amount, int(self.value[item]), named, len(open_cases) - len(named),
                                whole=not self.divisible[item])
            )
        return sentences

    # ------------------------------------------------------------------ the plan

    def run(self, *, suggest: bool = True) -> ReleasePlan:
        stages: list[ReleaseStage] = []
        total_released = 0
        stage = 1
        self._activate(stage)
        while True:
            releases = self._release()
            explanations = self._explain_releases(releases)
            performed, waiting, effects = self._perform()
            if not releases and not performed:
                if self._activate(stage, force=True):
                    continue
                break
            self._refresh_coverage()
            for oid in performed:
                o = self.obligations[oid]
                explanations.append(explain_performance(oid, o.owner, o.cost, effects[oid]))
            for oid in waiting:
                o = self.obligations[oid]
                explanations.append(explain_waiting(oid, o.owner, o.cost, self.cash[o.owner]))
            total_released += sum(amount for _, amount in releases)
            stages.append(
                ReleaseStage(
                    stage=stage,
                    release=tuple(Release(self.item_ids[i], a) for i, a in releases),
                    perform=tuple(performed),
                    case_ids=self.case_ids,
                    exposures=self.exposure.tolist(),
                    secured=self.secured.tolist(),
                    cash_after=dict(self.cash),
                    explanations=tuple(explanations),
                )
            )
            stage += 1
            self._activate(stage)
            if stage > 2 * (len(self.order) + len(self.items)) + 2:
                raise PlannerError("the plan does not settle")

        blocked = self._blocked(len(stages), suggest=suggest) if self.remaining else None
        return ReleasePlan(
            status=BLOCKED if blocked else COMPLETE,
            stages=tuple(stages),
            discharge=tuple(self._dischargeable()),
            total_released=total_released,
            still_frozen={self.item_ids[i]: int(self.value[i]) for i in range(self.n_assets) if self.value[i] > 0},
            blocked=blocked,
            excluded_guarantees=self.screening.excluded,
            guarantee_cycles=self.screening.cycles,
            explanations=tuple(self._closing_explanations()),
            exclusions=self.screening.exclusions,
        )

    # ------------------------------------------------------------------ the end

    def _dischargeable(self) -> list[str]:
        """Guarantees that can go back without lowering the secured amount (scenario order)."""
        excluded = set(self.screening.excluded)
        discharged: set[str] = set(excluded)
        index = {item_id: i for i, item_id in enumerate(self.item_ids)}
        # per network: its guarantees in scenario order, tested one after the other
        queue: dict[int, list[int]] = {}
        for g in self.guarantees:
            i = index[g.id]
            n = int(self.net_of_item[i])
            if n < 0 or self.value[i] == 0:
                discharged.add(g.id)
            else:
                queue.setdefault(n, []).append(i)
        caps = {n: self._caps(self.networks[n]) for n in queue}
        while queue:
            tests: list[tuple[int, int]] = []
            for n in list(queue):
                while queue[n]:
                    i = queue[n][0]
                    if self.full[n].item_flow[self.pos_of_item[i]] == 0:
                        # carries nothing in a maximum flow: that flow stays maximal without it
                        caps[n][self.pos_of_item[i]] = 0
                        discharged.add(self.item_ids[i])
                        queue[n].pop(0)
                        continue
                    tests.append((n, i))
                    break
                if not queue[n]:
                    del queue[n]
            trial = []
            for n, i in tests:
                c = caps[n].copy()
                c[self.pos_of_item[i]] = 0
                trial.append(FlowQuery(self.networks[n], c, self.exposure[self.networks[n].cases]))
            for (n, i), answer in zip(tests, solve_batch(trial)):
                queue[n].pop(0)
                if answer.value == self.full[n].value:
                    caps[n][self.pos_of_item[i]] = 0
                    self.full[n] = answer
                    discharged.add(self.item_ids[i])
                if not queue[n]:
                    del queue[n]
        return [g.id for g in self.scenario.guarantees if g.id in discharged]

    def _blocked(self, stages_done: int, *, suggest: bool = True) -> Blocked:
        """The next obligation, its shortfall, and the smallest guarantee that pays for it."""
        oid = next(o for o in self.remaining if all(p in self.done for p in self.obligations[o].after))
        obligation = self.obligations[oid]
        owner = obligation.owner
        cash = self.cash[owner]
        shortfall = obligation.cost - cash
        mine = [i for i in range(self.n_assets) if self.asset_owner[i] == owner and self.value[i] > 0]
        frozen = int(sum(int(self.value[i]) for i in mine if self.releasable[i]))
        suggestion = None
        if frozen >= shortfall and suggest:
            suggestion = self._suggest(mine, shortfall, stages_done + 1)
        reason = explain_blocked(
            oid,
            owner,
            obligation.cost,
            cash,
            frozen,
            None if suggestion is None else (suggestion.value, suggestion.secures, suggestion.frees),
            searched=suggest,
        )
        return Blocked(oid, owner, shortfall, suggestion, reason, stages_done)

    def _suggest(self, mine: list[int], shortfall: int, from_stage: int) -> SuggestedGuarantee:
        """Smallest guarantee on the owner's open cases that frees ``shortfall`` at the next
        stage (see :mod:`risk.suggestion`)."""
        secures = sorted({int(c) for i in mine for c in self.item_cases[i] if self.exposure[c] > 0})
        nets = sorted({int(self.net_of_case[c]) for c in secures})
        items = np.concatenate([self.networks[n].items for n in nets])
        cases = np.concatenate([self.networks[n].cases for n in nets])
        case_pos = {int(c): k for k, c in enumerate(cases)}
        arc_item, arc_case = [], []
        offset = 0
        for n in nets:
            net = self.networks[n]
            arc_item.append(net.arc_item + offset)
            arc_case.append(np.array([case_pos[int(c)] for c in net.cases[net.arc_case]], dtype=np.int64))
            offset += net.n_items
        new = len(items)  # the hypothetical guarantee, last local item
        arc_item.append(np.full(len(secures), new, dtype=np.int64))
        arc_case.append(np.array([case_pos[c] for c in secures], dtype=np.int64))
        network = SecurityNetwork(
            np.concatenate([items, [-1]]), cases, np.concatenate(arc_item), np.concatenate(arc_case)
        )
        base_caps = np.concatenate([np.where(self.active[items], self.value[items], 0), [0]])
        owned = set(mine)
        mine_local = np.array([k for k, i in enumerate(items) if int(i) in owned], dtype=np.int64)
        try:
            value, frees = least_sufficient_guarantee(
                lambda caps: self._stage_job(network, caps),
                base_caps,
                new,
                mine_local,
                shortfall,
                int(self.exposure[secures].sum()),
            )
        except SuggestionError as exc:
            raise PlannerError(str(exc)) from exc
        return SuggestedGuarantee(value, tuple(self.case_ids[c] for c in secures), from_stage, frees)

    def _closing_explanations(self) -> list[str]:
        notes = []
        for cycle in self.screening.cycles:
            notes.append(explain_circle(cycle, excluded=cycle[0] in self.screening.excluded))
        excluded = set(self.screening.excluded)
        for g in self.scenario.guarantees:
            if g.id in self.screening.self_given and g.id not in self.screening.circular:
                notes.append(explain_self_given(g.id, g.provider, excluded=g.id in excluded))
        for e in self.screening.exclusions:
            if e.rule in (RULE_FROZEN_ASSET, RULE_EXCLUDED_BACKER):
                notes.append(explain_rests_on(e.guarantee, e.path, frozen_asset=e.rule == RULE_FROZEN_ASSET))
        pending_cases = {c for oid in self.remaining for c in self.obligations[oid].reduces}
        for i in range(self.n_assets):
            if self.value[i] > 0:
                open_cases = [(self.case_ids[c], int(self.exposure[c])) for c in self.item_cases[i] if self.exposure[c] > 0]
                later = any(case_id in pending_cases for case_id, _ in open_cases)
                notes.append(explain_still_frozen(
                    self.item_ids[i], int(self.value[i]), open_cases, later and bool(self.releasable[i]),
                    whole=not self.divisible[i], release_allowed=bool(self.releasable[i]),
                ))
        return notes
