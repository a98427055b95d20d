"""Every response says how it may be shown and kept (issue 13, finding 3).

No inline script or style anywhere (so the CSP needs no 'unsafe-inline'), no framing of the
judge's buttons, no sniffing, no caching of pages that carry a person's data.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.config import BASE_DIR
from app.security import CONTENT_SECURITY_POLICY
from tests.web.helpers import login

#: <script> without src, <style>, a style="" attribute, an on…="" handler, a javascript: URL.
_INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style>": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"""\sstyle\s*=\s*["'{]""", re.I),
    "on…= handler": re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def _inline_findings(text: str) -> list[str]:
    return [name for name, pattern in _INLINE.items() if pattern.search(text)]


def test_no_template_holds_inline_script_or_style():
    """Would the CSP (no 'unsafe-inline') break any page? Not if no template needs it."""
    found = {}
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        names = _inline_findings(path.read_text(encoding="utf-8"))
        if names:
            found[str(path.relative_to(BASE_DIR))] = names
    assert not found, f"move these to static/js or static/css: {found}"


def test_no_python_module_writes_inline_style_into_html():
    """Markup built in Python (the release graph's SVG) uses presentation attributes."""
    found = [str(path.relative_to(BASE_DIR))
             for folder in ("app", "mediation", "risk")
             for path in sorted((BASE_DIR / folder).rglob("*.py"))
             if re.search(r"""<style\b|\sstyle=\\?["']""", path.read_text(encoding="utf-8"))]
    assert not found


def test_the_walk_would_find_inline_script_and_style():
    """The patterns above catch what they are for (else the two tests assert nothing)."""
    assert _inline_findings('<script>alert(1)</script>') == ["inline <script>"]
    assert _inline_findings('<script src="/static/js/forms.js" defer></script>') == []
    assert _inline_findings('<p style="color:red" onclick="x()">') == ["style= attribute",
                                                                       "on…= handler"]
    assert _inline_findings("<style>p{}</style>") == ["<style>"]


def _assert_page_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_login_page_has_the_headers(client):
    """The login page carries the session's CSRF token: never kept by a cache."""
    response = client.get("/login")
    assert response.status_code == 200
    _assert_page_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # development: no TLS


def test_a_page_with_personal_data_has_the_headers(client, make):
    """Can the judge's page be framed by another site, or kept by a shared cache?"""
    judge = make.user("judge")
    login(client, judge.username)
    response = client.get("/court/")
    assert response.status_code == 200
    _assert_page_headers(response)


def test_an_api_response_and_an_api_error_have_the_headers(client, make, bearer):
    headers = bearer(make.user("homeowner"))
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    _assert_page_headers(response)
    missing = client.get("/api/v1/complaints/2147483647", headers=headers)
    assert missing.status_code == 404
    _assert_page_headers(missing)


def test_static_files_may_be_cached(client):
    """Stylesheets and scripts hold nobody's data; browsers may keep them."""
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_production_adds_hsts(app, client):
    app.config["ENV_NAME"] = "production"
    try:
        response = client.get("/login")
    finally:
        app.config["ENV_NAME"] = "development"
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_download_keeps_its_stricter_policy(app, client, make):
    """Evidence is served with a sandboxing CSP of its own; the page policy must not replace it."""
    from app.services import intake
    from tests.factories import NOW

    project = make.project()
    owner = make.user("homeowner")
    with app.app_context():
        complaint = intake.file_complaint(
            actor=owner, now=NOW, project_id=project.id, unit="1栋101",
            dispute_type="quality", facts="墙体开裂", files=[("a.pdf", b"%PDF-1.7\n" + b"1" * 50)],
            claims=[{"kind": "维修费", "amount_fen": 100_000}])
        attachment_id = complaint.attachments[0].id
    login(client, owner.username)
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == \
        "default-src 'none'; img-src 'self'; sandbox"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
