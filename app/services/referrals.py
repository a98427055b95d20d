"""Referrals from other agencies, and tasks the court gives to agencies on a case.

"Nine dragons governing the water" (九龙治水, DESIGN §3) ends at one door: the housing
bureau, the petition office, the 12345 hotline and the other agencies hand the real-estate
complaints they received to the circuit court as a spreadsheet, and a court clerk or judge
imports it. Every row becomes a complaint waiting in the judge's triage — or, when any row
is wrong, nothing at all is imported and the clerk gets a per-row report to fix the file.

The CSV format (the template is served at ``/court/imports/template.csv``)
----------------------------------------------------------------------------
* Encoding: UTF-8 with or without BOM, or GBK/GB18030 (what Excel in Chinese Windows
  writes for "CSV (逗号分隔)"), or UTF-16 (Excel's "Unicode text"). Comma-separated; a
  tab-separated file is recognised by its header line.
* The first line is the header. Columns may come in any order; unknown columns are
  ignored. Each column is recognised by its Chinese header or an English alias
  (full-width brackets, spaces and a trailing ``*`` are ignored):

  ============  ==================  ==========================================  ========
  header        alias               content                                     required
  ============  ==================  ==========================================  ========
  姓名          name                claimant's name (≤ 50 characters)           yes
  身份证号      resident_id         18-character resident ID, check digit       yes
  电话          phone               mobile (11 digits) or 0898-63212345         yes
  项目          project             project name or project id of this court    yes
  房号          unit                e.g. 3栋1单元502 (≤ 64 characters)           no
  纠纷类型      dispute_type        code (late_delivery) or label (逾期交房)      yes
  诉求金额(元)  claim_yuan          yuan, at most 2 decimals, ≥ 0 (1,234.50)     no
  事实与理由    facts               the complaint (≤ 5,000 characters)          yes
  来件日期      received_on         date the agency received it: 2026-11-27     no
                                    or 2026/11/27 (Excel's Chinese format)
  来件编号      external_ref        the agency's own reference (≤ 64)           no
  ============  ==================  ==========================================  ========

* Row numbers in the report are the row numbers Excel shows: the header is row 1, the
  first complaint row 2. Blank rows are skipped (but keep their numbers).

What happens
------------
1. Every row is validated first (identifiers by ``mediation.identifiers``, dispute types
   by ``mediation.disputes``), progress is committed every :data:`CHUNK` rows so a page
   or the CLI can show it.
2. A likely duplicate — same person, project and type within 30 days
   (``mediation.duplicates``) of an existing complaint or of an earlier row of the same
   file — is imported anyway and flagged (``Complaint.duplicate_of_id``) with a note on its
   row: the judge merges it in triage; dropping it would lose an agency's referral.
3. Any invalid row → the import fails, nothing is imported, the errors are kept on the
   :class:`ReferralImport` row for the clerk. Otherwise all rows become complaints (status
   ``submitted``, channel by agency, claimants found by resident ID or created) in one
   transaction, written with bulk INSERTs.

The progress commits are the one deliberate exception to "commit once per use-case":
they only touch the import's own counters, so a failure in between leaves nothing but an
accurate report behind.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.access import can_manage_case
from app.extensions import db
from app.models import AgencyTask, Case, Complaint, ComplaintClaim, Person, Project, ReferralImport, User
from app.models.referrals import AGENCIES
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.receipts import new_receipt_no
from mediation.amounts import MAX_CLAIM_FEN  # claims above it are a typo (fen for yuan…)
from mediation.disputes import Channel, ComplaintStatus, DisputeType
from mediation.duplicates import DUPLICATE_WINDOW, FiledComplaint, find_duplicate
from mediation.identifiers import InvalidIdentifierError, validate_phone, validate_resident_id
from mediation.lifecycle import court_date


#: Rows validated between two progress reports (and two commits of the counters).
CHUNK = 100
#: A referral file larger than this is refused (about 30,000 rows of typical length).
MAX_FILE_BYTES = 10 * 1024 * 1024
#: More rows than this belong in several files (and keep one transaction reasonable).
MAX_ROWS = 50_000
#: Errors and notes kept on the import row; the rest are counted in a closing line.
MAX_REPORTED = 500
#: The claim kind of an imported complaint's amount (agencies do not itemise claims).
REFERRAL_CLAIM_KIND = "转办诉求金额"
#: A running import not finished after this long was interrupted (a worker restart);
#: its single transaction was rolled back, so nothing of it was imported.
STALE_AFTER = timedelta(minutes=30)

#: The complaint channel of each referring agency (DESIGN §1: one door, any channel).
AGENCY_CHANNELS = {
    "housing_bureau": Channel.REFERRAL_HOUSING,
    "petition_office": Channel.REFERRAL_PETITION,
    "hotline_12345": Channel.HOTLINE_12345,
}


def channel_for(agency: str) -> Channel:
    return AGENCY_CHANNELS.get(agency, Channel.REFERRAL_OTHER)


# --- The CSV columns -------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    aliases: tuple[str, ...]
    required: bool
    max_length: int


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("name", "申请人", "投诉人", "当事人"), True, 50),
    Column("resident_id", "身份证号", ("resident_id", "身份证号码", "公民身份号码", "证件号码"),
           True, 32),
    Column("phone", "电话", ("phone", "联系电话", "手机", "手机号", "手机号码"), True, 32),
    Column("project", "项目", ("project", "楼盘", "项目名称", "项目编号", "project_id"), True, 100),
    Column("unit", "房号", ("unit", "房屋", "房屋号"), False, 64),
    Column("dispute_type", "纠纷类型", ("dispute_type", "类型", "投诉类型"), True, 32),
    Column("claim_yuan", "诉求金额(元)", ("claim_yuan", "诉求金额", "金额", "金额(元)"), False, 32),
    Column("facts", "事实与理由", ("facts", "事实和理由", "诉求内容", "投诉内容", "内容"), True, 5000),
    Column("received_on", "来件日期", ("received_on", "收件日期", "受理日期"), False, 20),
    Column("external_ref", "来件编号", ("external_ref", "工单号", "编号"), False, 64),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
#: The Chinese header of each field, for the report ("file" names the whole file).
FIELD_HEADERS = {c.field: c.header for c in COLUMNS} | {"file": "文件"}


def _norm_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip().lower()
    return re.sub(r"[\s*＊]", "", text)


_HEADER_LOOKUP = {
    _norm_header(name): c.field for c in COLUMNS for name in (c.header, *c.aliases)
}


def template_csv() -> bytes:
    """The empty template: the header row, UTF-8 with BOM so Excel shows the Chinese."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([c.header for c in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def neutralise_cell(value) -> str:
    """Make a value safe for a spreadsheet cell: a leading = + - @ (or tab/CR) would be
    taken for a formula by Excel and WPS (CSV injection), so it gets a leading quote."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def errors_csv(entries: list[dict]) -> bytes:
    """A report of row errors and notes as CSV for Excel, formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["行号", "列", "类别", "说明"])
    kinds = {"error": "错误", "duplicate": "疑似重复", "note": "提示"}
    for entry in entries:
        writer.writerow([
            neutralise_cell(entry.get("row") or ""),
            neutralise_cell(FIELD_HEADERS.get(entry.get("field"), entry.get("field") or "")),
            kinds.get(entry.get("kind", "error"), ""),
            neutralise_cell(entry.get("message")),
        ])
    return buffer.getvalue().encode("utf-8-sig")


