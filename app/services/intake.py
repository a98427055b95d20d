"""Intake: a complaint is taken once (一站式受理), from a homeowner, a group, or a developer.

- A homeowner files against the project's developer (:func:`file_complaint`).
- A developer files its own dispute against a buyer (e.g. payment default), naming the
  buyer by resident ID and name (:func:`file_complaint` with ``respondent_*``).
- A homeowner files for neighbours (代为申请, :func:`file_group_complaint`): the filer's
  own complaint exists at once; each neighbour's exists only after they confirm with their
  one-time code (:func:`confirm_group_membership`), so nobody becomes a claimant without
  consent.
- The developer answers a complaint against it (答辩/回应, :func:`respond_to_complaint`).

Every use-case validates everything first and reports every invalid field at once
(``ServiceError.errors``), then commits once; evidence files reach the disk only after
validation and are removed if the commit fails.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import (
    Complaint, ComplaintClaim, ComplaintResponse, Developer, GroupFiling,
    GroupFilingMember, Person, Project, User,
)
from app.models.types import contains_pattern
from app.services import evidence
from app.services.errors import ForbiddenError, NotFoundError, ServiceError
from app.services.receipts import ALPHABET as RECEIPT_ALPHABET, new_receipt_no
from mediation.amounts import MAX_CLAIM_FEN
from mediation.disputes import Channel, DisputeType
from mediation.duplicates import DUPLICATE_WINDOW, FiledComplaint, find_duplicate
from mediation.identifiers import InvalidIdentifierError, validate_phone, validate_resident_id
from mediation.lifecycle import court_date


#: Limits of a filing. Facts: a few pages of typing on a phone is plenty; the form says so.
FACTS_MAX = 5000
UNIT_MAX = 64
CLAIM_KIND_MAX = 100
#: A complaint asks for a handful of things (damages, refund, repair, costs…).
MAX_CLAIMS = 10
NAME_MAX = 50
RESPONSE_MAX = 5000
#: Neighbours one homeowner can name in one group filing (a building's floor or two);
#: larger groups are gathered by the court from individual complaints.
MAX_GROUP_MEMBERS = 50
#: Confirmation codes: 10 characters of the receipt alphabet (31¹⁰ ≈ 8×10¹⁴), only their
#: SHA-256 stored; a code also only works for the person whose resident ID it was issued to.
CODE_LENGTH = 10

INVALID_INPUT = "请修改标出的内容后再提交"

#: The claim a neighbour's complaint carries, by dispute type (the group filing names one amount).
DEFAULT_CLAIM_KIND = {
    "late_delivery": "逾期交房违约金",
    "title_delay": "逾期办证违约金",
    "quality": "维修费用及损失赔偿",
    "area": "面积差价款",
    "rescission": "退还购房款及利息",
    "advertising": "虚假宣传损失赔偿",
    "presale_funds": "预售资金相关损失",
    "stalled": "停工损失赔偿",
    "property_mgmt": "物业服务纠纷赔偿",
    "other": "其他请求",
}


# --- validation helpers ---------------------------------------------------------------


def _err(errors: list, field: str, message: str) -> None:
    errors.append({"field": field, "message": message})


def _text(value) -> str:
    return "" if value is None else str(value).strip()


#: Row ids are 32-bit integers on PostgreSQL; anything outside cannot name a row.
_MAX_ID = 2**31 - 1


def _int_id(value) -> int | None:
    """A positive row id from an int or a digit string, else None (never an exception)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = _text(value)
        if not (text.isascii() and text.isdigit() and len(text) <= 10):
            return None
        number = int(text)
    return number if 0 < number <= _MAX_ID else None


