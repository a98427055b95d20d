"""Complaints from the phone app: file one, follow it."""
from __future__ import annotations

from app.access import Permission, can
from app.api import (
    api_bp, current_api_user, iso, load_body, permission_required, token_required,
)
from app.api.schemas import ComplaintIn
from app.errors import problem
from app.extensions import db
from app.models import Complaint
from app.models.types import utcnow
from mediation.messages import Msg


def complaint_json(complaint: Complaint) -> dict:
    return {
        "id": complaint.id, "receipt_no": complaint.receipt_no, "status": complaint.status,
        "project_id": complaint.project_id, "unit": complaint.unit,
        "dispute_type": complaint.dispute_type, "channel": complaint.channel,
        "facts": complaint.facts,
        "claims": [{"kind": c.kind, "amount_fen": c.amount_fen} for c in complaint.claims],
        "submitted_at": iso(complaint.submitted_at),
        "decision_reason": complaint.decision_reason,
        "case_id": complaint.case_id,
        "case_number": complaint.case.number if complaint.case else None,
    }


@api_bp.post("/complaints")
@permission_required(Permission.COMPLAINT_FILE)
def create_complaint():
    """File a complaint.
    ---
    post:
      summary: File a complaint (homeowner against a developer, or a developer's own dispute)
      requestBody: {required: true, content: {application/json: {schema: ComplaintIn}}}
      responses:
        201: {content: {application/json: {schema: ComplaintCreated}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        403: {content: {application/problem+json: {schema: Problem}}}
        422: {content: {application/problem+json: {schema: Problem}}}
    """
    from app.services.intake import file_complaint

    data = load_body(ComplaintIn())
    complaint = file_complaint(
        actor=current_api_user(), now=utcnow(), project_id=data["project_id"], unit=data["unit"],
        dispute_type=data["dispute_type"], facts=data["facts"], claims=data["claims"],
        channel="online", respondent_resident_id=data.get("respondent_resident_id"),
        respondent_name=data.get("respondent_name"),
    )
    return {"id": complaint.id, "receipt_no": complaint.receipt_no, "status": complaint.status}, 201


@api_bp.get("/complaints/<int(max=2147483647):complaint_id>")
@token_required
def get_complaint(complaint_id: int):
    """One complaint.
    ---
    get:
      summary: A complaint, for its filer and the court
      parameters: [{in: path, name: complaint_id, required: true, schema: {type: integer}}]
      responses:
        200: {content: {application/json: {schema: ComplaintOut}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        404: {content: {application/problem+json: {schema: Problem}}}
    """
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or not can(current_api_user(), Permission.COMPLAINT_VIEW, complaint):
        return problem(404, "Not Found", Msg("没有这件投诉。", "No such complaint."))
    return complaint_json(complaint)
