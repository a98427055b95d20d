"""The smallest extra counter-guarantee that unblocks a plan.

When the plan is blocked — the next obligation's owner lacks ``shortfall`` fen and nothing
more can be released — the court asks what further security (民事诉讼法 art. 107; 保全规定
art. 22) would free enough of the owner's frozen value at the next stage. The answer is a
guarantee on the owner's open cases of the least value ``g`` such that the stage's release
(:mod:`risk.release_stage`) with it frees at least ``shortfall`` of the owner's assets; with
``g − 1`` it frees less.

*Divisible assets only.* What each asset keeps can only fall as ``g`` grows (what an item adds
to a maximum flow shrinks as another item's capacity grows: submodularity), so the freed value
is monotone in ``g`` and a bisection finds the least sufficient value. One more fen of guarantee
frees at most one more fen (the total kept is the secured amount minus what the fixed items
secure, and both grow by at most a fen), so nothing below ``shortfall`` suffices: the search
starts there and most often ends there.

*Whole assets.* The owner's value comes in lumps, and the freed value is no longer monotone: a
larger guarantee may let a small whole unit go first (fewest cases first) whose absence then
keeps a larger one frozen. The whole-asset trials of the stage are a sequence of decisions; for
a fixed sequence of earlier decisions each trial's outcome is a threshold in ``g`` (again by
submodularity), so the decisions stay the same from ``g`` up to the least threshold of the
trials that fail at ``g`` (:func:`risk.release_stage.least_whole_threshold` computes it from four
maximum flows per trial, no search). On each such segment only the divisible part varies,
monotonically and by at most a fen per fen.
The search walks the segments from ``g = 0`` upwards and bisects inside the first one whose top
suffices, so it returns the least sufficient value overall, and ``g − 1`` does not suffice.

A guarantee worth all the open exposure of the owner's cases secures those cases alone, so every
releasable asset of the owner goes with it: the search always ends when the owner's releasable
frozen value is at least the shortfall, and the planner suggests nothing otherwise.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from risk.release_stage import StageJob, least_whole_threshold, release_stage, whole_margins

# Segments of whole-asset decisions walked before giving up (each one changes at least one
# decision; realistic networks have a handful). A bug guard, never reached by valid input.
MAX_SEGMENTS = 10_000


class SuggestionError(RuntimeError):
    """The search broke an invariant (a bug, never bad input)."""


def least_sufficient_guarantee(
    make_job: Callable[[np.ndarray], StageJob],
    base_caps: np.ndarray,
    extra: int,
    owned: np.ndarray,
    shortfall: int,
    ceiling: int,
) -> tuple[int, int]:
    """The least cap of local item ``extra`` that frees ``shortfall`` of the ``owned`` items.

    ``make_job(caps)`` builds the stage's release job for given local caps; ``ceiling`` is a
    cap known to suffice (a guarantee on all the owner's open exposure). Returns the value and
    what it frees.
    """
    held = int(base_caps[owned].sum())
    seen: dict[int, tuple[int, list[tuple[int, bool]]]] = {}

    def outcome(value: int) -> tuple[int, list[tuple[int, bool]]]:
        if value not in seen:
            caps = base_caps.copy()
            caps[extra] = value
            job = make_job(caps)
            (kept,) = release_stage([job])
            seen[value] = (held - int(kept[owned].sum()), job.trials)
        return seen[value]

    def frees(value: int) -> int:
        return outcome(value)[0]

    def bisect(lo: int, hi: int) -> int:
        """Least sufficient value in (lo, hi]: lo does not suffice, hi does."""
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if frees(mid) >= shortfall:
                hi = mid
            else:
                lo = mid
        return hi

    if frees(ceiling) < shortfall:
        raise SuggestionError("a guarantee on all open cases did not free the owner's assets")
    g = 0  # does not suffice: the plan is blocked
    if frees(g) >= shortfall:
        raise SuggestionError("the plan is blocked yet nothing more is needed")
    for _ in range(MAX_SEGMENTS):
        # the failed trials at g, each with the capacities it was tried with
        caps = base_caps.copy()
        caps[extra] = g
        failed = []
        for item, released in outcome(g)[1]:
            if released:
                caps = caps.copy()
                caps[item] = 0
            else:
                failed.append((item, caps))
        job = make_job(caps)
        least = g + shortfall - frees(g)
        margins = whole_margins(job.network, job.exposures, failed, extra, g)
        if min((g + m for m in margins), default=ceiling + 1) > least and least <= ceiling:
            # no decision can change up to ``least`` (a trial adding m at g needs g + m)
            if frees(least) >= shortfall:
                return least, frees(least)
        change = least_whole_threshold(job.network, job.exposures, failed, extra, g, ceiling, margins)
        change = ceiling + 1 if change is None else change  # decisions are those of g on [g, change)
        top = min(change - 1, ceiling)
        # On [g, top] one more fen of guarantee frees at most one more fen (the divisible part
        # is 1-Lipschitz), so nothing below g + (shortfall − frees(g)) suffices.
        if least <= top:
            if frees(least) >= shortfall:
                return least, frees(least)
            if frees(top) >= shortfall:
                value = bisect(least, top)
                return value, frees(value)
        if change > ceiling:
            raise SuggestionError("the segments ended before a sufficient guarantee")
        g = change  # g − 1 did not suffice
        if frees(g) >= shortfall:
            return g, frees(g)
    raise SuggestionError("too many segments of whole-asset decisions")
