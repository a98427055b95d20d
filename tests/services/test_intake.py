"""Intake use-cases: filing, evidence, group filing with consent, the developer's answer."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Attachment, Complaint, ComplaintClaim, ComplaintResponse, GroupFiling, GroupFilingMember,
    Person,
)
from app.services import evidence, group_filing, intake, intake_checks
from app.services.errors import ForbiddenError, NotFoundError, ServiceError
from mediation.identifiers import make_resident_id
from tests.factories import NOW

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64
HTML = b"<!doctype html><script>alert(1)</script>"


def _counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Complaint, ComplaintClaim, Attachment, Person, GroupFiling,
                          GroupFilingMember, ComplaintResponse)}


def _files_on_disk(app) -> list[Path]:
    directory = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in directory.iterdir() if p.is_file()) if directory.exists() else []


def _filing(project, **overrides):
    data = dict(project_id=project.id, unit="3栋1单元502", dispute_type="late_delivery",
                facts="约定2025年6月30日交房，至今未交付。",
                claims=[{"kind": "逾期交房违约金", "amount_fen": 1_234_567},
                        {"kind": "维修", "amount_fen": 0}])
    data.update(overrides)
    return data


@pytest.fixture
def world(make):
    project = make.project()
    homeowner = make.user("homeowner")
    return {"project": project, "homeowner": homeowner}


def test_a_homeowner_files_a_complaint_with_claims_in_fen_and_evidence(app, world):
    """Does a filing keep every claim in fen, its evidence, the court and the receipt?"""
    project, user = world["project"], world["homeowner"]
    with app.app_context():
        complaint = intake.file_complaint(actor=user, now=NOW, files=[("合同.jpg", JPEG), ("收据.pdf", PDF)],
                                          **_filing(project))
        complaint = db.session.get(Complaint, complaint.id)
        assert re.fullmatch(r"TS20261127-[2-9A-Z]{6}", complaint.receipt_no)
        assert complaint.status == "submitted" and complaint.channel == "online"
        assert complaint.court_id == project.court_id
        assert complaint.claimant_person_id == user.person_id
        assert complaint.respondent_developer_id == project.developer_id
        assert complaint.filed_by_id == user.id
        assert sorted((c.kind, c.amount_fen) for c in complaint.claims) == [
            ("维修", 0), ("逾期交房违约金", 1_234_567)]
        kinds = sorted(a.content_type for a in complaint.attachments)
        assert kinds == ["application/pdf", "image/jpeg"]
        for attachment in complaint.attachments:
            path = evidence.path_of(attachment)
            assert path.read_bytes() in (JPEG, PDF)
            assert attachment.original_name in ("合同.jpg", "收据.pdf")
            assert attachment.original_name not in attachment.stored_name
            assert len(attachment.sha256) == 64


def test_every_invalid_field_is_reported_at_once_and_nothing_is_saved(app, world):
    """Does one refusal list every problem, and leave no row and no file behind?"""
    user = world["homeowner"]
    with app.app_context():
        before, files_before = _counts(), _files_on_disk(app)
        with pytest.raises(ServiceError) as caught:
            intake.file_complaint(
                actor=user, now=NOW, project_id=999_999, unit="x" * 65, dispute_type="nonsense",
                facts="   ", channel="carrier-pigeon",
                claims=[{"kind": "", "amount_fen": -1}, {"kind": "违约金", "amount_fen": 12.5},
                        {"kind": "k" * 101, "amount_fen": 10**20}, {"kind": "a", "amount_fen": "100"}],
                files=[("ok.jpg", JPEG), ("evil.jpg", HTML)])
        fields = {e["field"] for e in caught.value.errors}
        assert fields == {"project_id", "unit", "dispute_type", "facts", "channel",
                          "claims[0].kind", "claims[0].amount_fen", "claims[1].amount_fen",
                          "claims[2].kind", "claims[2].amount_fen", "claims[3].amount_fen", "files"}
        assert all(e["message"] for e in caught.value.errors)
        assert _counts() == before
        assert _files_on_disk(app) == files_before


@pytest.mark.parametrize("project_id", ["abc", "", None, -1, "1; DROP TABLE complaints", 10**30])
def test_an_unknown_or_garbled_project_id_is_a_field_error(app, world, project_id):
    with app.app_context():
        with pytest.raises(ServiceError) as caught:
            intake.file_complaint(actor=world["homeowner"], now=NOW,
                                  **_filing(world["project"], project_id=project_id))
        assert [e["field"] for e in caught.value.errors] == ["project_id"]


def test_too_many_claims_are_refused(app, world):
    claims = [{"kind": f"请求{i}", "amount_fen": 100} for i in range(intake_checks.MAX_CLAIMS + 1)]
    with app.app_context():
        with pytest.raises(ServiceError) as caught:
            intake.file_complaint(actor=world["homeowner"], now=NOW,
                                  **_filing(world["project"], claims=claims))
        assert [e["field"] for e in caught.value.errors] == ["claims"]


def test_a_complaint_needs_at_least_one_claim(app, world):
    with app.app_context():
        with pytest.raises(ServiceError) as caught:
            intake.file_complaint(actor=world["homeowner"], now=NOW,
                                  **_filing(world["project"], claims=[]))
        assert caught.value.errors[0]["field"] == "claims"


@pytest.mark.parametrize("name, data", [
    ("photo.jpg", HTML), ("page.html", HTML), ("empty.png", b""), ("fake.pdf", b"%PD"),
    ("script.webp", b"RIFF\x00\x00\x00\x00WAVE" + b"\x00" * 20),
])
def test_files_are_judged_by_their_content_not_their_name(app, world, name, data):
    """Is an HTML page named photo.jpg (or an empty file) refused?"""
    with app.app_context():
        before = _counts()
        with pytest.raises(ServiceError) as caught:
            intake.file_complaint(actor=world["homeowner"], now=NOW, files=[(name, data)],
                                  **_filing(world["project"]))
        assert [e["field"] for e in caught.value.errors] == ["files"]
        assert _counts() == before


@pytest.mark.parametrize("data, expected", [(JPEG, "image/jpeg"), (PNG, "image/png"),
                                            (WEBP, "image/webp"), (PDF, "application/pdf")])
def test_the_four_evidence_types_are_recognised(data, expected):
    assert evidence.detect_content_type(data[:16]) == expected


def test_an_oversized_file_is_refused(app, world):
    with app.app_context():
        app.config["MAX_UPLOAD_BYTES"] = 1000
        try:
            with pytest.raises(ServiceError) as caught:
                intake.file_complaint(actor=world["homeowner"], now=NOW,
                                      files=[("big.jpg", JPEG + b"\x00" * 1000)],
                                      **_filing(world["project"]))
        finally:
            app.config.pop("MAX_UPLOAD_BYTES")
        assert caught.value.errors[0]["field"] == "files"
        assert "大小上限" in caught.value.errors[0]["message"]
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_the_default_file_limit_is_the_configured_ten_megabytes(app):
    with app.app_context():
        assert evidence.max_upload_bytes() == app.config["APP_SETTINGS"].max_upload_bytes == 10 * 1024 * 1024


def test_a_complaint_holds_a_limited_number_of_files(app, world):
    with app.app_context():
        complaint = intake.file_complaint(
            actor=world["homeowner"], now=NOW, **_filing(world["project"]),
            files=[(f"p{i}.png", PNG) for i in range(evidence.MAX_FILES_PER_COMPLAINT)])
        with pytest.raises(ServiceError) as caught:
            evidence.add_evidence(actor=world["homeowner"], now=NOW, complaint_id=complaint.id,
                                  files=[("one-more.png", PNG)])
        assert "最多" in caught.value.errors[0]["message"]
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == \
            evidence.MAX_FILES_PER_COMPLAINT


def test_a_path_in_the_file_name_is_kept_for_display_only(app, world):
    """Does ``../../etc/passwd`` as a file name escape the upload folder?"""
    with app.app_context():
        complaint = intake.file_complaint(actor=world["homeowner"], now=NOW,
                                          files=[("../../etc/passwd", PDF), ("..\\..\\boot.ini", PNG)],
                                          **_filing(world["project"]))
        names = sorted(a.original_name for a in complaint.attachments)
        assert names == ["boot.ini", "passwd"]
        upload = Path(app.config["UPLOAD_DIR"]).resolve()
        for attachment in complaint.attachments:
            assert re.fullmatch(r"[0-9a-f]{32}\.(pdf|png)", attachment.stored_name)
            assert evidence.path_of(attachment).resolve().parent == upload


def test_files_are_removed_when_the_commit_fails(app, world, monkeypatch):
    """If the database refuses the filing, are the already written files deleted?"""
    with app.app_context():
        before = _files_on_disk(app)

        def failing_commit():
            raise RuntimeError("database went away")

        monkeypatch.setattr(db.session, "commit", failing_commit)
        with pytest.raises(RuntimeError):
            intake.file_complaint(actor=world["homeowner"], now=NOW, files=[("a.jpg", JPEG)],
                                  **_filing(world["project"]))
        monkeypatch.undo()
        assert _files_on_disk(app) == before
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_a_repeat_within_thirty_days_is_flagged_as_a_likely_duplicate(app, world):
    """Same person, project and type within 30 days: flagged, not dropped."""
    user, project = world["homeowner"], world["project"]
    with app.app_context():
        first = intake.file_complaint(actor=user, now=NOW, **_filing(project))
        second = intake.file_complaint(actor=user, now=NOW + timedelta(days=10), **_filing(project))
        other_type = intake.file_complaint(actor=user, now=NOW + timedelta(days=11),
                                           **_filing(project, dispute_type="quality"))
        later = intake.file_complaint(actor=user, now=NOW + timedelta(days=35), **_filing(project))
        assert first.duplicate_of_id is None
        assert second.duplicate_of_id == first.id
        assert other_type.duplicate_of_id is None
        assert later.duplicate_of_id == second.id  # 25 days after the second, 35 after the first


def test_a_developers_filings_against_different_buyers_are_not_duplicates(app, make):
    """A company with many buyers in default on one project files once per buyer."""
    project = make.project()
    staff = make.user("developer", developer=project.developer)
    first_buyer, second_buyer = make.person(name="甲"), make.person(name="乙")
    with app.app_context():
        def file(buyer, days):
            return intake.file_complaint(
                actor=staff, now=NOW + timedelta(days=days), **_filing(project, dispute_type="other"),
                respondent_resident_id=buyer.resident_id, respondent_name=buyer.name)
        one = file(first_buyer, 0)
        other_buyer = file(second_buyer, 1)
        same_buyer_again = file(first_buyer, 2)
        assert other_buyer.duplicate_of_id is None
        assert same_buyer_again.duplicate_of_id == one.id


def test_only_homeowners_and_developers_file(app, make, world):
    judge = make.user("judge")
    with app.app_context():
        with pytest.raises(ForbiddenError):
            intake.file_complaint(actor=judge, now=NOW, **_filing(world["project"]))


# --- the developer's own filing ---------------------------------------------------------


def test_a_developer_files_against_a_buyer_on_its_own_project(app, make):
    project = make.project()
    staff = make.user("developer", developer=project.developer)
    buyer_id = make_resident_id("46900519900101123")
    with app.app_context():
        complaint = intake.file_complaint(
            actor=staff, now=NOW, **_filing(project, dispute_type="other",
                                            claims=[{"kind": "欠付房款", "amount_fen": 50_000_000}]),
            respondent_resident_id=buyer_id.lower(), respondent_name="李四")
        complaint = db.session.get(Complaint, complaint.id)
        assert complaint.claimant_developer_id == project.developer_id
        assert complaint.claimant_person_id is None
        assert complaint.respondent_person.resident_id == buyer_id
        assert complaint.respondent_person.name == "李四"
        # The same buyer again: found, not created twice.
        intake.file_complaint(actor=staff, now=NOW, **_filing(project),
                              respondent_resident_id=buyer_id, respondent_name="李四")
        assert db.session.scalar(select(func.count()).select_from(Person)
                                 .where(Person.resident_id == buyer_id)) == 1


def test_a_developer_cannot_file_on_another_developers_project_or_with_a_bad_id(app, make):
    mine, theirs = make.project(), make.project()
    staff = make.user("developer", developer=mine.developer)
    existing = make.person(name="王五")
    with app.app_context():
        before = _counts()
        with pytest.raises(ServiceError) as caught:
            intake.file_complaint(actor=staff, now=NOW, **_filing(theirs),
                                  respondent_resident_id="469005199001011230",
                                  respondent_name="")
        fields = {e["field"] for e in caught.value.errors}
        assert fields == {"project_id", "respondent_resident_id", "respondent_name"}
        assert _counts() == before


def test_a_developer_learns_nothing_of_the_register_from_a_filing(app, make):
    """Can a developer test whether an ID is registered, and under which name? (issue 13)

    An ID registered under another name is accepted exactly like an unknown one; the
    complaint keeps the name as typed, and the register's name is not overwritten."""
    project = make.project()
    staff = make.user("developer", developer=project.developer)
    existing = make.person(name="王五")
    unknown_id = make_resident_id("46900519900101124")
    with app.app_context():
        guessed = intake.file_complaint(actor=staff, now=NOW, **_filing(project),
                                        respondent_resident_id=existing.resident_id,
                                        respondent_name="冒名")
        unknown = intake.file_complaint(actor=staff, now=NOW, **_filing(project),
                                        respondent_resident_id=unknown_id,
                                        respondent_name="冒名")
        guessed, unknown = db.session.get(Complaint, guessed.id), db.session.get(Complaint, unknown.id)
        assert (guessed.status, guessed.respondent_name) == (unknown.status, unknown.respondent_name)
        assert guessed.respondent_person_id == existing.id
        assert db.session.get(Person, existing.id).name == "王五"


