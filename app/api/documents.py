"""A case's documents and their PDFs, for its parties (own copies), its mediator and its court."""
from __future__ import annotations

from flask import send_file, url_for

from app.api import api_bp, current_api_user, iso, token_required
from app.errors import problem
from app.services import documents
from app.services.errors import NotFoundError
from mediation.messages import Msg


def document_item(document) -> dict:
    return {
        "id": document.id, "kind": document.kind, "title": document.title, "sha256": document.sha256,
        "verify_code": document.verify_code,
        "url": url_for("api.download_document", document_id=document.id),
        "created_at": iso(document.created_at),
    }


@api_bp.get("/cases/<int(max=2147483647):case_id>/documents")
@token_required
def list_case_documents(case_id: int):
    """The documents of a case.
    ---
    get:
      summary: A case's documents (a party sees its own copies; the mediator and the court see all)
      parameters: [{in: path, name: case_id, required: true, schema: {type: integer}}]
      responses:
        200: {content: {application/json: {schema: DocumentList}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        404: {content: {application/problem+json: {schema: Problem}}}
    """
    try:
        items = documents.case_documents(current_api_user(), case_id)
    except NotFoundError:
        return problem(404, "Not Found", Msg("没有这个案件。", "No such case."))
    return {"items": [document_item(d) for d in items]}


@api_bp.get("/documents/<int(max=2147483647):document_id>/pdf")
@token_required
def download_document(document_id: int):
    """One document's PDF.
    ---
    get:
      summary: The PDF whose SHA-256 is the item's sha256, with the same token
      parameters: [{in: path, name: document_id, required: true, schema: {type: integer}}]
      responses:
        200: {content: {application/pdf: {schema: {type: string, format: binary}}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        404: {content: {application/problem+json: {schema: Problem}}}
    """
    try:
        document, path = documents.document_file(current_api_user(), document_id)
    except NotFoundError:
        return problem(404, "Not Found", Msg("没有这份文书。", "No such document."))
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"{document.kind}-{document.verify_code}.pdf", conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
