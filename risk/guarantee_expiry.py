"""Counter-guarantees that lapse before the release plan ends (docs/release-in-the-app.md).

A counter-guarantee (反担保) stands in for frozen value only while it is valid: a bank letter
that expires halfway through the plan leaves the cases it covered unsecured for the stages
after it, and the court would have released against security it no longer holds (民诉法
art. 107, 保全规定 art. 22: the security must be full and effective). So the plan page flags
each guarantee whose validity ends before the plan does, or before an obligation on the
cases it covers is due.

When things happen. A stage first releases, then performs; stage *n* is released only once
the obligations of the earlier stages are performed and confirmed, so it is **expected** on
the latest due day of those obligations. The plan **ends** when the last obligation it is
waiting for is due: the latest due day of the obligations not yet confirmed (those the plan
performs, and the one it is blocked on) — the last stage's expected day or later; only then
are the guarantees discharged. Obligations without a due day (entered by hand without one)
date nothing; a plan none of whose obligations has a due day has no known end, and only the
obligations with a day can outlast a guarantee. A guarantee valid *until* a day is valid on
that day: one that ends on the day the plan ends is not flagged; one that ends the day
before is.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["ExpiryFlag", "GuaranteeTerm", "ObligationTerm", "expiring_guarantees", "plan_ends_on",
           "stage_dates"]


@dataclass(frozen=True)
class GuaranteeTerm:
    id: str
    provider: str
    valid_until: date
    secures: tuple[str, ...]


@dataclass(frozen=True)
class ObligationTerm:
    id: str
    due_on: date | None
    reduces: tuple[str, ...]


@dataclass(frozen=True)
class ExpiryFlag:
    """A guarantee that lapses too early, and what outlasts it."""

    guarantee: str
    provider: str
    valid_until: date
    plan_ends_on: date | None
    #: The first stage expected after the guarantee lapsed (None: none is).
    stage: int | None
    #: Obligations on the cases it covers that fall due after it lapsed.
    obligations: tuple[str, ...]

    def to_json(self) -> dict:
        return {"guarantee": self.guarantee, "provider": self.provider, "valid_until": self.valid_until.isoformat(),
                "plan_ends_on": self.plan_ends_on.isoformat() if self.plan_ends_on else None,
                "stage": self.stage, "obligations": list(self.obligations)}


def stage_dates(plan: dict, due: dict[str, date | None]) -> dict[int, date | None]:
    """Each stage's expected day: the latest due day of the obligations performed in the stages
    before it (None when none of them has a due day)."""
    dates: dict[int, date | None] = {}
    latest: date | None = None
    for stage in plan["stages"]:
        dates[stage["stage"]] = latest
        for key in stage["perform"]:
            if due.get(key) is not None and (latest is None or due[key] > latest):
                latest = due[key]
    return dates


def plan_ends_on(obligations: list[ObligationTerm]) -> date | None:
    """The latest due day of the obligations the plan still waits for (None: none has a day)."""
    days = [o.due_on for o in obligations if o.due_on is not None]
    return max(days) if days else None


def expiring_guarantees(guarantees: list[GuaranteeTerm], obligations: list[ObligationTerm],
                        plan: dict) -> list[ExpiryFlag]:
    """The guarantees of ``plan`` (its JSON contract; excluded ones add nothing and are left
    out) that lapse before the plan ends or before an obligation on their cases is due;
    ``obligations`` are the ones not yet confirmed, with their due days."""
    excluded = set(plan.get("excluded_guarantees", ()))
    due = {o.id: o.due_on for o in obligations}
    expected = stage_dates(plan, due)
    ends = plan_ends_on(obligations)
    flags = []
    for g in guarantees:
        if g.id in excluded:
            continue
        covered = set(g.secures)
        later = tuple(o.id for o in obligations
                      if o.due_on is not None and o.due_on > g.valid_until and covered & set(o.reduces))
        if not later and (ends is None or g.valid_until >= ends):
            continue
        stage = next((n for n, day in sorted(expected.items()) if day is not None and day > g.valid_until), None)
        flags.append(ExpiryFlag(g.id, g.provider, g.valid_until, ends, stage, later))
    return flags
