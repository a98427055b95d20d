"""The court's figures for a period: cases received, concluded, and the 调撤率.

调撤率 (mediation-and-withdrawal rate) = cases concluded in the period by mediation or by
withdrawal ÷ all cases concluded in the period (docs/court-rules.md; 人民法院案件质量评估指标). The
circuit court reported 34.8 % for 2018 and 50.55 % for 2019–2020.

How the figures are counted here, and why:

- ``received`` counts cases received in the period; ``accepted`` those of them accepted.
- ``closed`` counts cases *concluded* (结案, ``concluded_on``) in the period, whatever
  their outcome — the denominator of the rate.
- Only withdrawals the applicant asked for (申请撤诉) count in the numerator. A withdrawal
  the court deems (按撤诉处理 — the claimant did not appear or pay) ended nothing by
  agreement, so it stays in the denominator and is reported on its own: a court cannot
  raise its rate by letting claims lapse.
- Transferred cases (移送) count as closed. 移送 is one of the 结案方式 of the court
  statistics, the court defines the denominator as *all* concluded cases, and counting
  them keeps the rate honest the same way: sending hard cases elsewhere cannot raise it.
  They are reported separately so a reader can take them out.
- A case merged into another (并案) is not counted at all: its complaints, and their
  dispute, live on in the case it joined, which is counted once.
- Pre-litigation mediation is reported on its own (诉前调解成功率, filings avoided): among
  pre-litigation cases whose mediation ended in the period, the share settled by
  mediation before any lawsuit, and the number that ended without a lawsuit.

Rates are exact :class:`fractions.Fraction` values (``None`` when nothing was concluded);
:func:`format_percent` rounds them half-up for display. :func:`plan_outcome_counts` lets a
demo-data generator hit a published rate exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from mediation.amounts import round_half_up
from mediation.lifecycle import Outcome
from mediation.messages import Msg

__all__ = [
    "CaseFact",
    "FIRST_PERIOD_DAY",
    "LAST_PERIOD_DAY",
    "Summary",
    "format_percent",
    "percent_half_up",
    "period_problem",
    "plan_outcome_counts",
    "summarize_period",
]

#: Periods are asked about between these days. The court's records begin with its
#: comparison year 2018 and no case is older than the platform; the century bound keeps
#: year 9999 — which cannot even be turned into the next day's UTC midnight — out of
#: every query, and still lets a judge type "2000-01-01 to 2099-12-31" for "everything".
FIRST_PERIOD_DAY = date(2000, 1, 1)
LAST_PERIOD_DAY = date(2099, 12, 31)


def period_problem(from_date: date, to_date: date) -> tuple[str, str] | None:
    """Why a period cannot be summarised — ``(field, reason code)`` — or ``None``.

    Reason codes: ``out_of_range`` (a day before :data:`FIRST_PERIOD_DAY` or after
    :data:`LAST_PERIOD_DAY`), ``backwards`` (the first day after the last).
    """
    for field_name, day in (("from", from_date), ("to", to_date)):
        if not FIRST_PERIOD_DAY <= day <= LAST_PERIOD_DAY:
            return field_name, "out_of_range"
    if from_date > to_date:
        return "from", "backwards"
    return None


@dataclass(frozen=True)
class CaseFact:
    """What statistics need to know about one case."""

    received_on: date
    accepted: bool
    concluded_on: date | None
    outcome: Outcome | None
    pre_litigation: bool
    filed_to_litigation: bool
    # When the pre-litigation mediation phase ended (settled, withdrawn, or failed and
    # filed). Needed for cases that went on to litigation: their pre-litigation failure
    # belongs to the period it happened in, not to the day the lawsuit ends. When absent,
    # ``concluded_on`` is used.
    mediation_ended_on: date | None = None

    def __post_init__(self) -> None:
        if (self.concluded_on is None) != (self.outcome is None):
            raise ValueError("a concluded case needs both concluded_on and outcome")
        if self.outcome is not None and not isinstance(self.outcome, Outcome):
            object.__setattr__(self, "outcome", Outcome(self.outcome))


@dataclass(frozen=True)
class Summary:
    """A period's figures; the first eight fields are the API's ``stats/summary``."""

    from_date: date
    to_date: date
    received: int
    accepted: int
    closed: int
    mediated: int
    withdrawn: int  # withdrawn_applied + withdrawn_deemed
    withdrawn_applied: int
    withdrawn_deemed: int
    judged: int
    dismissed: int
    transferred: int
    mediation_withdrawal_rate: Fraction | None  # (mediated + withdrawn_applied) ÷ closed
    pre_litigation_ended: int
    pre_litigation_mediated: int
    pre_litigation_success_rate: Fraction | None
    filings_avoided: int

    def as_dict(self, places: int = 2) -> dict:
        """Return JSON-ready values; rates as percent strings such as ``"50.55%"`` or None."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["from_date"] = self.from_date.isoformat()
        data["to_date"] = self.to_date.isoformat()
        for name in ("mediation_withdrawal_rate", "pre_litigation_success_rate"):
            rate = getattr(self, name)
            data[name] = None if rate is None else format_percent(rate, places)
        return data


