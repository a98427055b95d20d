"""Compliance inquiries and early warnings (DESIGN §8): a developer's own, a judge's court's.
Every item carries ``developer_id``."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api import api_bp, current_api_user, iso, load_body, token_required
from app.api.schemas import Text
from app.errors import problem
from app.models.types import utcnow
from app.services import inquiries, warning_notices
from app.services.errors import NotFoundError
from mediation.lifecycle import court_date


class AnswerIn(Schema):
    position = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=100))
    text = Text(required=True, validate=validate.Length(min=1, max=5000))


class AnswersIn(Schema):
    answers = fields.List(fields.Nested(AnswerIn), required=True, validate=validate.Length(min=1, max=100))


def _roles_ok():
    return current_api_user().role in ("developer", "judge")


def inquiry_item(inquiry, today) -> dict:
    return {
        "id": inquiry.id, "number": inquiries.inquiry_number(inquiry), "developer_id": inquiry.developer_id,
        "project_id": inquiry.project_id, "letter_type": inquiry.letter_type,
        "issued_at": iso(inquiry.issued_at), "deadline": inquiry.deadline_on.isoformat(),
        "deadline_estimated": inquiry.deadline_estimated, "state": inquiries.inquiry_state(inquiry, today),
        "answered_at": iso(inquiry.answered_at), "review": inquiry.review, "review_reason": inquiry.review_reason,
        "rectify_by": inquiry.rectify_by.isoformat() if inquiry.rectify_by else None,
        "rectified_on": inquiry.rectified_on.isoformat() if inquiry.rectified_on else None,
        "questions": [{"position": q.position, "text": q.text, "answer": q.answer, "review": q.review,
                       "review_reason": q.review_reason, "attachments": len(q.attachments)}
                      for q in inquiry.questions],
    }


@api_bp.get("/inquiries")
@token_required
def list_inquiries_api():
    """Compliance inquiries.
    ---
    get:
      summary: Compliance inquiries — a developer's own, a judge's court's; each with developer_id
      responses:
        200: {content: {application/json: {schema: {type: object}}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        403: {content: {application/problem+json: {schema: Problem}}}
    """
    if not _roles_ok():
        return problem(403, "Forbidden", "Your role may not use this call.")
    today = court_date(utcnow())
    return {"items": [inquiry_item(i, today) for i in inquiries.list_inquiries(current_api_user())]}


@api_bp.post("/inquiries/<int(max=2147483647):inquiry_id>/answers")
@token_required
def answer_inquiry_api(inquiry_id: int):
    """Answer an inquiry.
    ---
    post:
      summary: The developer's answers, one per question (answers, a list of position and text); its own inquiries only
      parameters: [{in: path, name: inquiry_id, required: true, schema: {type: integer}}]
      responses:
        200: {content: {application/json: {schema: {type: object}}}}
        403: {content: {application/problem+json: {schema: Problem}}}
        404: {content: {application/problem+json: {schema: Problem}}}
        409: {content: {application/problem+json: {schema: Problem}}}
        422: {content: {application/problem+json: {schema: Problem}}}
    """
    user = current_api_user()
    try:
        inquiries.inquiry_for(user, inquiry_id)
    except NotFoundError:
        return problem(404, "Not Found", "No such inquiry.")
    if user.role != "developer":
        return problem(403, "Forbidden", "Only the developer's staff answer its inquiries.")
    body = load_body(AnswersIn())
    answers = {a["position"]: a["text"] for a in body["answers"]}
    inquiry = inquiries.answer_inquiry(inquiry_id, answers, actor=user, now=utcnow())
    return inquiry_item(inquiry, court_date(utcnow()))


@api_bp.get("/warnings")
@token_required
def list_warnings_api():
    """Early warnings.
    ---
    get:
      summary: Warning notices with their facts and commitments — a developer's own, a judge's court's
      responses:
        200: {content: {application/json: {schema: {type: object}}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        403: {content: {application/problem+json: {schema: Problem}}}
    """
    if not _roles_ok():
        return problem(403, "Forbidden", "Your role may not use this call.")
    return {"items": [{
        "id": n.id, "developer_id": n.developer_id, "project_id": n.project_id, "level": n.level,
        "state": warning_notices.notice_state(n), "created_at": iso(n.created_at),
        "acknowledged_at": iso(n.acknowledged_at), "answered_at": iso(n.answered_at), "plan": n.plan,
        "warnings": [{"rule": w["rule"], "level": w["level"], "facts": w["facts_zh"], "facts_en": w["facts_en"]}
                     for w in n.warnings],
        "commitments": [{"id": c.id, "text": c.text, "due": c.due_on.isoformat(), "status": c.status}
                        for c in n.commitments],
    } for n in warning_notices.list_notices(current_api_user())]}