# --- group filing ------------------------------------------------------------------------


def _members(*people, amount=300_000):
    return [{"name": p.name, "resident_id": p.resident_id, "phone": "138 0013 8000",
             "unit": f"1栋{i + 1}01", "claim_amount_fen": amount} for i, p in enumerate(people)]


@pytest.fixture
def group(app, make):
    project = make.project()
    filer = make.user("homeowner")
    neighbours = [make.user("homeowner", person=make.person(name=f"邻居{i}")) for i in range(2)]
    with app.app_context():
        filing = group_filing.file_group_complaint(
            actor=filer, now=NOW, project_id=project.id, dispute_type="late_delivery",
            facts="同一楼栋均逾期交房", members=_members(*(n.person for n in neighbours)),
            unit="1栋301", claim_amount_fen=500_000)
        codes = [code for _member, code in filing.issued_codes]
        filing_id = filing.id
    return {"project": project, "filer": filer, "neighbours": neighbours, "codes": codes,
            "filing_id": filing_id}


def test_a_group_filing_files_the_filers_complaint_at_once_and_no_one_elses(app, group):
    """Is anyone made a claimant before they confirm?"""
    with app.app_context():
        complaints = db.session.scalars(select(Complaint)).all()
        assert len(complaints) == 1
        own = complaints[0]
        assert own.claimant_person_id == group["filer"].person_id
        assert own.group_filing_id == group["filing_id"]
        assert own.unit == "1栋301" and own.claims[0].amount_fen == 500_000
        members = db.session.scalars(select(GroupFilingMember)).all()
        assert len(members) == 2 and all(m.complaint_id is None for m in members)
        assert members[0].phone == "13800138000"
        stored = {m.confirm_code_sha256 for m in members}
        assert not any(code in stored for code in group["codes"])  # only hashes are kept
        assert len(set(group["codes"])) == 2


