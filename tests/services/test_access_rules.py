"""The permission vocabulary asked directly: can(user, permission, obj) from every side."""
from __future__ import annotations

import pytest

from app.access import Permission, can
from app.extensions import db
from app.models import Case, Complaint, Document, User
from tests.factories import NOW

ROLES = ("homeowner", "developer", "mediator", "judge", "admin")

#: Permissions about one object, and the kind of object they are asked about.
ABOUT = {
    Permission.CASE_VIEW: "case", Permission.CASE_TRANSITION: "case",
    Permission.CASE_EXTEND: "case", Permission.CASE_MANAGE: "case",
    Permission.CASE_CHOOSE_REPRESENTATIVES: "case", Permission.CASE_TASKS_VIEW: "case",
    Permission.CASE_TASKS_MANAGE: "case", Permission.DOCUMENT_ISSUE: "case",
    Permission.DOCUMENT_VIEW: "document", Permission.COMPLAINT_VIEW: "complaint",
    Permission.COMPLAINT_DECIDE: "complaint", Permission.COMPLAINT_RESPOND: "complaint",
    Permission.COMPLAINT_ADD_EVIDENCE: "complaint", Permission.COMPLAINT_OPT_OUT: "complaint",
    Permission.INQUIRY_VIEW: "inquiry", Permission.INQUIRY_ANSWER: "inquiry",
    Permission.INQUIRY_REVIEW: "inquiry", Permission.INQUIRY_ISSUE: "project",
    Permission.WARNING_VIEW: "commitment", Permission.WARNING_RESPOND: "commitment",
    Permission.COMMITMENT_SETTLE: "commitment",
}

#: Permissions about no object: which roles hold them.
HELD_BY = {
    Permission.CASES_BULK: {"judge"},
    Permission.STATS_VIEW: {"judge"},
    Permission.REFERRALS_IMPORT: {"judge", "admin"},
    Permission.USERS_MANAGE: {"admin"},
    Permission.COMPLAINT_FILE: {"homeowner", "developer"},
    Permission.COMPLAINT_FILE_GROUP: {"homeowner"},
    Permission.BLACKLIST_DECIDE: {"judge"},
    Permission.RISK_VIEW: {"judge"},
    # Asked with an object too (another court's reminder, another company's plan): their own
    # tests (tests/web/test_reminders_page.py, tests/api/test_api_release.py) ask that side.
    Permission.REMINDERS_VIEW: {"judge", "admin"},
    Permission.REMINDERS_RETRY: {"judge", "admin"},
    Permission.RELEASE_VIEW: {"judge", "developer"},
    Permission.RELEASE_APPROVE: {"judge"},
    Permission.RELEASE_RECORD: {"judge"},
    # Held by no role as such: only by a mediator of kind housing_bureau (an officer of the
    # bureau); tests/services/test_release_bureau.py asks it from the officer's and others' side.
    Permission.AGENCY_TASKS_VIEW: set(),
}


def test_every_permission_has_a_question_here():
    assert set(ABOUT) | set(HELD_BY) == set(Permission)


@pytest.fixture
def theirs(app, make):
    """A case of another court, company and household, with a party's document."""
    judge = make.user("judge")
    mediator = make.user("mediator", court=judge.court)
    project = make.project(court=judge.court)
    claimant = make.person()
    case = make.case(project=project, status="in_mediation", mediator=mediator.mediator,
                     claimant=claimant)
    with app.app_context():
        complaint = db.session.scalars(db.select(Complaint).where(Complaint.case_id == case.id)).one()
        person_id = complaint.claimant_person_id
        db.session.remove()
    document = make._save(Document(
        case_id=case.id, kind="agreement", title="调解协议书", sha256="0" * 64,
        verify_code="A" * 16, stored_path="documents/a.pdf", size_bytes=1,
        party_person_id=person_id, created_at=NOW))
    from app.models import Commitment, ComplianceInquiry

    inquiry = make._save(ComplianceInquiry(
        court_id=judge.court_id, developer_id=project.developer_id, project_id=project.id,
        letter_type="presale_funds", issued_at=NOW, deadline_working_days=10,
        deadline_on=NOW.date(), deadline_estimated=False))
    commitment = make._save(Commitment(developer_id=project.developer_id, project_id=project.id,
                                       text="按期交房", due_on=NOW.date(), status="open", made_at=NOW))
    return {"case": case.id, "complaint": complaint.id, "document": document.id,
            "inquiry": inquiry.id, "project": project.id, "commitment": commitment.id,
            "insiders": {"judge": judge.id, "mediator": mediator.id,
                         "homeowner": make.user("homeowner", person=claimant).id,
                         "developer": make.user("developer", developer=project.developer).id}}


