"""Intake: a complaint is taken once (一站式受理), from a homeowner, a group, or a developer.

- A homeowner files against the project's developer (:func:`file_complaint`).
- A developer files its own dispute against a buyer (e.g. payment default), naming the
  buyer by resident ID and name (:func:`file_complaint` with ``respondent_*``).
- A homeowner files for neighbours (代为申请): ``app.services.group_filing``, which
  saves complaints through :func:`new_complaint` here.
- The developer answers a complaint against it (答辩/回应, :func:`respond_to_complaint`).

Every use-case validates everything first (``app.services.intake_checks``) and reports
every invalid field at once (``ServiceError.errors``), then commits once; evidence files reach the disk only after
validation and are removed if the commit fails.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from app.access import Permission, can
from app.extensions import db
from app.models import (
    Complaint, ComplaintClaim, ComplaintResponse, Developer, Person, Project, Role, User,
)
from app.models.types import contains_pattern
from app.services import evidence, lifecycle_notices
from app.services.errors import ForbiddenError, NotFoundError, ServiceError
from app.services.ids import parse_id
from app.services.intake_checks import (
    INVALID_INPUT, NAME_MAX, add_error, check_channel, check_claims, check_dispute_type,
    check_facts, check_name, check_project, check_resident_id, check_unit, clean_text,
)
from app.services.receipts import new_receipt_no
from app.services.use_case import use_case
from mediation.disputes import ComplaintStatus
from mediation.duplicates import DUPLICATE_WINDOW, FiledComplaint, find_duplicate
from mediation.roles import PARTIES
from mediation.messages import Msg

__all__ = [
    "CheckedFiling", "RESPONSE_MAX", "complaint_errors", "file_complaint", "may_respond",
    "new_complaint", "respond_to_complaint", "search_projects",
]

RESPONSE_MAX = 5000


# --- filing ---------------------------------------------------------------------------


@dataclass
class CheckedFiling:
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
    if actor.role not in PARTIES:
        raise ForbiddenError(Msg("只有业主或开发企业可以提交调解申请",
                                 "Only a homeowner or a developer can file for mediation"))
    if not can(actor, Permission.COMPLAINT_FILE):
        raise ForbiddenError(Msg("账号未关联当事人信息，请到窗口办理",
                                 "Your account is not linked to a party; please go to the service window"))
    developer_id = actor.developer_id if actor.role == Role.DEVELOPER else None
    project = check_project(errors, project_id, developer_id=developer_id)
    unit_text = check_unit(errors, unit)
    code = check_dispute_type(errors, dispute_type)
    facts_text = check_facts(errors, facts)
    claim_list = check_claims(errors, claims)
    channel_code = check_channel(errors, channel)

    respondent = new_respondent = None
    if actor.role == Role.DEVELOPER:
        name = check_name(errors, "respondent_name", respondent_name)
        resident_id = check_resident_id(errors, "respondent_resident_id",
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
    checked = CheckedFiling(project=project, dispute_type=code, facts=facts_text, unit=unit_text,
                            channel=channel_code, claims=claim_list, files=prepared)
    if actor.role == Role.HOMEOWNER:
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


def new_complaint(checked: CheckedFiling, *, actor: User, now: datetime,
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


@use_case
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
    if checked.new_respondent is not None:
        db.session.add(checked.new_respondent)
        db.session.flush()
        checked.respondent_person = checked.new_respondent
    complaint = new_complaint(checked, actor=actor, now=now)
    complaint.attachments = evidence.attachment_rows(checked.files, uploaded_by=actor, now=now)
    db.session.add(complaint)
    with evidence.stored_files(checked.files):
        db.session.commit()
    return complaint


# --- the developer's answer ----------------------------------------------------------


def may_respond(actor: User, complaint: Complaint) -> bool:
    """Whether ``actor`` may answer ``complaint`` now: staff of the company it is against,
    unless the court turned it down."""
    return (can(actor, Permission.COMPLAINT_RESPOND, complaint)
            and complaint.status != ComplaintStatus.REJECTED)


@use_case
def respond_to_complaint(*, actor: User, now: datetime, complaint_id, text, files=()) -> ComplaintResponse:
    """Developer staff answer (答辩/回应) a complaint filed against their company."""
    if actor.role != Role.DEVELOPER or actor.developer_id is None:
        raise ForbiddenError(Msg("只有被投诉的开发企业可以回应",
                                 "Only the developer complained about can respond"))
    row_id = parse_id(complaint_id)
    complaint = db.session.get(Complaint, row_id) if row_id else None
    if complaint is None or not can(actor, Permission.COMPLAINT_RESPOND, complaint):
        raise NotFoundError(Msg("投诉不存在", "No such complaint"))
    errors: list[dict] = []
    body = clean_text(text)
    if not body:
        add_error(errors, "text", Msg("请填写回应内容", "Please write the response"))
    elif len(body) > RESPONSE_MAX:
        add_error(errors, "text", Msg("回应内容不能超过{response_max}字（当前{body}字）",
                                      "The response has at most {response_max} characters (now {body})",
                                      response_max=RESPONSE_MAX, body=len(body)))
    if complaint.status == "rejected":
        add_error(errors, "text", Msg("该投诉已不予受理，无需回应",
                                      "This complaint was not accepted; there is nothing to respond to"))
    prepared, file_errors = evidence.prepare_files(files, max_count=evidence.MAX_FILES_PER_RESPONSE)
    errors.extend(file_errors)
    if errors:
        raise ServiceError(INVALID_INPUT, errors=errors)
    response = ComplaintResponse(complaint_id=complaint.id, developer_id=actor.developer_id,
                                 author_id=actor.id, text=body, created_at=now)
    response.attachments = evidence.attachment_rows(prepared, uploaded_by=actor, now=now)
    db.session.add(response)
    db.session.flush()
    lifecycle_notices.complaint_answered(complaint, response, actor=actor, now=now)
    with evidence.stored_files(prepared):
        db.session.commit()
    return response


# --- reading ------------------------------------------------------------------------------


def search_projects(q: str | None, *, limit: int = 20, developer_id: int | None = None) -> list[dict]:
    """Projects to file against, by name, developer name or town: ``[{id, name, developer_id,
    developer, town}]`` (also the shape of GET /api/v1/projects)."""
    from app.models import Town

    query = (select(Project.id, Project.name, Project.developer_id, Developer.name, Town.name)
             .join(Developer, Developer.id == Project.developer_id)
             .join(Town, Town.id == Project.town_id))
    text = clean_text(q)[:50]
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
