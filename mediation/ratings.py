"""好差评: every party rates the service once its case is closed; every bad rating is
followed up (回访) by the judge.

Rules applied here:

- A rating is a whole number of stars from 1 to 5 with an optional comment, given once per
  party per case, after the case is closed (the service is then complete).
- A rating of 2 or less is bad (差评): it opens a follow-up task for the judge, due
  ``FOLLOWUP_WORKING_DAYS`` working days after the rating (政务服务"好差评"制度: 差评
  须在规定时间内回访整改; five working days is the court's practice here).
- ``satisfaction_rate`` = ratings of 4 or 5 ÷ all ratings in the period;
  ``followup_rate`` = bad ratings whose follow-up is done ÷ bad ratings. Each is ``None``
  when its denominator is zero (no figure rather than a misleading 0 %).

Pure: the caller passes the ratings and, where days count, ``is_working_day``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from fractions import Fraction

from mediation.messages import Msg

__all__ = ["BAD_AT_MOST", "FOLLOWUP_WORKING_DAYS", "RatingError", "check_rating", "followup_due",
           "followup_rate", "is_bad", "satisfaction_rate"]

BAD_AT_MOST = 2
GOOD_AT_LEAST = 4
FOLLOWUP_WORKING_DAYS = 5
MAX_COMMENT = 1000


class RatingError(ValueError):
    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def check_rating(score, comment: str | None) -> tuple[int, str]:
    """The score and trimmed comment, or RatingError naming the field."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise RatingError(Msg("评分应为1至5星", "The rating is 1 to 5 stars"), "score")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise RatingError(Msg("评价最多{n}字", "At most {n} characters", n=MAX_COMMENT), "comment")
    return score, comment


def is_bad(score: int) -> bool:
    return score <= BAD_AT_MOST


def followup_due(rated_on: date, *, is_working_day: Callable[[date], bool]) -> date:
    """The last day of the follow-up: the 5th working day after the rating's day."""
    day, left = rated_on, FOLLOWUP_WORKING_DAYS
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def satisfaction_rate(scores: Iterable[int]) -> Fraction | None:
    scores = list(scores)
    if not scores:
        return None
    return Fraction(sum(1 for s in scores if s >= GOOD_AT_LEAST), len(scores))


def followup_rate(bad_followed_up: Iterable[bool]) -> Fraction | None:
    done = list(bad_followed_up)
    if not done:
        return None
    return Fraction(sum(1 for d in done if d), len(done))