def _load(kind: str, ident: int):
    from app.models import Commitment, ComplianceInquiry, Project

    model = {"case": Case, "complaint": Complaint, "document": Document, "inquiry": ComplianceInquiry,
             "project": Project, "commitment": Commitment}[kind]
    return db.session.get(model, ident)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_may_do_anything_to_someone_else_s_objects(app, make, theirs, role):
    """Can a {role} of another court, company or household do anything to this case, its
    complaint or its document? Nothing at all."""
    outsider = make.user(role)
    with app.app_context():
        user = db.session.get(User, outsider.id)
        allowed = [p for p, kind in ABOUT.items() if can(user, p, _load(kind, theirs[kind]))]
        assert allowed == []


@pytest.mark.parametrize("permission", sorted(HELD_BY))
@pytest.mark.parametrize("role", ROLES)
def test_the_global_permissions_follow_the_roles(app, make, permission, role):
    user = make.user(role)
    with app.app_context():
        assert can(db.session.get(User, user.id), permission) is (role in HELD_BY[permission])


def test_the_parties_and_the_court_hold_what_their_place_in_the_case_gives(app, theirs):
    """Who of the case's own people may do what: the court manages, the mediator extends,
    the claimant adds evidence and may opt out, the company answers."""
    expected = {
        "judge": {Permission.CASE_VIEW, Permission.CASE_TRANSITION, Permission.CASE_EXTEND,
                  Permission.CASE_MANAGE, Permission.CASE_CHOOSE_REPRESENTATIVES,
                  Permission.CASE_TASKS_VIEW, Permission.CASE_TASKS_MANAGE,
                  Permission.DOCUMENT_ISSUE, Permission.DOCUMENT_VIEW,
                  Permission.COMPLAINT_VIEW, Permission.COMPLAINT_DECIDE,
                  Permission.COMPLAINT_OPT_OUT, Permission.INQUIRY_VIEW, Permission.INQUIRY_REVIEW,
                  Permission.INQUIRY_ISSUE, Permission.WARNING_VIEW, Permission.COMMITMENT_SETTLE},
        "mediator": {Permission.CASE_VIEW, Permission.CASE_TRANSITION, Permission.CASE_EXTEND,
                     Permission.CASE_CHOOSE_REPRESENTATIVES, Permission.CASE_TASKS_VIEW,
                     Permission.DOCUMENT_ISSUE, Permission.DOCUMENT_VIEW,
                     Permission.COMPLAINT_VIEW},
        "homeowner": {Permission.CASE_VIEW, Permission.CASE_TRANSITION,
                      Permission.DOCUMENT_VIEW, Permission.COMPLAINT_VIEW,
                      Permission.COMPLAINT_ADD_EVIDENCE, Permission.COMPLAINT_OPT_OUT},
        "developer": {Permission.CASE_VIEW, Permission.CASE_TRANSITION,
                      Permission.COMPLAINT_VIEW, Permission.COMPLAINT_RESPOND,
                      Permission.INQUIRY_VIEW, Permission.INQUIRY_ANSWER, Permission.WARNING_VIEW,
                      Permission.WARNING_RESPOND},
    }
    with app.app_context():
        for role, user_id in theirs["insiders"].items():
            user = db.session.get(User, user_id)
            held = {p for p, kind in ABOUT.items() if can(user, p, _load(kind, theirs[kind]))}
            assert held == expected[role], role


def test_an_anonymous_visitor_may_do_nothing(app, theirs):
    from flask_login import AnonymousUserMixin

    with app.app_context():
        anonymous = AnonymousUserMixin()
        assert not any(can(anonymous, p, _load(k, theirs[k])) for p, k in ABOUT.items())
        assert not any(can(anonymous, p) for p in HELD_BY)
