"""Who may do what to which object: one vocabulary, asked by web, API, lists and dashboards.

Ask ``can(user, Permission.CASE_VIEW, case)``; never test ``user.role`` in a view. The
rules, in the court's words:

- A homeowner sees the complaints they filed or are a party to, and the cases those
  complaints belong to; developer staff see complaints and cases where their company is a
  party; a mediator sees the cases assigned to them; a judge sees every case and complaint
  of their court. Admins (court clerks) manage accounts and reference data, not case files.
- Only a judge of the case's court triages, assigns and rules (``CASE_MANAGE``,
  ``COMPLAINT_DECIDE``); the lifecycle table (``mediation.lifecycle``) then says which moves
  each role may make (``CASE_TRANSITION`` only admits the viewers of the case to ask it).
- The claimant side adds evidence; the company a complaint is against answers it.

Someone else's object is *not found* (404), never *forbidden*: its existence is not
disclosed. ``visible_cases`` / ``visible_complaints`` are the same rule as a query, for
lists. How the people of a case appear to a viewer (names, ID numbers, phones) follows
``mediation.people``; :func:`person_relation` says where the viewer stands. See
``docs/access.md``.
"""
from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from sqlalchemy import Select, exists, false, or_, select

from app.extensions import db
from app.models import Case, Complaint, Mediator, Role, User
from mediation.people import Relation

__all__ = [
    "Permission", "can", "case_relation", "list_relation", "mediator_id_of", "person_relation",
    "visible_cases", "visible_complaints", "whole_court_of",
]


class Permission(StrEnum):
    """What a user may do, as ``scope:resource:action``."""

    CASE_VIEW = "case:case:view"
    CASE_TRANSITION = "case:case:transition"
    CASE_EXTEND = "case:case:extend"
    CASE_MANAGE = "court:case:manage"
    CASE_CHOOSE_REPRESENTATIVES = "case:representatives:choose"
    CASE_TASKS_VIEW = "court:agency_tasks:view"
    CASE_TASKS_MANAGE = "court:agency_tasks:manage"
    CASES_BULK = "court:cases:bulk"
    DOCUMENT_ISSUE = "case:document:issue"
    DOCUMENT_VIEW = "case:document:view"
    COMPLAINT_VIEW = "complaint:complaint:view"
    COMPLAINT_FILE = "party:complaint:file"
    COMPLAINT_FILE_GROUP = "homeowner:group_complaint:file"
    COMPLAINT_DECIDE = "court:complaint:decide"
    COMPLAINT_RESPOND = "developer:complaint:respond"
    COMPLAINT_ADD_EVIDENCE = "party:evidence:add"
    COMPLAINT_OPT_OUT = "case:complaint:opt_out"
    REFERRALS_IMPORT = "court:referrals:import"
    REMINDERS_VIEW = "court:reminders:view"
    REMINDERS_RETRY = "court:reminders:retry"
    STATS_VIEW = "court:stats:view"
    USERS_MANAGE = "admin:users:manage"
    # Prevention (合规性函询 · 预警 · 承诺 · 失信名单): docs/early-warnings.md.
    INQUIRY_VIEW = "prevent:inquiry:view"
    INQUIRY_ISSUE = "court:inquiry:issue"
    INQUIRY_ANSWER = "developer:inquiry:answer"
    INQUIRY_REVIEW = "court:inquiry:review"
    WARNING_VIEW = "prevent:warning:view"
    WARNING_RESPOND = "developer:warning:respond"
    COMMITMENT_SETTLE = "court:commitment:settle"
    BLACKLIST_DECIDE = "court:blacklist:decide"
    RISK_VIEW = "court:risk:view"
    # Preservation and staged release (边履行边解封): docs/release-in-the-app.md.
    RELEASE_VIEW = "release:plan:view"
    RELEASE_APPROVE = "court:release:approve"
    #: Recording freezes, counter-guarantees, their review and obligations: judges only.
    RELEASE_RECORD = "court:release:record"
    # Tasks the court gives an agency, seen by that agency's officers (the housing bureau's).
    AGENCY_TASKS_VIEW = "agency:agency_tasks:view"


def _role(user) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Role.of(user.role)


# --- The visibility rule, as a query ------------------------------------------------------


def _mediator_id(user: User):
    """The user's mediator record, inside the query: a mediator account without one (an
    account being set up) matches no case, never the unassigned ones (``IS NULL``)."""
    return select(Mediator.id).where(Mediator.user_id == user.id).scalar_subquery()


