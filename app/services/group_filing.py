"""Filing for neighbours (代为申请): one homeowner names them, each one consents with a code.

The filer's own complaint exists at once; each neighbour's exists only after they
confirm with their one-time code (:func:`confirm_group_membership`), so nobody becomes a
claimant without consent. A neighbour may also decline; the code is then spent.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select, update

from app.access import Permission, can
from app.extensions import db
from app.models import Complaint, GroupFiling, GroupFilingMember, Person, Project, User
from app.services.errors import ForbiddenError, NotFoundError, ServiceError
from app.services.intake import CheckedFiling, new_complaint
from app.services.intake_checks import (
    INVALID_INPUT, add_error, check_amount, check_dispute_type, check_facts, check_name,
    check_project, check_resident_id, check_unit, clean_text,
)
from app.services.receipts import ALPHABET as RECEIPT_ALPHABET
from app.services.use_case import use_case
from mediation.identifiers import InvalidIdentifierError, validate_phone
from mediation.messages import Msg

__all__ = [
    "CODE_LENGTH", "DEFAULT_CLAIM_KIND", "MAX_GROUP_MEMBERS", "confirm_group_membership",
    "decline_group_membership", "file_group_complaint", "group_filing_errors",
    "group_filing_for", "normalise_code", "preview_group_membership",
]

#: Neighbours one homeowner can name in one group filing (a building's floor or two);
#: larger groups are gathered by the court from individual complaints.
MAX_GROUP_MEMBERS = 50
#: Confirmation codes: 10 characters of the receipt alphabet (31¹⁰ ≈ 8×10¹⁴), only their
#: SHA-256 stored; a code also only works for the person whose resident ID it was issued to.
CODE_LENGTH = 10

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


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_code(code) -> str:
    """Codes are read aloud and typed on phones: ignore case, spaces and hyphens."""
    return "".join(ch for ch in clean_text(code).upper() if ch not in " -\u3000")


def _new_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(CODE_LENGTH))


def _check_members(errors: list, members, *, filer_resident_id: str, now: datetime) -> list[dict]:
    checked: list[dict] = []
    if not isinstance(members, (list, tuple)) or not members:
        add_error(errors, "members", Msg("请至少填写一位邻居的信息", "Give at least one neighbour's details"))
        return checked
    if len(members) > MAX_GROUP_MEMBERS:
        add_error(errors, "members", Msg("一次最多代{max_group_members}位邻居申请",
                                         "At most {max_group_members} neighbours in one application",
                                         max_group_members=MAX_GROUP_MEMBERS))
        return checked
    seen: set[str] = set()
    for index, member in enumerate(members):
        prefix = f"members[{index}]"
        if not isinstance(member, dict):
            add_error(errors, prefix, Msg("邻居信息格式无效", "Invalid neighbour details"))
            continue
        before = len(errors)
        name = check_name(errors, f"{prefix}.name", member.get("name"))
        resident_id = check_resident_id(errors, f"{prefix}.resident_id",
                                        member.get("resident_id"), now)
        if resident_id is not None:
            if resident_id == filer_resident_id:
                add_error(errors, f"{prefix}.resident_id", Msg("这是您本人的身份证号，本人无需列入邻居名单",
                                                               "This is your own resident ID; you need not list yourself among the neighbours"))
            elif resident_id in seen:
                add_error(errors, f"{prefix}.resident_id", Msg("名单中该身份证号重复",
                                                               "This resident ID appears twice in the list"))
            seen.add(resident_id)
        phone = clean_text(member.get("phone"))
        if phone:
            try:
                phone = validate_phone(phone, field=f"{prefix}.phone")
            except InvalidIdentifierError as error:
                add_error(errors, f"{prefix}.phone", error.message)
        unit = check_unit(errors, member.get("unit"), f"{prefix}.unit")
        amount = check_amount(errors, f"{prefix}.claim_amount_fen",
                              member.get("claim_amount_fen", 0))
        if len(errors) == before:
            checked.append({"name": name, "resident_id": resident_id, "phone": phone or None,
                            "unit": unit, "claim_amount_fen": amount})
    return checked


def _check_group(*, actor, now, project_id, dispute_type, facts, members, unit, claim_amount_fen):
    if not can(actor, Permission.COMPLAINT_FILE_GROUP):
        raise ForbiddenError(Msg("只有业主可以代邻居提交群体申请",
                                 "Only a homeowner can file a group application for neighbours"))
    filer = db.session.get(Person, actor.person_id)
    errors: list[dict] = []
    project = check_project(errors, project_id)
    code = check_dispute_type(errors, dispute_type)
    facts_text = check_facts(errors, facts)
    own_unit = check_unit(errors, unit)
    own_amount = check_amount(errors, "claim_amount_fen", claim_amount_fen)
    checked_members = _check_members(errors, members, filer_resident_id=filer.resident_id, now=now)
    return errors, (filer, project, code, facts_text, own_unit, own_amount, checked_members)


def group_filing_errors(*, actor: User, now: datetime, project_id, dispute_type, facts, members,
                        unit=None, claim_amount_fen: int = 0) -> list[dict]:
    """Every invalid field of a group filing, without saving anything."""
    errors, _ = _check_group(actor=actor, now=now, project_id=project_id,
                             dispute_type=dispute_type, facts=facts, members=members,
                             unit=unit, claim_amount_fen=claim_amount_fen)
    return errors


@use_case
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
    own = CheckedFiling(project=project, dispute_type=code, facts=facts_text, unit=own_unit,
                        channel="online",
                        claims=[(DEFAULT_CLAIM_KIND[code], own_amount)], files=[],
                        claimant_person=filer, respondent_developer_id=project.developer_id)
    db.session.add(new_complaint(own, actor=actor, now=now, group_filing_id=filing.id))
    db.session.commit()
    filing.issued_codes = issued
    return filing


def _member_for(actor: User, code) -> GroupFilingMember:
    """The open membership this code was issued to, for this very person — or a refusal.

    One message for every failure (unknown code, someone else's code, already used), so
    the page reveals nothing about other people's codes.
    """
    if not can(actor, Permission.COMPLAINT_FILE_GROUP):
        raise ForbiddenError(Msg("只有业主本人可以确认", "Only the homeowner in person can confirm"))
    refusal = ServiceError(Msg("确认码无效、已使用，或不是发给您的",
                               "The confirmation code is invalid, already used, or not yours"), "code")
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


@use_case
def confirm_group_membership(*, actor: User, now: datetime, code) -> Complaint:
    """The neighbour consents: only now is their complaint created (status submitted)."""
    member = _member_for(actor, code)
    filing = member.filing
    project = db.session.get(Project, filing.project_id)
    person = db.session.get(Person, actor.person_id)
    checked = CheckedFiling(project=project, dispute_type=filing.dispute_type, facts=filing.facts,
                            unit=member.unit, channel="online",
                            claims=[(DEFAULT_CLAIM_KIND.get(filing.dispute_type, "其他请求"),
                                member.claim_amount_fen)],
                            files=[], claimant_person=person,
                            respondent_developer_id=project.developer_id)
    complaint = new_complaint(checked, actor=actor, now=now, group_filing_id=filing.id)
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
        raise ServiceError(Msg("确认码无效、已使用，或不是发给您的",
                               "The confirmation code is invalid, already used, or not yours"), "code")
    db.session.commit()
    return complaint


@use_case
def decline_group_membership(*, actor: User, now: datetime, code) -> GroupFilingMember:
    """The neighbour does not want to join: no complaint is created, the code is spent."""
    member = _member_for(actor, code)
    declined = db.session.execute(
        update(GroupFilingMember)
        .where(GroupFilingMember.id == member.id, GroupFilingMember.confirmed_at.is_(None),
               GroupFilingMember.declined_at.is_(None))
        .values(declined_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if declined != 1:
        raise ServiceError(Msg("确认码无效、已使用，或不是发给您的",
                               "The confirmation code is invalid, already used, or not yours"), "code")
    db.session.commit()
    db.session.refresh(member)
    return member


def group_filing_for(actor: User, filing_id: int) -> GroupFiling:
    """A group filing, for the homeowner who filed it only."""
    filing = db.session.get(GroupFiling, filing_id)
    if filing is None or filing.filed_by_id != actor.id:
        raise NotFoundError(Msg("群体申请不存在", "No such group application"))
    return filing
