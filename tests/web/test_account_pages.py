"""The open account pages (registration, password reset, invitations) and the clerk's
account, developer and project pages, through the browser's eyes (Flask's test client)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Developer, Mediator, Project, User
from mediation.identifiers import make_resident_id, make_uscc
from tests.factories import PASSWORD
from tests.web.helpers import csrf_token, login

PHONE = "13907561234"
RID = make_resident_id("46900519850612123")


def field_error(html: str, field_id: str) -> str:
    """The error shown under a form field (the _macros.field markup), or ''."""
    match = re.search(rf'<p class="error" id="{field_id}-error" role="alert">([^<]*)</p>', html)
    return match.group(1) if match else ""


def sms_code(app, phone: str = PHONE) -> str:
    return re.search(r"\d{6}", app.extensions["sms"].last_to(phone)).group(0)


def register_form(client, **overrides) -> dict:
    data = {"csrf_token": csrf_token(client, "/register"), "name": "林晓梅",
            "resident_id": RID, "phone": PHONE, "code": "", "password": "Haikou2026",
            "confirm": "Haikou2026"}
    data.update(overrides)
    return data


def test_a_homeowner_registers_and_lands_on_the_own_page(app, client):
    sent = client.post("/register", data=register_form(client, send_code="y"))
    html = sent.get_data(as_text=True)
    assert sent.status_code == 200 and "139****1234" in html
    code = sms_code(app)
    assert code not in html  # the code travels by SMS, never on the page
    response = client.post("/register", data=register_form(client, code=code, submit="y"))
    assert response.status_code == 302 and response.headers["Location"] == "/homeowner/"
    home = client.get("/homeowner/").get_data(as_text=True)
    assert "林晓梅" in home


def test_each_registration_error_stands_next_to_its_field(client):
    response = client.post("/register", data=register_form(
        client, name="", resident_id="4690051985061212", phone="1234", password="abc",
        confirm="abc", submit="y"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, "name") == "请填写姓名"
    assert "18位" in field_error(html, "resident_id")
    assert field_error(html, "phone")


def test_a_wrong_code_is_reported_next_to_the_code_field(app, client):
    client.post("/register", data=register_form(client, send_code="y"))
    wrong = f"{(int(sms_code(app)) + 1) % 1_000_000:06d}"
    html = client.post("/register", data=register_form(client, code=wrong, submit="y")
                       ).get_data(as_text=True)
    assert "验证码不正确" in field_error(html, "code")


def test_registering_a_registered_id_points_to_the_reset_without_naming_anyone(app, client, make):
    owner = make.user("homeowner", name="王海燕")
    client.post("/register", data=register_form(client, send_code="y"))
    html = client.post("/register", data=register_form(
        client, resident_id=owner.person.resident_id, code=sms_code(app), submit="y")
    ).get_data(as_text=True)
    message = field_error(html, "resident_id")
    assert "已注册" in message and "忘记密码" in message
    assert "王海燕" not in html and "138****8000" not in html and "13800138000" not in html


def test_a_logged_in_user_is_sent_home_from_the_registration(client, make):
    login(client, make.user("judge").username)
    assert client.get("/register").headers["Location"] == "/court/"


def test_a_homeowner_resets_the_password_with_a_phone_code(app, client, make):
    make.user("homeowner", username="owner", phone=PHONE)
    page = client.get("/password-reset").get_data(as_text=True)
    assert "/password-reset/phone" in page and "/password-reset/email" in page
    token = csrf_token(client, "/password-reset/phone")
    sent = client.post("/password-reset/phone", data={"csrf_token": token, "phone": PHONE,
                                                      "send_code": "y"})
    assert "139****1234" in sent.get_data(as_text=True)
    bad = client.post("/password-reset/phone", data={
        "csrf_token": token, "phone": PHONE, "code": sms_code(app), "password": "short1",
        "confirm": "short1", "submit": "y"})
    assert bad.status_code == 422 and "8" in field_error(bad.get_data(as_text=True), "password")
    done = client.post("/password-reset/phone", data={
        "csrf_token": token, "phone": PHONE, "code": sms_code(app), "password": "Wenchang99",
        "confirm": "Wenchang99", "submit": "y"})
    assert done.headers["Location"] == "/login"
    assert login(client, "owner", "Wenchang99").status_code == 302


def test_an_invitation_link_sets_the_password_and_logs_in_once(app, client, make):
    admin = make.user("admin", username="clerk")
    developer = make.developer(name="椰城置业有限公司")
    login(client, admin.username)
    response = client.post("/admin/users/invite", data={
        "csrf_token": csrf_token(client, "/admin/users/invite"), "developer_id": developer.id,
        "name": "陈经理", "phone": "13707561111", "email": ""})
    assert response.status_code == 302
    link = re.search(r"http://localhost(/invitation/\S+)",
                     app.extensions["sms"].last_to("13707561111")).group(1)
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert link not in shown  # the clerk never sees the link
    invitee = client.application.test_client()
    page = invitee.get(link).get_data(as_text=True)
    assert "椰城置业有限公司" in page and "13707561111" in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    mismatch = invitee.post(link, data={"csrf_token": token, "password": "Developer1",
                                        "confirm": "Developer2"})
    assert mismatch.status_code == 422
    assert field_error(mismatch.get_data(as_text=True), "confirm") == "两次输入的密码不一致。"
    accepted = invitee.post(link, data={"csrf_token": token, "password": "Developer1",
                                        "confirm": "Developer1"})
    assert accepted.headers["Location"] == "/developer/"
    assert invitee.get("/developer/").status_code == 200
    assert invitee.get(link).status_code == 410  # used once, dead


def test_a_forged_reset_link_is_refused_with_a_way_forward(client):
    response = client.get("/password-reset/not-a-real-token")
    assert response.status_code == 410
    assert "/password-reset" in response.get_data(as_text=True)


# --- the clerk's pages -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["homeowner", "developer", "mediator", "judge"])
def test_no_other_role_can_act_on_accounts(client, make, role):
    """Can a {role} deactivate an account or reset its password? Never."""
    target = make.user("judge")
    login(client, make.user(role).username)
    token = csrf_token(client, "/account/password")
    for path, data in ((f"/admin/users/{target.id}/deactivate", {}),
                       (f"/admin/users/{target.id}/sessions/end", {}),
                       (f"/admin/users/{target.id}/password",
                        {"password": "Takeover99", "confirm": "Takeover99"}),
                       ("/admin/users/new", {"role": "admin", "username": "evil",
                                             "name": "x", "password": "Takeover99",
                                             "confirm": "Takeover99"})):
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 403
    for path in ("/admin/users", "/admin/developers", "/admin/projects",
                 f"/admin/users/{target.id}"):
        assert client.get(path).status_code == 403


def test_the_clerk_creates_a_mediator_who_then_logs_in(app, client, make):
    admin = make.user("admin")
    court = make.court(name="文昌市人民法院防范房地产风险巡回法庭")
    login(client, admin.username)
    token = csrf_token(client, "/admin/users/new")
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "role": "mediator", "username": "mediator.wu", "name": "吴调解",
        "phone": "13912345678", "court_id": court.id, "mediator_kind": "court",
        "skills": ["quality", "area"], "capacity": "12", "password": "Mediate2026",
        "confirm": "Mediate2026"})
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "吴调解" in detail and "房屋质量" in detail and "法院调解员" in detail
    with app.app_context():
        mediator = db.session.scalar(select(Mediator).join(User).where(
            User.username == "mediator.wu"))
        assert (mediator.court_id, mediator.capacity) == (court.id, 12)
    other = app.test_client()
    assert login(other, "mediator.wu", "Mediate2026").headers["Location"] == "/mediator/"


def test_the_new_account_form_shows_each_error_next_to_its_field(client, make):
    login(client, make.user("admin").username)
    response = client.post("/admin/users/new", data={
        "csrf_token": csrf_token(client, "/admin/users/new"), "role": "judge",
        "username": "a b", "name": "", "court_id": "", "password": "abcdefgh",
        "confirm": "abcdefgh"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, "username") and field_error(html, "name") == "请填写姓名"
    assert field_error(html, "court_id") == "请选择所属法院"
    assert "字母和数字" in field_error(html, "password")


def test_deactivating_from_the_web_ends_the_web_session_and_the_api_token(app, client, make):
    """Does a deactivated judge keep a browser session or a phone-app token? No."""
    admin = make.user("admin")
    judge = make.user("judge")
    judge_browser = app.test_client()
    login(judge_browser, judge.username)
    assert judge_browser.get("/court/").status_code == 200
    api_token = judge_browser.post("/api/v1/auth/token", json={
        "username": judge.username, "password": PASSWORD}).get_json()["token"]

    login(client, admin.username)
    listing = client.get("/admin/users", query_string={"q": judge.username}).get_data(as_text=True)
    assert f'data-user-id="{judge.id}"' in listing
    token = csrf_token(client, f"/admin/users/{judge.id}")
    response = client.post(f"/admin/users/{judge.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 302

    assert judge_browser.get("/court/").headers["Location"].startswith("/login")
    me = judge_browser.get("/api/v1/me", headers={"Authorization": f"Bearer {api_token}"})
    assert me.status_code == 401
    assert login(app.test_client(), judge.username).status_code == 422


def test_the_clerk_resets_a_password_and_ends_all_sessions_from_the_web(app, client, make):
    admin = make.user("admin")
    owner = make.user("homeowner")
    owner_browser = app.test_client()
    login(owner_browser, owner.username)
    login(client, admin.username)
    token = csrf_token(client, f"/admin/users/{owner.id}")
    bad = client.post(f"/admin/users/{owner.id}/password", data={
        "csrf_token": token, "password": "Counter2026", "confirm": "Counter2027"})
    assert bad.status_code == 422 and field_error(bad.get_data(as_text=True), "confirm")
    assert owner_browser.get("/homeowner/").status_code == 200  # nothing happened yet
    client.post(f"/admin/users/{owner.id}/password", data={
        "csrf_token": token, "password": "Counter2026", "confirm": "Counter2026"})
    assert owner_browser.get("/homeowner/").status_code == 302
    login(owner_browser, owner.username, "Counter2026")
    assert owner_browser.get("/homeowner/").status_code == 200
    ended = client.post(f"/admin/users/{owner.id}/sessions/end", data={"csrf_token": token})
    after = client.get(ended.headers["Location"]).get_data(as_text=True)
    assert "此前有效 1 个" in after  # the flash: one session was live
    assert 'data-testid="live-sessions">0<' in after
    assert owner_browser.get("/homeowner/").status_code == 302


def test_the_clerk_registers_a_developer_and_its_project(app, client, make):
    login(client, make.user("admin").username)
    court, town = make.court(), make.town()
    code = make_uscc("91469005MA5T00002")
    token = csrf_token(client, "/admin/developers/new")
    bad = client.post("/admin/developers/new", data={"csrf_token": token, "name": "文昌置业",
                                                     "uscc": code[:-1] + "I"})
    assert bad.status_code == 422 and "第18位" in field_error(bad.get_data(as_text=True), "uscc")
    ok = client.post("/admin/developers/new", data={"csrf_token": token, "name": "文昌置业",
                                                    "uscc": code})
    assert ok.status_code == 302
    with app.app_context():
        developer_id = db.session.scalar(select(Developer.id).where(Developer.uscc == code))
    assert "文昌置业" in client.get("/admin/developers", query_string={"q": code[:8]}
                                    ).get_data(as_text=True)
    form = {"csrf_token": token, "name": "椰林湾", "developer_id": developer_id,
            "court_id": court.id, "town_id": town.id, "latitude": "19.6",
            "longitude": "", "units_total": "200", "units_delivered": "0",
            "promised_delivery_on": "2026-06-30"}
    bad = client.post("/admin/projects/new", data=form)
    assert bad.status_code == 422
    assert field_error(bad.get_data(as_text=True), "longitude") == "经纬度须同时填写或同时留空"
    ok = client.post("/admin/projects/new", data={**form, "longitude": "110.8"})
    assert ok.status_code == 302
    with app.app_context():
        project = db.session.scalar(select(Project).where(Project.name == "椰林湾"))
        assert project.promised_delivery_on.isoformat() == "2026-06-30"
    edit = client.post(f"/admin/projects/{project.id}", data={**form, "longitude": "110.8",
                                                              "units_delivered": "50"})
    assert edit.status_code == 302
    assert "50 / 200" in client.get("/admin/projects", query_string={"q": "椰林"}
                                    ).get_data(as_text=True)


def test_ids_beyond_the_database_are_unknown_not_errors(client, make):
    """Can a typed id too large for the database crash a page? It is simply unknown."""
    login(client, make.user("admin").username)
    assert client.get("/admin/users/99999999999").status_code == 404
    assert client.get("/admin/projects/99999999999").status_code == 404
    html = client.post("/admin/users/new", data={
        "csrf_token": csrf_token(client, "/admin/users/new"), "role": "judge",
        "username": "judge.big", "name": "符法官", "court_id": "99999999999",
        "password": "Judge2026x", "confirm": "Judge2026x"}).get_data(as_text=True)
    assert field_error(html, "court_id") == "请选择所属法院"


def test_registration_errors_speak_english_to_an_english_reader(client):
    client.get("/lang/en")
    html = client.post("/register", data=register_form(client, name="", submit="y")
                       ).get_data(as_text=True)
    assert field_error(html, "name") == "Enter the name."
    assert "Code from the text message" in html
