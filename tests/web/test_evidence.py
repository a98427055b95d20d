"""Evidence files: judged by content, stored safely, served only to those who may see them."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, Complaint
from app.services import intake
from tests.factories import NOW
from tests.web.helpers import csrf_token, login

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 300
PDF = b"%PDF-1.7\n" + b"\x02" * 300
HTML = b"<!doctype html><html><script>fetch('/steal?c='+document.cookie)</script></html>"


def _disk(app):
    directory = Path(app.config["UPLOAD_DIR"])
    return sorted(directory.iterdir()) if directory.exists() else []


def _file(app, make, files, *, project=None):
    """A complaint with evidence, filed through the service by a new homeowner."""
    project = project or make.project()
    actor = make.user("homeowner")
    with app.app_context():
        complaint = intake.file_complaint(
            actor=actor, now=NOW, project_id=project.id, unit="1栋101",
            dispute_type="quality", facts="墙体开裂", files=files,
            claims=[{"kind": "维修费", "amount_fen": 100_000}])
        ids = [a.id for a in complaint.attachments]
        return actor, complaint.id, ids


def _form(client, project_id):
    return {"csrf_token": csrf_token(client, "/homeowner/complaints/new"),
            "project_id": str(project_id), "unit": "1栋101", "dispute_type": "quality",
            "facts": "墙体开裂", "claims-0-kind": "维修费", "claims-0-amount": "1000"}


def test_the_filer_downloads_each_file_as_an_attachment_of_its_detected_type(app, client, make):
    owner, _complaint, (image_id, pdf_id) = _file(app, make, [("crack.png", JPEG), ("c.jpg", PDF)])
    login(client, owner.username)
    image = client.get(f"/attachments/{image_id}")
    assert image.status_code == 200
    assert image.data == JPEG
    assert image.headers["Content-Type"] == "image/jpeg"  # from the content, not ".png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Disposition"] == "attachment; filename=crack.jpg"
    assert "sandbox" in image.headers["Content-Security-Policy"]
    pdf = client.get(f"/attachments/{pdf_id}")
    assert pdf.status_code == 200 and pdf.data == PDF
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"] == "attachment; filename=c.pdf"
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_name_with_a_path_is_stored_safely(app, client, make):
    """Does ``../../etc/passwd`` end up anywhere but a random name in the upload folder?"""
    project = make.project()
    user = make.user("homeowner")
    login(client, user.username)
    data = _form(client, project.id)
    data["files"] = (io.BytesIO(PDF), "../../etc/passwd", "application/pdf")
    response = client.post("/homeowner/complaints/new", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        assert attachment.original_name == "passwd"
        assert "/" not in attachment.stored_name and ".." not in attachment.stored_name
        stored = Path(app.config["UPLOAD_DIR"]) / attachment.stored_name
        assert stored.read_bytes() == PDF
        attachment_id = attachment.id
    download = client.get(f"/attachments/{attachment_id}")
    assert download.status_code == 200
    assert "passwd" in download.headers["Content-Disposition"]
    assert ".." not in download.headers["Content-Disposition"]


def test_a_mislabelled_html_file_is_never_stored(app, client, make):
    project = make.project()
    user = make.user("homeowner")
    login(client, user.username)
    before = _disk(app)
    data = _form(client, project.id)
    data["photo"] = (io.BytesIO(HTML), "IMG_2024.jpg", "image/jpeg")
    response = client.post("/homeowner/complaints/new", data=data,
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="photo-error"' in html or 'id="files-error"' in html
    assert _disk(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_a_file_over_the_limit_is_a_field_error(app, client, make):
    """A file just over 10 MB: refused next to the field, nothing stored, no 500."""
    project = make.project()
    user = make.user("homeowner")
    login(client, user.username)
    data = _form(client, project.id)
    big = JPEG + b"\x00" * (10 * 1024 * 1024)
    data["files"] = (io.BytesIO(big), "huge.jpg", "image/jpeg")
    response = client.post("/homeowner/complaints/new", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="files-error"' in html and "10MB" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_a_request_over_the_request_limit_gets_413(app, client, make):
    """The whole request is capped (MAX_CONTENT_LENGTH, 64 MB by default; 2 MB here)."""
    project = make.project()
    user = make.user("homeowner")
    login(client, user.username)
    data = _form(client, project.id)
    data["files"] = (io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (3 * 1024 * 1024)), "x.jpg",
                     "image/jpeg")
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    try:
        response = client.post("/homeowner/complaints/new", data=data,
                               content_type="multipart/form-data")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def _case_for(app, make, complaint_id, project, mediator=None):
    """Put the complaint into a case (optionally assigned to ``mediator``)."""
    case = make.case(project=project, status="assigned" if mediator else "registered",
                     mediator=mediator)
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        complaint.case_id, complaint.status = case.id, "accepted"
        db.session.commit()
    return case


@pytest.mark.parametrize("who, expected", [
    ("filer", 200), ("respondent_developer", 200), ("judge_of_court", 200),
    ("assigned_mediator", 200),
    ("other_homeowner", 404), ("other_developer", 404), ("unassigned_mediator", 404),
    ("judge_of_other_court", 404), ("admin", 404),
])
def test_who_may_download_evidence(app, make, who, expected):
    """Can {who} download a homeowner's evidence file? Only the parties and the court's people."""
    project = make.project()
    filer, complaint_id, (attachment_id,) = _file(app, make, [("合同.pdf", PDF)], project=project)
    assigned = make.user("mediator", court=project.court)
    _case_for(app, make, complaint_id, project, mediator=assigned.mediator)
    users = {
        "filer": lambda: filer,
        "respondent_developer": lambda: make.user("developer", developer=project.developer),
        "judge_of_court": lambda: make.user("judge", court=project.court),
        "assigned_mediator": lambda: assigned,
        "other_homeowner": lambda: make.user("homeowner"),
        "other_developer": lambda: make.user("developer"),
        "unassigned_mediator": lambda: make.user("mediator", court=project.court),
        "judge_of_other_court": lambda: make.user("judge"),
        "admin": lambda: make.user("admin", court=project.court),
    }
    user = users[who]()
    client = app.test_client()
    login(client, user.username)
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == expected
    if expected == 404:
        assert PDF not in response.data and "合同.pdf" not in response.get_data(as_text=True)


def test_an_anonymous_visitor_is_sent_to_login(app, client, make):
    _owner, _complaint, (attachment_id,) = _file(app, make, [("a.jpg", JPEG)])
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_unknown_and_absurd_attachment_ids_are_404(app, client, make):
    user = make.user("homeowner")
    login(client, user.username)
    for path in ("/attachments/424242", "/attachments/99999999999999999999999", "/attachments/-1"):
        assert client.get(path).status_code == 404


def test_the_developers_attachment_reaches_the_claimant_and_no_one_else(app, make):
    """Is a response attachment checked against the complaint it answers, from both sides?"""
    project = make.project()
    owner, complaint_id, _ = _file(app, make, [], project=project)
    staff = make.user("developer", developer=project.developer)
    with app.app_context():
        response = intake.respond_to_complaint(actor=staff, now=NOW, complaint_id=complaint_id,
                                               text="见附件", files=[("说明.jpg", JPEG)])
        attachment_id = response.attachments[0].id
    for user, expected in ((owner, 200), (staff, 200), (make.user("homeowner"), 404),
                           (make.user("developer"), 404)):
        client = app.test_client()
        login(client, user.username)
        assert client.get(f"/attachments/{attachment_id}").status_code == expected


def test_a_file_missing_on_disk_is_404_not_500(app, client, make):
    owner, _complaint, (attachment_id,) = _file(app, make, [("a.jpg", JPEG)])
    with app.app_context():
        attachment = db.session.get(Attachment, attachment_id)
        (Path(app.config["UPLOAD_DIR"]) / attachment.stored_name).unlink()
    login(client, owner.username)
    assert client.get(f"/attachments/{attachment_id}").status_code == 404
