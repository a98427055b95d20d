"""The court's figures for a period: load the cases as facts, let the domain count."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Case
from mediation.lifecycle import COURT_TZ, court_date
from mediation.statistics import CaseFact, Summary, summarize_period

SHANGHAI = COURT_TZ


def _utc_bounds(from_date: date, to_date: date) -> tuple[datetime, datetime]:
    """The period's dates are court (Shanghai) dates; the database stores UTC."""
    start = datetime.combine(from_date, time.min, tzinfo=SHANGHAI).astimezone(timezone.utc)
    end = datetime.combine(to_date + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    return start, end.astimezone(timezone.utc)


def _local_date(moment: datetime | None) -> date | None:
    return court_date(moment) if moment else None


def period_summary(from_date: date, to_date: date, *, court_id: int | None = None) -> Summary:
    """Summarise the cases received or concluded in the period (one court, or all)."""
    start, end = _utc_bounds(from_date, to_date)
    query = select(
        Case.received_at, Case.concluded_at, Case.outcome, Case.pre_litigation,
        Case.went_to_litigation,
    ).where(or_(Case.received_at.between(start, end), Case.concluded_at.between(start, end)))
    if court_id is not None:
        query = query.where(Case.court_id == court_id)
    facts = (
        CaseFact(received_on=_local_date(received), accepted=True,
                 concluded_on=_local_date(concluded) if outcome else None,
                 outcome=outcome, pre_litigation=pre, filed_to_litigation=went)
        for received, concluded, outcome, pre, went in db.session.execute(query)
    )
    return summarize_period(facts, from_date, to_date)
