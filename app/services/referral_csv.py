"""The referral spreadsheet: its columns, reading it, and checking each row.

Agencies hand the court their real-estate complaints as a CSV file; the import use-cases
(``app.services.referrals``) read it with these functions. Everything here is about one
file and one row; only ``CourtProjects`` reads the database (the court's projects, once
per import).

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
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.extensions import db
from app.models import Project
from mediation.amounts import MAX_CLAIM_FEN  # claims above it are a typo (fen for yuan…)
from mediation.disputes import DisputeType
from mediation.identifiers import InvalidIdentifierError, validate_phone, validate_resident_id
from app.services.errors import message_of
from mediation.messages import Msg

__all__ = [
    "COLUMNS", "COLUMN_BY_FIELD", "FIELD_HEADERS", "MAX_ROWS", "Column", "CourtProjects",
    "FileFormatError", "ProjectRef", "RawRow", "ValidRow", "decode_csv", "errors_csv",
    "neutralise_cell", "parse_day", "parse_yuan", "read_rows", "shorten", "template_csv",
    "validate_row",
]

#: More rows than this belong in several files (and keep one transaction reasonable).
MAX_ROWS = 50_000


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
        raise FileFormatError(Msg("这是Excel工作簿文件，请在Excel中“另存为”CSV（逗号分隔）后再上传",
                                  "This is an Excel workbook; in Excel use “Save as” CSV (comma-separated) and upload that"))
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
    raise FileFormatError(Msg("无法识别文件编码，请另存为UTF-8或GBK编码的CSV文件",
                              "The file's encoding is not recognised; save it as a CSV file in UTF-8 or GBK"))


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
            raise FileFormatError(Msg("文件是空的：第1行应为标题行（姓名、身份证号……）",
                                      "The file is empty: row 1 is the header row (name, resident ID …)"), row=1)
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            name = _HEADER_LOOKUP.get(_norm_header(cell))
            if name is None:
                continue
            if name in positions:
                raise FileFormatError(
                    Msg("第1行：“{header}”列出现了两次",
                        "Row 1: the column “{header}” appears twice",
                        header=COLUMN_BY_FIELD[name].header), field=name, row=1)
            positions[name] = index
        missing = [c.header for c in COLUMNS if c.required and c.field not in positions]
        if missing:
            raise FileFormatError(
                Msg("第1行：缺少必填列{columns}，请使用导入模板的标题行",
                    "Row 1: required columns {columns} are missing; use the template's header row",
                    columns="、".join(f"“{m}”" for m in missing)), row=1)
        rows: list[RawRow] = []
        for number, cells in enumerate(reader, start=2):
            if len(rows) >= MAX_ROWS:
                raise FileFormatError(Msg("文件超过{max_rows:,}行，请拆分为几个文件分别导入",
                                          "The file has more than {max_rows:,} rows; split it into several files",
                                          max_rows=MAX_ROWS))
            if not any(cell.strip() for cell in cells):
                continue
            values = {name: (cells[i].strip() if i < len(cells) else "")
                      for name, i in positions.items()}
            extra = sum(1 for cell in cells[len(header):] if cell.strip())
            rows.append(RawRow(number, values, extra))
    except csv.Error as error:
        raise FileFormatError(Msg("CSV格式错误（{error}），请用Excel重新另存为CSV",
                                  "Malformed CSV ({error}); save it again as CSV from Excel",
                                  error=error)) from None
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


def shorten(value: str, limit: int = 30) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def parse_yuan(text: str) -> int:
    """Yuan typed by a person ("1,234.5", "￥800") → fen, exactly; ValueError with Chinese."""
    cleaned = re.sub(r"[\s,，¥￥]|元$", "", text)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(Msg("诉求金额“{text}”不是数字",
                             "The claimed amount “{text}” is not a number",
                             text=shorten(text))) from None
    if not amount.is_finite():
        raise ValueError(Msg("诉求金额“{text}”不是数字",
                             "The claimed amount “{text}” is not a number", text=shorten(text)))
    if amount < 0:
        raise ValueError(Msg("诉求金额不能为负数", "The claimed amount cannot be negative"))
    # Excel may write big numbers as 1.2E+05; an exponent beyond any claim ("1e999999999")
    # would make the exact arithmetic below fail for the whole file: it is this row's error.
    if amount and amount.adjusted() > len(str(MAX_CLAIM_FEN)):
        raise ValueError(Msg("诉求金额过大，请核对单位是否为元",
                             "The claimed amount is too large; check that it is in yuan"))
    if amount.as_tuple().exponent < -2 and amount.adjusted() < -2:
        raise ValueError(Msg("诉求金额最多保留两位小数（元、角、分）",
                             "The claimed amount has at most two decimals (yuan, jiao, fen)"))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(Msg("诉求金额最多保留两位小数（元、角、分）",
                             "The claimed amount has at most two decimals (yuan, jiao, fen)"))
    fen = int(amount * 100)
    if fen > MAX_CLAIM_FEN:
        raise ValueError(Msg("诉求金额过大，请核对单位是否为元",
                             "The claimed amount is too large; check that it is in yuan"))
    return fen


def parse_day(text: str) -> date:
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        raise ValueError(Msg("来件日期“{text}”应写成2026-11-27",
                             "Write the date received “{text}” as 2026-11-27", text=shorten(text)))
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(Msg("来件日期“{text}”不是有效日期",
                             "The date received “{text}” is no valid date",
                             text=shorten(text))) from None


def _dispute_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for member in DisputeType:
        names = {member.value, member.label_zh, member.label_en, *member.label_zh.split("/")}
        for name in names:
            lookup[_norm_header(name)] = member.value
    return lookup


_DISPUTES = _dispute_lookup()


class CourtProjects:
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
            raise ValueError(Msg("项目名称“{text}”对应多个项目，请改填项目编号",
                                 "The project name “{text}” matches several projects; give the project id instead",
                                 text=shorten(text)))
        raise ValueError(Msg("本院没有名为“{text}”的项目（可填项目名称或项目编号）",
                             "This court has no project named “{text}” (give the project's name or id)",
                             text=shorten(text)))


def validate_row(raw: RawRow, projects: CourtProjects, today: date) -> tuple[ValidRow | None, list[dict]]:
    """Check one row; return the clean row, or None and its errors."""
    errors: list[dict] = []

    def err(field_name: str, message: str) -> None:
        errors.append({"row": raw.row, "field": field_name, "message": Msg("第{row}行：{message}",
                                                                           "Row {row}: {message}",
                                                                           row=raw.row, message=message),
                       "kind": "error"})

    values = raw.values
    if raw.extra_cells:
        err("file", Msg("本行的单元格多于标题行，可能是内容中有未加引号的逗号，请用Excel另存为CSV",
                        "This row has more cells than the header row, perhaps an unquoted comma in a cell; save it again as CSV from Excel"))
    for column in COLUMNS:
        value = values.get(column.field, "")
        if column.required and not value:
            err(column.field, Msg("请填写“{header}”",
                                  "Please fill in “{header}”", header=column.header))
        elif len(value) > column.max_length:
            err(column.field, Msg("“{header}”不能超过{max_length}个字符",
                                  "“{header}” has at most {max_length} characters",
                                  header=column.header, max_length=column.max_length))

    def check(field_name: str, fn):
        value = values.get(field_name, "")
        if not value or any(e["field"] == field_name for e in errors):
            return None
        try:
            return fn(value)
        except InvalidIdentifierError as error:
            err(field_name, error.message)
        except ValueError as error:
            err(field_name, message_of(error))
        return None

    resident_id = check("resident_id", lambda v: validate_resident_id(v, today=today))
    phone = check("phone", validate_phone)
    project = check("project", projects.resolve)

    def dispute(value: str) -> str:
        code = _DISPUTES.get(_norm_header(value))
        if code is None:
            raise ValueError(Msg("纠纷类型“{value}”无法识别（可填：{choices}）",
                                 "Unknown dispute type “{value}” (write one of: {choices})",
                                 value=shorten(value),
                                 choices="、".join(m.label_zh for m in DisputeType)))
        return code

    dispute_type = check("dispute_type", dispute)
    claim_fen = check("claim_yuan", parse_yuan) or 0

    def received(value: str) -> date:
        day = parse_day(value)
        if day > today:
            raise ValueError(Msg("来件日期晚于今天，请核对",
                                 "The date received is after today; please check it"))
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