def _check_amount(errors: list, field: str, value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        _err(errors, field, "金额应为以分计的整数")
        return None
    if value < 0:
        _err(errors, field, "金额不能为负数")
        return None
    if value > MAX_CLAIM_FEN:
        _err(errors, field, "金额超出合理范围，请核对")
        return None
    return value


def _check_dispute_type(errors: list, value) -> str | None:
    code = _text(value)
    if not code:
        _err(errors, "dispute_type", "请选择纠纷类型")
        return None
    try:
        return DisputeType(code).value
    except ValueError:
        _err(errors, "dispute_type", "纠纷类型无效，请重新选择")
        return None


def _check_facts(errors: list, value) -> str:
    # A browser sends a textarea's line breaks as CR LF but counts them as one character;
    # so does the limit here, and the text is kept with plain line feeds.
    facts = _text(value).replace("\r\n", "\n")
    if not facts:
        _err(errors, "facts", "请填写事实与理由")
    elif len(facts) > FACTS_MAX:
        _err(errors, "facts", f"事实与理由不能超过{FACTS_MAX}字（当前{len(facts)}字）")
    return facts


def _check_unit(errors: list, value, field: str = "unit") -> str | None:
    unit = _text(value)
    if len(unit) > UNIT_MAX:
        _err(errors, field, f"房号不能超过{UNIT_MAX}字")
    return unit or None


def _check_project(errors: list, value, *, developer_id: int | None = None) -> Project | None:
    project_id = _int_id(value)
    project = db.session.get(Project, project_id) if project_id is not None else None
    if project is None:
        _err(errors, "project_id", "请选择楼盘项目" if _text(value) == "" else "所选楼盘项目不存在，请重新选择")
        return None
    if developer_id is not None and project.developer_id != developer_id:
        _err(errors, "project_id", "只能就本企业开发的项目提出申请")
        return None
    return project


def _check_claims(errors: list, claims) -> list[tuple[str, int]]:
    result: list[tuple[str, int]] = []
    if claims is None:
        claims = []
    if not isinstance(claims, (list, tuple)):
        _err(errors, "claims", "请求事项格式无效")
        return result
    if not claims:
        _err(errors, "claims", "请至少填写一项请求事项")
        return result
    if len(claims) > MAX_CLAIMS:
        _err(errors, "claims", f"请求事项最多{MAX_CLAIMS}项")
        return result
    for index, claim in enumerate(claims):
        if not isinstance(claim, dict):
            _err(errors, f"claims[{index}]", "请求事项格式无效")
            continue
        kind = _text(claim.get("kind"))
        if not kind:
            _err(errors, f"claims[{index}].kind", "请填写请求事项")
        elif len(kind) > CLAIM_KIND_MAX:
            _err(errors, f"claims[{index}].kind", f"请求事项不能超过{CLAIM_KIND_MAX}字")
        amount = _check_amount(errors, f"claims[{index}].amount_fen", claim.get("amount_fen"))
        if kind and len(kind) <= CLAIM_KIND_MAX and amount is not None:
            result.append((kind, amount))
    return result


def _check_channel(errors: list, value) -> str | None:
    try:
        return Channel(_text(value) or "online").value
    except ValueError:
        _err(errors, "channel", "受理渠道无效")
        return None


def _check_name(errors: list, field: str, value) -> str:
    name = _text(value)
    if not name:
        _err(errors, field, "请填写姓名")
    elif len(name) > NAME_MAX:
        _err(errors, field, f"姓名不能超过{NAME_MAX}字")
    return name


def _check_resident_id(errors: list, field: str, value, now: datetime) -> str | None:
    try:
        return validate_resident_id(value, field=field, today=court_date(now))
    except InvalidIdentifierError as error:
        _err(errors, field, error.message)
        return None


# --- filing ---------------------------------------------------------------------------


@dataclass
class _Checked:
    """A filing that passed validation: everything needed to save it."""

    project: Project
    dispute_type: str
    facts: str
    unit: str | None
    channel: str
    claims: list[tuple[str, int]]
    files: list[evidence.PreparedFile]
    claimant_person: Person | None = None
    claimant_developer_id: int | None = None
    respondent_developer_id: int | None = None
    respondent_person: Person | None = None
    new_respondent: Person | None = None
    respondent_name: str | None = None


def _check_filing(*, actor: User, now: datetime, project_id, unit, dispute_type, facts, claims,
                  channel, files, respondent_resident_id, respondent_name):
    """Validate a filing; return (errors, checked-or-None). Reads only, never writes."""
    errors: list[dict] = []
    if actor.role not in ("homeowner", "developer"):
        raise ForbiddenError("只有业主或开发企业可以提交调解申请")
    if actor.role == "homeowner" and actor.person_id is None:
        raise ForbiddenError("账号未关联当事人信息，请到窗口办理")
    developer_id = actor.developer_id if actor.role == "developer" else None
    project = _check_project(errors, project_id, developer_id=developer_id)
    unit_text = _check_unit(errors, unit)
    code = _check_dispute_type(errors, dispute_type)
    facts_text = _check_facts(errors, facts)
    claim_list = _check_claims(errors, claims)
    channel_code = _check_channel(errors, channel)

    respondent = new_respondent = None
    if actor.role == "developer":
        name = _check_name(errors, "respondent_name", respondent_name)
        resident_id = _check_resident_id(errors, "respondent_resident_id",
                                         respondent_resident_id, now)
        if resident_id and name and len(name) <= NAME_MAX:
            # Only the format and check digit are the filer's business. Whether the court's
            # register knows this ID, and under which name, is not: answering "name and ID
            # disagree" would let an opposing party probe the register (issue 13). The
            # complaint keeps the name as typed; the judge sees both at triage.
            respondent = db.session.scalar(select(Person).where(Person.resident_id == resident_id))
            if respondent is None:
                new_respondent = Person(name=name, resident_id=resident_id, created_at=now)

    prepared, file_errors = evidence.prepare_files(files)
    errors.extend(file_errors)
    if errors:
        return errors, None
    checked = _Checked(project=project, dispute_type=code, facts=facts_text, unit=unit_text,
                       channel=channel_code, claims=claim_list, files=prepared)
    if actor.role == "homeowner":
        checked.claimant_person = db.session.get(Person, actor.person_id)
        checked.respondent_developer_id = project.developer_id
    else:
        checked.claimant_developer_id = actor.developer_id
        checked.respondent_person = respondent
        checked.new_respondent = new_respondent
        checked.respondent_name = name
    return errors, checked


def complaint_errors(*, actor: User, now: datetime, project_id, unit, dispute_type, facts,
                     claims, channel="online", files=(), respondent_resident_id=None,
                     respondent_name=None) -> list[dict]:
    """Every invalid field of a filing, without saving anything.

    The web form calls this when its own parsing (yuan amounts) already failed, so the
    filer sees all problems at once.
    """
    errors, _ = _check_filing(
        actor=actor, now=now, project_id=project_id, unit=unit, dispute_type=dispute_type,
        facts=facts, claims=claims, channel=channel, files=files,
        respondent_resident_id=respondent_resident_id, respondent_name=respondent_name)
    return errors


def _unique_receipt_no(now: datetime) -> str:
    while True:
        receipt = new_receipt_no(now)
        if db.session.scalar(select(Complaint.id).where(Complaint.receipt_no == receipt)) is None:
            return receipt


def _flag_duplicate(complaint: Complaint, claimant_key: str, now: datetime) -> None:
    """Point a likely repeat (same claimant, project and type within 30 days) at the earlier one.

    A developer's filings are repeats only against the same buyer: a company may well have
    many buyers in default on one project.
    """
    if complaint.claimant_person_id is not None:
        claimant = Complaint.claimant_person_id == complaint.claimant_person_id
    else:
        claimant = (Complaint.claimant_developer_id == complaint.claimant_developer_id) \
            & (Complaint.respondent_person_id == complaint.respondent_person_id)
    rows = db.session.execute(
        select(Complaint.id, Complaint.project_id, Complaint.dispute_type, Complaint.submitted_at)
        .where(claimant, Complaint.project_id == complaint.project_id,
               Complaint.dispute_type == complaint.dispute_type,
               Complaint.submitted_at >= now - DUPLICATE_WINDOW,
               Complaint.submitted_at <= now + DUPLICATE_WINDOW)
    ).all()
    new = FiledComplaint(None, claimant_key, complaint.project_id, complaint.dispute_type, now)
    earlier = [FiledComplaint(r.id, claimant_key, r.project_id, r.dispute_type, r.submitted_at)
               for r in rows]
    found = find_duplicate(new, earlier)
    complaint.duplicate_of_id = found.id if found else None


def _new_complaint(checked: _Checked, *, actor: User, now: datetime,
                   group_filing_id: int | None = None) -> Complaint:
    complaint = Complaint(
        receipt_no=_unique_receipt_no(now), court_id=checked.project.court_id,
        project_id=checked.project.id, filed_by_id=actor.id,
        claimant_person_id=checked.claimant_person.id if checked.claimant_person else None,
        claimant_developer_id=checked.claimant_developer_id,
        respondent_developer_id=checked.respondent_developer_id,
        respondent_person_id=checked.respondent_person.id if checked.respondent_person else None,
        respondent_name=checked.respondent_name,
        unit=checked.unit, dispute_type=checked.dispute_type, channel=checked.channel,
        facts=checked.facts, status="submitted", submitted_at=now,
        group_filing_id=group_filing_id,
        claims=[ComplaintClaim(kind=kind, amount_fen=amount) for kind, amount in checked.claims],
    )
    if checked.claimant_person is not None:
        key = checked.claimant_person.resident_id
    else:
        key = db.session.get(Developer, checked.claimant_developer_id).uscc
    _flag_duplicate(complaint, key, now)
    return complaint


def file_complaint(*, actor: User, now: datetime, project_id, unit, dispute_type, facts, claims,
                   channel="online", files=(), respondent_resident_id=None,
                   respondent_name=None) -> Complaint:
    """File one complaint (with its claims in fen and its evidence) and return it.

    Homeowner: the actor's person claims against the project's developer. Developer: the
    company claims against the buyer named by ``respondent_resident_id`` and
    ``respondent_name``, on one of its own projects. Raises ServiceError listing every
    invalid field; nothing is saved then.
    """
    errors, checked = _check_filing(
        actor=actor, now=now, project_id=project_id, unit=unit, dispute_type=dispute_type,
        facts=facts, claims=claims, channel=channel, files=files,
        respondent_resident_id=respondent_resident_id, respondent_name=respondent_name)
    if errors:
        raise ServiceError(INVALID_INPUT, errors=errors)
    try:
        if checked.new_respondent is not None:
            db.session.add(checked.new_respondent)
            db.session.flush()
            checked.respondent_person = checked.new_respondent
        complaint = _new_complaint(checked, actor=actor, now=now)
        complaint.attachments = evidence.attachment_rows(checked.files, uploaded_by=actor, now=now)
        db.session.add(complaint)
        with evidence.stored_files(checked.files):
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return complaint


# --- group filing ----------------------------------------------------------------------


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_code(code) -> str:
    """Codes are read aloud and typed on phones: ignore case, spaces and hyphens."""
    return "".join(ch for ch in _text(code).upper() if ch not in " -\u3000")


def _new_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(CODE_LENGTH))