def _ratio(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


def summarize_period(facts: Iterable[CaseFact], from_date: date, to_date: date) -> Summary:
    """Count the period's cases (both dates inclusive) and compute its rates."""
    if from_date > to_date:
        raise ValueError(Msg("统计期间的起始日期不能晚于截止日期", "The period cannot start after it ends"))

    def in_period(d: date | None) -> bool:
        return d is not None and from_date <= d <= to_date

    received = accepted = closed = 0
    by_outcome = {outcome: 0 for outcome in Outcome}
    pre_ended = pre_mediated = filings_avoided = 0

    for fact in facts:
        if fact.outcome is not None and not fact.outcome.concludes_dispute:
            # Merged into another case (并案): the dispute goes on, and is counted, there.
            continue
        if in_period(fact.received_on):
            received += 1
            accepted += fact.accepted
        if in_period(fact.concluded_on):
            closed += 1
            by_outcome[fact.outcome] += 1
        if fact.pre_litigation:
            ended_on = fact.mediation_ended_on or fact.concluded_on
            if in_period(ended_on) and (fact.filed_to_litigation or fact.outcome is not None):
                pre_ended += 1
                if not fact.filed_to_litigation:
                    filings_avoided += 1
                    if fact.outcome is Outcome.MEDIATED:
                        pre_mediated += 1

    applied = by_outcome[Outcome.WITHDRAWN_APPLIED]
    deemed = by_outcome[Outcome.WITHDRAWN_DEEMED]
    return Summary(
        from_date=from_date,
        to_date=to_date,
        received=received,
        accepted=accepted,
        closed=closed,
        mediated=by_outcome[Outcome.MEDIATED],
        withdrawn=applied + deemed,
        withdrawn_applied=applied,
        withdrawn_deemed=deemed,
        judged=by_outcome[Outcome.JUDGED],
        dismissed=by_outcome[Outcome.DISMISSED],
        transferred=by_outcome[Outcome.TRANSFERRED],
        mediation_withdrawal_rate=_ratio(by_outcome[Outcome.MEDIATED] + applied, closed),
        pre_litigation_ended=pre_ended,
        pre_litigation_mediated=pre_mediated,
        pre_litigation_success_rate=_ratio(pre_mediated, pre_ended),
        filings_avoided=filings_avoided,
    )


# --- Percentages -----------------------------------------------------------------------


def percent_half_up(rate: Fraction, places: int = 2) -> Decimal:
    """Return ``rate`` as a percentage rounded half-up to ``places`` decimals, exactly.

    Half-up (四舍五入) is how the court's reports round; the arithmetic is on integers so
    50.545 % becomes 50.55 % and never 50.54 % through binary floating point.
    """
    if places < 0:
        raise ValueError("places must be >= 0")
    units = round_half_up(Fraction(rate) * 100 * 10**places)
    return Decimal(units).scaleb(-places)


def format_percent(rate: Fraction | None, places: int = 2) -> str:
    """Format a rate like ``"50.55%"``; ``None`` (nothing concluded) becomes ``"—"``."""
    if rate is None:
        return "—"
    return f"{percent_half_up(rate, places):.{places}f}%"


def plan_outcome_counts(closed: int, rate_percent: str) -> int:
    """Return the smallest k such that k ÷ closed, as a percentage rounded half-up at the
    precision of ``rate_percent``, equals it.

    ``plan_outcome_counts(1181, "50.55")`` is 597 (597 ÷ 1181 = 50.550 %). Raise ValueError
    when no k exists: ``plan_outcome_counts(1223, "50.55")`` has none, since 618 ÷ 1223 is
    50.53 % and 619 ÷ 1223 is 50.61 %.
    """
    if isinstance(closed, bool) or not isinstance(closed, int) or closed <= 0:
        raise ValueError("closed must be a positive integer")
    text = str(rate_percent).strip().removesuffix("%").strip()
    try:
        target = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a percentage: {rate_percent!r}") from None
    if not target.is_finite() or not Decimal(0) <= target <= Decimal(100):
        raise ValueError(f"percentage out of range: {rate_percent!r}")
    places = max(0, -target.as_tuple().exponent)

    # Rounding half-up gives `target` exactly for k/closed in [target - h, target + h)
    # with h half a unit of the last place, so k lies in [lower, upper) below.
    half_unit = Fraction(1, 2 * 10**places)
    lower = (Fraction(target) - half_unit) / 100 * closed
    upper = (Fraction(target) + half_unit) / 100 * closed
    k = max(0, -(-lower.numerator // lower.denominator))  # ceil(lower)
    if k < upper and k <= closed and percent_half_up(Fraction(k, closed), places) == target:
        return k
    raise ValueError(
        f"no count out of {closed} gives {text}% (rounded half-up to {places} decimals)"
    )
