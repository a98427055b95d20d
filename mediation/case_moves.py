"""What one person may do to one case, beyond what their role may: withdrawal and assignment.

The lifecycle table (``mediation.lifecycle``) says which *role* may make each move. Two
rules depend on more than the role, and are decided here for the service that moves a
case and for the case page that offers the buttons alike:

- **Who may withdraw.** A party withdraws only its own application (申请撤回): every
  complaint of the case must be its own. In a case with several claimants one claimant
  cannot withdraw for the others; they may opt out of the group instead and go on alone
  (``mediation.groups.opt_out``). The court's roles are not parties and are not limited
  by this rule.
- **Registered → assigned** is never a bare move: it happens only by choosing a mediator
  (``mediation.eligibility``), which also starts the 30-day period. The buttons leave it
  out, and asking for it as a move is refused with a pointer to the assignment form.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime

from mediation.lifecycle import (
    PARTIES, AllowedTransition, CaseState, CaseStatus, allowed_transitions,
)
from mediation.messages import Msg

__all__ = [
    "ASSIGNMENT", "ASSIGNMENT_REFUSAL", "is_assignment", "offered_moves", "withdrawal_refusal",
]

#: The move made only by assigning a mediator.
ASSIGNMENT = (CaseStatus.REGISTERED, CaseStatus.ASSIGNED)
#: What a request for that move as a bare move is told (the field is the mediator choice).
ASSIGNMENT_REFUSAL = Msg("请在“分派调解员”中选择调解员",
                         "Choose the mediator under “Assign a mediator”")


def is_assignment(source: CaseStatus, target: CaseStatus) -> bool:
    """Whether ``source → target`` is the move only an assignment makes."""
    return (source, target) == ASSIGNMENT


def withdrawal_refusal(role: str, party: Hashable | None,
                       claimants: Sequence[Hashable]) -> Msg | None:
    """Why this party may not withdraw the case's application, or None if it may.

    ``party``: the acting party's claimant key (as the complaints name their claimant);
    ``claimants``: the claimant key of every complaint of the case. Court roles: None.
    """
    if role not in PARTIES:
        return None
    own = sum(1 for claimant in claimants if claimant == party)
    if not own:
        return Msg("只有申请人可以撤回申请", "Only the applicant may withdraw the application")
    if own != len(claimants):
        return Msg("本案有多名申请人，您不能代表其他申请人撤回申请；如不愿继续参加群体案件，可以选择退出",
                   "This case has several applicants: you cannot withdraw for the others; "
                   "if you no longer wish to take part in the group case, you may opt out")
    return None


def offered_moves(state: CaseState, role: str, *, now: datetime,
                  party_refusal: str | None = None) -> list[AllowedTransition]:
    """The move buttons a case page offers ``role``: the table's moves less the assignment,
    and none at all for a party that may not withdraw (``party_refusal``)."""
    if role in PARTIES and party_refusal:
        return []
    return [move for move in allowed_transitions(state, role, now=now)
            if not is_assignment(state.status, move.target)]
