"""A case's documents over the API: each side gets its own copy, the PDF matches its hash,
and nobody else learns that a document exists."""
from __future__ import annotations

import hashlib

import pytest

from app.services import documents
from tests.documents_support import agreement_for, pdf_text
from tests.factories import NOW


@pytest.fixture
def agreement(app, make):
    """An agreement of a case with its homeowner, developer, assigned mediator and judge."""
    person = make.person("王海燕")
    project = make.project()
    mediator = make.user("mediator", court=project.court)
    case = make.case(project=project, claimant=person, mediator=mediator.mediator, status="assigned")
    data, copies = agreement_for(case, person, project.developer)
    with app.test_request_context():
        rows = documents.issue_agreement(case.id, data, actor=mediator, now=NOW, copies=copies)
        ids = [d.id for d in rows]
    return {
        "case": case, "person": person, "ids": dict(zip(("court", "home", "company"), ids)),
        "homeowner": make.user("homeowner", person=person),
        "developer": make.user("developer", developer=project.developer),
        "mediator": mediator, "judge": make.user("judge", court=project.court),
    }


def _listed(client, headers, case_id):
    response = client.get(f"/api/v1/cases/{case_id}/documents", headers=headers)
    return response.status_code, (response.get_json() or {}).get("items")


def test_a_party_lists_only_its_own_copy_and_downloads_the_pdf_whose_hash_is_listed(client, bearer, agreement):
    """Does the homeowner see her copy only, and is the PDF she downloads the one whose SHA-256 is listed?"""
    headers = bearer(agreement["homeowner"])
    status, items = _listed(client, headers, agreement["case"].id)
    assert status == 200
    assert [i["id"] for i in items] == [agreement["ids"]["home"]]
    item = items[0]
    assert set(item) == {"id", "kind", "title", "sha256", "verify_code", "url", "created_at"}
    assert item["kind"] == "agreement" and item["created_at"].endswith("Z")
    pdf = client.get(item["url"], headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == item["sha256"]
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"


def test_the_other_party_gets_its_copy_with_the_homeowners_id_masked_and_never_hers(client, bearer, agreement, tmp_path):
    """From the developer's side: its own copy masks her ID; her copy's URL is 404."""
    headers = bearer(agreement["developer"])
    status, items = _listed(client, headers, agreement["case"].id)
    assert status == 200 and [i["id"] for i in items] == [agreement["ids"]["company"]]
    text = pdf_text(client.get(items[0]["url"], headers=headers).data, tmp_path)
    assert agreement["person"].resident_id not in text
    assert agreement["person"].resident_id[:4] + "*" * 10 + agreement["person"].resident_id[-4:] in text
    for other in ("home", "court"):
        refused = client.get(f"/api/v1/documents/{agreement['ids'][other]}/pdf", headers=headers)
        assert refused.status_code == 404
        assert refused.mimetype == "application/problem+json"


@pytest.mark.parametrize("side", ["mediator", "judge"])
def test_the_court_side_sees_every_copy(client, bearer, agreement, side):
    """Do the case's mediator and its court's judge see all three copies?"""
    status, items = _listed(client, bearer(agreement[side]), agreement["case"].id)
    assert status == 200 and sorted(i["id"] for i in items) == sorted(agreement["ids"].values())


@pytest.mark.parametrize("outsider", ["homeowner", "developer", "mediator", "judge"])
def test_someone_elses_case_documents_are_not_found(client, bearer, make, agreement, outsider):
    """Can another homeowner, developer, mediator or another court's judge list or fetch them? 404."""
    headers = bearer(make.user(outsider))
    assert _listed(client, headers, agreement["case"].id)[0] == 404
    for document_id in agreement["ids"].values():
        assert client.get(f"/api/v1/documents/{document_id}/pdf", headers=headers).status_code == 404


def test_without_a_token_the_documents_answer_401(client, agreement):
    assert client.get(f"/api/v1/cases/{agreement['case'].id}/documents").status_code == 401
    assert client.get(f"/api/v1/documents/{agreement['ids']['home']}/pdf").status_code == 401


def test_the_openapi_document_describes_the_document_calls(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/cases/{case_id}/documents"]
    assert "get" in paths["/api/v1/documents/{document_id}/pdf"]
