"""Site visits in a window of court dates (mediators: their own; judges: their court's)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from app.api import InvalidRequestError, api_bp, current_api_user, date_arg, iso, token_required
from app.errors import problem
from app.services import visits
from mediation.lifecycle import COURT_TZ
from mediation.messages import Msg

#: A window a phone screen can show; longer asks are refused rather than slow.
MAX_DAYS = 92


@api_bp.get("/visits")
@token_required  # the service answers 403 for anyone but mediators and judges
def list_visits_api():
    """Site visits.
    ---
    get:
      summary: Site visits overlapping the court dates from–to (both inclusive); a mediator's own, a judge's court's; cancelled ones marked (status)
      parameters:
        - {in: query, name: from, required: true, schema: {type: string, format: date}}
        - {in: query, name: to, required: true, schema: {type: string, format: date}}
      responses:
        200: {content: {application/json: {schema: VisitList}}}
        403: {content: {application/problem+json: {schema: Problem}}}
        422: {content: {application/problem+json: {schema: Problem}}}
    """
    if current_api_user().role not in ("mediator", "judge"):
        return problem(403, "Forbidden", Msg("您的角色不能使用这个接口。", "Your role may not use this call."))
    first, last = date_arg("from"), date_arg("to")
    if first > last:
        raise InvalidRequestError([{"field": "from", "message": Msg("不能晚于结束日期", "must not be after 'to'")}])
    if (last - first).days >= MAX_DAYS:
        raise InvalidRequestError([{"field": "to", "message": Msg("不能晚于开始日期后{n}天", "at most {n} days after 'from'",
                                                                  n=MAX_DAYS)}])
    start = datetime.combine(first, time(0), tzinfo=COURT_TZ)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=COURT_TZ)
    found = visits.visits_between(actor=current_api_user(), start=start, end=end)
    return {"items": [{
        "id": v.id, "mediator_id": v.mediator_id, "project_id": v.project_id,
        "starts_at": iso(v.starts_at), "ends_at": iso(v.ends_at),
        "case_ids": [c.id for c in v.cases], "room": v.room,
        "status": v.status, "moved_at": iso(v.moved_at) if v.moved_at else None,
        "cancelled_at": iso(v.cancelled_at) if v.cancelled_at else None,
        "cancel_reason": v.cancel_reason or None,
    } for v in found]}
