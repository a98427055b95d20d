"""Logging in and out, sessions that really end, passwords, rate limits."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.web.helpers import csrf_token, login, logout

HOMES = {"homeowner": "/homeowner/", "developer": "/developer/", "mediator": "/mediator/",
         "judge": "/court/", "admin": "/admin/"}


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_lands_on_its_own_home_page(client, make, role):
    """Where does each role go after logging in?"""
    user = make.user(role)
    response = login(client, user.username)
    assert response.status_code == 302
    assert response.headers["Location"] == HOMES[role]
    page = client.get(HOMES[role])
    assert page.status_code == 200
    assert user.name in page.get_data(as_text=True)


def test_a_wrong_password_is_reported_next_to_the_field(client, make):
    """Is a wrong password refused with a message beside the password field?"""
    user = make.user("judge")
    response = login(client, user.username, "not-the-password")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="password-error"' in html
    assert "用户名或密码错误" in html
    assert client.get("/court/").status_code == 302


def test_an_unknown_user_gets_the_same_message(client, make):
    response = login(client, "nobody-here", "whatever-123")
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_login_without_a_csrf_token_is_refused(client, make):
    """Can a cross-site form log someone in (login CSRF)?"""
    user = make.user("judge")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/court/").status_code == 302


def test_a_replayed_session_cookie_is_worthless_after_logout(app, make):
    """After logout, does the old session cookie still open the judge's pages?"""
    user = make.user("judge")
    client = app.test_client()
    login(client, user.username)
    stolen = client.get_cookie("session").value
    assert client.get("/court/").status_code == 200
    logout(client)
    attacker = app.test_client()
    attacker.set_cookie("session", stolen)
    response = attacker.get("/court/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_replayed_remember_me_cookie_is_worthless_after_logout(app, make):
    """After logout, does the remember-me cookie still log the user back in?"""
    user = make.user("developer")
    client = app.test_client()
    login(client, user.username, remember=True)
    remember = client.get_cookie("remember_token")
    assert remember is not None
    # The remember cookie alone logs in while the session is alive …
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/developer/").status_code == 200
    # … and no longer once the user has logged out.
    logout(client)
    attacker = app.test_client()
    attacker.set_cookie("remember_token", remember.value)
    assert attacker.get("/developer/").status_code == 302


def test_changing_the_password_logs_out_other_devices(app, make):
    """Does a password change end the sessions on the user's other devices?"""
    user = make.user("mediator")
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user.username)
    login(laptop, user.username)
    token = csrf_token(laptop, "/account/password")
    response = laptop.post("/account/password", data={
        "csrf_token": token, "current": PASSWORD, "new": "New-pass-456", "confirm": "New-pass-456"})
    assert response.status_code == 302
    assert laptop.get("/mediator/").status_code == 200
    assert phone.get("/mediator/").status_code == 302
    other = app.test_client()
    assert login(other, user.username, PASSWORD).status_code == 422
    assert login(other, user.username, "New-pass-456").status_code == 302


@pytest.mark.parametrize("current, new, confirm, field, message", [
    ("wrong-pass-1", "New-pass-456", "New-pass-456", "current", "当前密码不正确"),
    (PASSWORD, "short1", "short1", "new", "至少"),
    (PASSWORD, "onlyletters", "onlyletters", "new", "字母和数字"),
    (PASSWORD, "New-pass-456", "Other-pass-789", "confirm", "两次输入的密码不一致"),
])
def test_a_bad_password_change_is_explained_and_changes_nothing(client, make, current, new,
                                                                  confirm, field, message):
    user = make.user("homeowner")
    login(client, user.username)
    token = csrf_token(client, "/account/password")
    response = client.post("/account/password", data={
        "csrf_token": token, "current": current, "new": new, "confirm": confirm})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html
    assert message in html
    assert client.get("/homeowner/").status_code == 200  # still logged in, password unchanged


def test_login_attempts_are_rate_limited(app, client, make):
    """Can someone try passwords as fast as they like?"""
    user = make.user("judge")
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [login(client, user.username, "guess-%d-x" % i).status_code for i in range(4)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10000 per minute"
    assert codes[:3] == [422, 422, 422]
    assert codes[3] == 429


def test_next_never_redirects_off_site(client, make):
    user = make.user("judge")
    token = csrf_token(client)
    response = client.post("/login?next=//evil.example/x", data={
        "username": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/court/"


def test_next_brings_the_user_back_to_the_page_asked_for(client, make):
    user = make.user("judge")
    assert client.get("/account/password").headers["Location"].startswith("/login?next=")
    token = csrf_token(client)
    response = client.post("/login?next=/account/password", data={
        "username": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/account/password"


def test_a_deactivated_account_cannot_log_in(client, make):
    user = make.user("judge", active=False)
    assert login(client, user.username).status_code == 422
