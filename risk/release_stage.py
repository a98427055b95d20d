"""One stage's release: how much frozen value can go without lowering the secured amount.

A freeze may be lifted only as far as the remaining security stays full and effective
(民事诉讼法 art. 107; 保全规定 art. 22). Within one group of linked cases and items (a
:class:`~risk.flow.SecurityNetwork`) the release of a stage goes in two steps:

1. **Whole assets** (``divisible: false`` — an apartment, an equity stake) are released
   whole or not at all. They are tried one at a time, those that can secure the fewest open
   cases first (ties: the one listed first in the scenario), every other item still at its
   current value and earlier-released whole assets at zero; an asset goes when the maximum
   flow without it equals the secured amount.
2. **Divisible assets** (money) are then released by the greedy vertex of the coverage
   polymatroid: counter-guarantees, assets that may not be released (``release_allowed:
   false``) and the whole assets kept in step 1 stay at their value; then, from the asset
   that can secure the most open cases to the fewest, each keeps exactly what it adds to the
   maximum flow of those before it, and the rest goes.

Why the result is *maximal* — after it, no whole asset and no fen of a divisible asset can go
without lowering the secured amount ``S``:

* a whole asset ``w`` kept in step 1 failed its trial with capacities ``C`` at least as large,
  item by item, as those after the stage (later steps only lower capacities); the maximum
  flow is monotone in capacities, so without ``w`` after the stage it is at most
  ``flow(C − w) < S``;
* the divisible assets keep ``x`` with ``x(D) = S − R(F)``, ``R(F)`` being the maximum flow of
  the fixed items alone; a maximum flow is subadditive over items, so with one fen less on any
  divisible asset the flow is at most ``R(F) + x(D) − 1 < S``.

When every releasable asset is divisible, step 1 is empty and step 2 is the greedy vertex of a
polymatroid, i.e. the *maximum* release (the least total kept value that keeps ``S``), and the
lexicographic maximum in "fewest open cases first" order. With whole assets a larger total
release may exist (keeping a small whole unit may let a large one go); the court's order —
release whole assets that can secure the fewest cases first, keep the flexible ones — decides.

Every decision depends only on maximum-flow *values*, so the result does not depend on which
maximum flow the solver returns. Whole-asset trials of all networks go to the solver together,
one round per trial position. Two trials need no solve: a whole asset that carries no flow in
the current maximum flow goes (that flow stays maximum without it), and one that carries more
than all other items' unused value together stays (without it they secure at most
``S − carried + unused < S``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from risk.flow import FlowAnswer, FlowQuery, SecurityNetwork, solve_batch

#: Rank of an item that keeps its whole value in the divisible step (guarantees, assets that
#: may not be released, whole assets).
FIXED = -1


@dataclass
class KeepJob:
    """Find what each divisible asset of one security network must keep frozen."""

    network: SecurityNetwork
    values: np.ndarray  # local item caps now (inactive guarantees: 0)
    exposures: np.ndarray  # local case exposures
    keep_pos: np.ndarray  # per local item: FIXED, else rank in keep order
    known: dict[int, FlowAnswer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        assets = np.flatnonzero(self.keep_pos >= 0)
        self.order = assets[np.argsort(self.keep_pos[assets], kind="stable")]
        self.cum = np.concatenate([[0], np.cumsum(self.values[self.order])]).astype(np.int64)

    def query(self, prefix: int) -> FlowQuery:
        caps = np.where(self.keep_pos < prefix, self.values, 0)
        return FlowQuery(self.network, caps, self.exposures)


def keep_greedy(jobs: Sequence[KeepJob]) -> list[np.ndarray]:
    """What each item keeps: fixed items everything, then divisible assets in keep order.

    Asset at keep rank k keeps R(k+1) − R(k), R(k) being the secured amount of the fixed
    items and the first k assets. Runs of assets where R is flat keep nothing, runs where R
    grows by their whole value keep everything; only the rest are bisected.
    """
    kept = [job.values.copy() for job in jobs]
    intervals = [[(0, len(job.order))] for job in jobs]
    while True:
        wanted = []
        for j, job in enumerate(jobs):
            for lo, hi in intervals[j]:
                for k in (lo, hi):
                    if k not in job.known:
                        wanted.append((j, k))
        wanted = list(dict.fromkeys(wanted))
        for (j, k), answer in zip(wanted, solve_batch([jobs[j].query(k) for j, k in wanted])):
            jobs[j].known[k] = answer
        progressed = False
        for j, job in enumerate(jobs):
            pending = []
            for lo, hi in intervals[j]:
                gain = job.known[hi].value - job.known[lo].value
                span = job.order[lo:hi]
                if gain == 0:
                    kept[j][span] = 0
                elif gain == int(job.cum[hi] - job.cum[lo]):
                    kept[j][span] = job.values[span]
                elif hi - lo == 1:
                    kept[j][span] = gain
                else:
                    mid = (lo + hi) // 2
                    pending += [(lo, mid), (mid, hi)]
            intervals[j] = pending
            progressed = progressed or bool(pending)
        if not progressed:
            return kept


@dataclass
class StageJob:
    """The release of one network at one stage.

    ``whole_order`` lists the local whole assets to try, in trial order; ``keep_pos`` ranks
    the divisible releasable assets (FIXED for everything else, whole assets included).
    ``full`` is a maximum flow with ``caps`` if one is known.
    """

    network: SecurityNetwork
    caps: np.ndarray
    exposures: np.ndarray
    whole_order: np.ndarray
    keep_pos: np.ndarray
    full: FlowAnswer | None = None
    trials: list[tuple[int, bool]] = field(default_factory=list)  # (local whole asset, released)

    def flow_query(self, caps: np.ndarray | None = None) -> FlowQuery:
        return FlowQuery(self.network, self.caps if caps is None else caps, self.exposures)


def release_whole(jobs: Sequence[StageJob]) -> None:
    """Step 1: try each job's whole assets in order; zero the caps of those that go."""
    missing = [job for job in jobs if job.full is None]
    for job, answer in zip(missing, solve_batch([job.flow_query() for job in missing])):
        job.full = answer
    position = [0] * len(jobs)
    while True:
        trials: list[tuple[int, int, np.ndarray]] = []
        for j, job in enumerate(jobs):
            while position[j] < len(job.whole_order):
                item = int(job.whole_order[position[j]])
                position[j] += 1
                if job.caps[item] == 0:
                    continue
                carried = int(job.full.item_flow[item])
                if carried == 0:
                    # carries nothing in a maximum flow: that flow stays maximum without it
                    job.caps[item] = 0
                    job.trials.append((item, True))
                    continue
                spare = int((job.caps - job.full.item_flow).sum()) - int(job.caps[item]) + carried
                if carried > spare:
                    # without it the others secure at most S − carried + their spare value < S
                    job.trials.append((item, False))
                    continue
                caps = job.caps.copy()
                caps[item] = 0
                trials.append((j, item, caps))
                break
        if not trials:
            return
        answers = solve_batch([jobs[j].flow_query(caps) for j, _, caps in trials])
        for (j, item, caps), answer in zip(trials, answers):
            job = jobs[j]
            released = answer.value == job.full.value
            if released:
                job.caps = caps
                job.full = answer
            job.trials.append((item, released))