def mediator_id_of(user: User) -> int | None:
    """The id of ``user``'s mediator record (None for other roles or none yet)."""
    if _role(user) is not Role.MEDIATOR:
        return None
    return db.session.scalar(select(Mediator.id).where(Mediator.user_id == user.id))


def whole_court_of(user: User) -> int | None:
    """The court whose cases, all of them and only them, ``user`` may see (a judge's),
    else None: such a list can count its cases from the court's tally."""
    if _role(user) is Role.JUDGE and user.court_id is not None:
        return user.court_id
    return None


def visible_cases(user: User, query: Select | None = None) -> Select:
    """Restrict a ``select(Case)`` to the cases ``user`` may see."""
    query = query if query is not None else select(Case)
    role = _role(user)
    court_id = whole_court_of(user)
    if court_id is not None:
        return query.where(Case.court_id == court_id)
    if role is Role.MEDIATOR:
        return query.where(Case.mediator_id == _mediator_id(user))
    if role is Role.DEVELOPER:
        return query.where(or_(
            Case.developer_id == user.developer_id,
            exists().where(Complaint.case_id == Case.id,
                           Complaint.claimant_developer_id == user.developer_id),
        ))
    if role is Role.HOMEOWNER:
        return query.where(exists().where(
            Complaint.case_id == Case.id,
            or_(Complaint.claimant_person_id == user.person_id,
                Complaint.respondent_person_id == user.person_id)))
    return query.where(false())


def visible_complaints(user: User, query: Select | None = None) -> Select:
    """Restrict a ``select(Complaint)`` to the complaints ``user`` may see."""
    query = query if query is not None else select(Complaint)
    role = _role(user)
    if role is Role.JUDGE:
        return query.where(Complaint.court_id == user.court_id)
    if role is Role.DEVELOPER:
        return query.where(or_(Complaint.respondent_developer_id == user.developer_id,
                               Complaint.claimant_developer_id == user.developer_id))
    if role is Role.HOMEOWNER:
        return query.where(or_(Complaint.claimant_person_id == user.person_id,
                               Complaint.respondent_person_id == user.person_id,
                               Complaint.filed_by_id == user.id))
    if role is Role.MEDIATOR:
        return query.where(Complaint.case_id.in_(
            select(Case.id).where(Case.mediator_id == _mediator_id(user))))
    return query.where(false())


# --- One object ------------------------------------------------------------------------


def _sees_case(user: User, case: Case) -> bool:
    query = visible_cases(user, select(Case.id)).where(Case.id == case.id)
    return db.session.scalar(query) is not None


def _sees_complaint(user: User, complaint: Complaint) -> bool:
    query = visible_complaints(user, select(Complaint.id)).where(Complaint.id == complaint.id)
    return db.session.scalar(query) is not None


def _judge_of(user: User, obj) -> bool:
    return _role(user) is Role.JUDGE and obj is not None and user.court_id == obj.court_id


def _court_staff_seeing(user: User, case: Case) -> bool:
    return _role(user) in (Role.JUDGE, Role.MEDIATOR) and _sees_case(user, case)


def _claimant_side(user: User, complaint: Complaint) -> bool:
    """The person who claims, or staff of the claiming company."""
    role = _role(user)
    if role is Role.HOMEOWNER:
        return user.person_id is not None and complaint.claimant_person_id == user.person_id
    if role is Role.DEVELOPER:
        return (complaint.claimant_developer_id is not None
                and complaint.claimant_developer_id == user.developer_id)
    return False


def _may_opt_out(user: User, complaint: Complaint) -> bool:
    """The claimant themselves, or a judge of the court recording it for them."""
    if _role(user) is Role.HOMEOWNER:
        return user.person_id is not None and complaint.claimant_person_id == user.person_id
    return _judge_of(user, complaint)


def _issues_documents(user: User, case: Case) -> bool:
    """The court's judges and the case's assigned mediator issue its documents."""
    if _judge_of(user, case):
        return True
    return (_role(user) is Role.MEDIATOR and case.mediator_id is not None
            and case.mediator_id == mediator_id_of(user))


