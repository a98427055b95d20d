"""Every route × every role × an object that belongs to someone else.

The table below names every rule of ``app.url_map`` (web and API) with what each visitor
gets when the URL names an object of *another* court, company, homeowner and mediator:
``LOGIN`` (sent to the login page), 401, 403, 404, or a code such as 200 where the route
names no object (a list of one's own, a form). A route missing from the table fails the
first test, so a new route cannot slip in without its answer here. Every response is also
searched for the other side's case number, receipt number, claimant name and notice
subject: an object that is not yours is never shown, whatever the status.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from app.auth import OPEN_ENDPOINTS
from tests.factories import NOW, PASSWORD
from tests.web.helpers import csrf_token, login

ANON = "anonymous"
ROLES = ("homeowner", "developer", "mediator", "judge", "admin")
VISITORS = (ANON, *ROLES)
LOGIN = "login"  # a redirect to the login page
OPEN = "open"  # an open endpoint: answers without login (2xx or a redirect)


@dataclass(frozen=True)
class Expect:
    anonymous: object
    homeowner: object
    developer: object
    mediator: object
    judge: object
    admin: object

    def of(self, visitor: str):
        return getattr(self, visitor)


def web(ho, dev, med, judge, admin) -> Expect:
    return Expect(LOGIN, ho, dev, med, judge, admin)


def api(ho, dev, med, judge, admin) -> Expect:
    return Expect(401, ho, dev, med, judge, admin)


EVERYONE_OPEN = Expect(OPEN, OPEN, OPEN, OPEN, OPEN, OPEN)
NOT_FOUND_FOR_ALL = web(404, 404, 404, 404, 404)
#: An open page whose URL carries a one-time token: someone else's (or a made-up) token is gone.
GONE_FOR_ALL = Expect(410, 410, 410, 410, 410, 410)


def only(role: str, code, *, others=403, table=web) -> Expect:
    """An audience page: ``code`` for its role, ``others`` (403) for everyone else."""
    return table(*[code if r == role else others for r in ROLES])


#: (method, endpoint) → what each visitor gets for someone else's object.
ROUTES: dict[tuple[str, str], Expect] = {
    # Open pages and the login itself.
    ("GET", "static"): EVERYONE_OPEN,
    ("GET", "public.index"): EVERYONE_OPEN,
    ("GET", "public.about"): EVERYONE_OPEN,
    ("GET", "public.health"): EVERYONE_OPEN,
    ("GET", "auth.set_language"): EVERYONE_OPEN,
    ("GET", "public.verify_document"): EVERYONE_OPEN,  # the printed code is the credential
    ("GET", "auth.login"): EVERYONE_OPEN,
    ("POST", "auth.login"): EVERYONE_OPEN,
    # One's own account and inbox (no one else's object in the URL but a notice).
    ("GET", "auth.change_password"): web(200, 200, 200, 200, 200),
    ("POST", "auth.change_password"): web(422, 422, 422, 422, 422),
    ("GET", "auth.account_language"): web(200, 200, 200, 200, 200),
    ("POST", "auth.account_language"): web(422, 422, 422, 422, 422),
    ("POST", "auth.logout"): web(303, 303, 303, 303, 303),
    # One's own sessions and tokens (app.services.sessions); someone else's is not found.
    ("GET", "auth.list_sessions"): web(200, 200, 200, 200, 200),
    ("POST", "auth.end_session"): web(404, 404, 404, 404, 404),
    ("POST", "auth.end_all_sessions"): web(302, 302, 302, 302, 302),  # tests/web/test_account_sessions.py
    ("GET", "notices.list_notices"): web(200, 200, 200, 200, 200),
    ("POST", "notices.read_notice"): NOT_FOUND_FOR_ALL,
    ("POST", "notices.read_all_notices"): web(303, 303, 303, 303, 303),
    ("GET", "notice_settings.edit_notice_channels"): web(200, 200, 200, 200, 200),
    ("POST", "notice_settings.edit_notice_channels"): web(303, 303, 303, 303, 303),
    # Someone else's case, complaint or evidence: not found, for every role.
    ("GET", "cases.show_case"): NOT_FOUND_FOR_ALL,
    ("POST", "cases.transition_case"): NOT_FOUND_FOR_ALL,
    ("POST", "cases.assign_mediator"): NOT_FOUND_FOR_ALL,
    ("POST", "cases.choose_representatives"): NOT_FOUND_FOR_ALL,
    ("POST", "cases.opt_out"): NOT_FOUND_FOR_ALL,
    # A judge of the case's court marks its obligations; its parties and mediator get 403.
    ("POST", "cases.mark_case_obligation"): NOT_FOUND_FOR_ALL,
    ("GET", "agreements.show_agreement"): NOT_FOUND_FOR_ALL,
    ("POST", "agreements.record_agreement"): NOT_FOUND_FOR_ALL,
    ("POST", "agreements.sign_agreement"): NOT_FOUND_FOR_ALL,
    ("POST", "agreements.send_signing_code"): NOT_FOUND_FOR_ALL,
    ("GET", "intake.download_attachment"): NOT_FOUND_FOR_ALL,
    # Homeowners.
    ("GET", "homeowner.home"): only("homeowner", 200),
    ("GET", "homeowner.list_cases"): only("homeowner", 200),
    ("GET", "homeowner.calculate_damages"): only("homeowner", 200),
    ("GET", "homeowner.search_projects"): only("homeowner", 200),
    ("GET", "homeowner.file_complaint"): only("homeowner", 200),
    ("POST", "homeowner.file_complaint"): only("homeowner", 422),
    ("GET", "homeowner.file_group_complaint"): only("homeowner", 200),
    ("POST", "homeowner.file_group_complaint"): only("homeowner", 422),
    ("GET", "homeowner.confirm_group_membership"): only("homeowner", 200),
    ("POST", "homeowner.confirm_group_membership"): only("homeowner", 422),
    ("GET", "homeowner.show_complaint"): only("homeowner", 404),
    ("GET", "homeowner.show_receipt"): only("homeowner", 404),
    ("POST", "homeowner.add_evidence"): only("homeowner", 404),
    ("GET", "homeowner.show_group_filing"): only("homeowner", 404),
    # Developers.
    ("GET", "developer.home"): only("developer", 200),
    ("GET", "developer.list_cases"): only("developer", 200),
    ("GET", "developer.list_complaints"): only("developer", 200),
    ("GET", "developer.file_complaint"): only("developer", 200),
    ("POST", "developer.file_complaint"): only("developer", 422),
    ("GET", "developer.show_complaint"): only("developer", 404),
    ("GET", "developer.show_receipt"): only("developer", 404),
    ("POST", "developer.respond_to_complaint"): only("developer", 404),
    # Mediators.
    ("GET", "mediator.home"): only("mediator", 200),
    ("GET", "mediator.list_cases"): only("mediator", 200),
    # The court (judges).
    ("GET", "court.home"): only("judge", 200),
    ("GET", "court.list_cases"): only("judge", 200),
    ("GET", "court.triage"): only("judge", 200),
    ("POST", "court.merge_complaints"): only("judge", 422),
    ("GET", "court.show_stats"): only("judge", 200),
    ("GET", "court.show_complaint"): only("judge", 404),
    ("POST", "court.accept_complaint"): only("judge", 404),
    ("POST", "court.reject_complaint"): only("judge", 404),
    ("GET", "court.show_agency_tasks"): only("judge", 404),
    ("POST", "court.create_agency_task"): only("judge", 404),
    ("POST", "court.complete_agency_task"): only("judge", 404),
    ("POST", "court.cancel_agency_task"): only("judge", 404),
    ("POST", "court.confirm_bulk_cases"): only("judge", 422),
    ("POST", "court.apply_bulk_cases"): only("judge", 422),
    # Referral imports: judges and clerks, of their own court.
    ("GET", "referrals.list_imports"): web(403, 403, 403, 200, 200),
    ("GET", "referrals.new_import"): web(403, 403, 403, 200, 200),
    ("POST", "referrals.new_import"): web(403, 403, 403, 422, 422),
    ("GET", "referrals.download_template"): web(403, 403, 403, 200, 200),
    ("GET", "referrals.show_import"): web(403, 403, 403, 404, 404),
    ("GET", "referrals.import_progress"): web(403, 403, 403, 404, 404),
    ("GET", "referrals.download_report"): web(403, 403, 403, 404, 404),
    # The reminders' operators page and API: judges and clerks, their own court's only.
    ("GET", "reminders.list_reminders"): web(403, 403, 403, 200, 200),
    ("POST", "reminders.retry_reminder"): web(403, 403, 403, 404, 404),
    ("GET", "api.list_reminders_api"): api(403, 403, 403, 200, 200),
    # Registration, password reset and invitations: open (the token is the credential).
    ("GET", "accounts.register"): EVERYONE_OPEN,
    ("POST", "accounts.register"): EVERYONE_OPEN,
    ("GET", "accounts.reset_password"): EVERYONE_OPEN,
    ("GET", "accounts.reset_by_phone"): EVERYONE_OPEN,
    ("POST", "accounts.reset_by_phone"): EVERYONE_OPEN,
    ("POST", "accounts.reset_by_email"): EVERYONE_OPEN,
    ("GET", "accounts.reset_by_link"): GONE_FOR_ALL,
    ("POST", "accounts.reset_by_link"): GONE_FOR_ALL,
    ("GET", "accounts.accept_invitation"): GONE_FOR_ALL,
    ("POST", "accounts.accept_invitation"): GONE_FOR_ALL,
    # The clerk: one register of accounts, developers and projects for every court it serves.
    ("GET", "admin.home"): only("admin", 200),
    # The mediator registry (docs/on-site.md): another court's mediator is not found.
    ("GET", "admin.list_mediators"): only("admin", 200),
    ("GET", "admin.edit_mediator"): only("admin", 404),
    ("POST", "admin.update_mediator"): only("admin", 404),
    ("POST", "admin.add_leave"): only("admin", 404),
    ("POST", "admin.remove_leave"): only("admin", 404),
    ("POST", "admin.add_conflict"): only("admin", 404),
    ("POST", "admin.remove_conflict"): only("admin", 404),
    # Assignment suggestions and site visits: the judge's and the mediator's own pages.
    ("GET", "court.suggest_assignments"): only("judge", 200),
    ("POST", "court.accept_assignments"): only("judge", 422),
    ("GET", "court.list_visits"): only("judge", 200),
    ("GET", "mediator.list_visits"): only("mediator", 200),
    # The agency's tasks: a mediator who is no agency officer sees an empty list, never another's.
    ("GET", "mediator.list_agency_tasks"): only("mediator", 200),
    ("POST", "mediator.schedule_visit"): only("mediator", 422),
    ("POST", "cases.accept_case"): NOT_FOUND_FOR_ALL,
    ("GET", "api.list_visits_api"): api(403, 403, 422, 422, 403),
    ("GET", "admin.list_users"): only("admin", 200),
    ("GET", "admin.create_user"): only("admin", 200),
    ("POST", "admin.create_user"): only("admin", 422),
    ("GET", "admin.invite_user"): only("admin", 200),
    ("POST", "admin.invite_user"): only("admin", 422),
    ("GET", "admin.show_user"): only("admin", 200),
    ("POST", "admin.deactivate_user"): only("admin", 302),
    ("POST", "admin.activate_user"): only("admin", 302),
    ("POST", "admin.end_user_sessions"): only("admin", 302),
    ("POST", "admin.reset_user_password"): only("admin", 422),
    ("GET", "admin.list_developers"): only("admin", 200),
    ("GET", "admin.create_developer"): only("admin", 200),
    ("POST", "admin.create_developer"): only("admin", 422),
    ("GET", "admin.edit_developer"): only("admin", 200),
    ("POST", "admin.edit_developer"): only("admin", 302),
    ("GET", "admin.list_projects"): only("admin", 200),
    ("GET", "admin.create_project"): only("admin", 200),
    ("POST", "admin.create_project"): only("admin", 422),
    ("GET", "admin.edit_project"): only("admin", 200),
    ("POST", "admin.edit_project"): only("admin", 302),
    ("GET", "admin.list_holiday_years"): only("admin", 200),
    ("GET", "admin.edit_holiday_year"): only("admin", 200),
    ("POST", "admin.save_holiday_year"): only("admin", 422),
    ("POST", "admin.delete_holiday_year"): only("admin", 302),
    # The JSON API: 401 without a token, 404 for someone else's object, 403 for a call
    # the role may not make.
    ("POST", "api.issue_token"): EVERYONE_OPEN,
    # The token presented is renewed or ended (tests/api/test_api_tokens.py).
    ("POST", "api.renew_token"): api(200, 200, 200, 200, 200),
    ("DELETE", "api.end_token"): api(204, 204, 204, 204, 204),
    ("GET", "api.openapi_document"): EVERYONE_OPEN,
    ("GET", "api.me"): api(200, 200, 200, 200, 200),
    ("GET", "api.list_projects"): api(200, 200, 200, 200, 200),
    ("GET", "api.list_cases_api"): api(200, 200, 200, 200, 200),
    ("GET", "api.get_case"): api(404, 404, 404, 404, 404),
    ("POST", "api.create_complaint"): api(422, 422, 403, 403, 403),
    ("GET", "api.get_complaint"): api(404, 404, 404, 404, 404),
    ("GET", "api.list_case_documents"): api(404, 404, 404, 404, 404),
    ("GET", "api.download_document"): api(404, 404, 404, 404, 404),
    ("GET", "api.list_notices_api"): api(200, 200, 200, 200, 200),
    ("POST", "api.read_notice_api"): api(404, 404, 404, 404, 404),
    # Release plans (边履行边解封): judges of a court holding a case against the developer;
    # a developer sees only its own. Another court's developer is not found.
    ("GET", "court.release_plan"): only("judge", 404),
    ("POST", "court.propose_release_plan"): only("judge", 404),
    ("POST", "court.approve_release_stage"): only("judge", 404),
    ("GET", "developer.my_release"): only("developer", 200),
    # The judges' release records (docs/release-in-the-app.md): another court's developer,
    # order, asset, guarantee, file or obligation is not found.
    ("GET", "court.release_records"): only("judge", 404),
    ("GET", "court.new_preservation_order"): only("judge", 404),
    ("POST", "court.new_preservation_order"): only("judge", 404),
    ("GET", "court.new_frozen_asset"): only("judge", 404),
    ("POST", "court.new_frozen_asset"): only("judge", 404),
    ("GET", "court.edit_frozen_asset"): only("judge", 404),
    ("POST", "court.edit_frozen_asset"): only("judge", 404),
    ("GET", "court.new_counter_guarantee"): only("judge", 404),
    ("POST", "court.new_counter_guarantee"): only("judge", 404),
    ("GET", "court.review_counter_guarantee"): only("judge", 404),
    ("POST", "court.review_counter_guarantee"): only("judge", 404),
    ("GET", "court.counter_guarantee_file"): only("judge", 404),
    ("GET", "court.new_obligation"): only("judge", 404),
    ("POST", "court.new_obligation"): only("judge", 404),
    ("POST", "court.mark_obligation"): only("judge", 404),
    # The role is checked before the arguments: 403, then 422 (developer_id is required).
    ("GET", "api.list_release_plans"): api(403, 422, 403, 422, 403),
    ("POST", "api.approve_release_stage"): api(403, 403, 403, 404, 403),
    ("GET", "api.get_asset"): api(403, 404, 403, 404, 403),
    ("GET", "api.stats_summary"): api(403, 403, 403, 422, 403),
    # Prevention (docs/early-warnings.md): judges and developer staff; another court's or
    # company's inquiry, notice, project, developer, document or file is not found.
    ("GET", "prevention.list_inquiries"): web(403, 200, 403, 200, 403),
    ("GET", "prevention.list_warnings"): web(403, 200, 403, 200, 403),
    ("GET", "prevention.risk_overview_page"): web(403, 200, 403, 200, 403),  # a developer: its own
    ("GET", "prevention.show_inquiry"): web(403, 404, 403, 404, 403),
    ("GET", "prevention.issue_inquiry"): web(403, 404, 403, 404, 403),
    ("POST", "prevention.issue_inquiry"): web(403, 404, 403, 404, 403),
    ("POST", "prevention.answer_inquiry"): web(403, 404, 403, 404, 403),
    ("POST", "prevention.review_inquiry"): web(403, 404, 403, 404, 403),
    ("POST", "prevention.record_rectification"): web(403, 404, 403, 404, 403),
    ("GET", "prevention.download_document"): web(403, 404, 403, 404, 403),
    ("GET", "prevention.download_answer_file"): web(403, 404, 403, 404, 403),
    ("GET", "prevention.show_warning"): web(403, 404, 403, 404, 403),
    ("POST", "prevention.acknowledge_warning"): web(403, 404, 403, 404, 403),
    ("POST", "prevention.answer_warning"): web(403, 404, 403, 404, 403),
    ("POST", "prevention.settle_commitment"): web(403, 404, 403, 404, 403),
    ("GET", "prevention.show_project"): web(403, 404, 403, 404, 403),
    ("POST", "prevention.evaluate_project"): web(403, 404, 403, 404, 403),  # judges of its court only
    ("GET", "prevention.show_developer"): web(403, 404, 403, 404, 403),
    ("POST", "prevention.blacklist_developer"): web(403, 404, 403, 404, 403),
    ("POST", "prevention.lift_blacklist"): web(403, 404, 403, 404, 403),
    ("GET", "api.list_inquiries_api"): api(403, 200, 403, 200, 403),
    ("POST", "api.answer_inquiry_api"): api(404, 404, 404, 404, 404),
    ("GET", "api.download_inquiry_file"): api(404, 404, 404, 404, 404),  # another company's file
    ("GET", "api.list_warnings_api"): api(403, 200, 403, 200, 403),
    # On site (docs/on-site.md): visit sheets, documents in the browser, sessions,
    # judicial confirmation, ratings: someone else's object is not found, for every role.
    ("GET", "onsite.download_document"): NOT_FOUND_FOR_ALL,
    ("POST", "onsite.print_visit_sheet"): NOT_FOUND_FOR_ALL,
    ("GET", "onsite.show_visit"): NOT_FOUND_FOR_ALL,
    ("POST", "onsite.move_visit"): NOT_FOUND_FOR_ALL,
    ("POST", "onsite.cancel_visit"): NOT_FOUND_FOR_ALL,
    ("GET", "onsite.show_sessions"): NOT_FOUND_FOR_ALL,
    ("POST", "onsite.record_session"): NOT_FOUND_FOR_ALL,
    ("POST", "onsite.confirm_session"): NOT_FOUND_FOR_ALL,
    ("POST", "onsite.send_confirmation_code"): NOT_FOUND_FOR_ALL,
    ("GET", "onsite.show_confirmation"): NOT_FOUND_FOR_ALL,
    ("POST", "onsite.apply_for_confirmation"): NOT_FOUND_FOR_ALL,
    ("POST", "onsite.decide_confirmation"): NOT_FOUND_FOR_ALL,
    ("GET", "onsite.show_litigation"): NOT_FOUND_FOR_ALL,
    ("GET", "onsite.show_rating"): NOT_FOUND_FOR_ALL,
    ("POST", "onsite.rate_case"): NOT_FOUND_FOR_ALL,
    ("GET", "onsite.list_followups"): web(403, 403, 403, 200, 403),
    ("POST", "onsite.complete_followup"): web(404, 404, 404, 422, 404),
}


def _app_routes(app) -> set[tuple[str, str]]:
    return {(method, rule.endpoint) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_has_an_answer_for_every_role(app):
    """Is there a route that nobody decided who may use? Add it to ROUTES."""
    routes = _app_routes(app)
    missing = sorted(routes - ROUTES.keys())
    stale = sorted(ROUTES.keys() - routes)
    assert not missing, f"routes without an entry in ROUTES: {missing}"
    assert not stale, f"entries in ROUTES for routes that no longer exist: {stale}"


def test_the_open_routes_are_exactly_the_open_endpoints(app):
    """Does the table open anything that app.auth does not (or the reverse)?"""
    opened = {endpoint for (_, endpoint), expect in ROUTES.items()
              if expect.anonymous not in (LOGIN, 401) and not endpoint.startswith("api.")}
    assert opened == set(OPEN_ENDPOINTS)


# --- Someone else's world ----------------------------------------------------------------


@dataclass
class World:
    ids: dict[str, object]
    #: Texts that belong to the other side and must never appear in a response.
    secrets: list[str]
    users: dict[str, object]


def _build_world(make) -> World:
    """The other side: a court with its case, complaint, evidence, import, task and notice;
    and on our side one user of each role, of another court, company and household."""
    from app.models import (
        AgencyTask, Agreement, Attachment, Document, GroupFiling, LoginSession, MediationSession, Notice,
        ReferralImport, Reminder,
    )

    their_judge = make.user("judge")
    their_session = make._save(LoginSession(
        token_sha256=LoginSession.digest("their-session"), user_id=their_judge.id,
        created_at=NOW, expires_at=NOW + timedelta(days=3650), kind="web"))
    their_mediator = make.user("mediator", court=their_judge.court)
    project = make.project(court=their_judge.court)
    claimant = make.person("欧阳秘密")
    case = make.case(project=project, status="in_mediation", mediator=their_mediator.mediator,
                     claimant=claimant)
    complaint = make.complaint(project=project, person=claimant, status="accepted", case=case)
    homeowner = make.user("homeowner", person=claimant)
    attachment = make._save(Attachment(
        complaint_id=complaint.id, uploaded_by_id=homeowner.id, original_name="合同.pdf",
        stored_name="0" * 64, content_type="application/pdf", size_bytes=4, sha256="0" * 64,
        created_at=NOW))
    referral = make._save(ReferralImport(
        court_id=their_judge.court_id, uploaded_by_id=their_judge.id, agency="housing_bureau",
        filename="转办.csv", status="imported", created_at=NOW))
    task = make._save(AgencyTask(
        case_id=case.id, agency="housing_bureau", owner_name="符科长", description="核查",
        due_on=date(2026, 12, 31), created_by_id=their_judge.id, created_at=NOW))
    notice = make._save(Notice(
        user_id=homeowner.id, channel="inbox", kind="complaint_accepted",
        subject="秘密通知主题", body="秘密", case_id=case.id, dedupe_key="secret-notice",
        status="sent", created_at=NOW, sent_at=NOW))
    filing = make._save(GroupFiling(
        court_id=their_judge.court_id, project_id=project.id, filed_by_id=homeowner.id,
        dispute_type="late_delivery", facts="秘密事实", created_at=NOW))

    document = make._save(Document(
        case_id=case.id, kind="agreement", title="调解协议书", sha256="0" * 64,
        verify_code="SECRETCDE2345678", stored_path="documents/secret.pdf", size_bytes=1,
        party_person_id=claimant.id, created_at=NOW))
    agreement = make._save(Agreement(
        case_id=case.id, status="signing", content={"terms": ["秘密条款"]}, content_sha256="0" * 64,
        created_at=NOW))
    session = make._save(MediationSession(
        case_id=case.id, held_at=NOW, outcome="continued", content={"notes": "秘密笔录"}, content_sha256="0" * 64,
        status="confirming", created_at=NOW))
    from app.models import Visit, VisitCase
    visit = make._save(Visit(
        court_id=their_judge.court_id, mediator_id=their_mediator.mediator.id, project_id=project.id,
        room="秘密会议室", starts_at=NOW + timedelta(days=400), ends_at=NOW + timedelta(days=400, hours=2),
        created_at=NOW))
    make._save(VisitCase(visit_id=visit.id, case_id=case.id))

    reminder = make._save(Reminder(
        kind="follow_up", recipient_id=their_judge.id, channel="notice",
        court_id=their_judge.court_id, subject_type="case", subject_id=case.id, case_id=case.id,
        payload={"number": case.number}, due_at=NOW, status="failed", attempts=5,
        last_error="秘密错误", dedupe_key="secret-reminder", created_at=NOW, settled_at=NOW))

    from app.models import Commitment, ComplianceInquiry, InquiryQuestion, RiskLevelChange, WarningNotice

    inquiry = make._save(ComplianceInquiry(
        court_id=their_judge.court_id, developer_id=project.developer_id, project_id=project.id,
        letter_type="presale_funds", issued_at=NOW, deadline_working_days=10, deadline_on=date(2026, 12, 1),
        questions=[InquiryQuestion(position=1, text="秘密函询问题", answer="秘密答复")]))
    change = make._save(RiskLevelChange(subject="project", project_id=project.id, from_level="none",
                                        to_level="red", evaluated_on=date(2026, 12, 1), warnings=[]))
    warning = make._save(WarningNotice(
        developer_id=project.developer_id, project_id=project.id, change_id=change.id, level="red",
        warnings=[{"rule": "surge", "level": "red", "facts_zh": "秘密预警事实", "facts_en": "secret"}],
        created_at=NOW))
    commitment = make._save(Commitment(developer_id=project.developer_id, project_id=project.id,
                                       notice_id=warning.id, text="秘密承诺", due_on=date(2026, 1, 1),
                                       status="open", made_at=NOW))
    letter = make._save(Document(
        inquiry_id=inquiry.id, kind="inquiry_letter", title="秘密函询函", sha256="1" * 64,
        verify_code="SECRETLTR2345678", stored_path="documents/letter.pdf", size_bytes=1,
        party_developer_id=project.developer_id, created_at=NOW))

    # Their developer's release records: a freeze, a guarantee with a document, an obligation.
    from app.models import CounterGuarantee, CounterGuaranteeFile, FrozenAsset, Obligation, PreservationOrder

    order = make._save(PreservationOrder(developer_id=project.developer_id, ruling_no="（2026）琼9999财保77号",
                                         ruled_on=date(2026, 6, 1), expires_on=date(2027, 6, 1), created_at=NOW))
    frozen = make._save(FrozenAsset(order_id=order.id, developer_id=project.developer_id, kind="bank_account",
                                    label="秘密冻结账户", frozen_fen=100, released_fen=0))
    guarantee = make._save(CounterGuarantee(
        developer_id=project.developer_id, provider="秘密担保人", kind="surety", value_fen=100,
        valid_from=date(2026, 6, 1), valid_until=date(2027, 6, 1), status="offered", created_at=NOW))
    guarantee_file = make._save(CounterGuaranteeFile(
        guarantee_id=guarantee.id, original_name="秘密保函.pdf", stored_name="1" * 32 + ".pdf",
        content_type="application/pdf", size_bytes=4, sha256="0" * 64, created_at=NOW))
    obligation = make._save(Obligation(developer_id=project.developer_id, description="秘密义务", cost_fen=0,
                                       status="open", created_at=NOW))

    ours = make.project()
    users = {
        "homeowner": make.user("homeowner"),
        "developer": make.user("developer", developer=ours.developer),
        "mediator": make.user("mediator", court=ours.court),
        "judge": make.user("judge", court=ours.court),
        "admin": make.user("admin", court=ours.court),
    }
    return World(
        ids={"case_id": case.id, "complaint_id": complaint.id, "attachment_id": attachment.id,
             "import_id": referral.id, "task_id": task.id, "notice_id": notice.id,
             "case_number": case.number, "filing_id": filing.id, "document_id": document.id, "code": "zh",
             "agreement_id": agreement.id, "reminder_id": reminder.id,
             "filename": "css/app.css",
             "user_id": their_judge.id, "developer_id": project.developer_id,
             "project_id": project.id, "year": 2027, "token": "not-a-token",
             "mediator_id": their_mediator.mediator.id, "leave_id": 1, "conflict_id": 1,
             "session_id": their_session.id, "plan_id": 2147483000, "number": 1,
             "inquiry_id": inquiry.id, "warning_id": warning.id, "commitment_id": commitment.id,
             "document_id_letter": letter.id,
             "visit_id": visit.id, "mediation_session_id": session.id,
             "application_id": 2147483000, "followup_id": 2147483000,
             "order_id": order.id, "guarantee_id": guarantee.id, "file_id": guarantee_file.id,
             "obligation_id": obligation.id, "asset_id": frozen.id},
        secrets=[case.number, complaint.receipt_no, claimant.name, "秘密通知主题", "秘密事实",
                 "符科长", "转办.csv", "秘密条款", "秘密错误", "秘密函询问题", "秘密答复", "秘密预警事实", "秘密承诺",
                 "秘密函询函", "秘密笔录", "秘密冻结账户", "秘密担保人", "秘密保函", "秘密义务", "秘密会议室"],
        users=users,
    )


#: Calls that end (or replace) the session or token the walk runs in; their own tests
#: (named in ROUTES) check them from every side.
ENDS_THE_WALK = {("POST", "auth.logout"), ("POST", "auth.login"),
                 ("POST", "auth.end_all_sessions"), ("POST", "api.renew_token"),
                 ("DELETE", "api.end_token")}


def _call(client, method: str, endpoint: str, url: str, token: str | None, headers: dict):
    if endpoint.startswith("api."):
        return client.open(url, method=method, headers=headers,
                           json={} if method == "POST" else None)
    data = {"csrf_token": token} if method == "POST" and token else None
    return client.open(url, method=method, data=data)


def _matches(expected, response) -> bool:
    if expected == OPEN:
        return response.status_code < 400 or response.status_code == 422
    if expected == LOGIN:
        return (response.status_code == 302
                and response.headers["Location"].startswith("/login"))
    return response.status_code == expected


@pytest.mark.parametrize("visitor", VISITORS)
def test_no_route_shows_someone_elses_object(app, client, make, visitor):
    """What does a {visitor} get from every route, for a case, complaint, file, import,
    task and notice of another court, company and household? Never the object."""
    from flask import url_for

    world = _build_world(make)
    headers, token = {}, csrf_token(client, "/login")  # so that POSTs reach the login check
    if visitor != ANON:
        user = world.users[visitor]
        login(client, user.username)
        token = csrf_token(client, "/account/password")
        issued = client.post("/api/v1/auth/token",
                             json={"username": user.username, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {issued.get_json()['token']}"}
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))
    failures = []
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (method, rule.endpoint) in ENDS_THE_WALK:
                continue  # would end (or replace) the session the walk runs in
            expected = ROUTES[(method, rule.endpoint)].of(visitor)
            arguments = {a: world.ids[a] for a in rule.arguments}
            secrets = world.secrets
            if rule.endpoint == "public.verify_document":
                # Whoever holds the code printed on the PDF may check it: title, case number.
                arguments["code"] = "SECRETCDE2345678"
                secrets = [s for s in secrets if s != world.ids["case_number"]]
            with app.test_request_context():
                url = url_for(rule.endpoint, **arguments)
            response = _call(client, method, rule.endpoint, url, token, headers)
            body = response.get_data(as_text=True)
            leaked = [s for s in secrets if s in body]
            if not _matches(expected, response) or leaked:
                failures.append(f"{method} {url} ({rule.endpoint}): expected {expected}, "
                                f"got {response.status_code}" + (f", shows {leaked}" if leaked else ""))
    assert not failures, "\n".join(failures)
