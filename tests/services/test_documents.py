"""The court's PDFs: real Chinese text, each party's copy masked for the others, the hash of
the stored bytes, user text that stays text, and the public verification page."""
from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

import pytest

from app.documents.agreement import render_agreement
from app.documents.fonts import FALLBACK_CID_FONT, cjk_font
from app.documents.layout import format_verify_code
from app.extensions import db
from app.models import Document
from app.services import documents
from app.services.errors import NotFoundError, ServiceError
from mediation.identifiers import mask_phone, mask_resident_id
from tests.documents_support import DEVELOPER_PHONE, HOMEOWNER_PHONE, agreement_for, pdf_text
from tests.factories import NOW

WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


@pytest.fixture
def issued(app, make):
    """An agreement issued by the case's judge: the court's copy, the homeowner's, the developer's."""
    person = make.person("王海燕")
    project = make.project()
    case = make.case(project=project, claimant=person)
    judge = make.user("judge", court=project.court)
    data, copies = agreement_for(case, person, project.developer)
    with app.test_request_context():
        rows = documents.issue_agreement(case.id, data, actor=judge, now=NOW, copies=copies)
        court, home, company = ((d.id, d.sha256, d.verify_code, documents.path_of(d)) for d in rows)
    return {"case": case, "person": person, "developer": project.developer, "judge": judge,
            "court": court, "home": home, "company": company}


def test_the_agreement_is_real_chinese_text_in_the_pdf(issued, tmp_path):
    """Can the court's copy be searched and copied in Chinese (not pictures of characters)?"""
    text = pdf_text(issued["court"][3].read_bytes(), tmp_path)
    for phrase in ("海南省文昌市人民法院", "防范房地产风险巡回法庭", "调解协议书", issued["case"].number,
                   "逾期交房违约金48,000元", "履行节点", "完成竣工验收备案", "¥24,000.00", "签名（盖章）"):
        assert phrase in text, phrase


def test_the_court_copy_shows_every_id_and_the_other_partys_copy_masks_them(issued, tmp_path):
    """Does the developer's copy mask the homeowner's ID number and phone, and her own copy not?"""
    resident_id = issued["person"].resident_id
    court = pdf_text(issued["court"][3].read_bytes(), tmp_path)
    home = pdf_text(issued["home"][3].read_bytes(), tmp_path)
    company = pdf_text(issued["company"][3].read_bytes(), tmp_path)
    assert resident_id in court and HOMEOWNER_PHONE in court and DEVELOPER_PHONE in court
    assert resident_id not in company and HOMEOWNER_PHONE not in company
    assert mask_resident_id(resident_id) in company and mask_phone(HOMEOWNER_PHONE) in company
    assert DEVELOPER_PHONE in company  # its own phone
    assert resident_id in home and HOMEOWNER_PHONE in home
    assert DEVELOPER_PHONE not in home and mask_phone(DEVELOPER_PHONE) in home
    assert issued["developer"].uscc in home  # a company's credit code is public


def test_the_recorded_hash_is_the_hash_of_the_stored_file(app, issued):
    """Is each row's SHA-256 the SHA-256 of the bytes on disk, and are the three copies distinct files?"""
    with app.app_context():
        rows = db.session.query(Document).order_by(Document.id).all()
        assert len(rows) == 3
        for row in rows:
            stored = documents.path_of(row).read_bytes()
            assert hashlib.sha256(stored).hexdigest() == row.sha256
            assert row.size_bytes == len(stored)
        assert len({r.sha256 for r in rows}) == 3 and len({r.verify_code for r in rows}) == 3


def test_the_verification_code_is_on_every_page(app, make, tmp_path):
    """Does a three-page agreement carry its verification code at the foot of each page?"""
    person, project = make.person(), make.project()
    case = make.case(project=project, claimant=person)
    data, _ = agreement_for(case, person, project.developer, extra_terms=45)
    code = documents.new_verify_code()
    pdf = render_agreement(data, font=cjk_font().name, verify_code=code, verify_url=f"/verify/{code}")
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ")
    assert pages >= 3
    for page in range(1, pages + 1):
        assert format_verify_code(code) in pdf_text(pdf, tmp_path, page=page)


