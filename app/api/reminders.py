"""Reminders of the user's court, by status (judges and clerks; DESIGN §8)."""
from __future__ import annotations

from flask import request

from app.access import Permission
from app.api import InvalidRequestError, api_bp, current_api_user, int_arg, iso, permission_required
from app.services import reminder_board


@api_bp.get("/reminders")
@permission_required(Permission.REMINDERS_VIEW)
def list_reminders_api():
    """Reminders.
    ---
    get:
      summary: The reminders of the caller's court with one status (judges and clerks)
      parameters:
        - {in: query, name: status, required: false, schema: {type: string, enum: [pending, failed, sent, cancelled], default: pending}}
        - {in: query, name: limit, required: false, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
      responses:
        200: {content: {application/json: {schema: ReminderList}}}
        403: {content: {application/problem+json: {schema: Problem}}}
        422: {content: {application/problem+json: {schema: Problem}}}
    """
    status = request.args.get("status", "pending")
    if status not in reminder_board.STATUSES:
        raise InvalidRequestError([{"field": "status",
                                    "message": f"one of {', '.join(reminder_board.STATUSES)}"}])
    limit = int_arg("limit", 50, 1, reminder_board.LIST_MAX)
    found = reminder_board.list_reminders(current_api_user(), status=status, limit=limit)
    return {"items": [{
        "id": r.id, "kind": r.kind, "due_at": iso(r.due_at), "channel": r.channel,
        "status": r.status, "attempts": r.attempts, "recipient_id": r.recipient_id,
        "subject_type": r.subject_type, "subject_id": r.subject_id, "case_id": r.case_id,
        "last_error": r.last_error,
    } for r in found]}