def test_a_neighbour_confirms_with_their_code_and_only_then_has_a_complaint(app, group):
    neighbour = group["neighbours"][0]
    code = group["codes"][0]
    with app.app_context():
        complaint = group_filing.confirm_group_membership(actor=neighbour, now=NOW,
                                                    code=code.lower()[:4] + " " + code.lower()[4:])
        complaint = db.session.get(Complaint, complaint.id)
        assert complaint.status == "submitted"
        assert complaint.claimant_person_id == neighbour.person_id
        assert complaint.group_filing_id == group["filing_id"]
        assert complaint.unit == "1栋101" and complaint.claims[0].amount_fen == 300_000
        member = db.session.scalar(select(GroupFilingMember)
                                   .where(GroupFilingMember.complaint_id == complaint.id))
        assert member.confirmed_at is not None
        with pytest.raises(ServiceError):  # a code works once
            group_filing.confirm_group_membership(actor=neighbour, now=NOW, code=code)
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 2


def test_a_wrong_code_or_someone_elses_code_is_refused(app, group, make):
    """Can a person confirm with a code that was not issued to them?"""
    first, second = group["neighbours"]
    stranger = make.user("homeowner")
    with app.app_context():
        for actor, code in [(first, "WRONGCODE2"), (first, group["codes"][1]),
                            (stranger, group["codes"][0]), (group["filer"], group["codes"][0]),
                            (first, ""), (first, "<script>")]:
            with pytest.raises(ServiceError) as caught:
                group_filing.confirm_group_membership(actor=actor, now=NOW, code=code)
            assert caught.value.errors[0]["field"] == "code"
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_a_neighbour_may_decline(app, group):
    neighbour = group["neighbours"][1]
    with app.app_context():
        member = group_filing.decline_group_membership(actor=neighbour, now=NOW, code=group["codes"][1])
        assert member.declined_at is not None and member.complaint_id is None
        with pytest.raises(ServiceError):
            group_filing.confirm_group_membership(actor=neighbour, now=NOW, code=group["codes"][1])
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_a_group_filing_reports_every_bad_member_field(app, make):
    project = make.project()
    filer = make.user("homeowner")
    neighbour = make.person()
    with app.app_context():
        before = _counts()
        with pytest.raises(ServiceError) as caught:
            group_filing.file_group_complaint(
                actor=filer, now=NOW, project_id=project.id, dispute_type="late_delivery",
                facts="事实", members=[
                    {"name": "", "resident_id": "469005198001010010", "phone": "12345",
                     "unit": "1", "claim_amount_fen": -5},
                    {"name": "甲", "resident_id": filer.person.resident_id, "claim_amount_fen": 0},
                    {"name": "乙", "resident_id": neighbour.resident_id, "claim_amount_fen": 0},
                    {"name": "丙", "resident_id": neighbour.resident_id, "claim_amount_fen": 0},
                ])
        fields = {e["field"] for e in caught.value.errors}
        assert fields == {"members[0].name", "members[0].resident_id", "members[0].phone",
                          "members[0].claim_amount_fen", "members[1].resident_id",
                          "members[3].resident_id"}
        assert _counts() == before


