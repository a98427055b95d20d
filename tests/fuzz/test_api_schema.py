"""Schemathesis against the API's own OpenAPI document, on the demo database, as every role.

For each operation of ``/api/v1/openapi.json`` and each caller (no token, and a token of
the demo's homeowner, developer, mediator, judge and admin), hypothesis generates valid
requests (positive) and requests that break the schema (negative). Every response must be
no 5xx, a status code the document lists for that operation, the content type it lists,
and a body that matches the listed schema; a request that breaks the schema is refused
with a 4xx. Bounded: ``FUZZ_EXAMPLES`` examples per
operation, role and mode (default 12), derandomized (the same requests every run) unless
``FUZZ_SEED`` is set. docs/fuzzing.md.
"""
from __future__ import annotations

import os
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance, negative_data_rejection, response_headers_conformance,
    response_schema_conformance, status_code_conformance,
)
from schemathesis.checks import not_a_server_error

from tests.fuzz.conftest import FIGURES

ROLES = ("anonymous", "homeowner", "developer", "mediator", "judge", "admin")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance, negative_data_rejection]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
SEED = os.environ.get("FUZZ_SEED")
#: Operations that end the token they are called with: each request gets a fresh one.
TOKEN_ENDING = {("DELETE", "/api/v1/auth/token"), ("POST", "/api/v1/auth/token/renew")}
#: Operations that cost one argon2 verification a request: fewer examples.
SLOW = {("POST", "/api/v1/auth/token")}


@pytest.fixture
def demo_app(app):
    from app.demo import build_demo
    from app.extensions import db

    with app.app_context():
        build_demo(seed=2020, echo=lambda line: None, password="Demo@2026")
        db.session.remove()
    return app


def _token(app, username: str) -> str:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User
    from app.models.types import utcnow
    from app.services.accounts import sign_in

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        token, _ = sign_in(user, now=utcnow(), kind="api", user_agent="schemathesis")
        db.session.remove()
    return token


