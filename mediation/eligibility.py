"""Which mediator may take a case (委派调解): on the roster, free of conflict, not overloaded.

A judge delegates a registered case to one of the court's mediators. A mediator is
refused, in this order, when:

- **inactive** — taken off the court's roster, or their account is deactivated (there is
  no separate leave flag: a mediator away for a long time is made inactive);
- **in conflict** — they declared a conflict of interest with the case's developer (e.g.
  they once worked for it), and must withdraw (回避);
- **full** — their workload has reached their capacity.

The **workload rule**: a mediator's workload is the cases they hold in the mediation
phase (assigned, scheduled, in mediation), while the 30-day clock runs. After settlement
a case needs follow-up visits, not sessions, so it no longer counts.

The same assessment refuses an assignment in the service, lists the choices on the case
page (available first, then the skilled, the least loaded, by name) and decides every
row of a bulk assignment, so the three can never disagree. Pure: the caller gathers the
facts (:class:`MediatorFacts`) and shows the result.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mediation.lifecycle import MEDIATION_PHASE, CaseStatus
from mediation.messages import Msg

__all__ = [
    "MediatorAssessment", "MediatorFacts", "WORKLOAD_STATUSES", "assess_mediator",
    "counts_toward_workload", "rank_mediators", "ranking_key",
]

#: The statuses of the cases that count against a mediator's capacity.
WORKLOAD_STATUSES = frozenset(MEDIATION_PHASE)


def counts_toward_workload(status: CaseStatus | str) -> bool:
    """Whether a case in ``status`` counts in its mediator's workload."""
    return CaseStatus(status) in WORKLOAD_STATUSES


@dataclass(frozen=True)
class MediatorFacts:
    """What the rule needs to know of one mediator, for one case."""

    name: str
    #: On the court's roster, and their account may log in.
    active: bool
    #: Open cases they hold now (see :data:`WORKLOAD_STATUSES`).
    workload: int
    capacity: int
    #: The reason of a declared conflict with the case's developer, if any.
    conflict: str | None = None
    #: Experienced in the case's dispute type (a preference, never a refusal).
    skilled: bool = False


@dataclass(frozen=True)
class MediatorAssessment:
    """Whether the mediator may take the case, and if not, why (a :class:`Msg`)."""

    facts: MediatorFacts
    inactive: bool
    full: bool
    conflict: str | None
    refusal: Msg | None

    @property
    def available(self) -> bool:
        return self.refusal is None


def assess_mediator(facts: MediatorFacts, *, developer: str) -> MediatorAssessment:
    """Assess one mediator for a case against ``developer`` (its name, for the message)."""
    inactive = not facts.active
    full = facts.workload >= facts.capacity
    if inactive:
        refusal = Msg("调解员{name}已停用", "Mediator {name} is inactive", name=facts.name)
    elif facts.conflict:
        refusal = Msg("调解员{name}与{developer}存在利益冲突（{conflict}），应当回避",
                      "Mediator {name} has a conflict of interest with {developer} ({conflict}) "
                      "and must withdraw", name=facts.name, developer=developer,
                      conflict=facts.conflict)
    elif full:
        refusal = Msg("调解员{name}在办案件{workload}件，已达上限{capacity}件",
                      "Mediator {name} holds {workload} open cases, the limit is {capacity}",
                      name=facts.name, workload=facts.workload, capacity=facts.capacity)
    else:
        refusal = None
    return MediatorAssessment(facts=facts, inactive=inactive, full=full,
                              conflict=facts.conflict or None, refusal=refusal)


def ranking_key(assessment: MediatorAssessment) -> tuple:
    """The order the judge sees them in: available first, then skilled, least loaded, by name."""
    facts = assessment.facts
    return (not assessment.available, not facts.skilled, facts.workload, facts.name)


def rank_mediators(assessments: Iterable[MediatorAssessment]) -> list[MediatorAssessment]:
    """``assessments`` in :func:`ranking_key` order."""
    return sorted(assessments, key=ranking_key)
