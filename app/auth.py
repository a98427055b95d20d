"""Who may see what: login wiring, the open endpoints, and the role of each blueprint.

Deny by default: every endpoint needs a logged-in user unless it is listed in
``OPEN_ENDPOINTS`` (or belongs to the API, which checks its own bearer tokens).
Each audience blueprint additionally admits only its roles (``BLUEPRINT_ROLES``).
"""
from __future__ import annotations

from datetime import timedelta

from flask import abort, redirect, request, url_for
from flask_login import current_user

from app.errors import problem
from app.extensions import login_manager
from app.models import Role
from app.models.types import utcnow
from mediation.messages import Msg

#: Endpoints anyone may reach without logging in.
OPEN_ENDPOINTS = frozenset({
    "static",
    "auth.login",
    "auth.set_language",
    "public.index",
    "public.about",
    "public.health",
    "public.verify_document",  # anyone holding a court document may check it
    # Doors for people without an account (app.web.accounts): homeowner registration,
    # password reset by phone code or e-mailed link, an invited developer's first password.
    "accounts.register",
    "accounts.reset_password",
    "accounts.reset_by_phone",
    "accounts.reset_by_email",
    "accounts.reset_by_link",
    "accounts.accept_invitation",
})

#: Which roles each audience blueprint admits.
BLUEPRINT_ROLES: dict[str, frozenset[Role]] = {
    "homeowner": frozenset({Role.HOMEOWNER}),
    "developer": frozenset({Role.DEVELOPER}),
    "mediator": frozenset({Role.MEDIATOR}),
    "court": frozenset({Role.JUDGE}),
    "admin": frozenset({Role.ADMIN}),
    "referrals": frozenset({Role.JUDGE, Role.ADMIN}),  # importing referrals: judges and clerks
    "reminders": frozenset({Role.JUDGE, Role.ADMIN}),  # the operators page: judges and clerks
    "prevention": frozenset({Role.JUDGE, Role.DEVELOPER}),  # inquiries, warnings: both sides of one object
}

#: Where each role lands after logging in.
ROLE_HOME = {
    Role.HOMEOWNER: "homeowner.home",
    Role.DEVELOPER: "developer.home",
    Role.MEDIATOR: "mediator.home",
    Role.JUDGE: "court.home",
    Role.ADMIN: "admin.home",
}


def home_endpoint(user) -> str:
    return ROLE_HOME[Role(user.role)]


@login_manager.user_loader
def _load_user(token: str):
    from app.services.accounts import load_session_user

    return load_session_user(token, now=utcnow(), address=request.remote_addr)


@login_manager.unauthorized_handler
def _unauthorized():
    if request.blueprint == "api" or request.accept_mimetypes.best == "application/json":
        return problem(401, "Unauthorized", Msg("请先登录。", "Log in first."))
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _require_login_and_role():
    endpoint = request.endpoint
    if endpoint is None or endpoint in OPEN_ENDPOINTS or request.blueprint == "api":
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    allowed = BLUEPRINT_ROLES.get(request.blueprint or "")
    if allowed is not None and Role(current_user.role) not in allowed:
        abort(403)
    return None


def init_app(app) -> None:
    login_manager.session_protection = "basic"
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=14))
    app.before_request(_require_login_and_role)