def _png(path: Path) -> Path:
    """A real 1×1 PNG, so that an unescaped <img> would embed it without complaint."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))
    return path


def test_user_text_with_markup_is_printed_not_obeyed(app, make, tmp_path):
    """Does a term typed as <img src="…"> print literally instead of embedding a local file?"""
    image = _png(tmp_path / "secret.png")
    person, project = make.person('<font color="red">王</font>'), make.project()
    case = make.case(project=project, claimant=person)
    data, _ = agreement_for(case, person, project.developer,
                            terms=[f'<img src="{image}" width="50" height="50"/>交付房屋', "<b>&amp;</b> 付款"])
    pdf = render_agreement(data, font=cjk_font().name, verify_code="A" * 16, verify_url="/verify/x")
    assert b"/Subtype /Image" not in pdf
    text = pdf_text(pdf, tmp_path)
    assert f'<img src="{image}"' in text
    assert "<b>&amp;</b> 付款" in text
    assert '<font color="red">王</font>' in text


def test_the_configured_font_is_embedded_and_without_one_stsong_light_is_the_fallback(tmp_path):
    """Is PDF_CJK_FONT used when set, and STSong-Light when no TrueType CJK font exists?"""
    if Path(WQY).is_file():
        configured = cjk_font(WQY, candidates=())
        assert configured.embedded and configured.source == WQY
        assert cjk_font(WQY, candidates=()).name == configured.name  # registered once
    fallback = cjk_font(str(tmp_path / "missing.ttf"), candidates=())
    assert (fallback.name, fallback.embedded) == (FALLBACK_CID_FONT, False)
    not_truetype = tmp_path / "fake.ttc"
    not_truetype.write_bytes(b"OTTO" + b"\x00" * 64)  # what an OpenType/CFF font starts with
    assert cjk_font(str(not_truetype), candidates=()).name == FALLBACK_CID_FONT


def _stored_files(app) -> set[str]:
    with app.app_context():
        directory = documents.documents_dir()
        return {p.name for p in directory.iterdir()} if directory.exists() else set()


def test_a_copy_for_someone_who_is_no_party_is_refused_and_nothing_is_stored(app, make):
    """Is an agreement with an unknown party's copy refused, leaving no row and no file?"""
    person, project = make.person(), make.project()
    case = make.case(project=project, claimant=person)
    judge = make.user("judge", court=project.court)
    data, copies = agreement_for(case, person, project.developer)
    before = _stored_files(app)
    with app.test_request_context():
        with pytest.raises(ServiceError):
            documents.issue_agreement(case.id, data, actor=judge, now=NOW,
                                      copies=[*copies, documents.Copy("person:999999")])
        assert db.session.query(Document).count() == 0
    assert _stored_files(app) == before


def test_when_the_database_refuses_the_rows_the_written_files_are_removed(app, make):
    """Does a commit the database refuses (a copy for a person who does not exist) leave no file behind?"""
    from sqlalchemy.exc import IntegrityError

    person, project = make.person(), make.project()
    case = make.case(project=project, claimant=person)
    judge = make.user("judge", court=project.court)
    data, copies = agreement_for(case, person, project.developer)
    copies[1] = documents.Copy(copies[1].key, person_id=2_000_000_000)  # no such person: FK refuses
    before = _stored_files(app)
    with app.test_request_context():
        with pytest.raises(IntegrityError):
            documents.issue_agreement(case.id, data, actor=judge, now=NOW, copies=copies)
        db.session.rollback()
        assert db.session.query(Document).count() == 0
    assert _stored_files(app) == before


def test_only_the_court_and_the_cases_mediator_issue_documents(app, make):
    """May a developer, or a judge of another court, issue the case's agreement? No: 404."""
    person, project = make.person(), make.project()
    case = make.case(project=project, claimant=person)
    data, copies = agreement_for(case, person, project.developer)
    for outsider in (make.user("developer", developer=project.developer), make.user("judge")):
        with app.test_request_context():
            with pytest.raises(NotFoundError):
                documents.issue_agreement(case.id, data, actor=outsider, now=NOW, copies=copies)


def test_anyone_can_verify_a_printed_code(client, issued):
    """Does /verify/<code> show title, case number, date and SHA-256 without logging in?"""
    _, sha256, code, _ = issued["home"]
    page = client.get(f"/verify/{format_verify_code(code).lower()}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert sha256 in html and issued["case"].number in html and "调解协议书（王海燕收执）" in html
    assert "2026-11-27" in html
    assert issued["person"].resident_id not in html


def test_an_unknown_code_is_not_found(client):
    """Does a code the court never printed say so, with 404?"""
    page = client.get("/verify/ABCD-EFGH-JKMN-PQRS")
    assert page.status_code == 404
    assert "No document has this verification code" in page.get_data(as_text=True) or "没有" in page.get_data(as_text=True)


def test_a_machine_without_a_truetype_cjk_font_still_prints_chinese_text_in_stsong_light(make, tmp_path):
    """Without any TrueType CJK font, is the agreement set in STSong-Light, not embedded, still text?"""
    person, project = make.person(), make.project()
    case = make.case(project=project, claimant=person)
    data, _ = agreement_for(case, person, project.developer)
    font = cjk_font(str(tmp_path / "none.ttf"), candidates=())
    pdf = render_agreement(data, font=font.name, verify_code="A" * 16, verify_url="/verify/x")
    assert b"/STSong-Light" in pdf and b"/FontFile2" not in pdf
    if not Path("/usr/share/poppler/cMap").is_dir():
        pytest.skip("poppler-data is not installed: pdftotext cannot map STSong-Light's CIDs to text")
    assert "海南省文昌市人民法院" in pdf_text(pdf, tmp_path)
