"""Spotting the same complaint filed twice.

One door means one complaint per dispute: when the same person complains about the same
project and the same kind of problem within 30 days (through the window, then the 12345
hotline, then a housing-bureau referral), the later filing is most likely the same
dispute arriving through another channel (九龙治水). It is flagged, never silently dropped:
a clerk or judge decides whether to merge it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

#: The window in which a repeated complaint counts as the same dispute. Thirty days is the
#: pre-litigation mediation period: within it the first complaint is normally still open.
DUPLICATE_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class FiledComplaint:
    id: int | None
    claimant_key: str  # resident ID or credit code of the claimant
    project_id: int
    dispute_type: str
    submitted_at: datetime


def find_duplicate(new: FiledComplaint, earlier: Iterable[FiledComplaint]) -> FiledComplaint | None:
    """The most recent earlier complaint that ``new`` likely repeats, or None."""
    candidates = [
        c for c in earlier
        if c.claimant_key == new.claimant_key
        and c.project_id == new.project_id
        and c.dispute_type == new.dispute_type
        and abs(new.submitted_at - c.submitted_at) <= DUPLICATE_WINDOW
        and c.id != new.id
    ]
    return max(candidates, key=lambda c: c.submitted_at, default=None)
