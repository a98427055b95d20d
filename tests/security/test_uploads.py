"""Uploads are stored and served as what they are, never under the uploader's extension
(issue 13, finding 6): a JPEG named ``poly.html`` downloads as ``poly.jpg``, image/jpeg,
an attachment."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Attachment
from app.services import evidence
from tests.web.helpers import csrf_token, login

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<html><script>alert(1)</script></html>" * 8
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 64
HTML = b"<!doctype html><html><script>fetch('/steal?c='+document.cookie)</script></html>"


def _file(client, project_id, name, data):
    form = {"csrf_token": csrf_token(client, "/homeowner/complaints/new"),
            "project_id": str(project_id), "unit": "1栋101", "dispute_type": "quality",
            "facts": "墙体开裂", "claims-0-kind": "维修费", "claims-0-amount": "1000",
            "files": (io.BytesIO(data), name, "text/html")}
    return client.post("/homeowner/complaints/new", data=form, content_type="multipart/form-data")


def test_a_jpeg_named_html_is_stored_and_served_as_a_jpeg_attachment(app, client, make):
    project, owner = make.project(), make.user("homeowner")
    login(client, owner.username)
    assert _file(client, project.id, "poly.html", JPEG).status_code == 302
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        assert attachment.content_type == "image/jpeg"
        assert attachment.stored_name.endswith(".jpg")
        assert (Path(app.config["UPLOAD_DIR"]) / attachment.stored_name).read_bytes() == JPEG
        attachment_id = attachment.id
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Disposition"] == "attachment; filename=poly.jpg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("name, data", [("evil.jpg", HTML), ("anim.gif", GIF),
                                        ("page.pdf", b"%PD")])
def test_a_type_not_allowed_is_refused_whatever_its_name(app, client, make, name, data):
    project, owner = make.project(), make.user("homeowner")
    login(client, owner.username)
    folder = Path(app.config["UPLOAD_DIR"])
    before = set(folder.iterdir()) if folder.exists() else set()
    response = _file(client, project.id, name, data)
    assert response.status_code == 422
    assert "按文件内容判断" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Attachment)) is None
    assert (set(folder.iterdir()) if folder.exists() else set()) == before  # nothing written


@pytest.mark.parametrize("original, content_type, shown", [
    ("poly.html", "image/jpeg", "poly.jpg"),
    ("合同.PDF.exe", "application/pdf", "合同.PDF.pdf"),
    ("照片", "image/png", "照片.png"),
    (".webp", "image/webp", "file.webp"),
])
def test_the_download_name_takes_the_detected_extension(original, content_type, shown):
    assert evidence.download_name(original, content_type) == shown


def test_the_detected_type_comes_from_the_content():
    assert evidence.detect_content_type(JPEG) == "image/jpeg"
    assert evidence.detect_content_type(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32) == "image/png"
    assert evidence.detect_content_type(b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32) == "image/webp"
    assert evidence.detect_content_type(b"%PDF-1.7\n" + b"\x00" * 32) == "application/pdf"
    assert evidence.detect_content_type(GIF) is None  # an image, but not one evidence takes
    assert evidence.detect_content_type(HTML) is None