# --- the developer's answer ----------------------------------------------------------


def test_the_developer_answers_a_complaint_against_it_with_attachments(app, make):
    complaint = make.complaint()
    staff = make.user("developer", developer=complaint.project.developer)
    with app.app_context():
        response = intake.respond_to_complaint(actor=staff, now=NOW, complaint_id=complaint.id,
                                               text="已于2025年8月交付，见交接单。",
                                               files=[("交接单.pdf", PDF)])
        response = db.session.get(ComplaintResponse, response.id)
        assert response.developer_id == staff.developer_id and response.author_id == staff.id
        assert [a.original_name for a in response.attachments] == ["交接单.pdf"]
        assert response.attachments[0].complaint_id is None


def test_a_developer_cannot_answer_a_complaint_against_another_developer(app, make):
    complaint = make.complaint()
    other = make.user("developer")
    with app.app_context():
        before, files = _counts(), _files_on_disk(app)
        with pytest.raises(NotFoundError):
            intake.respond_to_complaint(actor=other, now=NOW, complaint_id=complaint.id,
                                        text="与我无关", files=[("x.pdf", PDF)])
        assert _counts() == before and _files_on_disk(app) == files


def test_an_empty_response_is_refused(app, make):
    complaint = make.complaint()
    staff = make.user("developer", developer=complaint.project.developer)
    with app.app_context():
        with pytest.raises(ServiceError) as caught:
            intake.respond_to_complaint(actor=staff, now=NOW, complaint_id=complaint.id,
                                        text="  ", files=[("a.jpg", HTML)])
        assert {e["field"] for e in caught.value.errors} == {"text", "files"}


def test_project_search_matches_names_and_treats_wildcards_literally(app, make):
    make.project(name="椰林花园")
    make.project(name="海风100%公寓")
    with app.app_context():
        assert [p["name"] for p in intake.search_projects("椰林")] == ["椰林花园"]
        assert [p["name"] for p in intake.search_projects("%")] == ["海风100%公寓"]
        assert [p["name"] for p in intake.search_projects("_")] == []
        assert len(intake.search_projects("")) == 2
