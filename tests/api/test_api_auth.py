"""The phone app's tokens (docs/contracts.md): issue, use, refuse."""
from __future__ import annotations

from tests.factories import PASSWORD


def token_for(client, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def test_a_token_identifies_the_user(client, make):
    judge = make.user("judge")
    response = client.post("/api/v1/auth/token", json={"username": judge.username, "password": PASSWORD})
    body = response.get_json()
    assert set(body) == {"token", "expires_at"} and body["expires_at"].endswith("Z")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json() == {"id": judge.id, "role": "judge", "name": judge.name,
                             "court_id": judge.court_id, "developer_id": None}


def test_developer_me_names_the_company(client, make):
    staff = make.user("developer")
    token = token_for(client, staff.username)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["developer_id"] == staff.developer_id and me["role"] == "developer"


def test_without_a_valid_token_the_api_answers_401_as_a_problem_document(client):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 401


def test_wrong_credentials_get_401_and_missing_fields_422(client, make):
    user = make.user("homeowner")
    wrong = client.post("/api/v1/auth/token", json={"username": user.username, "password": "nope-123"})
    assert wrong.status_code == 401 and wrong.mimetype == "application/problem+json"
    missing = client.post("/api/v1/auth/token", json={"username": user.username})
    assert missing.status_code == 422
    assert missing.get_json()["errors"] == [{"field": "password", "message": "必填，应为字符串"}]
    asked = client.post("/api/v1/auth/token", json={"username": user.username},
                        headers={"Accept-Language": "en"})
    assert asked.get_json()["errors"] == [{"field": "password", "message": "required, a string"}]
    not_json = client.post("/api/v1/auth/token", data="x")
    assert not_json.status_code == 400


def test_a_web_session_token_is_not_an_api_token(app, make):
    """Can the token of a browser session be replayed as an API bearer token? No."""
    from app.extensions import db
    from app.models.types import utcnow
    from app.services.accounts import open_session

    user = make.user("judge")
    with app.app_context():
        from app.models import User

        token, _ = open_session(db.session.get(User, user.id), now=utcnow(), kind="web")
        db.session.commit()
        db.session.remove()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_the_api_needs_no_csrf_token_but_forms_do(client, make):
    user = make.user("judge")
    assert client.post("/api/v1/auth/token", json={"username": user.username,
                                                   "password": PASSWORD}).status_code == 200
