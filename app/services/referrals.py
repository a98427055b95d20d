"""Referrals from other agencies: an agency's spreadsheet becomes complaints in triage.

"Nine dragons governing the water" (九龙治水, docs/court-rules.md) ends at one door: the housing
bureau, the petition office, the 12345 hotline and the other agencies hand the real-estate
complaints they received to the circuit court as a spreadsheet, and a court clerk or judge
imports it. Every row becomes a complaint waiting in the judge's triage — or, when any row
is wrong, nothing at all is imported and the clerk gets a per-row report to fix the file.

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

The file format and the per-row checks are ``app.services.referral_csv``; the tasks the
court gives agencies on a case are ``app.services.agency_tasks``.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.access import Permission, can
from app.extensions import db
from app.models import Complaint, ComplaintClaim, Person, ReferralImport, Role, User
from app.models.referrals import AGENCIES
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.receipts import new_receipt_no
from app.services.referral_csv import (
    CourtProjects, FileFormatError, ValidRow, decode_csv, read_rows, shorten, validate_row,
)
from app.services.use_case import use_case
from mediation.disputes import Channel, ComplaintStatus
from mediation.duplicates import DUPLICATE_WINDOW, FiledComplaint, find_duplicate
from mediation.lifecycle import court_date
from mediation.messages import Msg

#: Rows validated between two progress reports (and two commits of the counters).
CHUNK = 100
#: A referral file larger than this is refused (about 30,000 rows of typical length).
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Errors and notes kept on the import row; the rest are counted in a closing line.
MAX_REPORTED = 500
#: The claim kind of an imported complaint's amount (agencies do not itemise claims).
REFERRAL_CLAIM_KIND = "转办诉求金额"
#: A running import not finished after this long was interrupted (a worker restart);
#: its single transaction was rolled back, so nothing of it was imported.
STALE_AFTER = timedelta(minutes=30)

#: The complaint channel of each referring agency (docs/court-rules.md §1: one door, any channel).
AGENCY_CHANNELS = {
    "housing_bureau": Channel.REFERRAL_HOUSING,
    "petition_office": Channel.REFERRAL_PETITION,
    "hotline_12345": Channel.HOTLINE_12345,
}


def channel_for(agency: str) -> Channel:
    return AGENCY_CHANNELS.get(agency, Channel.REFERRAL_OTHER)


# --- The use-cases -----------------------------------------------------------------------


def _clean_filename(filename: str | None) -> str:
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or "referrals.csv")[:200]


def _importer_court(actor: User, court_id: int | None) -> int:
    if actor.role not in (Role.JUDGE, Role.ADMIN):
        raise ForbiddenError(Msg("只有法官或书记员可以导入转办件", "Only a judge or clerk can import referrals"))
    if actor.court_id is None and court_id is None:
        raise ForbiddenError(Msg("您的账号未关联法院，不能导入转办件",
                                 "Your account is not linked to a court; you cannot import referrals"))
    if actor.court_id is not None and court_id is not None and court_id != actor.court_id:
        raise ForbiddenError(Msg("只能导入本院的转办件", "Only this court's referrals can be imported"))
    return actor.court_id if actor.court_id is not None else court_id


@use_case
def start_referral_import(*, filename: str, agency: str, actor: User, now: datetime,
                          court_id: int | None = None) -> ReferralImport:
    """Record a new import (status ``validating``) so its progress can be followed."""
    court = _importer_court(actor, court_id)
    if agency not in AGENCIES:
        raise ServiceError(Msg("请选择转办部门", "Please choose the referring department"), "agency")
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
                                      "message": Msg("另有{rest}条未列出", "{rest} more not listed", rest=rest)}]


def _storable(entries: list[dict]) -> list[dict]:
    """The entries as JSON keeps them: a message's English goes in ``message_en``."""
    return [{**e, "message": str(e["message"]), "message_en": e["message"].en}
            if isinstance(e.get("message"), Msg) else e for e in entries]


def _shown(entry: dict) -> dict:
    """A stored entry whose message speaks both languages again (the page localizes it)."""
    if "message_en" not in entry:
        return entry
    return {**entry, "message": Msg(entry["message"], entry["message_en"])}


def _finish(record_id: int, *, status: str, now: datetime, errors: list[dict], **counts) -> ReferralImport:
    db.session.execute(
        update(ReferralImport).where(ReferralImport.id == record_id)
        .values(status=status, errors=_storable(_capped(errors)), finished_at=now, **counts))
    db.session.commit()
    return db.session.get(ReferralImport, record_id)


