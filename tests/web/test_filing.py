"""Filing through the web pages: homeowner, group, developer, and the follow-up pages."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Attachment, Complaint, ComplaintClaim, ComplaintResponse, GroupFiling, GroupFilingMember,
    Person,
)
from mediation.identifiers import make_resident_id
from tests.web.helpers import csrf_token, login

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
HOSTILE = "<script>alert('x')</script>"


def _counts(app):
    with app.app_context():
        return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
                for m in (Complaint, ComplaintClaim, Attachment, Person, GroupFiling,
                          GroupFilingMember, ComplaintResponse)}


def _disk(app):
    directory = Path(app.config["UPLOAD_DIR"])
    return sorted(directory.iterdir()) if directory.exists() else []


def _form(client, project_id, **overrides):
    data = {
        "csrf_token": csrf_token(client, "/homeowner/complaints/new"),
        "project_id": str(project_id), "unit": "3栋1单元502", "dispute_type": "late_delivery",
        "claims-0-kind": "逾期交房违约金", "claims-0-amount": "12,345.67",
        "claims-1-kind": "律师费", "claims-1-amount": "5000",
        "claims-2-kind": "", "claims-2-amount": "",
        "facts": "约定2025年6月30日交房，至今未交付。",
    }
    data.update(overrides)
    return data


@pytest.fixture
def homeowner(client, make):
    project = make.project(name="椰风海岸")
    user = make.user("homeowner")
    login(client, user.username)
    return {"user": user, "project": project}


def test_a_homeowner_files_from_the_form_and_gets_a_receipt(app, client, homeowner):
    """Does the phone form file the complaint, with claims in fen and a photo?"""
    data = _form(client, homeowner["project"].id)
    data["photo"] = (io.BytesIO(JPEG), "IMG_0001.jpg", "image/jpeg")
    response = client.post("/homeowner/complaints/new", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    receipt = client.get(response.headers["Location"])
    html = receipt.get_data(as_text=True)
    assert receipt.status_code == 200
    number = re.search(r'data-testid="receipt-no">([^<]+)<', html).group(1)
    with app.app_context():
        complaint = db.session.scalar(select(Complaint))
        assert complaint.receipt_no == number
        assert sorted(c.amount_fen for c in complaint.claims) == [500_000, 1_234_567]
        assert [a.original_name for a in complaint.attachments] == ["IMG_0001.jpg"]
        complaint_id = complaint.id
    follow = client.get(f"/homeowner/complaints/{complaint_id}").get_data(as_text=True)
    assert number in follow and "¥12,345.67" in follow and "IMG_0001.jpg" in follow
    home = client.get("/homeowner/").get_data(as_text=True)
    assert number in home and 'data-testid="file-complaint"' in home


def test_the_form_is_labelled_for_phones_and_reminds_to_redact(client, homeowner):
    html = client.get("/homeowner/complaints/new").get_data(as_text=True)
    for field_id in ("project_id", "unit", "dispute_type", "claims-0-kind", "claims-0-amount",
                     "facts", "files", "photo", "project-q"):
        assert f'for="{field_id}"' in html and f'id="{field_id}"' in html
    assert 'accept="image/*,application/pdf"' in html and 'capture="environment"' in html
    assert "请遮盖他人身份证号等个人信息" in html
    assert 'data-testid="file-submit"' in html
    assert 'name="viewport"' in html and "js/intake.js" in html
    assert 'enctype="multipart/form-data"' in html


def test_every_invalid_field_is_marked_at_once_and_nothing_is_stored(app, client, homeowner):
    """Is each problem shown next to its field, with 422, and nothing half-saved?"""
    before, disk = _counts(app), _disk(app)
    data = _form(client, "999999", unit="楼" * 65, dispute_type="bogus", facts="",
                 **{"claims-0-amount": "12.345", "claims-1-kind": "", "claims-1-amount": "50",
                    "claims-2-kind": "赔偿", "claims-2-amount": ""})
    data["files"] = [(io.BytesIO(JPEG), "good.jpg", "image/jpeg"),
                     (io.BytesIO(HTML), "evil.jpg", "image/jpeg")]
    response = client.post("/homeowner/complaints/new", data=data,
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field_id in ("project_id", "unit", "dispute_type", "facts", "claims-0-amount",
                     "claims-1-kind", "claims-2-amount", "files"):
        assert f'id="{field_id}-error"' in html, field_id
    assert 'id="claims-0-kind-error"' not in html
    assert "最多保留两位小数" in html and "evil.jpg" in html
    assert _counts(app) == before
    assert _disk(app) == disk


@pytest.mark.parametrize("amount, message", [
    ("-5", "负数"), ("12.345", "两位小数"), ("abc", "应为数字"), ("1e9", "应为数字"),
    ("99999999999999999", "不能超过"), (HOSTILE, "应为数字"),
])
def test_bad_amounts_are_refused_next_to_the_amount(app, client, homeowner, amount, message):
    before = _counts(app)
    response = client.post("/homeowner/complaints/new",
                           data=_form(client, homeowner["project"].id, **{"claims-0-amount": amount}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="claims-0-amount-error"' in html and message in html
    assert "<script>alert" not in html
    assert _counts(app) == before


@pytest.mark.parametrize("project_id", ["999999", "abc", "", "-1", "99999999999999999999999"])
def test_an_unknown_project_is_a_field_error_not_a_crash(app, client, homeowner, project_id):
    response = client.post("/homeowner/complaints/new", data=_form(client, project_id))
    assert response.status_code == 422
    assert 'id="project_id-error"' in response.get_data(as_text=True)
    assert _counts(app)["Complaint"] == 0


def test_hostile_text_is_stored_as_typed_and_shown_escaped(app, client, make, homeowner):
    """Does a script typed into facts, unit or claim kind ever reach a page unescaped?"""
    response = client.post("/homeowner/complaints/new", data=_form(
        client, homeowner["project"].id, unit=HOSTILE, facts=HOSTILE,
        **{"claims-0-kind": HOSTILE}))
    assert response.status_code == 302
    with app.app_context():
        complaint = db.session.scalar(select(Complaint))
        assert complaint.facts == HOSTILE and complaint.unit == HOSTILE
        assert HOSTILE in [c.kind for c in complaint.claims]
        complaint_id = complaint.id
    for path in (f"/homeowner/complaints/{complaint_id}", "/homeowner/"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html
    page = client.get(f"/homeowner/complaints/{complaint_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in page
    staff = make.user("developer", developer=homeowner["project"].developer)
    other = client.application.test_client()
    login(other, staff.username)
    for path in ("/developer/complaints", f"/developer/complaints/{complaint_id}"):
        html = other.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_a_mislabelled_file_is_refused_by_the_form(app, client, homeowner):
    """Is an HTML page sent as photo.jpg with image/jpeg refused?"""
    data = _form(client, homeowner["project"].id)
    data["files"] = (io.BytesIO(HTML), "photo.jpg", "image/jpeg")
    response = client.post("/homeowner/complaints/new", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'id="files-error"' in response.get_data(as_text=True)
    assert _counts(app)["Complaint"] == 0 and _counts(app)["Attachment"] == 0


def test_the_project_search_answers_json(client, make, homeowner):
    make.project(name="文昌海景苑")
    body = client.get("/homeowner/projects.json?q=海景").get_json()
    assert [p["name"] for p in body["items"]] == ["文昌海景苑"]
    assert set(body["items"][0]) >= {"id", "name", "developer_id", "town"}
    assert len(client.get("/homeowner/projects.json").get_json()["items"]) == 2


def test_the_no_js_search_narrows_the_project_select(client, make, homeowner):
    make.project(name="文昌海景苑")
    html = client.get("/homeowner/complaints/new?q=椰风").get_data(as_text=True)
    assert "椰风海岸" in html and "文昌海景苑" not in html


def test_another_homeowner_cannot_follow_my_complaint(app, client, make):
    """Can one homeowner open another homeowner's complaint page or receipt?"""
    complaint = make.complaint()
    stranger = make.user("homeowner")
    login(client, stranger.username)
    for path in (f"/homeowner/complaints/{complaint.id}",
                 f"/homeowner/complaints/{complaint.id}/receipt",
                 "/homeowner/complaints/99999999999999999999"):
        response = client.get(path)
        assert response.status_code == 404
        assert complaint.receipt_no not in response.get_data(as_text=True)


