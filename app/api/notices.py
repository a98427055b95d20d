"""The caller's own inbox: notices of decisions on their complaints and cases."""
from __future__ import annotations

import base64
import binascii
import json

from flask import request

from app.api import InvalidRequestError, api_bp, current_api_user, int_arg, iso, token_required
from app.errors import problem
from app.models import Notice
from app.models.types import utcnow
from app.services import notices
from app.notify.render import notice_text
from app.services.errors import NotFoundError, request_locale
from mediation.messages import Msg

_BAD_CURSOR = [{"field": "cursor", "message": Msg("应为上一页给出的翻页位置", "an opaque cursor from a previous page")}]


def notice_item(notice: Notice) -> dict:
    text = notice_text(notice, request_locale())  # Accept-Language: en gives the English
    return {
        "id": notice.id, "kind": notice.kind, "subject": text.subject, "body": text.body,
        "case_id": notice.case_id, "complaint_id": notice.complaint_id,
        "created_at": iso(notice.created_at), "read_at": iso(notice.read_at),
    }


def _encode(before_id: int) -> str:
    raw = json.dumps({"v": 1, "b": before_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(cursor: str) -> int:
    try:
        if len(cursor) > 100:
            raise ValueError("length")
        body = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        before = body["b"] if isinstance(body, dict) and body.get("v") == 1 else None
        if isinstance(before, bool) or not isinstance(before, int) or not 0 < before < 2**31:
            raise ValueError("range")
    except (ValueError, TypeError, KeyError, UnicodeDecodeError, binascii.Error):
        raise InvalidRequestError(_BAD_CURSOR) from None
    return before


@api_bp.get("/notices")
@token_required
def list_notices_api():
    """The caller's inbox, newest first.
    ---
    get:
      summary: The caller's own notices (decisions on their complaints and cases), newest first
      parameters:
        - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 100, default: 30}}
        - {in: query, name: cursor, schema: {type: string}}
      responses:
        200: {content: {application/json: {schema: NoticeList}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        422: {content: {application/problem+json: {schema: Problem}}}
    """
    limit = int_arg("limit", notices.PAGE, 1, 100)
    cursor = request.args.get("cursor") or None
    page = notices.inbox(current_api_user(), before=_decode(cursor) if cursor else None,
                         limit=limit)
    return {"items": [notice_item(n) for n in page.items],
            "next_cursor": _encode(page.next_before) if page.next_before else None,
            "unread": page.unread}


@api_bp.post("/notices/<int(max=2147483647):notice_id>/read")
@token_required
def read_notice_api(notice_id: int):
    """Mark one of the caller's notices read.
    ---
    post:
      summary: "Mark one of the caller's own notices read (a second time changes nothing)"
      parameters: [{in: path, name: notice_id, required: true, schema: {type: integer}}]
      responses:
        200: {content: {application/json: {schema: NoticeItem}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        404: {content: {application/problem+json: {schema: Problem}}}
    """
    try:
        notice = notices.mark_read(notice_id, actor=current_api_user(), now=utcnow())
    except NotFoundError:
        return problem(404, "Not Found", Msg("没有这条通知。", "No such notice."))
    return notice_item(notice)
