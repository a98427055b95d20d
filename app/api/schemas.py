"""Request and response shapes of the JSON API (marshmallow), also fed to the OpenAPI document."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from app.input_safety import unstorable_message
from mediation.disputes import DisputeType
from mediation.messages import Msg
from mediation.roles import Role
from mediation.text import unstorable_character

DISPUTE_CODES = [d.value for d in DisputeType]


class StrictInt(fields.Integer):
    """An integer that refuses 12.5, "12" and true: money is integer fen, never float."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)


class Text(fields.String):
    """A string that refuses a NUL, another control character or a lone surrogate
    (:mod:`mediation.text`), naming the field — every string of the API is one."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        found = unstorable_character(text)
        if found is not None:
            raise ValidationError(unstorable_message(found))
        return text


class TokenRequest(Schema):
    username = Text(required=True)
    password = Text(required=True)


class TokenResponse(Schema):
    token = Text(required=True)
    expires_at = Text(required=True, metadata={"format": "date-time"})


class Me(Schema):
    id = fields.Integer()
    role = Text(validate=validate.OneOf([role.value for role in Role]))
    name = Text()
    court_id = fields.Integer(allow_none=True)
    developer_id = fields.Integer(allow_none=True)


class ProjectItem(Schema):
    id = fields.Integer()
    name = Text()
    developer_id = fields.Integer()
    town = Text()


class ProjectList(Schema):
    items = fields.List(fields.Nested(ProjectItem))


class ClaimIn(Schema):
    kind = Text(required=True, validate=validate.Length(min=1, max=100))
    amount_fen = StrictInt(required=True, validate=validate.Range(min=0, max=10**13))


class ComplaintIn(Schema):
    project_id = StrictInt(required=True)
    unit = Text(required=True, validate=validate.Length(max=64))
    dispute_type = Text(required=True, validate=validate.OneOf(DISPUTE_CODES))
    facts = Text(required=True, validate=validate.Length(min=1, max=5000))
    claims = fields.List(fields.Nested(ClaimIn), required=True, validate=validate.Length(max=20))
    # A developer filing its own dispute names the buyer it complains about.
    respondent_resident_id = Text(load_default=None)
    respondent_name = Text(load_default=None)


class ComplaintCreated(Schema):
    id = fields.Integer()
    receipt_no = Text()
    status = Text()


class ClaimOut(Schema):
    kind = Text()
    amount_fen = fields.Integer()


class ComplaintOut(Schema):
    id = fields.Integer()
    receipt_no = Text()
    status = Text()
    project_id = fields.Integer()
    unit = Text(allow_none=True)
    dispute_type = Text()
    channel = Text()
    facts = Text()
    claims = fields.List(fields.Nested(ClaimOut))
    submitted_at = Text(metadata={"format": "date-time"})
    decision_reason = Text(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    case_number = Text(allow_none=True)


class TimelineEntry(Schema):
    at = Text(metadata={"format": "date-time"})
    from_status = Text(allow_none=True)
    to_status = Text()
    outcome = Text(allow_none=True)
    actor_role = Text(allow_none=True)
    reason = Text(allow_none=True)


class CaseItem(Schema):
    id = fields.Integer()
    number = Text()
    status = Text()
    outcome = Text(allow_none=True)
    dispute_type = Text()
    is_group = fields.Boolean()
    project_id = fields.Integer()
    project_name = Text()
    developer_id = fields.Integer()
    developer_name = Text()
    mediator_id = fields.Integer(allow_none=True)
    claim_total_fen = fields.Integer()
    registered_at = Text(metadata={"format": "date-time"})
    mediation_deadline_at = Text(allow_none=True, metadata={"format": "date-time"})


class CaseDetail(CaseItem):
    complaints = fields.List(fields.Dict())
    timeline = fields.List(fields.Nested(TimelineEntry))


class CaseList(Schema):
    items = fields.List(fields.Nested(CaseItem))
    next_cursor = Text(allow_none=True)
    total = fields.Integer(allow_none=True, metadata={
        "description": "null when more match than counted: 10,000 for a list, 1,000 for a search"})


class NoticeItem(Schema):
    id = fields.Integer()
    kind = Text(metadata={"description": "complaint_accepted, complaint_rejected, "
                                                  "complaint_merged, case_merged, "
                                                  "case_against_you, mediator_assigned, …"})
    subject = Text()
    body = Text(metadata={"description": "plain text, Simplified Chinese"})
    case_id = fields.Integer(allow_none=True)
    complaint_id = fields.Integer(allow_none=True)
    created_at = Text(metadata={"format": "date-time"})
    read_at = Text(allow_none=True, metadata={"format": "date-time"})


class NoticeList(Schema):
    items = fields.List(fields.Nested(NoticeItem))
    next_cursor = Text(allow_none=True)
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
    #: 好差评: ratings of 4–5 stars ÷ ratings given in the period (None without ratings).
    satisfaction_rate = fields.Float(allow_none=True)
    #: Bad ratings (≤ 2 stars) of the period whose follow-up (回访) is done ÷ bad ratings.
    followup_rate = fields.Float(allow_none=True)


class DocumentItem(Schema):
    id = fields.Integer()
    kind = Text(metadata={"enum": ["agreement", "confirmation_ruling", "visit_sheet", "session_record",
                         "inquiry_letter", "warning_notice", "release_ruling"]})
    title = Text()
    sha256 = Text(metadata={"description": "SHA-256 of the PDF as stored, hex"})
    verify_code = Text(metadata={"description": "printed on every page; /verify/{verify_code}"})
    url = Text(metadata={"description": "GET it with the same token for the PDF"})
    created_at = Text(metadata={"format": "date-time"})


class DocumentList(Schema):
    items = fields.List(fields.Nested(DocumentItem))


class VisitItem(Schema):
    id = fields.Integer()
    mediator_id = fields.Integer()
    project_id = fields.Integer()
    starts_at = Text(metadata={"format": "date-time"})
    ends_at = Text(metadata={"format": "date-time"})
    case_ids = fields.List(fields.Integer())
    room = Text()
    status = Text(metadata={"description": "planned or cancelled (a cancelled visit stays, marked)"})
    moved_at = Text(allow_none=True, metadata={"format": "date-time", "description": "last moved, or null"})
    cancelled_at = Text(allow_none=True, metadata={"format": "date-time"})
    cancel_reason = Text(allow_none=True)


class VisitList(Schema):
    items = fields.List(fields.Nested(VisitItem))


class ReminderItem(Schema):
    id = fields.Integer()
    kind = Text()
    due_at = Text(metadata={"format": "date-time", "description": "UTC; moved later by a failed attempt"})
    channel = Text(metadata={"description": "notice (inbox, e-mail, SMS as the recipient chose) or log"})
    status = Text(metadata={"description": "pending, sent, cancelled or failed"})
    attempts = fields.Integer()
    recipient_id = fields.Integer()
    subject_type = Text(metadata={"description": "case, inquiry, visit, warning"})
    subject_id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    last_error = Text(allow_none=True)


class ReminderList(Schema):
    items = fields.List(fields.Nested(ReminderItem))


class FieldError(Schema):
    field = Text()
    message = Text()


class AnswerIn(Schema):
    position = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=100))
    text = Text(required=True, validate=validate.Length(min=1, max=5000))


class AnswersIn(Schema):
    """A developer's answers to an inquiry, one per question (``POST /inquiries/{id}/answers``)."""
    answers = fields.List(fields.Nested(AnswerIn), required=True, validate=validate.Length(min=1, max=100))