def _sees_document(user: User, document) -> bool:
    """A party sees its own copies; the court's side (judges, the case's mediator) sees all.
    A document about an inquiry or a warning notice is seen by whoever sees that."""
    if document is not None and document.inquiry is not None:
        return _court_or_own_company(user, document.inquiry)
    if document is not None and document.warning_notice is not None:
        return _court_or_own_company(user, document.warning_notice)
    if document is None or document.case is None or not _sees_case(user, document.case):
        return False
    role = _role(user)
    if role in (Role.JUDGE, Role.MEDIATOR):
        return True
    if role is Role.HOMEOWNER:
        return document.party_person_id is not None and document.party_person_id == user.person_id
    if role is Role.DEVELOPER:
        return (document.party_developer_id is not None
                and document.party_developer_id == user.developer_id)
    return False


def _own_company(user: User, obj) -> bool:
    """Staff of the developer the object (an inquiry, a warning notice, a commitment) concerns."""
    return (_role(user) is Role.DEVELOPER and obj is not None and user.developer_id is not None
            and user.developer_id == obj.developer_id)


def _judge_over(user: User, obj) -> bool:
    """A judge of the object's court; for what concerns a developer as a whole (a warning
    notice, a commitment), a judge of a court where the developer has a project."""
    if _role(user) is not Role.JUDGE or obj is None:
        return False
    if getattr(obj, "court_id", None) is not None:
        return user.court_id == obj.court_id
    from app.models import Project

    return db.session.scalar(select(Project.id).where(
        Project.developer_id == obj.developer_id, Project.court_id == user.court_id).limit(1)) is not None


def _court_or_own_company(user: User, obj) -> bool:
    """A judge over the object (see :func:`_judge_over`), or the staff of the developer it concerns."""
    return _judge_over(user, obj) or _own_company(user, obj)


def _developer_id_of(obj) -> int | None:
    """The developer a release object concerns: a Developer itself, or anything carrying
    ``developer_id`` (a plan, a frozen asset, a preservation order)."""
    from app.models import Developer

    if isinstance(obj, Developer):
        return obj.id
    return getattr(obj, "developer_id", None)


def _court_holds_case_against(user: User, developer_id: int | None) -> bool:
    """A judge whose court holds a case against the developer."""
    if _role(user) is not Role.JUDGE or developer_id is None or user.court_id is None:
        return False
    return db.session.scalar(select(Case.id).where(
        Case.developer_id == developer_id, Case.court_id == user.court_id).limit(1)) is not None


def _sees_release(user: User, obj) -> bool:
    """Without an object: may the role use the release pages at all (judges, developer staff).
    With one: a judge of a court holding a case against its developer, or that developer's staff."""
    role = _role(user)
    if obj is None:
        return role is Role.JUDGE or (role is Role.DEVELOPER and user.developer_id is not None)
    developer_id = _developer_id_of(obj)
    if role is Role.DEVELOPER:
        return user.developer_id is not None and user.developer_id == developer_id
    return _court_holds_case_against(user, developer_id)


def _approves_release(user: User, obj) -> bool:
    """Judges; of an object, only when their court holds a case against its developer."""
    if obj is None:
        return _role(user) is Role.JUDGE
    return _court_holds_case_against(user, _developer_id_of(obj))


def _agency_officer(user: User, task) -> bool:
    """A housing-bureau officer (a mediator of that kind, active); of a task, only one given to
    the officer's agency on a case of the officer's court (docs/release-in-the-app.md)."""
    if _role(user) is not Role.MEDIATOR:
        return False
    officer = db.session.scalar(select(Mediator).where(Mediator.user_id == user.id))
    if officer is None or not officer.active or officer.kind != "housing_bureau":
        return False
    return task is None or (task.agency == officer.kind and task.case.court_id == officer.court_id)


def _roles(*roles: Role) -> Callable[[User, object], bool]:
    return lambda user, obj: _role(user) in roles


