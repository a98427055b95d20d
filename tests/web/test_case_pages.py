"""The case page and triage, from every side: who may open, who may act, what is escaped."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, CaseEvent, Complaint, MediatorConflict
from tests.web.helpers import csrf_token, login

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def world(make):
    """One court's assigned case, its parties and officers, and outsiders of every kind."""
    court = make.court()
    project = make.project(court=court)
    judge = make.user("judge", court=court)
    mediator = make.user("mediator", court=court)
    owner = make.user("homeowner")
    case = make.case(project=project, status="assigned", mediator=mediator.mediator,
                     claimant=owner.person)
    return SimpleNamespace(
        court=court, project=project, case=case, judge=judge, mediator=mediator, owner=owner,
        staff=make.user("developer", developer=project.developer),
        other_owner=make.user("homeowner"),
        other_staff=make.user("developer"),
        idle_mediator=make.user("mediator", court=court),
        other_judge=make.user("judge"),
        admin=make.user("admin", court=court),
    )


def status_of(app, case_id) -> str:
    with app.app_context():
        return db.session.get(Case, case_id).status


def event_count(app, case_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CaseEvent)
                                 .where(CaseEvent.case_id == case_id))


def post_move(client, case_id, move, token=None, **fields):
    token = token or csrf_token(client, f"/cases/{case_id}")
    data = {"move": move, "csrf_token": token, f"{move}-csrf_token": token}
    data.update({f"{move}-{name}": value for name, value in fields.items()})
    return client.post(f"/cases/{case_id}/transition", data=data)


# --- Who may open a case ------------------------------------------------------------------------------

INSIDERS = ["owner", "staff", "mediator", "judge"]
OUTSIDERS = {
    "other_owner": "Can a homeowner open another homeowner's case?",
    "other_staff": "Can a developer open a case against another developer?",
    "idle_mediator": "Can a mediator open a case not assigned to them?",
    "other_judge": "Can a judge of another court open the case?",
    "admin": "Can a court clerk (admin) open case files?",
}