def _check_members(errors: list, members, *, filer_resident_id: str, now: datetime) -> list[dict]:
    checked: list[dict] = []
    if not isinstance(members, (list, tuple)) or not members:
        _err(errors, "members", "请至少填写一位邻居的信息")
        return checked
    if len(members) > MAX_GROUP_MEMBERS:
        _err(errors, "members", f"一次最多代{MAX_GROUP_MEMBERS}位邻居申请")
        return checked
    seen: set[str] = set()
    for index, member in enumerate(members):
        prefix = f"members[{index}]"
        if not isinstance(member, dict):
            _err(errors, prefix, "邻居信息格式无效")
            continue
        before = len(errors)
        name = _check_name(errors, f"{prefix}.name", member.get("name"))
        resident_id = _check_resident_id(errors, f"{prefix}.resident_id",
                                         member.get("resident_id"), now)
        if resident_id is not None:
            if resident_id == filer_resident_id:
                _err(errors, f"{prefix}.resident_id", "这是您本人的身份证号，本人无需列入邻居名单")
            elif resident_id in seen:
                _err(errors, f"{prefix}.resident_id", "名单中该身份证号重复")
            seen.add(resident_id)
        phone = _text(member.get("phone"))
        if phone:
            try:
                phone = validate_phone(phone, field=f"{prefix}.phone")
            except InvalidIdentifierError as error:
                _err(errors, f"{prefix}.phone", error.message)
        unit = _check_unit(errors, member.get("unit"), f"{prefix}.unit")
        amount = _check_amount(errors, f"{prefix}.claim_amount_fen",
                               member.get("claim_amount_fen", 0))
        if len(errors) == before:
            checked.append({"name": name, "resident_id": resident_id, "phone": phone or None,
                            "unit": unit, "claim_amount_fen": amount})
    return checked


