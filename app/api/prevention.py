"""Compliance inquiries and early warnings (docs/early-warnings.md): a developer's own, a
judge's court's. Every item carries ``developer_id``; answers may carry files (multipart)."""
from __future__ import annotations

import json
import re

from flask import request, send_file, url_for
from marshmallow import ValidationError

from app.api import InvalidRequestError, api_bp, current_api_user, iso, load_body, token_required
from app.api.schemas import AnswersIn, field_errors
from app.errors import problem
from app.models.types import utcnow
from app.services import inquiries, warning_notices
from app.services.errors import NotFoundError
from mediation.lifecycle import court_date
from mediation.messages import Msg


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
                       "review_reason": q.review_reason, "attachments": len(q.attachments),
                       "files": [{"id": a.id, "name": a.original_name, "content_type": a.content_type,
                                  "size_bytes": a.size_bytes,
                                  "url": url_for("api.download_inquiry_file", attachment_id=a.id)}
                                 for a in q.attachments]}
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


#: The multipart form of ``POST /inquiries/{id}/answers`` (the same names as the web form's
#: files): ``answers`` is the JSON list of the JSON body, ``files_N`` the files of answer N.
_FILES_FIELD = re.compile(r"files_([1-9][0-9]{0,2})")


def _answers_and_files() -> tuple[dict, dict]:
    """(position → text, position → uploads) of a JSON body or a multipart form; 400/422
    problem documents name what is wrong (a file field of no question included)."""
    if request.mimetype != "multipart/form-data":
        body = load_body(AnswersIn())
        return {a["position"]: a["text"] for a in body["answers"]}, {}
    raw = request.form.get("answers")
    try:
        answers = json.loads(raw) if raw is not None else None
    except (ValueError, RecursionError):  # not JSON, or nested beyond the parser's depth
        raise InvalidRequestError([{"field": "answers", "message": Msg(
            "应为JSON数组，如[{\"position\": 1, \"text\": \"…\"}]",
            "a JSON list like [{\"position\": 1, \"text\": \"…\"}]")}]) from None
    try:
        body = AnswersIn().load({"answers": answers} if answers is not None else {})
    except ValidationError as error:
        raise InvalidRequestError(field_errors(error)) from None
    unknown = sorted(set(request.form) - {"answers"})
    files: dict[int, list] = {}
    for name in request.files:
        match = _FILES_FIELD.fullmatch(name)
        if match is None:
            unknown.append(name)
        else:
            files[int(match.group(1))] = request.files.getlist(name)
    if unknown:
        raise InvalidRequestError([{"field": name, "message": Msg(
            "未知字段（文件字段名为files_题号）", "unknown field (files go in files_<position>)")}
            for name in unknown])
    return {a["position"]: a["text"] for a in body["answers"]}, files


@api_bp.post("/inquiries/<int(max=2147483647):inquiry_id>/answers")
@token_required
def answer_inquiry_api(inquiry_id: int):
    """Answer an inquiry.
    ---
    post:
      summary: The developer's answers, one per question, with files; its own inquiries only
      description: >-
        JSON (`answers`, a list of position and text) or, to attach files, multipart/form-data
        with `answers` (that list as JSON text) and the files of answer N in `files_N` (JPEG,
        PNG, WebP or PDF judged by content, at most 10 an answer, each within the upload
        limit). A file refused is a 422 naming its field; nothing is saved then.
      parameters: [{in: path, name: inquiry_id, required: true, schema: {type: integer}}]
      requestBody:
        required: true
        content:
          application/json: {schema: AnswersIn}
          multipart/form-data:
            schema:
              type: object
              required: [answers]
              properties:
                answers: {type: string, description: 'JSON list of {position, text}'}
              additionalProperties:
                description: files_N, the files of answer N
                type: array
                items: {type: string, format: binary}
      responses:
        200: {content: {application/json: {schema: {type: object}}}}
        403: {content: {application/problem+json: {schema: Problem}}}
        404: {content: {application/problem+json: {schema: Problem}}}
        409: {content: {application/problem+json: {schema: Problem}}}
        413: {content: {application/problem+json: {schema: Problem}}}
        422: {content: {application/problem+json: {schema: Problem}}}
    """
    user = current_api_user()
    try:
        inquiries.inquiry_for(user, inquiry_id)
    except NotFoundError:
        return problem(404, "Not Found", "No such inquiry.")
    if user.role != "developer":
        return problem(403, "Forbidden", "Only the developer's staff answer its inquiries.")
    answers, files = _answers_and_files()
    inquiry = inquiries.answer_inquiry(inquiry_id, answers, files=files, actor=user, now=utcnow())
    return inquiry_item(inquiry, court_date(utcnow()))


@api_bp.get("/inquiry-files/<int(max=2147483647):attachment_id>")
@token_required
def download_inquiry_file(attachment_id: int):
    """A file attached to an inquiry's answer.
    ---
    get:
      summary: A file of an answer (the `files` of an inquiry's question), for the developer itself and the court's judges
      parameters: [{in: path, name: attachment_id, required: true, schema: {type: integer}}]
      responses:
        200:
          content:
            image/jpeg: {schema: {type: string, format: binary}}
            image/png: {schema: {type: string, format: binary}}
            image/webp: {schema: {type: string, format: binary}}
            application/pdf: {schema: {type: string, format: binary}}
        401: {content: {application/problem+json: {schema: Problem}}}
        404: {content: {application/problem+json: {schema: Problem}}}
    """
    try:
        attachment, path = inquiries.answer_file(current_api_user(), attachment_id)
    except NotFoundError:
        return problem(404, "Not Found", Msg("文件不存在。", "No such file."))
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


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
