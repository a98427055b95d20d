"""The court's figures for a period (judges)."""
from __future__ import annotations

from app.access import Permission
from app.api import InvalidRequestError, api_bp, current_api_user, date_arg, permission_required
from app.services.ratings import rating_figures
from app.services.release import release_figures
from app.services.statistics import period_summary
from mediation.statistics import FIRST_PERIOD_DAY, LAST_PERIOD_DAY, period_problem
from mediation.messages import Msg


@api_bp.get("/stats/summary")
@permission_required(Permission.STATS_VIEW)
def stats_summary():
    """Figures of the judge's court.
    ---
    get:
      summary: Received, concluded and 调撤率 for the judge's court in a period (both dates inclusive)
      parameters:
        - {in: query, name: from, required: true, schema: {type: string, format: date}}
        - {in: query, name: to, required: true, schema: {type: string, format: date}}
      responses:
        200: {content: {application/json: {schema: StatsSummary}}}
        403: {content: {application/problem+json: {schema: Problem}}}
        422: {content: {application/problem+json: {schema: Problem}}}
    """
    first, last = date_arg("from"), date_arg("to")
    problem = period_problem(first, last)
    if problem is not None:
        field, reason = problem
        message = (Msg("不能晚于结束日期", "must not be after 'to'") if reason == "backwards" else
                   Msg("应为{first}至{last}之间的日期", "a date from {first} to {last}",
                       first=FIRST_PERIOD_DAY, last=LAST_PERIOD_DAY))
        raise InvalidRequestError([{"field": field, "message": message}])
    s = period_summary(first, last, court_id=current_api_user().court_id)
    rate = s.mediation_withdrawal_rate
    return {
        "received": s.received, "accepted": s.accepted, "closed": s.closed,
        "mediated": s.mediated, "withdrawn": s.withdrawn, "judged": s.judged,
        "dismissed": s.dismissed,
        # A ratio (0.5055 = 50.55 %), rounded to 4 places; None when nothing was concluded.
        "mediation_withdrawal_rate": None if rate is None else round(float(rate), 4),
        "withdrawn_applied": s.withdrawn_applied, "withdrawn_deemed": s.withdrawn_deemed,
        "transferred": s.transferred,
        **release_figures(current_api_user().court_id, first, last),
        **rating_figures(current_api_user().court_id, first, last),
    }