@pytest.mark.parametrize("who", INSIDERS)
def test_the_parties_and_officers_of_a_case_open_its_page(client, world, who):
    login(client, getattr(world, who).username)
    response = client.get(f"/cases/{world.case.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert world.case.number in html and world.project.name in html
    assert 'data-testid="timeline"' in html


@pytest.mark.parametrize("who", [pytest.param(who, id=question) for who, question in OUTSIDERS.items()])
def test_someone_else_s_case_is_not_found_and_shows_nothing(client, world, who):
    """Can an outsider open or act on the case? No: 404, and not a word of it."""
    login(client, getattr(world, who).username)
    response = client.get(f"/cases/{world.case.id}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert world.case.number not in html and world.project.name not in html
    token = csrf_token(client, "/account/password")
    for path, data in ((f"/cases/{world.case.id}/transition", {"move": "closed"}),
                       (f"/cases/{world.case.id}/assign", {"mediator_id": world.mediator.mediator.id}),
                       (f"/cases/{world.case.id}/representatives", {"person_ids": "1"})):
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 404, path
    assert status_of(client.application, world.case.id) == "assigned"


@pytest.mark.parametrize("path", ["/cases/0", "/cases/999999", "/cases/99999999999", "/cases/abc",
                                  "/cases/-1", "/court/complaints/99999999999"])
def test_unknown_or_malformed_ids_are_simply_not_found(client, world, path):
    login(client, world.judge.username)
    assert client.get(path).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(f"/cases/{world.case.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- Who may act ---------------------------------------------------------------------------------------


def test_a_homeowner_cannot_make_a_move_reserved_for_judges(client, world, app):
    """Can a homeowner post the judge's transfer (移送) of their own case? Refused, unchanged."""
    login(client, world.owner.username)
    before = event_count(app, world.case.id)
    response = post_move(client, world.case.id, "closed", outcome="transferred", reason="自己结案")
    assert response.status_code == 403
    assert "业主无权" in response.get_data(as_text=True)
    assert status_of(app, world.case.id) == "assigned"
    assert event_count(app, world.case.id) == before


def test_a_developer_cannot_withdraw_the_homeowner_s_application(client, world, app):
    login(client, world.staff.username)
    html = client.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert 'data-testid="move-withdrawn"' not in html
    response = post_move(client, world.case.id, "withdrawn", outcome="withdrawn_applied", reason="x")
    assert response.status_code == 403
    assert status_of(app, world.case.id) == "assigned"


def test_the_homeowner_may_withdraw_their_own_application(client, world, app):
    login(client, world.owner.username)
    html = client.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert 'data-testid="move-withdrawn"' in html
    response = post_move(client, world.case.id, "withdrawn", outcome="withdrawn_applied",
                         reason="已与开发商达成和解", expected_status="assigned")
    assert response.status_code == 303
    assert status_of(app, world.case.id) == "withdrawn"


def test_the_mediator_moves_the_case_and_the_timeline_shows_it_escaped(client, world, app):
    """Is hostile text in a reason stored as typed and shown only escaped?"""
    login(client, world.mediator.username)
    response = post_move(client, world.case.id, "scheduled", reason=HOSTILE,
                         expected_status="assigned")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{world.case.id}"
    html = client.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert HOSTILE not in html and "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert status_of(app, world.case.id) == "scheduled"
    with app.app_context():
        assert db.session.scalar(select(CaseEvent.reason).order_by(CaseEvent.id.desc()).limit(1)) == HOSTILE


def test_moves_need_a_csrf_token(client, world, app):
    """Can another site make the mediator's browser move the case (CSRF)?"""
    login(client, world.mediator.username)
    response = client.post(f"/cases/{world.case.id}/transition",
                           data={"move": "scheduled", "scheduled-expected_status": "assigned"})
    assert response.status_code == 400
    for path in (f"/cases/{world.case.id}/assign", f"/cases/{world.case.id}/representatives",
                 "/court/triage/merge"):
        assert client.post(path, data={}).status_code in (400, 403)
    assert status_of(app, world.case.id) == "assigned"


def test_a_missing_reason_is_shown_next_to_its_field(client, world, app):
    """A mediator declines without a reason: 422, the message beside the reason field."""
    login(client, world.mediator.username)
    response = post_move(client, world.case.id, "registered", reason="  ", expected_status="assigned")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="registered-reason-error"' in html and "请填写拒绝或回避理由" in html
    assert status_of(app, world.case.id) == "assigned"


@pytest.mark.parametrize("days", ["-3", "1.5", "abc", "0", "99999999999999999999", "<b>5</b>"])
def test_hostile_extension_days_are_refused_beside_the_field(client, world, app, days):
    login(client, world.mediator.username)
    before = event_count(app, world.case.id)
    response = post_move(client, world.case.id, "extend", extension_days=days,
                         parties_consent="y", expected_status="assigned")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="extend-extension_days-error"' in html
    assert "<b>5</b>" not in html
    assert event_count(app, world.case.id) == before


def test_an_extension_needs_the_parties_consent_and_is_recorded(client, world, app):
    login(client, world.mediator.username)
    response = post_move(client, world.case.id, "extend", extension_days="10", expected_status="assigned")
    assert response.status_code == 422
    assert 'id="extend-parties_consent-error"' in response.get_data(as_text=True)
    response = post_move(client, world.case.id, "extend", extension_days="10", parties_consent="y",
                         expected_status="assigned")
    assert response.status_code == 303
    html = client.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert "延长调解期限10日" in html


def test_a_stale_page_is_refused_as_a_conflict(client, world, app):
    login(client, world.mediator.username)
    before = event_count(app, world.case.id)
    token = csrf_token(client, f"/cases/{world.case.id}")
    assert post_move(client, world.case.id, "scheduled", token, expected_status="assigned").status_code == 303
    response = post_move(client, world.case.id, "scheduled", token, expected_status="assigned")
    assert response.status_code == 409
    assert "请刷新页面" in response.get_data(as_text=True)
    assert event_count(app, world.case.id) == before + 1


# --- Assigning a mediator --------------------------------------------------------------------------------


@pytest.fixture
def registered(make, world):
    return make.case(project=world.project, status="registered")


def test_the_judge_sees_conflicted_mediators_disabled_with_the_reason(client, make, world, registered):
    conflicted = make.user("mediator", court=world.court, name="李回避")
    make._save(MediatorConflict(mediator_id=conflicted.mediator.id,
                                developer_id=world.project.developer_id, reason="曾任该公司法律顾问"))
    login(client, world.judge.username)
    html = client.get(f"/cases/{registered.id}").get_data(as_text=True)
    option = re.search(rf'data-testid="mediator-{conflicted.mediator.id}".*?</label>', html, re.S).group(0)
    assert "disabled" in option and "曾任该公司法律顾问" in option
    token = csrf_token(client, f"/cases/{registered.id}")
    response = client.post(f"/cases/{registered.id}/assign",
                           data={"csrf_token": token, "mediator_id": conflicted.mediator.id,
                                 "expected_status": "registered"})
    assert response.status_code == 422
    assert 'id="mediator_id-error"' in response.get_data(as_text=True)
    assert status_of(client.application, registered.id) == "registered"
    response = client.post(f"/cases/{registered.id}/assign",
                           data={"csrf_token": token, "mediator_id": world.idle_mediator.mediator.id,
                                 "expected_status": "registered"})
    assert response.status_code == 303
    html = client.get(f"/cases/{registered.id}").get_data(as_text=True)
    assert world.idle_mediator.name in html and 'data-testid="deadline"' in html
    assert status_of(client.application, registered.id) == "assigned"


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999", ""])
def test_a_hostile_mediator_choice_is_refused(client, world, registered, value):
    login(client, world.judge.username)
    token = csrf_token(client, f"/cases/{registered.id}")
    response = client.post(f"/cases/{registered.id}/assign",
                           data={"csrf_token": token, "mediator_id": value})
    assert response.status_code == 422
    assert status_of(client.application, registered.id) == "registered"


# --- Triage ------------------------------------------------------------------------------------------------


@pytest.fixture
def waiting(make, world):
    """Complaints waiting in the judge's court, one flagged as a duplicate, one elsewhere."""
    first = make.complaint(project=world.project)
    second = make.complaint(project=world.project)
    with_dup = make.complaint(project=world.project, person=first.claimant_person)
    elsewhere = make.complaint()
    from sqlalchemy import update

    with make.app.app_context():
        db.session.execute(update(Complaint).where(Complaint.id == with_dup.id)
                           .values(duplicate_of_id=first.id))
        db.session.commit()
    return SimpleNamespace(first=first, second=second, dup=with_dup, elsewhere=elsewhere)


def test_the_triage_page_lists_the_court_s_waiting_complaints_masked(client, world, waiting):
    login(client, world.judge.username)
    response = client.get("/court/triage")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert waiting.first.receipt_no in html and waiting.second.receipt_no in html
    assert waiting.elsewhere.receipt_no not in html
    person = waiting.first.claimant_person
    assert person.resident_id not in html
    assert person.resident_id[:4] + "**********" + person.resident_id[-4:] in html
    assert 'data-testid="duplicate"' in html and f"{waiting.first.receipt_no}" in html
    assert 'data-testid="merge-group"' in html


def test_triage_is_for_judges_only(client, world):
    login(client, world.mediator.username)
    assert client.get("/court/triage").status_code == 403


def test_accepting_from_triage_registers_the_case_the_homeowner_then_sees(app, make, world, waiting):
    judge_client, owner_client = app.test_client(), app.test_client()
    login(judge_client, world.judge.username)
    token = csrf_token(judge_client, "/court/triage")
    response = judge_client.post(f"/court/complaints/{waiting.second.id}/accept",
                                 data={"csrf_token": token})
    assert response.status_code == 303
    case_path = response.headers["Location"]
    assert re.fullmatch(r"/cases/\d+", case_path)
    html = judge_client.get(case_path).get_data(as_text=True)
    number = re.search(r"（2026）[^<\s]+号", html).group(0)
    again = judge_client.post(f"/court/complaints/{waiting.second.id}/accept", data={"csrf_token": token})
    assert again.status_code == 409
    owner = make.user("homeowner", person=waiting.second.claimant_person)
    login(owner_client, owner.username)
    assert number in owner_client.get("/homeowner/").get_data(as_text=True)
    assert owner_client.get(case_path).status_code == 200


def test_a_judge_cannot_decide_another_court_s_complaint(client, world, waiting, app):
    login(client, world.judge.username)
    token = csrf_token(client, "/court/triage")
    for action in ("accept", "reject"):
        response = client.post(f"/court/complaints/{waiting.elsewhere.id}/{action}",
                               data={"csrf_token": token, "reason": "x"})
        assert response.status_code == 404
    assert client.get(f"/court/complaints/{waiting.elsewhere.id}").status_code == 404
    with app.app_context():
        assert db.session.get(Complaint, waiting.elsewhere.id).status == "submitted"


def test_a_rejection_needs_a_reason_and_the_filer_reads_it_escaped(app, make, world, waiting):
    judge_client, owner_client = app.test_client(), app.test_client()
    login(judge_client, world.judge.username)
    path = f"/court/complaints/{waiting.first.id}"
    token = csrf_token(judge_client, path)
    response = judge_client.post(path + "/reject", data={"csrf_token": token, "reason": " "})
    assert response.status_code == 422
    assert 'id="reason-error"' in response.get_data(as_text=True)
    response = judge_client.post(path + "/reject", data={"csrf_token": token, "reason": HOSTILE})
    assert response.status_code == 303
    owner = make.user("homeowner", person=waiting.first.claimant_person)
    login(owner_client, owner.username)
    html = owner_client.get(f"/homeowner/complaints/{waiting.first.id}").get_data(as_text=True)
    assert "&lt;script&gt;" in html and HOSTILE not in html
    with app.app_context():
        assert db.session.get(Complaint, waiting.first.id).decision_reason == HOSTILE


def test_one_click_merges_a_proposed_group_into_a_group_case(client, make, world, app):
    complaints = [make.complaint(project=world.project, dispute_type="quality") for _ in range(10)]
    login(client, world.judge.username)
    html = client.get("/court/triage").get_data(as_text=True)
    assert 'data-testid="group-dispute"' in html
    form = re.search(r'<form method="post" action="/court/triage/merge" class="inline">(.*?)</form>',
                     html, re.S).group(1)
    ids = re.findall(r'name="complaint_ids" value="(\d+)"', form)
    assert sorted(map(int, ids)) == sorted(c.id for c in complaints)
    token = csrf_token(client, "/court/triage")
    response = client.post("/court/triage/merge", data={"csrf_token": token, "complaint_ids": ids})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="group-tag"' in page and 'data-testid="representatives-needed"' in page
    assert page.count('data-testid="claimant"') == 10


@pytest.mark.parametrize("ids", [["../../etc/passwd"], ["1", "<script>"], ["99999999999"], []])
def test_hostile_merge_requests_are_refused_without_a_crash(client, world, waiting, ids, app):
    login(client, world.judge.username)
    token = csrf_token(client, "/court/triage")
    response = client.post("/court/triage/merge",
                           data={"csrf_token": token, "complaint_ids": ids + [str(waiting.first.id)]})
    assert response.status_code in (404, 422)
    assert "<script>" not in response.get_data(as_text=True).split("</header>", 1)[-1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)
                                 .where(Complaint.status == "submitted")) == 4


# --- Group cases: representatives and opting out ---------------------------------------------------------


@pytest.fixture
def group(app, make, world):
    from app.models import User
    from app.services.triage import merge_complaints
    from tests.factories import NOW

    complaints = [make.complaint(project=world.project) for _ in range(10)]
    with app.app_context():
        case = merge_complaints([c.id for c in complaints], actor=db.session.get(User, world.judge.id),
                                now=NOW)
        case_id = case.id
    member = make.user("homeowner", person=complaints[3].claimant_person)
    return SimpleNamespace(case_id=case_id, complaints=complaints, member=member)


def test_a_homeowner_in_a_group_sees_others_masked_and_may_only_opt_out(client, world, group, app):
    login(client, group.member.username)
    html = client.get(f"/cases/{group.case_id}").get_data(as_text=True)
    me = group.complaints[3].claimant_person
    assert me.resident_id in html  # the viewer's own data
    for complaint in group.complaints[:3]:
        assert complaint.claimant_person.resident_id not in html
    assert html.count('data-testid="opt-out"') == 1
    assert 'data-testid="move-withdrawn"' not in html
    token = csrf_token(client, f"/cases/{group.case_id}")
    assert client.post(f"/complaints/{group.complaints[0].id}/opt-out",
                       data={"csrf_token": token}).status_code == 404
    response = client.post(f"/complaints/{group.complaints[3].id}/opt-out", data={"csrf_token": token})
    assert response.status_code == 303
    own = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "（2026）" in own and 'data-testid="group-tag"' not in own
    assert client.get(f"/cases/{group.case_id}").status_code == 404  # no longer in that case


def test_the_judge_records_two_to_five_representatives(client, world, group, app):
    login(client, world.judge.username)
    path = f"/cases/{group.case_id}"
    token = csrf_token(client, path)
    people = [c.claimant_person.id for c in group.complaints]
    response = client.post(path + "/representatives", data={"csrf_token": token, "person_ids": people[:1]})
    assert response.status_code == 422
    assert 'id="person_ids-error"' in response.get_data(as_text=True)
    response = client.post(path + "/representatives",
                           data={"csrf_token": token, "person_ids": ["999999"]})
    assert response.status_code == 422
    response = client.post(path + "/representatives", data={"csrf_token": token, "person_ids": people[:2]})
    assert response.status_code == 303
    html = client.get(path).get_data(as_text=True)
    assert html.count('data-testid="representative"') == 2
    assert 'data-testid="representatives-needed"' not in html


def test_the_case_page_speaks_english_when_chosen(client, world):
    client.get("/lang/en")
    login(client, world.judge.username)
    html = client.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert "Timeline" in html and "Mediation deadline" in html


def test_the_mediator_reads_the_facts_claims_evidence_and_response(app, client, make, world):
    """The mediator's case page showed none of what they are to mediate (issue 8)."""
    from app.models import Attachment, ComplaintResponse
    from tests.factories import NOW

    neighbour = make.person(name="李文华")
    make.complaint(project=world.project, person=neighbour, status="accepted", case=world.case)
    with app.app_context():
        first = db.session.scalar(select(Complaint).where(Complaint.case_id == world.case.id)
                                  .order_by(Complaint.id))
        first.facts = "合同约定2025年6月30日交房，至今未交付。" + HOSTILE
        response = ComplaintResponse(complaint=first, author_id=world.staff.id,
                                     developer_id=world.project.developer_id,
                                     text="因疫情停工，申请延期。", created_at=NOW)
        db.session.add_all([response, Attachment(
            complaint=first, original_name="合同第3页.jpg", stored_name="x.jpg",
            content_type="image/jpeg", size_bytes=1234, sha256="0" * 64, created_at=NOW)])
        db.session.commit()
    login(client, world.mediator.username)
    html = client.get(f"/cases/{world.case.id}").get_data(as_text=True)
    section = html.split('data-testid="complaint-details"', 1)[1].split("</section>", 1)[0]
    assert section.count('data-testid="complaint-detail"') == 2
    assert "至今未交付" in section and "&lt;script&gt;" in section and "<script>alert" not in section
    assert "¥10,000.00" in section and "合同第3页.jpg" in section and "因疫情停工" in section

    # The homeowner reads their own complaint in full, not the neighbour's.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})
    login(client, world.owner.username)
    html = client.get(f"/cases/{world.case.id}").get_data(as_text=True)
    section = html.split('data-testid="complaint-details"', 1)[1].split("</section>", 1)[0]
    assert section.count('data-testid="complaint-detail"') == 1 and "至今未交付" in section