def release_stage(jobs: Sequence[StageJob]) -> list[np.ndarray]:
    """Both steps; returns what each local item keeps (whole assets released keep 0)."""
    release_whole(jobs)
    keep_jobs = []
    for job in jobs:
        keep = KeepJob(job.network, job.caps, job.exposures, job.keep_pos)
        keep.known[len(keep.order)] = job.full  # every item in: the flow with the caps
        keep_jobs.append(keep)
    return keep_greedy(keep_jobs)


def _flow_pairs(network: SecurityNetwork, exposures: np.ndarray, extra: int,
                asks: Sequence[tuple[int, np.ndarray, int]]) -> list[tuple[int, int]]:
    """Maximum flow with and without each asset, for (asset, caps, cap of ``extra``).

    Asks that share their caps (the same array: trials after the same releases) and the cap
    of ``extra`` share the flow *with* the asset, solved once."""
    queries: list[FlowQuery] = []
    shared: dict[tuple[int, int], int] = {}
    pairs = []
    for item, caps, at in asks:
        key = (id(caps), at)
        with_it = caps.copy()
        with_it[extra] = at
        if key not in shared:
            shared[key] = len(queries)
            queries.append(FlowQuery(network, with_it, exposures))
        without = with_it.copy()
        without[item] = 0
        pairs.append((shared[key], len(queries)))
        queries.append(FlowQuery(network, without, exposures))
    answers = solve_batch(queries)
    return [(answers[w].value, answers[o].value) for w, o in pairs]


