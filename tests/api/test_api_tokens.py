"""API tokens that end: 12 hours, renewal, logout (DELETE), and nobody else's token ends."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.services.accounts import API_TOKEN_LIFETIME
from tests.factories import PASSWORD


def _issue(client, user) -> dict:
    response = client.post("/api/v1/auth/token",
                           json={"username": user.username, "password": PASSWORD},
                           headers={"User-Agent": "PhoneApp/2.1"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def test_a_token_lives_twelve_hours_not_thirty_days(app, client, make):
    from app.extensions import db
    from app.services.accounts import load_session_user

    user = make.user("homeowner")
    before = datetime.now(timezone.utc)
    issued = _issue(client, user)
    expires = _moment(issued["expires_at"])
    assert API_TOKEN_LIFETIME == timedelta(hours=12)
    assert timedelta(hours=11, minutes=59) <= expires - before <= timedelta(hours=12, minutes=1)
    with app.app_context():
        assert load_session_user(issued["token"], now=expires - timedelta(seconds=1), kind="api")
        assert load_session_user(issued["token"], now=expires, kind="api") is None
        db.session.remove()


def test_renewal_gives_a_fresh_token_and_ends_the_old_one(client, make):
    user = make.user("developer")
    old = _issue(client, user)
    response = client.post("/api/v1/auth/token/renew", headers=_bearer(old["token"]))
    assert response.status_code == 200
    fresh = response.get_json()
    assert set(fresh) == {"token", "expires_at"} and fresh["token"] != old["token"]
    assert _moment(fresh["expires_at"]) >= _moment(old["expires_at"])
    assert client.get("/api/v1/me", headers=_bearer(fresh["token"])).get_json()["id"] == user.id
    assert client.get("/api/v1/me", headers=_bearer(old["token"])).status_code == 401
    again = client.post("/api/v1/auth/token/renew", headers=_bearer(old["token"]))
    assert again.status_code == 401 and again.mimetype == "application/problem+json"


def test_an_expired_token_cannot_be_renewed(app, make):
    from app.extensions import db
    from app.models import User
    from app.services import login_sessions as sessions
    from app.services.accounts import sign_in

    user = make.user("judge")
    start = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
    with app.app_context():
        token, expires = sign_in(db.session.get(User, user.id), now=start, kind="api")
        assert sessions.renew_token(token, now=expires) is None
        renewed = sessions.renew_token(token, now=expires - timedelta(minutes=1))
        assert renewed is not None and renewed[1] == expires - timedelta(minutes=1) + API_TOKEN_LIFETIME
        db.session.remove()


def test_delete_ends_the_token_presented_and_no_other(client, make):
    user, other = make.user("mediator"), make.user("mediator")
    phone, tablet = _issue(client, user)["token"], _issue(client, user)["token"]
    theirs = _issue(client, other)["token"]

    response = client.delete("/api/v1/auth/token", headers=_bearer(phone))
    assert response.status_code == 204 and response.get_data() == b""
    assert client.get("/api/v1/me", headers=_bearer(phone)).status_code == 401
    assert client.delete("/api/v1/auth/token", headers=_bearer(phone)).status_code == 401
    # The same user's other token and another user's token live on.
    assert client.get("/api/v1/me", headers=_bearer(tablet)).status_code == 200
    assert client.get("/api/v1/me", headers=_bearer(theirs)).status_code == 200


def test_a_web_session_token_neither_renews_nor_ends_through_the_api(client, make):
    from tests.web.helpers import login

    user = make.user("judge")
    login(client, user.username)
    with client.session_transaction() as flask_session:
        cookie_token = flask_session["_user_id"]
    assert client.post("/api/v1/auth/token/renew", headers=_bearer(cookie_token)).status_code == 401
    assert client.delete("/api/v1/auth/token", headers=_bearer(cookie_token)).status_code == 401
    assert client.get("/account/sessions").status_code == 200  # the browser is still logged in


def test_the_openapi_document_describes_renewal_and_logout(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/auth/token/renew"]["post"]["responses"]) >= {"200", "401"}
    assert set(paths["/api/v1/auth/token"]["delete"]["responses"]) >= {"204", "401"}
    assert paths["/api/v1/auth/token"]["delete"]["security"] == [{"bearer": []}]
