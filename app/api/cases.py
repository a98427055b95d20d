"""Cases, as each role may see them."""
from __future__ import annotations

from flask import request
from sqlalchemy.orm import joinedload, selectinload

from app.access import Permission, can, case_relation
from app.api import InvalidRequestError, api_bp, current_api_user, int_arg, iso, token_required
from app.errors import problem
from app.extensions import db
from app.models import Case, CaseEvent, Complaint
from app.models.types import utcnow
from app.services import people
from mediation.people import Relation
from app.services.errors import request_locale
from mediation.messages import Msg, localize


#: A group case has dozens of complaints: load them and their claimants with the case.
_CASE_DETAIL = (
    joinedload(Case.project), joinedload(Case.developer),
    selectinload(Case.events).joinedload(CaseEvent.actor),
    selectinload(Case.complaints).joinedload(Complaint.claimant_person),
    selectinload(Case.complaints).joinedload(Complaint.claimant_developer),
)


def _item(src, *, project_name, developer_name, deadline_at) -> dict:
    """The case item shape (docs/contracts.md), from a Case or a case-list row."""
    return {
        "id": src.id, "number": src.number, "status": src.status, "outcome": src.outcome,
        "dispute_type": src.dispute_type, "is_group": src.is_group,
        "project_id": src.project_id, "project_name": project_name,
        "developer_id": src.developer_id, "developer_name": developer_name,
        "mediator_id": src.mediator_id, "claim_total_fen": src.claim_total_fen,
        "registered_at": iso(src.registered_at), "mediation_deadline_at": iso(deadline_at),
    }


def case_item(case: Case) -> dict:
    return _item(case, project_name=case.project.name, developer_name=case.developer.name,
                 deadline_at=case.mediation_deadline_at)


def case_row_item(row) -> dict:
    """A row of app.services.case_lists (already joined, no lazy loads) in the item shape."""
    return _item(row, project_name=row.project_name, developer_name=row.developer_name,
                 deadline_at=row.deadline_at)


def _claimant(complaint: Complaint, user, relation: Relation) -> dict:
    """The claimant as ``user`` may see them (app.services.people): a neighbour in a group
    case is 王*燕 with a masked ID number, as on the case page."""
    person = complaint.claimant_person
    if person is not None:
        view = people.present(user, person, relation)
        return {"name": view.name, "resident_id": view.resident_id}
    return {"name": complaint.claimant_developer.name if complaint.claimant_developer else None}


@api_bp.get("/cases")
@token_required
def list_cases_api():
    """Cases visible to the caller.
    ---
    get:
      summary: "Own cases (homeowner), cases against the company (developer), assigned (mediator), the court's (judge)"
      parameters:
        - {in: query, name: status, schema: {type: string}}
        - {in: query, name: dispute_type, schema: {type: string}}
        - {in: query, name: project_id, schema: {type: integer}}
        - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
        - {in: query, name: cursor, schema: {type: string}}
      responses:
        200: {content: {application/json: {schema: CaseList}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        422: {content: {application/problem+json: {schema: Problem}}}
    """
    from app.services import case_lists
    from app.services.errors import ServiceError

    filters = {
        "status": [s for s in request.args.getlist("status") if s] or None,
        "dispute_type": request.args.get("dispute_type") or None,
        "project_id": int_arg("project_id", None, 1, 2**31 - 1),
    }
    limit = int_arg("limit", 50, 1, 200)
    try:
        page = case_lists.list_cases(current_api_user(), {k: v for k, v in filters.items() if v},
                                     cursor=request.args.get("cursor") or None, limit=limit,
                                     now=utcnow())
    except ServiceError as error:
        raise InvalidRequestError(error.errors or [{"field": error.field or "cursor",
                                                    "message": error.message}]) from None
    return {"items": [case_row_item(c) for c in page.items], "next_cursor": page.next_cursor,
            "total": page.total}


@api_bp.get("/cases/<int(max=2147483647):case_id>")
@token_required
def get_case(case_id: int):
    """One case with its timeline.
    ---
    get:
      summary: A case with its timeline, for its parties, its mediator and its court
      parameters: [{in: path, name: case_id, required: true, schema: {type: integer}}]
      responses:
        200: {content: {application/json: {schema: CaseDetail}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        404: {content: {application/problem+json: {schema: Problem}}}
    """
    user = current_api_user()
    case = db.session.get(Case, case_id, options=_CASE_DETAIL)
    if case is None or not can(user, Permission.CASE_VIEW, case):
        return problem(404, "Not Found", Msg("没有这个案件。", "No such case."))
    relation = case_relation(user, case)
    body = case_item(case)
    body["complaints"] = [
        {"id": c.id, "receipt_no": c.receipt_no, "status": c.status, "unit": c.unit,
         "claimant": _claimant(c, user, relation)}
        for c in case.complaints
    ]
    body["timeline"] = [
        {"at": iso(e.at), "from_status": e.from_status, "to_status": e.to_status,
         "outcome": e.outcome, "actor_role": e.actor_role,
         "reason": None if e.reason is None else localize(e.reason, request_locale())}
        for e in people.timeline(case, sorted(case.events, key=lambda e: (e.at, e.id)), user,
                                 relation)
    ]
    return body