def _check_group(*, actor, now, project_id, dispute_type, facts, members, unit, claim_amount_fen):
    if actor.role != "homeowner" or actor.person_id is None:
        raise ForbiddenError("只有业主可以代邻居提交群体申请")
    filer = db.session.get(Person, actor.person_id)
    errors: list[dict] = []
    project = _check_project(errors, project_id)
    code = _check_dispute_type(errors, dispute_type)
    facts_text = _check_facts(errors, facts)
    own_unit = _check_unit(errors, unit)
    own_amount = _check_amount(errors, "claim_amount_fen", claim_amount_fen)
    checked_members = _check_members(errors, members, filer_resident_id=filer.resident_id, now=now)
    return errors, (filer, project, code, facts_text, own_unit, own_amount, checked_members)


def group_filing_errors(*, actor: User, now: datetime, project_id, dispute_type, facts, members,
                        unit=None, claim_amount_fen: int = 0) -> list[dict]:
    """Every invalid field of a group filing, without saving anything."""
    errors, _ = _check_group(actor=actor, now=now, project_id=project_id,
                             dispute_type=dispute_type, facts=facts, members=members,
                             unit=unit, claim_amount_fen=claim_amount_fen)
    return errors


def file_group_complaint(*, actor: User, now: datetime, project_id, dispute_type, facts, members,
                         unit=None, claim_amount_fen: int = 0) -> GroupFiling:
    """File for neighbours (代为申请): the filer's own complaint now, theirs on confirmation.

    ``members``: ``[{"name", "resident_id", "phone", "unit", "claim_amount_fen"}]``, the
    neighbours only; ``unit`` and ``claim_amount_fen`` are the filer's own. Returns the
    filing with ``issued_codes`` — ``[(member, code)]``, the one-time confirmation codes
    to hand to each neighbour. They are shown once: only their SHA-256 is stored.
    """
    errors, checked = _check_group(actor=actor, now=now, project_id=project_id,
                                   dispute_type=dispute_type, facts=facts, members=members,
                                   unit=unit, claim_amount_fen=claim_amount_fen)
    if errors:
        raise ServiceError(INVALID_INPUT, errors=errors)
    filer, project, code, facts_text, own_unit, own_amount, checked_members = checked

    try:
        filing = GroupFiling(court_id=project.court_id, project_id=project.id,
                             filed_by_id=actor.id, dispute_type=code, facts=facts_text,
                             created_at=now)
        issued = []
        for data in checked_members:
            plain = _new_code()
            member = GroupFilingMember(confirm_code_sha256=_hash_code(plain), **data)
            filing.members.append(member)
            issued.append((member, plain))
        db.session.add(filing)
        db.session.flush()
        own = _Checked(project=project, dispute_type=code, facts=facts_text, unit=own_unit,
                       channel="online",
                       claims=[(DEFAULT_CLAIM_KIND[code], own_amount)], files=[],
                       claimant_person=filer, respondent_developer_id=project.developer_id)
        db.session.add(_new_complaint(own, actor=actor, now=now, group_filing_id=filing.id))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    filing.issued_codes = issued
    return filing