def _margins(network: SecurityNetwork, exposures: np.ndarray, extra: int,
             asks: Sequence[tuple[int, np.ndarray, int]]) -> list[int]:
    """What each asset adds to the maximum flow, for (asset, caps, cap of ``extra``)."""
    return [with_it - without for with_it, without in _flow_pairs(network, exposures, extra, asks)]


def whole_margins(
    network: SecurityNetwork,
    exposures: np.ndarray,
    trials: Sequence[tuple[int, np.ndarray]],
    extra: int,
    at: int,
) -> list[int]:
    """For each trial (whole asset, caps), what the asset adds to the maximum flow when item
    ``extra`` has cap ``at``."""
    return _margins(network, exposures, extra, [(item, caps, at) for item, caps in trials])


def _least_zero(lo: int, hi: int, with_lo: int, with_top: int, without_lo: int, without_top: int) -> int | None:
    """The least g in (lo, hi] where ``min(with_top, with_lo + g − lo)`` equals
    ``min(without_top, without_lo + g − lo)``, or None.

    Their difference is piecewise linear with slopes −1, 0 or 1 and breaks only where one of
    the two reaches its top, so the least zero is a piece's start or a piece's start plus the
    difference there (a piece falling to zero)."""
    def gap(g: int) -> int:
        return min(with_top, with_lo + g - lo) - min(without_top, without_lo + g - lo)

    breaks = {lo + with_top - with_lo, lo + without_top - without_lo}
    points = sorted({lo + 1, hi} | {b for b in breaks if lo + 1 < b < hi})
    if hi <= lo:
        return None
    for start, end in zip(points, points[1:] + [hi]):
        at_start = gap(start)
        if at_start == 0:
            return start
        if gap(end) == 0:
            return start + at_start  # the gap falls by a fen per fen on this piece
    return None


def least_whole_threshold(
    network: SecurityNetwork,
    exposures: np.ndarray,
    trials: Sequence[tuple[int, np.ndarray]],
    extra: int,
    lo: int,
    hi: int,
    margins: Sequence[int] | None = None,
) -> int | None:
    """The least cap of item ``extra`` in (lo, hi] at which *some* failed trial's asset could
    go, or None if even ``hi`` is not enough (the end of a range of whole-asset decisions).

    No search: with every other capacity fixed, the maximum flow as a function of the cap
    ``g`` of one source arc is ``min(F(∞), F(lo) + g − lo)`` for ``g ≥ lo`` — a minimum cut
    either contains that arc (its capacity grows with ``g``) or not (it does not), and the
    item → case arcs of ``extra``, clipped to ``g`` and to the case's exposure, never bind
    beyond its source arc and the case's sink arc. So two maximum flows (at ``lo`` and at a
    cap no flow can use up: all the network's exposure) with the asset and two without it
    give the asset's margin at every cap, and the least cap where it is zero in closed form.
    ``margins`` (what each asset adds at ``lo``) is accepted for the callers' convenience and
    not needed.
    """
    if not trials or hi <= lo:
        return None
    top = max(hi, int(np.asarray(exposures, dtype=np.int64).sum()))
    asks = [(item, caps, at) for item, caps in trials for at in (lo, top)]
    flows = _flow_pairs(network, exposures, extra, asks)
    found = None
    for k in range(len(trials)):
        (with_lo, without_lo), (with_top, without_top) = flows[2 * k], flows[2 * k + 1]
        least = _least_zero(lo, hi, with_lo, with_top, without_lo, without_top)
        if least is not None and (found is None or least < found):
            found = least
    return found