class Problem(Schema):
    type = Text()
    title = Text()
    status = fields.Integer()
    detail = Text()
    errors = fields.List(fields.Nested(FieldError))


#: Marshmallow's own messages (English) with their Chinese: the problem document speaks
#: the request's language (Accept-Language; Chinese by default). ``{0}``… are the numbers or
#: choices the message names.
_MARSHMALLOW_ZH = [
    (r"Missing data for required field\.", "缺少必填字段。"),
    (r"Unknown field\.", "未知字段。"),
    (r"Field may not be null\.", "不能为空。"),
    (r"Not a valid integer\.", "应为整数。"),
    (r"Not a valid string\.", "应为字符串。"),
    (r"Not a valid list\.", "应为列表。"),
    (r"Not a valid number\.", "应为数字。"),
    (r"Not a valid boolean\.", "应为布尔值。"),
    (r"Not a valid date\.", "应为日期（如2026-12-02）。"),
    (r"Not a valid datetime\.", "应为日期时间。"),
    (r"Invalid input type\.", "输入类型无效。"),
    (r"Must be one of: (.*)\.", "应为以下之一：{0}。"),
    (r"Length must be between (\d+) and (\d+)\.", "长度应在{0}至{1}之间。"),
    (r"Longer than maximum length (\d+)\.", "长度不能超过{0}。"),
    (r"Shorter than minimum length (\d+)\.", "长度不能少于{0}。"),
    (r"Must be greater than or equal to (-?\d+) and less than or equal to (-?\d+)\.",
     "应在{0}至{1}之间。"),
    (r"Must be greater than or equal to (-?\d+)\.", "应不小于{0}。"),
    (r"Must be less than or equal to (-?\d+)\.", "应不大于{0}。"),
]


def _both_languages(message):
    """A marshmallow message as a ``Msg`` (Chinese with the English), when it is one we know."""
    if isinstance(message, Msg) or not isinstance(message, str):
        return message
    for pattern, zh in _MARSHMALLOW_ZH:
        found = re.fullmatch(pattern, message)
        if found:
            return Msg(zh.format(*found.groups()), message)
    return message


def field_errors(error: ValidationError) -> list[dict]:
    """Flatten marshmallow's nested messages into [{field, message}] ("claims.0.amount_fen");
    each message in both languages where known (the problem document picks one)."""
    flat: list[dict] = []

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            flat.extend({"field": prefix or "_body", "message": _both_languages(m)} for m in value)
        elif isinstance(value, list):
            for index, sub in enumerate(value):
                walk(f"{prefix}.{index}", sub)
        else:
            flat.append({"field": prefix or "_body", "message": _both_languages(str(value))})

    walk("", error.messages)
    return flat