def test_the_follow_page_shows_the_decision_and_the_case(app, client, make):
    user = make.user("homeowner")
    case = make.case(claimant=user.person)
    rejected = make.complaint(person=user.person, status="submitted")
    with app.app_context():
        row = db.session.get(Complaint, rejected.id)
        row.status, row.decision_reason = "rejected", "不属于本院管辖<b>"
        db.session.commit()
        accepted_id = db.session.scalar(select(Complaint.id).where(Complaint.case_id == case.id))
    login(client, user.username)
    html = client.get(f"/homeowner/complaints/{rejected.id}").get_data(as_text=True)
    assert "不属于本院管辖&lt;b&gt;" in html and "不予受理" in html
    html = client.get(f"/homeowner/complaints/{accepted_id}").get_data(as_text=True)
    assert case.number in html and f'href="/cases/{case.id}"' in html


def test_a_homeowner_adds_evidence_later(app, client, homeowner):
    response = client.post("/homeowner/complaints/new", data=_form(client, homeowner["project"].id))
    complaint_id = int(re.search(r"/complaints/(\d+)/receipt", response.headers["Location"]).group(1))
    page = f"/homeowner/complaints/{complaint_id}"
    response = client.post(f"{page}/evidence", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, page),
        "files": [(io.BytesIO(JPEG), "defect.jpg", "image/jpeg")]})
    assert response.status_code == 302
    assert "defect.jpg" in client.get(page).get_data(as_text=True)
    bad = client.post(f"{page}/evidence", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, page), "files": [(io.BytesIO(HTML), "x.png", "image/png")]})
    assert bad.status_code == 422 and 'id="files-error"' in bad.get_data(as_text=True)


