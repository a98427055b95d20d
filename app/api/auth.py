"""Tokens and the current user."""
from __future__ import annotations

from flask import request

from app.api import api_bp, current_api_user, iso, json_object, token_required
from app.errors import problem
from app.input_safety import unstorable_message
from app.models.types import utcnow
from app.security import login_limits
from app.services import accounts, login_sessions
from mediation.text import unstorable_character
from mediation.messages import Msg


@api_bp.post("/auth/token")
@login_limits()  # failed attempts, per account and per address, shared with the web login
def issue_token():
    """Exchange a username and password for a bearer token.
    ---
    post:
      summary: "Log in; send the token as the bearer token of every other call"
      requestBody: {required: true, content: {application/json: {schema: TokenRequest}}}
      responses:
        200: {content: {application/json: {schema: TokenResponse}}}
        401: {content: {application/problem+json: {schema: Problem}}}
        422: {content: {application/problem+json: {schema: Problem}}}
        429: {description: "Too many failed attempts for this account or from this address", content: {application/problem+json: {schema: Problem}}}
    """
    body = json_object()
    errors = [
        {"field": name, "message": Msg("必填，应为字符串", "required, a string")}
        for name in ("username", "password")
        if not isinstance(body.get(name), str) or not body.get(name)
    ]
    errors += [  # refused before the username reaches SQL (PostgreSQL refuses a NUL)
        {"field": name, "message": unstorable_message(found)}
        for name in ("username", "password")
        if isinstance(body.get(name), str) and (found := unstorable_character(body[name]))
    ]
    if errors:
        return problem(422, "Invalid input", errors=errors)
    user = accounts.authenticate(body["username"], body["password"])
    if user is None:
        return problem(401, "Unauthorized", Msg("用户名或密码错误。", "Wrong username or password."))
    token, expires_at = accounts.sign_in(user, now=utcnow(), kind="api",
                                         user_agent=request.headers.get("User-Agent"),
                                         address=request.remote_addr)
    return {"token": token, "expires_at": iso(expires_at)}


@api_bp.post("/auth/token/renew")
@token_required
def renew_token():
    """A fresh token for a live one.
    ---
    post:
      summary: "Exchange the token sent for a fresh one (12 hours); the token sent ends at once"
      responses:
        200: {content: {application/json: {schema: TokenResponse}}}
        401: {content: {application/problem+json: {schema: Problem}}}
    """
    renewed = login_sessions.renew_token(current_api_user().session_token, now=utcnow(),
                                   user_agent=request.headers.get("User-Agent"),
                                   address=request.remote_addr)
    if renewed is None:  # ended by another request since this one began
        return problem(401, "Unauthorized", "Send a valid token as 'Authorization: Bearer …'.")
    token, expires_at = renewed
    return {"token": token, "expires_at": iso(expires_at)}


@api_bp.delete("/auth/token")
@token_required
def end_token():
    """Log out: the token sent stops working.
    ---
    delete:
      summary: "End the token sent (the phone app's logout)"
      responses:
        204: {description: The token has ended}
        401: {content: {application/problem+json: {schema: Problem}}}
    """
    login_sessions.end_token(current_api_user().session_token, now=utcnow())
    return "", 204


@api_bp.get("/me")
@token_required
def me():
    """The caller.
    ---
    get:
      summary: Who the token belongs to
      responses:
        200: {content: {application/json: {schema: Me}}}
        401: {content: {application/problem+json: {schema: Problem}}}
    """
    user = current_api_user()
    return {"id": user.id, "role": user.role, "name": user.name,
            "court_id": user.court_id, "developer_id": user.developer_id}
