"""What the release planner returns: the stages, the block, and the JSON of the plan contract
(docs/release-planner.md). Plain frozen dataclasses; the planner (:mod:`risk.planner`) fills
them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from risk.guarantee_graph import Exclusion

COMPLETE = "complete"
BLOCKED = "blocked"


@dataclass(frozen=True)
class Release:
    asset: str
    amount: int


@dataclass(frozen=True)
class CaseCoverage:
    exposure: int
    secured: int


@dataclass(frozen=True)
class ReleaseStage:
    stage: int
    release: tuple[Release, ...]
    perform: tuple[str, ...]
    case_ids: Sequence[str]  # shared by all stages; exposures and secured follow this order
    exposures: Sequence[int]
    secured: Sequence[int]
    cash_after: dict[str, int]
    explanations: tuple[str, ...] = ()

    @property
    def coverage(self) -> dict[str, CaseCoverage]:
        """Exposure and secured amount of every case at the end of the stage."""
        return {c: CaseCoverage(e, s) for c, e, s in zip(self.case_ids, self.exposures, self.secured)}


@dataclass(frozen=True)
class SuggestedGuarantee:
    value: int
    secures: tuple[str, ...]
    from_stage: int  # posted before this stage (the one after the block)
    frees: int  # owner's frozen value it releases at that stage


@dataclass(frozen=True)
class Blocked:
    obligation: str
    owner: str
    shortfall: int
    suggested_guarantee: SuggestedGuarantee | None
    reason: str
    after_stage: int


@dataclass(frozen=True)
class ReleasePlan:
    status: str
    stages: tuple[ReleaseStage, ...]
    discharge: tuple[str, ...]
    total_released: int
    still_frozen: dict[str, int]
    blocked: Blocked | None
    excluded_guarantees: tuple[str, ...]
    guarantee_cycles: tuple[tuple[str, ...], ...]
    explanations: tuple[str, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The plan contract of docs/release-planner.md (plus ``explanations`` and a few extra keys)."""
        blocked = None
        if self.blocked is not None:
            b = self.blocked
            suggestion = None
            if b.suggested_guarantee is not None:
                g = b.suggested_guarantee
                suggestion = {"value": g.value, "secures": list(g.secures), "from_stage": g.from_stage, "frees": g.frees}
            blocked = {
                "obligation": b.obligation,
                "shortfall": b.shortfall,
                "suggested_guarantee": suggestion,
                "reason": b.reason,
                "owner": b.owner,
                "after_stage": b.after_stage,
            }
        return {
            "status": self.status,
            "stages": [
                {
                    "stage": s.stage,
                    "release": [{"asset": r.asset, "amount": r.amount} for r in s.release],
                    "perform": list(s.perform),
                    "coverage": {
                        c: {"exposure": e, "secured": v} for c, e, v in zip(s.case_ids, s.exposures, s.secured)
                    },
                    "cash_after": dict(s.cash_after),
                    "explanations": list(s.explanations),
                }
                for s in self.stages
            ],
            "discharge": list(self.discharge),
            "total_released": self.total_released,
            "still_frozen": dict(self.still_frozen),
            "blocked": blocked,
            "excluded_guarantees": list(self.excluded_guarantees),
            "guarantee_cycles": [list(c) for c in self.guarantee_cycles],
            "explanations": list(self.explanations),
            "exclusions": [{"guarantee": e.guarantee, "rule": e.rule, "path": list(e.path)} for e in self.exclusions],
        }