# --- calculators -------------------------------------------------------------------------


def test_the_late_delivery_calculator_explains_itself_and_fills_a_claim(client, homeowner):
    response = client.get("/homeowner/calculators", query_string={
        "calc": "late_delivery", "late_delivery-price": "1,000,000",
        "late_delivery-promised_on": "2025-06-30", "late_delivery-delivered_on": "2025-07-30",
        "late_delivery-daily_rate_permille": "0.5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "¥15,000.00" in html and "逾期30天" in html
    link = re.search(r'data-testid="use-amount"\s+href="([^"]+)"', html).group(1).replace("&amp;", "&")
    form = client.get(link).get_data(as_text=True)
    assert 'value="15000"' in form and 'value="逾期交房违约金"' in form


@pytest.mark.parametrize("calc, args, snippet", [
    ("title_delay", {"paid": "500000", "delivered_on": "2024-01-01", "obtained_on": "2024-12-31",
                     "annual_rate": "3.85"}, "逾期"),
    ("area", {"price": "1000000", "contract_area": "100", "measured_area": "95"}, "双倍返还"),
])
def test_the_other_calculators_answer(client, homeowner, calc, args, snippet):
    response = client.get("/homeowner/calculators",
                          query_string={"calc": calc, **{f"{calc}-{k}": v for k, v in args.items()}})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert snippet in html and 'data-testid="calc-result"' in html


def test_a_calculator_reports_bad_input_next_to_the_field(client, homeowner):
    response = client.get("/homeowner/calculators", query_string={
        "calc": "late_delivery", "late_delivery-price": "-1",
        "late_delivery-promised_on": "2025-06-30", "late_delivery-delivered_on": "not-a-date"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="late_delivery-delivered_on-error"' in html
    response = client.get("/homeowner/calculators", query_string={
        "calc": "title_delay", "title_delay-paid": "1", "title_delay-delivered_on": "2024-01-01",
        "title_delay-obtained_on": "2024-12-31", "title_delay-annual_rate": "3.855"})
    assert response.status_code == 422
    assert 'id="title_delay-annual_rate-error"' in response.get_data(as_text=True)


# --- group filing ------------------------------------------------------------------------


def test_a_group_filing_shows_codes_once_and_a_neighbour_confirms(app, client, make):
    """Does a neighbour's complaint exist only after they confirm with their own code?"""
    project = make.project()
    filer = make.user("homeowner")
    neighbour = make.user("homeowner", person=make.person(name="邻居甲"))
    login(client, filer.username)
    response = client.post("/homeowner/complaints/group/new", data={
        "csrf_token": csrf_token(client, "/homeowner/complaints/group/new"),
        "project_id": str(project.id), "dispute_type": "late_delivery", "facts": "全楼逾期交房",
        "unit": "2栋101", "claim_amount": "8000",
        "members-0-name": "邻居甲", "members-0-resident_id": neighbour.person.resident_id,
        "members-0-phone": "13900139000", "members-0-unit": "2栋102", "members-0-amount": "9000.5",
    })
    assert response.status_code == 302
    page = response.headers["Location"]
    html = client.get(page).get_data(as_text=True)
    codes = re.findall(r'data-testid="confirm-code">([^<]+)<', html)
    assert len(codes) == 1 and "短信" in html
    assert neighbour.person.resident_id not in html
    assert 'data-testid="confirm-code"' not in client.get(page).get_data(as_text=True)
    assert _counts(app)["Complaint"] == 1

    other = app.test_client()
    login(other, neighbour.username)
    confirm = "/homeowner/group/confirm"
    wrong = other.post(confirm, data={"csrf_token": csrf_token(other, confirm),
                                      "code": "AAAAAAAAAA", "action": "preview"})
    assert wrong.status_code == 422 and 'id="code-error"' in wrong.get_data(as_text=True)
    preview = other.post(confirm, data={"csrf_token": csrf_token(other, confirm),
                                        "code": codes[0], "action": "preview"})
    assert preview.status_code == 200 and "全楼逾期交房" in preview.get_data(as_text=True)
    assert _counts(app)["Complaint"] == 1
    done = other.post(confirm, data={"csrf_token": csrf_token(other, confirm),
                                     "code": codes[0], "action": "confirm"})
    assert done.status_code == 302
    with app.app_context():
        mine = db.session.scalar(select(Complaint).where(
            Complaint.claimant_person_id == neighbour.person_id))
        assert mine.group_filing_id is not None and mine.claims[0].amount_fen == 900_050
    assert "已确认" in client.get(page).get_data(as_text=True)


def test_a_code_cannot_be_used_by_someone_it_was_not_issued_to(app, client, make):
    project = make.project()
    filer = make.user("homeowner")
    neighbour = make.person(name="邻居乙")
    intruder = make.user("homeowner")
    login(client, filer.username)
    response = client.post("/homeowner/complaints/group/new", data={
        "csrf_token": csrf_token(client, "/homeowner/complaints/group/new"),
        "project_id": str(project.id), "dispute_type": "quality", "facts": "渗水",
        "members-0-name": "邻居乙", "members-0-resident_id": neighbour.resident_id})
    code = re.search(r'data-testid="confirm-code">([^<]+)<',
                     client.get(response.headers["Location"]).get_data(as_text=True)).group(1)
    other = app.test_client()
    login(other, intruder.username)
    confirm = "/homeowner/group/confirm"
    refused = other.post(confirm, data={"csrf_token": csrf_token(other, confirm),
                                        "code": code, "action": "confirm"})
    assert refused.status_code == 422
    assert "渗水" not in refused.get_data(as_text=True)
    assert _counts(app)["Complaint"] == 1


def test_a_group_filing_marks_every_bad_row(app, client, make):
    project = make.project()
    filer = make.user("homeowner")
    login(client, filer.username)
    before = _counts(app)
    response = client.post("/homeowner/complaints/group/new", data={
        "csrf_token": csrf_token(client, "/homeowner/complaints/group/new"),
        "project_id": str(project.id), "dispute_type": "late_delivery", "facts": "",
        "claim_amount": "-3",
        "members-0-name": HOSTILE, "members-0-resident_id": "469005198001010010",
        "members-1-name": "乙", "members-1-resident_id": make_resident_id("46900519850505001"),
        "members-1-amount": "1.001"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field_id in ("facts", "claim_amount", "members-0-resident_id", "members-1-amount"):
        assert f'id="{field_id}-error"' in html, field_id
    assert "<script>alert" not in html
    assert _counts(app) == before


# --- the developer side ---------------------------------------------------------------


def test_a_developer_sees_complaints_against_it_masked_and_responds(app, client, make):
    complaint = make.complaint()
    foreign = make.complaint()
    staff = make.user("developer", developer=complaint.project.developer)
    login(client, staff.username)
    html = client.get("/developer/complaints").get_data(as_text=True)
    assert complaint.receipt_no in html and foreign.receipt_no not in html
    with app.app_context():
        person = db.session.get(Person, complaint.claimant_person_id)
        resident_id = person.resident_id
    assert resident_id not in html and resident_id[:4] + "**********" + resident_id[-4:] in html
    page = f"/developer/complaints/{complaint.id}"
    detail = client.get(page).get_data(as_text=True)
    assert resident_id not in detail and "138****8000" in detail
    response = client.post(f"{page}/responses", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, page), "text": "已交付，见交接单。",
        "files": [(io.BytesIO(b"%PDF-1.4\n" + b"0" * 50), "交接单.pdf", "application/pdf")]})
    assert response.status_code == 302
    assert "交接单.pdf" in client.get(page).get_data(as_text=True)
    empty = client.post(f"{page}/responses", data={"csrf_token": csrf_token(client, page), "text": ""})
    assert empty.status_code == 422 and 'id="text-error"' in empty.get_data(as_text=True)


def test_a_developer_cannot_see_or_answer_another_developers_complaint(app, client, make):
    """Can a developer read or respond to a complaint filed against someone else?"""
    foreign = make.complaint()
    staff = make.user("developer")
    login(client, staff.username)
    page = f"/developer/complaints/{foreign.id}"
    assert client.get(page).status_code == 404
    token = csrf_token(client, "/developer/complaints")
    response = client.post(f"{page}/responses", data={"csrf_token": token, "text": "回应"})
    assert response.status_code == 404
    assert _counts(app)["ComplaintResponse"] == 0


def test_the_claimant_reads_the_developers_response(app, client, make):
    user = make.user("homeowner")
    complaint = make.complaint(person=user.person)
    staff = make.user("developer", developer=complaint.project.developer)
    dev = app.test_client()
    login(dev, staff.username)
    page = f"/developer/complaints/{complaint.id}"
    dev.post(f"{page}/responses", data={"csrf_token": csrf_token(dev, page), "text": "同意协商"})
    login(client, user.username)
    assert "同意协商" in client.get(f"/homeowner/complaints/{complaint.id}").get_data(as_text=True)


def test_a_developer_files_its_own_dispute_against_a_buyer(app, client, make):
    project = make.project()
    theirs = make.project()
    staff = make.user("developer", developer=project.developer)
    login(client, staff.username)
    form = client.get("/developer/complaints/new").get_data(as_text=True)
    assert project.name in form and theirs.name not in form
    buyer = make_resident_id("46900519920202002")
    response = client.post("/developer/complaints/new", data={
        "csrf_token": csrf_token(client, "/developer/complaints/new"),
        "project_id": str(project.id), "respondent_name": "赵六", "respondent_resident_id": buyer,
        "unit": "5栋1201", "dispute_type": "other", "facts": "购房人逾期未付第二期房款。",
        "claims-0-kind": "支付欠付房款", "claims-0-amount": "300000"})
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="receipt-no"' in receipt
    with app.app_context():
        complaint = db.session.scalar(select(Complaint))
        assert complaint.claimant_developer_id == project.developer_id
        assert complaint.respondent_person.resident_id == buyer
        assert complaint.claims[0].amount_fen == 30_000_000
    assert "赵六" in client.get("/developer/complaints").get_data(as_text=True)
    refused = client.post("/developer/complaints/new", data={
        "csrf_token": csrf_token(client, "/developer/complaints/new"),
        "project_id": str(theirs.id), "respondent_name": "赵六",
        "respondent_resident_id": buyer[:-1] + ("0" if buyer[-1] != "0" else "1"),
        "dispute_type": "other", "facts": "x", "claims-0-kind": "k", "claims-0-amount": "1"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="project_id-error"' in html and 'id="respondent_resident_id-error"' in html


def test_the_buyer_named_by_a_developer_sees_the_dispute_and_no_one_else(app, client, make):
    """A developer's filing against a buyer: shown to that buyer, hidden from a neighbour."""
    project = make.project()
    staff = make.user("developer", developer=project.developer)
    buyer = make.user("homeowner", person=make.person(name="钱七"))
    neighbour = make.user("homeowner")
    from app.services import intake
    from tests.factories import NOW
    with app.app_context():
        complaint = intake.file_complaint(
            actor=staff, now=NOW, project_id=project.id, unit="1-101", dispute_type="other",
            facts="逾期付款", claims=[{"kind": "房款", "amount_fen": 100}],
            respondent_resident_id=buyer.person.resident_id, respondent_name="钱七")
        complaint_id, receipt = complaint.id, complaint.receipt_no
    login(client, buyer.username)
    home = client.get("/homeowner/").get_data(as_text=True)
    assert receipt in home and project.developer.name in home
    assert client.get(f"/homeowner/complaints/{complaint_id}").status_code == 200
    other = app.test_client()
    login(other, neighbour.username)
    assert receipt not in other.get("/homeowner/").get_data(as_text=True)
    assert other.get(f"/homeowner/complaints/{complaint_id}").status_code == 404


def test_the_filer_finds_the_group_filing_on_the_home_page(app, client, make):
    project = make.project(name="群体花园")
    filer = make.user("homeowner")
    login(client, filer.username)
    client.post("/homeowner/complaints/group/new", data={
        "csrf_token": csrf_token(client, "/homeowner/complaints/group/new"),
        "project_id": str(project.id), "dispute_type": "stalled", "facts": "停工",
        "members-0-name": "丁", "members-0-resident_id": make.person().resident_id})
    home = client.get("/homeowner/").get_data(as_text=True)
    assert "群体花园" in home and "已确认0人，共1人" in home


@pytest.mark.parametrize("calc, args, field", [
    ("late_delivery", {"price": "1000000", "promised_on": "2025-06-30",
                       "delivered_on": "2025-07-30", "daily_rate_permille": "1e309"},
     "daily_rate_permille"),
    ("late_delivery", {"price": "1000000", "promised_on": "1900-06-30",
                       "delivered_on": "2025-07-30", "daily_rate_permille": "0.5"}, "promised_on"),
    ("late_delivery", {"price": "1000000", "promised_on": "2025-06-30",
                       "delivered_on": "9999-12-31", "daily_rate_permille": "0.5"}, "delivered_on"),
    ("title_delay", {"paid": "500000", "delivered_on": "0001-01-01",
                     "obtained_on": "2024-12-31", "annual_rate": "3.85"}, "delivered_on"),
    ("title_delay", {"paid": "500000", "delivered_on": "2024-01-01",
                     "obtained_on": "9999-12-31", "annual_rate": "3.85"}, "obtained_on"),
])
def test_a_calculator_refuses_absurd_input_next_to_the_field(client, homeowner, calc, args, field):
    """1e309 ‰, the year 1900, 0001-01-01 and 9999-12-31 are refused, never a 500."""
    response = client.get("/homeowner/calculators",
                          query_string={"calc": calc, **{f"{calc}-{k}": v for k, v in args.items()}})
    assert response.status_code == 422
    assert f'id="{calc}-{field}-error"' in response.get_data(as_text=True)


def test_full_width_digits_typed_by_a_chinese_input_method_are_accepted(app, client, homeowner):
    data = _form(client, homeowner["project"].id, **{"claims-0-amount": "１２，３４５．６７"})
    response = client.post("/homeowner/complaints/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        amounts = sorted(c.amount_fen for c in db.session.scalars(select(ComplaintClaim)))
    assert amounts == [500_000, 1_234_567]