def _known_ids(app, role: str, token: str | None) -> dict[str, list[int]]:
    """Ids of real objects for the path parameters, as this caller finds them through the
    API (its cases, notices, the documents of its first case) or, for what the API lists
    only by developer, in the database: so the fuzzing also reaches 200 answers and checks
    their bodies, not only 404s of random ids."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Attachment, Complaint, ComplianceInquiry, FrozenAsset, ReleasePlan

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def listed(url: str) -> list[int]:
        response = client.get(url, headers=headers)
        return [item["id"] for item in response.get_json().get("items", [])][:3] \
            if response.status_code == 200 else []

    ids = {"case_id": listed("/api/v1/cases?limit=3"), "notice_id": listed("/api/v1/notices?limit=3")}
    ids["document_id"] = listed(f"/api/v1/cases/{ids['case_id'][0]}/documents") if ids["case_id"] else []
    with app.app_context():
        first = lambda column: list(db.session.scalars(select(column).order_by(column).limit(3)))  # noqa: E731
        ids.update(complaint_id=first(Complaint.id), plan_id=first(ReleasePlan.id),
                   asset_id=first(FrozenAsset.id), number=[1, 2])
        # Inquiries still awaiting an answer (the answer call's 200) and answer files.
        ids.update(inquiry_id=list(db.session.scalars(
            select(ComplianceInquiry.id).where(ComplianceInquiry.answered_at.is_(None))
            .order_by(ComplianceInquiry.id).limit(3))),
            attachment_id=list(db.session.scalars(
                select(Attachment.id).where(Attachment.inquiry_question_id.is_not(None))
                .order_by(Attachment.id).limit(3))))
        db.session.remove()
    return {name: values for name, values in ids.items() if values}


def _strategy(operation, mode, known: dict[str, list[int]], role: str):
    """Generated cases, and in positive mode also cases on real objects (and, for the login,
    the caller's real credentials)."""
    generated = operation.as_strategy(generation_mode=mode)
    if mode is not GenerationMode.POSITIVE:
        return generated
    names = [p.name for p in operation.path_parameters]
    extra = []
    if names and all(name in known for name in names):
        extra = [operation.as_strategy(generation_mode=mode,
                                       path_parameters={n: known[n][i % len(known[n])] for n in names})
                 for i in range(3)]
    if (operation.method.upper(), operation.path) == ("POST", "/api/v1/auth/token"):
        extra = [operation.as_strategy(generation_mode=mode, body={
            "username": "judge" if role == "anonymous" else role, "password": "Demo@2026"})]
    return st.one_of(generated, *extra) if extra else generated


def _summary(error: BaseException) -> str:
    """The failure's kinds, status and a curl line: enough to reproduce, short enough to read."""
    lines = [line.strip() for line in str(error).splitlines()]
    kept = [line for line in lines if line.startswith(("- ", "Received", "Documented", "curl", "["))]
    return "\n".join(kept or lines)[:1200]


def test_every_operation_answers_as_documented_for_every_role(demo_app):
    # Unknown query parameters are ignored, by design (a newer app talking to an older
    # server); every other way of breaking the schema must be refused.
    config = SchemathesisConfig.from_dict({"generation": {"allow-extra-parameters": False}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app, config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    tokens = {role: None if role == "anonymous" else _token(demo_app, role) for role in ROLES}
    known = {role: _known_ids(demo_app, role, tokens[role]) for role in ROLES}
    requests: Counter = Counter()
    statuses: Counter = Counter()
    succeeded: Counter = Counter()  # 2xx answers per operation
    failures: list[str] = []
    started = time.perf_counter()

    for operation in operations:
        key = (operation.method.upper(), operation.path)
        label = f"{key[0]} {key[1]}"
        for role in ROLES:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                examples = max(2, EXAMPLES // 4) if key in SLOW else EXAMPLES

                @settings(max_examples=examples, deadline=None, derandomize=SEED is None,
                          database=None, phases=[Phase.explicit, Phase.generate],
                          suppress_health_check=list(HealthCheck))
                @given(case=_strategy(operation, mode, known[role], role))
                def run(case):
                    token = tokens[role]
                    if token is not None and key in TOKEN_ENDING:
                        token = _token(demo_app, role)
                    headers = {"Authorization": f"Bearer {token}"} if token else None
                    response = case.call(headers=headers)
                    requests[label] += 1
                    statuses[response.status_code // 100 * 100] += 1
                    succeeded[label] += response.status_code < 300
                    case.validate_response(response, checks=CHECKS, headers=headers)

                if SEED is not None:
                    run = seed(int(SEED))(run)
                try:
                    run()
                except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 — reported below
                    failures.append(f"--- {label} as {role} ({mode.value}):\n{_summary(error)}")

    elapsed = time.perf_counter() - started
    FIGURES.append(
        f"schemathesis: {sum(requests.values())} requests, {len(operations)} operations, "
        f"{len(ROLES)} callers ({', '.join(ROLES)}), {elapsed:.1f} s; statuses "
        + ", ".join(f"{k // 100}xx: {v}" for k, v in sorted(statuses.items()))
    )
    FIGURES.append("schemathesis: no 2xx answer for: " + (", ".join(
        label for label in sorted(requests) if not succeeded[label]) or "none"))
    assert not failures, "\n".join(failures)
    assert len(operations) >= 15 and all(requests[f"{o.method.upper()} {o.path}"] for o in operations)


def test_every_operation_documents_the_answers_any_call_can_give(client):
    """400 (unstorable path or query, a body that is no JSON object) on every call, 401 on
    every call that needs a token, and a description for every status."""
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "400" in responses, (method, path)
            assert "401" in responses or "security" not in operation, (method, path)
            assert all(r.get("description") for r in responses.values()), (method, path)
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"]["type"] == "integer":
                    assert parameter["schema"]["maximum"] == 2147483647, (method, path)
                    assert "404" in responses, (method, path)
                if parameter["in"] == "query" and parameter["schema"].get("type") == "integer":
                    assert parameter.get("allowEmptyValue") or parameter.get("required"), (method, path)