# --- Reading the file --------------------------------------------------------------------


class FileFormatError(Exception):
    """The file as a whole cannot be read (encoding, header); ``message`` is Chinese."""

    def __init__(self, message: str, field: str = "file", row: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row


def decode_csv(data: bytes) -> str:
    """Decode an agency's CSV: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (⊃ GBK)."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileFormatError("这是Excel工作簿文件，请在Excel中“另存为”CSV（逗号分隔）后再上传")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text
    raise FileFormatError("无法识别文件编码，请另存为UTF-8或GBK编码的CSV文件")


@dataclass
class RawRow:
    row: int  # the row number Excel shows (header = 1)
    values: dict[str, str]
    extra_cells: int = 0


def read_rows(text: str) -> tuple[list[RawRow], dict[str, int]]:
    """Split the text into rows keyed by field; raise FileFormatError for a bad header."""
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise FileFormatError("文件是空的：第1行应为标题行（姓名、身份证号……）", row=1)
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            name = _HEADER_LOOKUP.get(_norm_header(cell))
            if name is None:
                continue
            if name in positions:
                raise FileFormatError(
                    f"第1行：“{COLUMN_BY_FIELD[name].header}”列出现了两次", field=name, row=1)
            positions[name] = index
        missing = [c.header for c in COLUMNS if c.required and c.field not in positions]
        if missing:
            raise FileFormatError(
                "第1行：缺少必填列" + "、".join(f"“{m}”" for m in missing)
                + "，请使用导入模板的标题行", row=1)
        rows: list[RawRow] = []
        for number, cells in enumerate(reader, start=2):
            if len(rows) >= MAX_ROWS:
                raise FileFormatError(f"文件超过{MAX_ROWS:,}行，请拆分为几个文件分别导入")
            if not any(cell.strip() for cell in cells):
                continue
            values = {name: (cells[i].strip() if i < len(cells) else "")
                      for name, i in positions.items()}
            extra = sum(1 for cell in cells[len(header):] if cell.strip())
            rows.append(RawRow(number, values, extra))
    except csv.Error as error:
        raise FileFormatError(f"CSV格式错误（{error}），请用Excel重新另存为CSV") from None
    return rows, positions


# --- Validating a row --------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRef:
    id: int
    name: str
    developer_id: int


@dataclass
class ValidRow:
    row: int
    name: str
    resident_id: str
    phone: str
    project: ProjectRef
    unit: str | None
    dispute_type: str
    claim_fen: int
    facts: str
    received_on: date | None
    external_ref: str | None
    duplicate_of_id: int | None = None
    duplicate_of_row: int | None = None


def _short(value: str, limit: int = 30) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def parse_yuan(text: str) -> int:
    """Yuan typed by a person ("1,234.5", "￥800") → fen, exactly; ValueError with Chinese."""
    cleaned = re.sub(r"[\s,，¥￥]|元$", "", text)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"诉求金额“{_short(text)}”不是数字") from None
    if not amount.is_finite():
        raise ValueError(f"诉求金额“{_short(text)}”不是数字")
    if amount < 0:
        raise ValueError("诉求金额不能为负数")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("诉求金额最多保留两位小数（元、角、分）")
    fen = int(amount * 100)
    if fen > MAX_CLAIM_FEN:
        raise ValueError("诉求金额过大，请核对单位是否为元")
    return fen


def parse_day(text: str) -> date:
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        raise ValueError(f"来件日期“{_short(text)}”应写成2026-11-27")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"来件日期“{_short(text)}”不是有效日期") from None


def _dispute_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for member in DisputeType:
        names = {member.value, member.label_zh, member.label_en, *member.label_zh.split("/")}
        for name in names:
            lookup[_norm_header(name)] = member.value
    return lookup


_DISPUTES = _dispute_lookup()


class _Projects:
    """The importer's court's projects, by id and by name (names may repeat)."""

    def __init__(self, court_id: int):
        rows = db.session.execute(
            select(Project.id, Project.name, Project.developer_id).where(Project.court_id == court_id)
        ).all()
        self.by_id = {r.id: ProjectRef(r.id, r.name, r.developer_id) for r in rows}
        self.by_name: dict[str, list[ProjectRef]] = {}
        for ref in self.by_id.values():
            self.by_name.setdefault(_norm_header(ref.name), []).append(ref)

    def resolve(self, text: str) -> ProjectRef:
        if text.isdigit() and int(text) in self.by_id:
            return self.by_id[int(text)]
        matches = self.by_name.get(_norm_header(text), [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValueError(f"项目名称“{_short(text)}”对应多个项目，请改填项目编号")
        raise ValueError(f"本院没有名为“{_short(text)}”的项目（可填项目名称或项目编号）")


def validate_row(raw: RawRow, projects: _Projects, today: date) -> tuple[ValidRow | None, list[dict]]:
    """Check one row; return the clean row, or None and its errors."""
    errors: list[dict] = []

    def err(field_name: str, message: str) -> None:
        errors.append({"row": raw.row, "field": field_name, "message": f"第{raw.row}行：{message}",
                       "kind": "error"})

    values = raw.values
    if raw.extra_cells:
        err("file", "本行的单元格多于标题行，可能是内容中有未加引号的逗号，请用Excel另存为CSV")
    for column in COLUMNS:
        value = values.get(column.field, "")
        if column.required and not value:
            err(column.field, f"请填写“{column.header}”")
        elif len(value) > column.max_length:
            err(column.field, f"“{column.header}”不能超过{column.max_length}个字符")

    def check(field_name: str, fn):
        value = values.get(field_name, "")
        if not value or any(e["field"] == field_name for e in errors):
            return None
        try:
            return fn(value)
        except InvalidIdentifierError as error:
            err(field_name, error.message)
        except ValueError as error:
            err(field_name, str(error))
        return None

    resident_id = check("resident_id", lambda v: validate_resident_id(v, today=today))
    phone = check("phone", validate_phone)
    project = check("project", projects.resolve)

    def dispute(value: str) -> str:
        code = _DISPUTES.get(_norm_header(value))
        if code is None:
            raise ValueError(f"纠纷类型“{_short(value)}”无法识别（可填：{'、'.join(m.label_zh for m in DisputeType)}）")
        return code

    dispute_type = check("dispute_type", dispute)
    claim_fen = check("claim_yuan", parse_yuan) or 0

    def received(value: str) -> date:
        day = parse_day(value)
        if day > today:
            raise ValueError("来件日期晚于今天，请核对")
        return day

    received_on = check("received_on", received)
    if errors:
        return None, errors
    return ValidRow(
        row=raw.row, name=values["name"], resident_id=resident_id, phone=phone, project=project,
        unit=values.get("unit") or None, dispute_type=dispute_type, claim_fen=claim_fen,
        facts=values["facts"], received_on=received_on,
        external_ref=values.get("external_ref") or None,
    ), []


# --- The use-cases -----------------------------------------------------------------------


def _clean_filename(filename: str | None) -> str:
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or "referrals.csv")[:200]


def _importer_court(actor: User, court_id: int | None) -> int:
    if actor.role not in ("judge", "admin"):
        raise ForbiddenError("只有法官或书记员可以导入转办件")
    if actor.court_id is None and court_id is None:
        raise ForbiddenError("您的账号未关联法院，不能导入转办件")
    if actor.court_id is not None and court_id is not None and court_id != actor.court_id:
        raise ForbiddenError("只能导入本院的转办件")
    return actor.court_id if actor.court_id is not None else court_id


def start_referral_import(*, filename: str, agency: str, actor: User, now: datetime,
                          court_id: int | None = None) -> ReferralImport:
    """Record a new import (status ``validating``) so its progress can be followed."""
    court = _importer_court(actor, court_id)
    if agency not in AGENCIES:
        raise ServiceError("请选择转办部门", "agency")
    record = ReferralImport(
        court_id=court, uploaded_by_id=actor.id, agency=agency, filename=_clean_filename(filename),
        status="validating", total_rows=0, processed_rows=0, imported_rows=0, duplicate_rows=0,
        errors=[], created_at=now)
    db.session.add(record)
    db.session.commit()
    return record


def import_referrals(data: bytes, *, filename: str, agency: str, actor: User, now: datetime,
                     progress: Callable[[int, int], None] | None = None,
                     court_id: int | None = None) -> ReferralImport:
    """Validate and import an agency's CSV: every row becomes a complaint, or none does."""
    record = start_referral_import(filename=filename, agency=agency, actor=actor, now=now,
                                   court_id=court_id)
    return run_referral_import(record.id, data, actor=actor, now=now, progress=progress)


def _capped(entries: list[dict]) -> list[dict]:
    if len(entries) <= MAX_REPORTED:
        return entries
    rest = len(entries) - MAX_REPORTED
    return entries[:MAX_REPORTED] + [{"row": None, "field": "file", "kind": entries[-1]["kind"],
                                      "message": f"另有{rest}条未列出"}]


def _finish(record_id: int, *, status: str, now: datetime, errors: list[dict], **counts) -> ReferralImport:
    db.session.execute(
        update(ReferralImport).where(ReferralImport.id == record_id)
        .values(status=status, errors=_capped(errors), finished_at=now, **counts))
    db.session.commit()
    return db.session.get(ReferralImport, record_id)


def fail_import(import_id: int, *, now: datetime, message: str) -> None:
    """Mark an import that could not run to its end as failed (nothing was imported)."""
    db.session.rollback()
    db.session.execute(
        update(ReferralImport)
        .where(ReferralImport.id == import_id, ReferralImport.status == "validating")
        .values(status="failed", finished_at=now, imported_rows=0,
                errors=[{"row": None, "field": "file", "kind": "error", "message": message}]))
    db.session.commit()


def _existing_people(resident_ids: set[str]) -> dict[str, tuple[int, str]]:
    if not resident_ids:
        return {}
    rows = db.session.execute(
        select(Person.resident_id, Person.id, Person.name).where(Person.resident_id.in_(resident_ids)))
    return {r.resident_id: (r.id, r.name) for r in rows}


def _recent_complaints(resident_ids: set[str], project_ids: set[int], now: datetime) -> list[tuple]:
    if not resident_ids:
        return []
    return db.session.execute(
        select(Complaint.id, Complaint.receipt_no, Person.resident_id, Complaint.project_id,
               Complaint.dispute_type, Complaint.submitted_at)
        .join(Person, Person.id == Complaint.claimant_person_id)
        .where(Person.resident_id.in_(resident_ids), Complaint.project_id.in_(project_ids),
               Complaint.submitted_at >= now - DUPLICATE_WINDOW,
               Complaint.submitted_at <= now + DUPLICATE_WINDOW)
    ).all()


def run_referral_import(import_id: int, data: bytes, *, actor: User, now: datetime,
                        progress: Callable[[int, int], None] | None = None) -> ReferralImport:
    """Do the work of an import recorded by :func:`start_referral_import`."""
    record = db.session.get(ReferralImport, import_id)
    if record is None:
        raise NotFoundError("没有这次导入")
    if record.status != "validating" or record.processed_rows:
        raise ConflictError("这次导入已经处理过了")
    court_id, agency = record.court_id, record.agency
    try:
        rows, _ = read_rows(decode_csv(data))
        if not rows:
            raise FileFormatError("文件中没有数据行（第2行起每行一件投诉）")
    except FileFormatError as error:
        return _finish(import_id, status="failed", now=now, errors=[
            {"row": error.row, "field": error.field, "message": error.message, "kind": "error"}])
    total = len(rows)
    db.session.execute(update(ReferralImport).where(ReferralImport.id == import_id)
                       .values(total_rows=total))
    db.session.commit()
    if progress:
        progress(0, total)

    today = court_date(now)
    projects = _Projects(court_id)
    valid: list[ValidRow] = []
    errors: list[dict] = []
    notes: list[dict] = []
    people: dict[str, tuple[int, str]] = {}
    earlier: dict[tuple, list[FiledComplaint]] = {}  # (resident_id, project, type) → filings
    first_name_row: dict[str, tuple[str, int]] = {}
    receipts: dict[int, str] = {}
    row_of_key: dict[int, int] = {}  # negative placeholder id → row number

    for start in range(0, total, CHUNK):
        chunk: list[ValidRow] = []
        for raw in rows[start:start + CHUNK]:
            clean, row_errors = validate_row(raw, projects, today)
            errors.extend(row_errors)
            if clean is not None:
                chunk.append(clean)
        ids = {r.resident_id for r in chunk}
        people.update(_existing_people(ids - people.keys()))
        for cid, receipt, rid, project_id, dtype, submitted in _recent_complaints(
                ids, {r.project.id for r in chunk}, now):
            key = (rid, project_id, dtype)
            if all(f.id != cid for f in earlier.get(key, [])):
                earlier.setdefault(key, []).append(FiledComplaint(cid, rid, project_id, dtype, submitted))
                receipts[cid] = receipt
        for clean in chunk:
            key = (clean.resident_id, clean.project.id, clean.dispute_type)
            new = FiledComplaint(None, clean.resident_id, clean.project.id, clean.dispute_type, now)
            candidates = earlier.get(key, [])
            stored = find_duplicate(new, [c for c in candidates if c.id > 0])
            in_file = find_duplicate(new, [c for c in candidates if c.id < 0])
            if stored is not None:
                clean.duplicate_of_id = stored.id
                notes.append({"row": clean.row, "field": "resident_id", "kind": "duplicate",
                              "message": f"第{clean.row}行：与已收到的投诉{receipts[stored.id]}"
                                         "可能重复（同一人、同一项目、同一纠纷类型，30日内），已标记，请法官在分流时合并"})
            elif in_file is not None:
                clean.duplicate_of_row = row_of_key[in_file.id]
                notes.append({"row": clean.row, "field": "resident_id", "kind": "duplicate",
                              "message": f"第{clean.row}行：与本文件第{clean.duplicate_of_row}行"
                                         "可能重复（同一人、同一项目、同一纠纷类型），已标记，请法官在分流时合并"})
            placeholder = -clean.row
            row_of_key[placeholder] = clean.row
            earlier.setdefault(key, []).append(
                FiledComplaint(placeholder, clean.resident_id, clean.project.id, clean.dispute_type, now))
            known = people.get(clean.resident_id)
            if known is not None and known[1] != clean.name:
                notes.append({"row": clean.row, "field": "name", "kind": "note",
                              "message": f"第{clean.row}行：该身份证号已登记的姓名为“{known[1]}”，"
                                         f"与本行“{_short(clean.name)}”不一致，已按身份证号关联，请核对"})
            elif clean.resident_id in first_name_row and first_name_row[clean.resident_id][0] != clean.name:
                notes.append({"row": clean.row, "field": "name", "kind": "note",
                              "message": f"第{clean.row}行：与第{first_name_row[clean.resident_id][1]}行"
                                         "身份证号相同但姓名不同，请核对"})
            first_name_row.setdefault(clean.resident_id, (clean.name, clean.row))
        valid.extend(chunk)
        done = min(start + CHUNK, total)
        db.session.execute(update(ReferralImport).where(ReferralImport.id == import_id)
                           .values(processed_rows=done))
        db.session.commit()
        if progress:
            progress(done, total)

    duplicates = sum(1 for r in valid if r.duplicate_of_id or r.duplicate_of_row)
    if errors:
        return _finish(import_id, status="failed", now=now, errors=errors + notes,
                       duplicate_rows=duplicates, imported_rows=0)
    try:
        _write(valid, people, court_id=court_id, agency=agency, import_id=import_id,
               actor_id=actor.id, now=now)
    except IntegrityError:
        db.session.rollback()
        return _finish(import_id, status="failed", now=now, errors=[{
            "row": None, "field": "file", "kind": "error",
            "message": "导入时与同时进行的其他登记冲突，未导入任何投诉，请重新上传"}])
    return _finish(import_id, status="imported", now=now, errors=notes,
                   imported_rows=len(valid), duplicate_rows=duplicates)


def _write(valid: list[ValidRow], people: dict[str, tuple[int, str]], *, court_id: int,
           agency: str, import_id: int, actor_id: int, now: datetime) -> None:
    """Insert the persons, complaints and claims of a validated file in one transaction."""
    new_people: dict[str, dict] = {}
    for r in valid:
        if r.resident_id not in people and r.resident_id not in new_people:
            new_people[r.resident_id] = {"name": r.name, "resident_id": r.resident_id,
                                         "phone": r.phone, "created_at": now}
    if new_people:
        # RETURNING the natural key too: no need for ordered RETURNING, which would make
        # SQLAlchemy fall back to one INSERT per row on SQLite.
        inserted = db.session.execute(
            insert(Person).returning(Person.id, Person.resident_id), list(new_people.values()))
        for pid, resident_id in inserted:
            people[resident_id] = (pid, new_people[resident_id]["name"])

    channel = channel_for(agency).value
    used: set[str] = set()
    complaint_params = []
    for r in valid:
        receipt = new_receipt_no(now)
        while receipt in used:
            receipt = new_receipt_no(now)
        used.add(receipt)
        complaint_params.append({
            "receipt_no": receipt, "court_id": court_id, "project_id": r.project.id,
            "filed_by_id": actor_id, "claimant_person_id": people[r.resident_id][0],
            "respondent_developer_id": r.project.developer_id, "unit": r.unit,
            "dispute_type": r.dispute_type, "channel": channel,
            "facts": r.facts, "external_ref": r.external_ref, "referred_on": r.received_on,
            "status": ComplaintStatus.SUBMITTED.value, "duplicate_of_id": r.duplicate_of_id,
            "referral_import_id": import_id, "submitted_at": now,
        })
    id_of_receipt = dict((receipt, cid) for cid, receipt in db.session.execute(
        insert(Complaint).returning(Complaint.id, Complaint.receipt_no), complaint_params))
    id_of_row = {r.row: id_of_receipt[p["receipt_no"]] for r, p in zip(valid, complaint_params)}
    in_file = [{"id": id_of_row[r.row], "duplicate_of_id": id_of_row[r.duplicate_of_row]}
               for r in valid if r.duplicate_of_row]
    if in_file:
        db.session.execute(update(Complaint), in_file)
    claims = [{"complaint_id": id_of_row[r.row], "kind": REFERRAL_CLAIM_KIND, "amount_fen": r.claim_fen}
              for r in valid if r.claim_fen]
    if claims:
        db.session.execute(insert(ComplaintClaim), claims)


# --- Reading imports back ----------------------------------------------------------------


def visible_imports(user: User):
    """A ``select(ReferralImport)`` of the imports ``user`` may see: their court's."""
    query = select(ReferralImport)
    if user.role in ("judge", "admin") and user.court_id is not None:
        return query.where(ReferralImport.court_id == user.court_id)
    return query.where(ReferralImport.id.is_(None))


def get_import(import_id: int, *, actor: User) -> ReferralImport:
    """The import, if ``actor`` may see it (their court's); NotFoundError otherwise."""
    record = db.session.scalar(visible_imports(actor).where(ReferralImport.id == import_id))
    if record is None:
        raise NotFoundError("没有这次导入")
    return record


def list_imports(*, actor: User, limit: int = 100) -> list[ReferralImport]:
    return db.session.scalars(
        visible_imports(actor).order_by(ReferralImport.created_at.desc(), ReferralImport.id.desc())
        .limit(limit)).all()


def imported_complaints(record: ReferralImport, limit: int = 200) -> list[Complaint]:
    return db.session.scalars(
        select(Complaint)
        .options(joinedload(Complaint.claimant_person), joinedload(Complaint.project),
                 joinedload(Complaint.duplicate_of))
        .where(Complaint.referral_import_id == record.id)
        .order_by(Complaint.id).limit(limit)).all()


def is_interrupted(record: ReferralImport, now: datetime) -> bool:
    """Still "validating" long after it started: the worker running it was stopped."""
    return record.status == "validating" and record.created_at < now - STALE_AFTER


def report_errors(record: ReferralImport) -> list[dict]:
    return [e for e in record.errors or [] if e.get("kind", "error") == "error"]


def report_notes(record: ReferralImport) -> list[dict]:
    return [e for e in record.errors or [] if e.get("kind", "error") != "error"]


# --- Agency tasks (九龙治水: each agency a task with an owner and a deadline) -------------


def _managed_case(case_id: int, actor: User) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can_manage_case(actor, case):
        # Someone else's case is reported as missing: its existence is not shown.
        raise NotFoundError("没有这个案件")
    return case


def _text(value: str | None, field_name: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(f"请填写{label}", field_name)
    if len(text) > limit:
        raise ServiceError(f"{label}不能超过{limit}个字符", field_name)
    return text


def create_agency_task(case_id: int, *, actor: User, now: datetime, agency: str, owner_name: str,
                       description: str, due_on: date | None) -> AgencyTask:
    """Give an agency a task on a case, with the person responsible and a deadline."""
    case = _managed_case(case_id, actor)
    if case.status == "closed":
        raise ServiceError("案件已结案归档，不能再布置部门任务")
    if agency not in AGENCIES:
        raise ServiceError("请选择承办部门", "agency")
    owner = _text(owner_name, "owner_name", "责任人", 50)
    text = _text(description, "description", "任务内容", 2000)
    if due_on is None:
        raise ServiceError("请填写办理期限", "due_on")
    if due_on < court_date(now):
        raise ServiceError("办理期限不能早于今天", "due_on")
    task = AgencyTask(case_id=case.id, agency=agency, owner_name=owner, description=text,
                      due_on=due_on, status="open", created_by_id=actor.id, created_at=now)
    db.session.add(task)
    db.session.commit()
    return task


def _close_task(task_id: int, *, actor: User, now: datetime, status: str, result: str) -> AgencyTask:
    task = db.session.get(AgencyTask, task_id)
    if task is None:
        raise NotFoundError("没有这个任务")
    _managed_case(task.case_id, actor)
    # Compare-and-set: of two judges clicking at once, only one closes the task.
    changed = db.session.execute(
        update(AgencyTask).where(AgencyTask.id == task_id, AgencyTask.status == "open")
        .values(status=status, result=result, completed_at=now if status == "done" else None)
    ).rowcount
    if not changed:
        db.session.rollback()
        raise ConflictError("该任务已办结或已撤销")
    db.session.commit()
    db.session.refresh(task)
    return task


def complete_agency_task(task_id: int, *, actor: User, now: datetime, result: str) -> AgencyTask:
    """Record what the agency did; the task is done."""
    text = _text(result, "result", "办理结果", 2000)
    return _close_task(task_id, actor=actor, now=now, status="done", result=text)


def cancel_agency_task(task_id: int, *, actor: User, now: datetime, reason: str) -> AgencyTask:
    """Withdraw a task that is no longer needed, with the reason."""
    text = _text(reason, "result", "撤销理由", 2000)
    return _close_task(task_id, actor=actor, now=now, status="cancelled", result=text)


def is_overdue(task: AgencyTask, today: date) -> bool:
    """Open past its deadline (the court's date, Asia/Shanghai)."""
    return task.status == "open" and task.due_on < today


@dataclass
class TaskView:
    task: AgencyTask
    overdue: bool = field(default=False)


def agency_tasks(case_id: int, *, now: datetime) -> list[TaskView]:
    """The tasks of a case, open ones first by deadline, each marked overdue or not."""
    today = court_date(now)
    tasks = db.session.scalars(
        select(AgencyTask).where(AgencyTask.case_id == case_id)
        .order_by((AgencyTask.status != "open"), AgencyTask.due_on, AgencyTask.id)).all()
    return [TaskView(t, is_overdue(t, today)) for t in tasks]
