"""Request and response shapes of the JSON API (marshmallow), also fed to the OpenAPI document."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from mediation.disputes import DisputeType

DISPUTE_CODES = [d.value for d in DisputeType]


class StrictInt(fields.Integer):
    """An integer that refuses 12.5, "12" and true: money is integer fen, never float."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)


class TokenRequest(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True)


class TokenResponse(Schema):
    token = fields.String(required=True)
    expires_at = fields.String(required=True, metadata={"format": "date-time"})


class Me(Schema):
    id = fields.Integer()
    role = fields.String(validate=validate.OneOf(["homeowner", "developer", "mediator", "judge", "admin"]))
    name = fields.String()
    court_id = fields.Integer(allow_none=True)
    developer_id = fields.Integer(allow_none=True)


class ProjectItem(Schema):
    id = fields.Integer()
    name = fields.String()
    developer_id = fields.Integer()
    town = fields.String()


class ProjectList(Schema):
    items = fields.List(fields.Nested(ProjectItem))


class ClaimIn(Schema):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=100))
    amount_fen = StrictInt(required=True, validate=validate.Range(min=0, max=10**13))


class ComplaintIn(Schema):
    project_id = StrictInt(required=True)
    unit = fields.String(required=True, validate=validate.Length(max=64))
    dispute_type = fields.String(required=True, validate=validate.OneOf(DISPUTE_CODES))
    facts = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    claims = fields.List(fields.Nested(ClaimIn), required=True, validate=validate.Length(max=20))
    # A developer filing its own dispute names the buyer it complains about.
    respondent_resident_id = fields.String(load_default=None)
    respondent_name = fields.String(load_default=None)


class ComplaintCreated(Schema):
    id = fields.Integer()
    receipt_no = fields.String()
    status = fields.String()


class ClaimOut(Schema):
    kind = fields.String()
    amount_fen = fields.Integer()


class ComplaintOut(Schema):
    id = fields.Integer()
    receipt_no = fields.String()
    status = fields.String()
    project_id = fields.Integer()
    unit = fields.String(allow_none=True)
    dispute_type = fields.String()
    channel = fields.String()
    facts = fields.String()
    claims = fields.List(fields.Nested(ClaimOut))
    submitted_at = fields.String(metadata={"format": "date-time"})
    decision_reason = fields.String(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    case_number = fields.String(allow_none=True)


class TimelineEntry(Schema):
    at = fields.String(metadata={"format": "date-time"})
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    outcome = fields.String(allow_none=True)
    actor_role = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class CaseItem(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    outcome = fields.String(allow_none=True)
    dispute_type = fields.String()
    is_group = fields.Boolean()
    project_id = fields.Integer()
    project_name = fields.String()
    developer_id = fields.Integer()
    developer_name = fields.String()
    mediator_id = fields.Integer(allow_none=True)
    claim_total_fen = fields.Integer()
    registered_at = fields.String(metadata={"format": "date-time"})
    mediation_deadline_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class CaseDetail(CaseItem):
    complaints = fields.List(fields.Dict())
    timeline = fields.List(fields.Nested(TimelineEntry))


class CaseList(Schema):
    items = fields.List(fields.Nested(CaseItem))
    next_cursor = fields.String(allow_none=True)
    total = fields.Integer(allow_none=True, metadata={
        "description": "null when more match than counted: 10,000 for a list, 1,000 for a search"})


class NoticeItem(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "complaint_accepted, complaint_rejected, "
                                                  "complaint_merged, case_merged, "
                                                  "case_against_you, mediator_assigned, …"})
    subject = fields.String()
    body = fields.String(metadata={"description": "plain text, Simplified Chinese"})
    case_id = fields.Integer(allow_none=True)
    complaint_id = fields.Integer(allow_none=True)
    created_at = fields.String(metadata={"format": "date-time"})
    read_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class NoticeList(Schema):
    items = fields.List(fields.Nested(NoticeItem))
    next_cursor = fields.String(allow_none=True)
    unread = fields.Integer(metadata={"description": "the caller's unread notices in all"})


class StatsSummary(Schema):
    received = fields.Integer()
    accepted = fields.Integer()
    closed = fields.Integer()
    mediated = fields.Integer()
    withdrawn = fields.Integer()
    withdrawn_applied = fields.Integer()
    withdrawn_deemed = fields.Integer()
    judged = fields.Integer()
    dismissed = fields.Integer()
    transferred = fields.Integer()
    mediation_withdrawal_rate = fields.Float(allow_none=True)
    #: Cases of the court covered by an accepted counter-guarantee (any time).
    counter_guarantee_cases = fields.Integer()
    #: Fen released from frozen assets securing the court's cases, in the period.
    released_fen = fields.Integer()


class DocumentItem(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": ["agreement", "confirmation_ruling", "visit_sheet", "session_record",
                                            "inquiry_letter", "warning_notice", "release_ruling"]})
    title = fields.String()
    sha256 = fields.String(metadata={"description": "SHA-256 of the PDF as stored, hex"})
    verify_code = fields.String(metadata={"description": "printed on every page; /verify/{verify_code}"})
    url = fields.String(metadata={"description": "GET it with the same token for the PDF"})
    created_at = fields.String(metadata={"format": "date-time"})


class DocumentList(Schema):
    items = fields.List(fields.Nested(DocumentItem))


class FieldError(Schema):
    field = fields.String()
    message = fields.String()


class Problem(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(fields.Nested(FieldError))


def field_errors(error: ValidationError) -> list[dict]:
    """Flatten marshmallow's nested messages into [{field, message}] ("claims.0.amount_fen")."""
    flat: list[dict] = []

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            flat.extend({"field": prefix or "_body", "message": m} for m in value)
        elif isinstance(value, list):
            for index, sub in enumerate(value):
                walk(f"{prefix}.{index}", sub)
        else:
            flat.append({"field": prefix or "_body", "message": str(value)})

    walk("", error.messages)
    return flat