#: Each permission's rule: (user, object or None) → allowed.
_RULES: dict[Permission, Callable[[User, object], bool]] = {
    Permission.CASE_VIEW: _sees_case,
    Permission.CASE_TRANSITION: _sees_case,
    Permission.CASE_EXTEND: _court_staff_seeing,
    Permission.CASE_MANAGE: _judge_of,
    Permission.CASE_CHOOSE_REPRESENTATIVES: _court_staff_seeing,
    Permission.CASE_TASKS_VIEW: _court_staff_seeing,
    Permission.CASE_TASKS_MANAGE: _judge_of,
    Permission.CASES_BULK: _roles(Role.JUDGE),
    Permission.DOCUMENT_ISSUE: _issues_documents,
    Permission.DOCUMENT_VIEW: _sees_document,
    Permission.COMPLAINT_VIEW: _sees_complaint,
    Permission.COMPLAINT_FILE: lambda user, obj: (
        (_role(user) is Role.HOMEOWNER and user.person_id is not None)
        or (_role(user) is Role.DEVELOPER and user.developer_id is not None)),
    Permission.COMPLAINT_FILE_GROUP: lambda user, obj: (
        _role(user) is Role.HOMEOWNER and user.person_id is not None),
    Permission.COMPLAINT_DECIDE: _judge_of,
    Permission.COMPLAINT_RESPOND: lambda user, complaint: (
        _role(user) is Role.DEVELOPER and user.developer_id is not None
        and complaint.respondent_developer_id == user.developer_id),
    Permission.COMPLAINT_ADD_EVIDENCE: _claimant_side,
    Permission.COMPLAINT_OPT_OUT: _may_opt_out,
    Permission.REFERRALS_IMPORT: lambda user, obj: (
        _role(user) in (Role.JUDGE, Role.ADMIN) and user.court_id is not None),
    Permission.STATS_VIEW: _roles(Role.JUDGE),
    # The reminders of one's own court (a clerk of no court: the reminders of no court).
    Permission.REMINDERS_VIEW: lambda user, obj: _reminder_operator(user, obj),
    Permission.REMINDERS_RETRY: lambda user, obj: _reminder_operator(user, obj),
    Permission.USERS_MANAGE: _roles(Role.ADMIN),
    Permission.INQUIRY_VIEW: _court_or_own_company,
    Permission.INQUIRY_ISSUE: _judge_of,  # obj: the project
    Permission.INQUIRY_ANSWER: _own_company,
    Permission.INQUIRY_REVIEW: _judge_of,
    Permission.WARNING_VIEW: _court_or_own_company,
    Permission.WARNING_RESPOND: _own_company,
    Permission.COMMITMENT_SETTLE: _judge_over,
    Permission.BLACKLIST_DECIDE: _roles(Role.JUDGE),
    Permission.RISK_VIEW: _roles(Role.JUDGE),
    Permission.RELEASE_VIEW: _sees_release,
    Permission.RELEASE_APPROVE: _approves_release,
    Permission.RELEASE_RECORD: _approves_release,
    Permission.AGENCY_TASKS_VIEW: _agency_officer,
}


def _reminder_operator(user, reminder) -> bool:
    """Judges and clerks operate the reminders; of a reminder, only their own court's."""
    if _role(user) not in (Role.JUDGE, Role.ADMIN):
        return False
    return reminder is None or reminder.court_id == user.court_id


def can(user, permission: Permission, obj=None) -> bool:
    """Whether ``user`` may do ``permission`` (to ``obj`` where it names one).

    Anonymous and deactivated users may do nothing. Whether the object's *state* allows the
    action (a rejected complaint takes no evidence, a closed case no move) is the service's
    and the domain's question, not this one.
    """
    if _role(user) is None:
        return False
    return _RULES[Permission(permission)](user, obj)


# --- Where the viewer stands towards the people of a case --------------------------------


#: The relation of each role to the people of a case it may see (see visible_cases).
_RELATION_OF_ROLE = {
    Role.JUDGE: Relation.COURT,
    Role.MEDIATOR: Relation.MEDIATOR,
    Role.DEVELOPER: Relation.COUNTERPARTY,
    Role.HOMEOWNER: Relation.FELLOW_PARTY,
}


def list_relation(viewer: User) -> Relation:
    """The viewer's relation to the people of the cases in their lists — which hold only
    cases they may see (a judge's court, a mediator's assignments, a party's own)."""
    return _RELATION_OF_ROLE.get(_role(viewer), Relation.OTHER)


def case_relation(viewer: User, case: Case) -> Relation:
    """The viewer's relation to the people of ``case`` other than themselves (see
    ``mediation.people``); call it once per page, then :func:`person_relation` per person."""
    role = _role(viewer)
    if role is Role.JUDGE and viewer.court_id != case.court_id:
        return Relation.OTHER
    if role is Role.MEDIATOR and (case.mediator_id is None
                                  or case.mediator_id != mediator_id_of(viewer)):
        return Relation.OTHER
    return list_relation(viewer)


def person_relation(viewer: User, person_id: int | None, default: Relation) -> Relation:
    """SELF when ``person_id`` is the viewer's own person record, else ``default``."""
    if (person_id is not None and _role(viewer) is Role.HOMEOWNER
            and viewer.person_id == person_id):
        return Relation.SELF
    return default