def _member_for(actor: User, code) -> GroupFilingMember:
    """The open membership this code was issued to, for this very person — or a refusal.

    One message for every failure (unknown code, someone else's code, already used), so
    the page reveals nothing about other people's codes.
    """
    if actor.role != "homeowner" or actor.person_id is None:
        raise ForbiddenError("只有业主本人可以确认")
    refusal = ServiceError("确认码无效、已使用，或不是发给您的", "code")
    plain = normalise_code(code)
    if not plain or len(plain) > 32:
        raise refusal
    member = db.session.scalar(select(GroupFilingMember)
                               .where(GroupFilingMember.confirm_code_sha256 == _hash_code(plain)))
    person = db.session.get(Person, actor.person_id)
    if (member is None or member.confirmed_at is not None or member.declined_at is not None
            or member.resident_id != person.resident_id):
        raise refusal
    return member


def preview_group_membership(*, actor: User, code) -> GroupFilingMember:
    """What the neighbour is asked to join (read only): the filing behind their code."""
    return _member_for(actor, code)


def confirm_group_membership(*, actor: User, now: datetime, code) -> Complaint:
    """The neighbour consents: only now is their complaint created (status submitted)."""
    member = _member_for(actor, code)
    filing = member.filing
    project = db.session.get(Project, filing.project_id)
    person = db.session.get(Person, actor.person_id)
    checked = _Checked(project=project, dispute_type=filing.dispute_type, facts=filing.facts,
                       unit=member.unit, channel="online",
                       claims=[(DEFAULT_CLAIM_KIND.get(filing.dispute_type, "其他请求"),
                                member.claim_amount_fen)],
                       files=[], claimant_person=person,
                       respondent_developer_id=project.developer_id)
    try:
        complaint = _new_complaint(checked, actor=actor, now=now, group_filing_id=filing.id)
        db.session.add(complaint)
        db.session.flush()
        # Claim the membership atomically: a double click creates one complaint, not two.
        claimed = db.session.execute(
            update(GroupFilingMember)
            .where(GroupFilingMember.id == member.id, GroupFilingMember.confirmed_at.is_(None),
                   GroupFilingMember.declined_at.is_(None))
            .values(confirmed_at=now, complaint_id=complaint.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise ServiceError("确认码无效、已使用，或不是发给您的", "code")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return complaint


def decline_group_membership(*, actor: User, now: datetime, code) -> GroupFilingMember:
    """The neighbour does not want to join: no complaint is created, the code is spent."""
    member = _member_for(actor, code)
    try:
        declined = db.session.execute(
            update(GroupFilingMember)
            .where(GroupFilingMember.id == member.id, GroupFilingMember.confirmed_at.is_(None),
                   GroupFilingMember.declined_at.is_(None))
            .values(declined_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if declined != 1:
            raise ServiceError("确认码无效、已使用，或不是发给您的", "code")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    db.session.refresh(member)
    return member


def group_filing_for(actor: User, filing_id: int) -> GroupFiling:
    """A group filing, for the homeowner who filed it only."""
    filing = db.session.get(GroupFiling, filing_id)
    if filing is None or filing.filed_by_id != actor.id:
        raise NotFoundError("群体申请不存在")
    return filing


# --- the developer's answer ----------------------------------------------------------


def may_respond(actor: User, complaint: Complaint) -> bool:
    """Whether ``actor`` may answer ``complaint`` now: staff of the company it is against,
    unless the court turned it down."""
    return (actor.role == "developer" and actor.developer_id is not None
            and complaint.respondent_developer_id == actor.developer_id
            and complaint.status != "rejected")


def respond_to_complaint(*, actor: User, now: datetime, complaint_id, text, files=()) -> ComplaintResponse:
    """Developer staff answer (答辩/回应) a complaint filed against their company."""
    if actor.role != "developer" or actor.developer_id is None:
        raise ForbiddenError("只有被投诉的开发企业可以回应")
    row_id = _int_id(complaint_id)
    complaint = db.session.get(Complaint, row_id) if row_id else None
    if complaint is None or complaint.respondent_developer_id != actor.developer_id:
        raise NotFoundError("投诉不存在")
    errors: list[dict] = []
    body = _text(text)
    if not body:
        _err(errors, "text", "请填写回应内容")
    elif len(body) > RESPONSE_MAX:
        _err(errors, "text", f"回应内容不能超过{RESPONSE_MAX}字（当前{len(body)}字）")
    if complaint.status == "rejected":
        _err(errors, "text", "该投诉已不予受理，无需回应")
    prepared, file_errors = evidence.prepare_files(files, max_count=evidence.MAX_FILES_PER_RESPONSE)
    errors.extend(file_errors)
    if errors:
        raise ServiceError(INVALID_INPUT, errors=errors)
    try:
        response = ComplaintResponse(complaint_id=complaint.id, developer_id=actor.developer_id,
                                     author_id=actor.id, text=body, created_at=now)
        response.attachments = evidence.attachment_rows(prepared, uploaded_by=actor, now=now)
        db.session.add(response)
        with evidence.stored_files(prepared):
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return response


# --- reading ------------------------------------------------------------------------------


def search_projects(q: str | None, *, limit: int = 20, developer_id: int | None = None) -> list[dict]:
    """Projects to file against, by name, developer name or town: ``[{id, name, developer_id,
    developer, town}]`` (also the shape of GET /api/v1/projects)."""
    from app.models import Town

    query = (select(Project.id, Project.name, Project.developer_id, Developer.name, Town.name)
             .join(Developer, Developer.id == Project.developer_id)
             .join(Town, Town.id == Project.town_id))
    text = _text(q)[:50]
    if text:
        pattern = contains_pattern(text)
        query = query.where(or_(Project.name.like(pattern, escape="\\"),
                                Developer.name.like(pattern, escape="\\"),
                                Town.name.like(pattern, escape="\\")))
    if developer_id is not None:
        query = query.where(Project.developer_id == developer_id)
    rows = db.session.execute(query.order_by(Project.name, Project.id).limit(max(1, min(limit, 100))))
    return [{"id": pid, "name": name, "developer_id": dev_id, "developer": dev_name, "town": town}
            for pid, name, dev_id, dev_name, town in rows]


#: What a company's complaint list shows of each row, loaded with the page, not per row.
_LISTED = (joinedload(Complaint.project), joinedload(Complaint.claimant_person),
           joinedload(Complaint.respondent_person), joinedload(Complaint.case),
           selectinload(Complaint.claims), selectinload(Complaint.responses))


def complaints_against(actor: User, *, before_id: int | None = None, limit: int = 50) -> list[Complaint]:
    """Complaints against the actor's company, newest first (keyset by id)."""
    query = (select(Complaint).options(*_LISTED)
             .where(Complaint.respondent_developer_id == actor.developer_id))
    if before_id is not None:
        query = query.where(Complaint.id < before_id)
    return list(db.session.scalars(query.order_by(Complaint.id.desc()).limit(limit)))


def complaints_filed_by_company(actor: User, *, limit: int = 50) -> list[Complaint]:
    """The company's own filings (e.g. against buyers in payment default), newest first."""
    return list(db.session.scalars(
        select(Complaint).options(*_LISTED)
        .where(Complaint.claimant_developer_id == actor.developer_id)
        .order_by(Complaint.id.desc()).limit(limit)))


def homeowner_overview(actor: User) -> dict:
    """What the homeowner's home page adds to their own complaints: disputes a developer
    filed about them, and the group filings they made for neighbours."""
    about_me = []
    if actor.person_id is not None:
        about_me = list(db.session.scalars(
            select(Complaint)
            .options(joinedload(Complaint.project), joinedload(Complaint.claimant_developer))
            .where(Complaint.respondent_person_id == actor.person_id)
            .order_by(Complaint.id.desc()).limit(50)))
    filings = list(db.session.scalars(
        select(GroupFiling).options(joinedload(GroupFiling.project), selectinload(GroupFiling.members))
        .where(GroupFiling.filed_by_id == actor.id)
        .order_by(GroupFiling.id.desc()).limit(20)))
    return {"complaints_about_me": about_me, "group_filings": filings}
