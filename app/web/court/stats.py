"""The court's figures: 收案, 结案, 调撤率 and pre-litigation success for chosen periods."""
from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_login import current_user

from app.models.types import utcnow
from app.services.statistics import period_summary
from app.web.court import bp
from mediation.lifecycle import court_date
from mediation.statistics import FIRST_PERIOD_DAY, LAST_PERIOD_DAY, period_problem

#: The comparison the circuit court reported (docs/court-rules.md §5): the year before the platform,
#: and its first two years.
REPORTED_PERIODS = [(date(2018, 1, 1), date(2018, 12, 31)), (date(2019, 1, 1), date(2020, 12, 31))]


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/stats")
def show_stats():
    today = court_date(utcnow())
    first, last = _date("from"), _date("to")
    error = None
    if (request.args.get("from") or request.args.get("to")) and (first is None or last is None):
        error = "bad_date"
    elif first and last and period_problem(first, last):
        error = period_problem(first, last)[1]
    periods = list(REPORTED_PERIODS) + [(date(today.year, 1, 1), today)]
    if first and last and not error:
        periods.append((first, last))
    summaries = [period_summary(a, b, court_id=current_user.court_id) for a, b in periods]
    return render_template("court/stats.html", summaries=summaries, error=error,
                           earliest=FIRST_PERIOD_DAY, latest=LAST_PERIOD_DAY,
                           first=request.args.get("from", ""), last=request.args.get("to", "")), (
        422 if error else 200)