@use_case
def fail_import(import_id: int, *, now: datetime, message: str) -> None:
    """Mark an import that could not run to its end as failed (nothing was imported)."""
    db.session.rollback()
    db.session.execute(
        update(ReferralImport)
        .where(ReferralImport.id == import_id, ReferralImport.status == "validating")
        .values(status="failed", finished_at=now, imported_rows=0,
                errors=_storable([{"row": None, "field": "file", "kind": "error", "message": message}])))
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


@use_case
def run_referral_import(import_id: int, data: bytes, *, actor: User, now: datetime,
                        progress: Callable[[int, int], None] | None = None) -> ReferralImport:
    """Do the work of an import recorded by :func:`start_referral_import`."""
    record = db.session.get(ReferralImport, import_id)
    if record is None:
        raise NotFoundError(Msg("没有这次导入", "No such import"))
    if record.status != "validating" or record.processed_rows:
        raise ConflictError(Msg("这次导入已经处理过了", "This import was already processed"))
    court_id, agency = record.court_id, record.agency
    try:
        rows, _ = read_rows(decode_csv(data))
        if not rows:
            raise FileFormatError(Msg("文件中没有数据行（第2行起每行一件投诉）",
                                      "The file has no data rows (one complaint per row from row 2)"))
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
    projects = CourtProjects(court_id)
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
                              "message": Msg("第{row}行：与已收到的投诉{r}"
                                             "可能重复（同一人、同一项目、同一纠纷类型，30日内），已标记，请法官在分流时合并",
                                             "Row {row}: possibly the same as complaint {r} already received "
                                             "(same person, project and dispute type, within 30 days); marked "
                                             "for the judge to merge at triage",
                                             row=clean.row, r=receipts[stored.id])})
            elif in_file is not None:
                clean.duplicate_of_row = row_of_key[in_file.id]
                notes.append({"row": clean.row, "field": "resident_id", "kind": "duplicate",
                              "message": Msg("第{row}行：与本文件第{other}行"
                                             "可能重复（同一人、同一项目、同一纠纷类型），已标记，请法官在分流时合并",
                                             "Row {row}: possibly the same as row {other} of this file (same "
                                             "person, project and dispute type); marked for the judge to merge "
                                             "at triage", row=clean.row, other=clean.duplicate_of_row)})
            placeholder = -clean.row
            row_of_key[placeholder] = clean.row
            earlier.setdefault(key, []).append(
                FiledComplaint(placeholder, clean.resident_id, clean.project.id, clean.dispute_type, now))
            known = people.get(clean.resident_id)
            if known is not None and known[1] != clean.name:
                notes.append({"row": clean.row, "field": "name", "kind": "note",
                              "message": Msg("第{row}行：该身份证号已登记的姓名为“{known}”，"
                                             "与本行“{name}”不一致，已按身份证号关联，请核对",
                                             "Row {row}: this resident ID is registered as “{known}”, not "
                                             "“{name}” as in this row; linked by the ID, please check",
                                             row=clean.row, known=known[1], name=shorten(clean.name))})
            elif clean.resident_id in first_name_row and first_name_row[clean.resident_id][0] != clean.name:
                notes.append({"row": clean.row, "field": "name", "kind": "note",
                              "message": Msg("第{row}行：与第{other}行身份证号相同但姓名不同，请核对",
                                             "Row {row}: same resident ID as row {other} but another name; "
                                             "please check", row=clean.row,
                                             other=first_name_row[clean.resident_id][1])})
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
            "message": Msg("导入时与同时进行的其他登记冲突，未导入任何投诉，请重新上传",
                           "The import clashed with another registration at the same time; nothing "
                           "was imported, please upload again")}])
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
    if can(user, Permission.REFERRALS_IMPORT):
        return query.where(ReferralImport.court_id == user.court_id)
    return query.where(ReferralImport.id.is_(None))


def get_import(import_id: int, *, actor: User) -> ReferralImport:
    """The import, if ``actor`` may see it (their court's); NotFoundError otherwise."""
    record = db.session.scalar(visible_imports(actor).where(ReferralImport.id == import_id))
    if record is None:
        raise NotFoundError(Msg("没有这次导入", "No such import"))
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
    return [_shown(e) for e in record.errors or [] if e.get("kind", "error") == "error"]


def report_notes(record: ReferralImport) -> list[dict]:
    return [_shown(e) for e in record.errors or [] if e.get("kind", "error") != "error"]
