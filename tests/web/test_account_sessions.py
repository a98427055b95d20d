"""/account/sessions: a user's live browsers and phone tokens, "end this", "end all";
and from the other side: nobody ends anyone else's session."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from tests.factories import PASSWORD
from tests.web.helpers import csrf_token, login


def _api_token(client, user, agent="PhoneApp/2.1") -> str:
    response = client.post("/api/v1/auth/token", headers={"User-Agent": agent},
                           json={"username": user.username, "password": PASSWORD})
    return response.get_json()["token"]


def _me(client, token) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def _session_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-session-id="(\d+)"', html)]


def _rows(app, user_id):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import LoginSession

    with app.app_context():
        rows = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user_id)
                                  .order_by(LoginSession.id)).all()
        db.session.remove()
    return rows


def test_the_page_lists_browsers_and_tokens_with_when_where_and_what(app, client, make):
    user = make.user("homeowner")
    login(client, user.username)
    _api_token(client, user, agent="PhoneApp/2.1 (Android 14)")
    other_browser = app.test_client()
    login(other_browser, make.user("homeowner").username)  # someone else's: never listed

    response = client.get("/account/sessions")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    web_row, api_row = _rows(app, user.id)
    assert _session_ids(html) and set(_session_ids(html)) == {web_row.id, api_row.id}
    assert "PhoneApp/2.1 (Android 14)" in html and "127.0.0.1" in html
    assert api_row.address == "127.0.0.1" and api_row.last_used_at is not None
    assert "this one" in html or "当前会话" in html  # the session of this very browser
    assert html.count('data-testid="end-') == 3  # two "end this", one "end all"


def test_ending_a_token_on_the_page_stops_the_phone_at_once(app, client, make):
    user = make.user("developer")
    login(client, user.username)
    token = _api_token(client, user)
    assert _me(client, token) == 200
    api_row = [r for r in _rows(app, user.id) if r.kind == "api"][0]

    response = client.post(f"/account/sessions/{api_row.id}/end",
                           data={"csrf_token": csrf_token(client, "/account/sessions")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/sessions")
    assert _me(client, token) == 401
    page = client.get("/account/sessions").get_data(as_text=True)
    assert api_row.id not in _session_ids(page)  # the browser itself is still logged in


def test_nobody_ends_someone_elses_session(app, client, make):
    mine, theirs = make.user("judge"), make.user("judge")
    their_browser = app.test_client()
    login(their_browser, theirs.username)
    their_token = _api_token(their_browser, theirs)
    login(client, mine.username)
    token = csrf_token(client, "/account/sessions")

    for row in _rows(app, theirs.id):
        response = client.post(f"/account/sessions/{row.id}/end", data={"csrf_token": token})
        assert response.status_code == 404
    assert _me(client, their_token) == 200
    assert their_browser.get("/account/sessions").status_code == 200
    assert all(r.revoked_at is None for r in _rows(app, theirs.id))
    # "End all" ends only one's own.
    client.post("/account/sessions/end-all", data={"csrf_token": token})
    assert _me(client, their_token) == 200
    assert their_browser.get("/account/sessions").status_code == 200


def test_ending_this_session_logs_out(app, client, make):
    user = make.user("mediator")
    login(client, user.username)
    (row,) = _rows(app, user.id)
    response = client.post(f"/account/sessions/{row.id}/end",
                           data={"csrf_token": csrf_token(client, "/account/sessions")})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/account/sessions").headers["Location"].startswith("/login")


def test_end_all_ends_every_browser_and_token_of_the_user(app, client, make):
    user = make.user("admin")
    login(client, user.username)
    laptop = app.test_client()
    login(laptop, user.username, )
    token = _api_token(client, user)

    response = client.post("/account/sessions/end-all",
                           data={"csrf_token": csrf_token(client, "/account/sessions")})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _me(client, token) == 401
    for browser in (client, laptop):
        assert browser.get("/account/sessions").status_code == 302
    assert all(r.revoked_at is not None for r in _rows(app, user.id))


def test_ending_needs_the_csrf_token(app, client, make):
    user = make.user("homeowner")
    login(client, user.username)
    token = _api_token(client, user)
    api_row = [r for r in _rows(app, user.id) if r.kind == "api"][0]
    assert client.post(f"/account/sessions/{api_row.id}/end").status_code == 400
    assert client.post("/account/sessions/end-all").status_code == 400
    assert _me(client, token) == 200


def test_last_use_is_written_every_five_minutes_or_on_a_new_address(app, make):
    from app.extensions import db
    from app.models import LoginSession, User
    from app.services.accounts import load_session_user, sign_in

    user = make.user("homeowner")
    start = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
    with app.app_context():
        token, _ = sign_in(db.session.get(User, user.id), now=start, address="10.0.0.1")

        def seen():
            db.session.expire_all()
            row = db.session.query(LoginSession).one()
            return row.last_used_at, row.address

        assert seen() == (start, "10.0.0.1")
        load_session_user(token, now=start + timedelta(minutes=4), address="10.0.0.1")
        assert seen() == (start, "10.0.0.1")  # not written: a read stays a read
        load_session_user(token, now=start + timedelta(minutes=5), address="10.0.0.1")
        assert seen() == (start + timedelta(minutes=5), "10.0.0.1")
        load_session_user(token, now=start + timedelta(minutes=6), address="10.0.0.9")
        assert seen() == (start + timedelta(minutes=6), "10.0.0.9")
        db.session.remove()


def test_a_deactivated_users_sessions_and_tokens_end_at_once(app, client, make):
    from app.extensions import db
    from app.models import User
    from app.services import account_admin

    user, admin = make.user("developer"), make.user("admin")
    login(client, user.username)
    token = _api_token(client, user)
    with app.app_context():
        account_admin.deactivate_account(actor=db.session.get(User, admin.id),
                                         now=datetime.now(timezone.utc),
                                         user_id=user.id)
        db.session.remove()
    assert _me(client, token) == 401
    assert client.get("/account/sessions").status_code == 302
    assert all(r.revoked_at is not None for r in _rows(app, user.id))


def test_a_read_request_notes_the_last_use_in_a_transaction_of_its_own(app, client, make):
    """A GET reads in a deferred transaction (SQLite) or autocommit (PostgreSQL): the note
    of last use goes through its own short transaction and is committed."""
    from app.extensions import db
    from app.models import User
    from app.services.accounts import sign_in

    user = make.user("judge")
    ten_minutes_ago = datetime.now(timezone.utc) - timedelta(minutes=10)
    with app.app_context():
        token, _ = sign_in(db.session.get(User, user.id), now=ten_minutes_ago, kind="api",
                           address="10.1.2.3")
        db.session.remove()
    assert _me(client, token) == 200
    (row,) = _rows(app, user.id)
    assert row.last_used_at > ten_minutes_ago + timedelta(minutes=9)
    assert row.address == "127.0.0.1"
