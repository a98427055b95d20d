"""The open account pages: homeowner registration, password reset, invitations.

These are the only pages besides logging in that a visitor reaches without an account
(``app.auth.OPEN_ENDPOINTS``). Codes and links reach the person by SMS or e-mail, never
on the page. Each view: read the form → one service call → render or redirect.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.auth import home_endpoint
from app.extensions import limiter, login_rate_limit
from app.models.types import utcnow
from app.services import self_service
from app.services.errors import ServiceError
from app.web.account_forms import (
    RegisterForm, ResetByEmailForm, ResetByPhoneForm, SetPasswordForm, place_errors,
)

bp = Blueprint("accounts", __name__)


def _address() -> str | None:
    return request.remote_addr


def _agent() -> str | None:
    return request.headers.get("User-Agent")


def _status(form) -> int:
    return 422 if form.errors or any(f.errors for f in form) else 200


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            if form.send_code.data:
                masked = self_service.request_registration_code(
                    form.phone.data, address=_address(), now=utcnow())
                flash(_("A code was sent to %(phone)s; it is valid for 10 minutes.",
                        phone=masked), "info")
            else:
                user, _token = self_service.register_homeowner(
                    name=form.name.data, resident_id=form.resident_id.data,
                    phone=form.phone.data, code=form.code.data, password=form.password.data,
                    confirm=form.confirm.data, now=utcnow(), user_agent=_agent())
                login_user(user)
                flash(_("Welcome! Your account is ready; you log in with your phone number."),
                      "success")
                return redirect(url_for(home_endpoint(user)))
        except ServiceError as error:
            place_errors(form, error)
    return render_template("accounts/register.html", form=form), _status(form)


@bp.get("/password-reset")
def reset_password():
    return render_template("accounts/reset.html", phone_form=ResetByPhoneForm(),
                           email_form=ResetByEmailForm())


@bp.route("/password-reset/phone", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def reset_by_phone():
    form = ResetByPhoneForm()
    if form.validate_on_submit():
        try:
            if form.send_code.data:
                masked = self_service.request_reset_code(form.phone.data, address=_address(),
                                                         now=utcnow())
                flash(_("If %(phone)s belongs to a homeowner's account, a code was sent to it.",
                        phone=masked), "info")
            else:
                self_service.reset_with_code(phone=form.phone.data, code=form.code.data,
                                             password=form.password.data,
                                             confirm=form.confirm.data, now=utcnow())
                flash(_("Your password has been changed and every device was logged out. "
                        "Log in with the new password."), "success")
                return redirect(url_for("auth.login"))
        except ServiceError as error:
            place_errors(form, error)
    return render_template("accounts/reset_phone.html", form=form), _status(form)


@bp.post("/password-reset/email")
@limiter.limit(login_rate_limit)
def reset_by_email():
    form = ResetByEmailForm()
    if form.validate_on_submit():
        try:
            self_service.request_reset_link(
                form.login.data, now=utcnow(),
                link_for=lambda token: url_for("accounts.reset_by_link", token=token,
                                               _external=True))
        except ServiceError as error:
            place_errors(form, error)
        else:
            flash(_("If the account has an e-mail address, a link valid for one hour was "
                    "sent to it."), "info")
            return redirect(url_for("auth.login"))
    return render_template("accounts/reset.html", phone_form=ResetByPhoneForm(formdata=None),
                           email_form=form), 422


def _set_password_page(purpose: str, token: str, template: str):
    now = utcnow()
    try:
        holder = self_service.link_holder(token, purpose, now=now)
    except ServiceError as error:
        return render_template("accounts/link_invalid.html", message=error.message), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user, _token = self_service.set_password_by_link(
                token, purpose, password=form.password.data, confirm=form.confirm.data,
                now=now, user_agent=_agent())
        except ServiceError as error:
            place_errors(form, error)
        else:
            login_user(user)
            flash(_("Your password is set."), "success")
            return redirect(url_for(home_endpoint(user)))
    return render_template(template, form=form, holder=holder), _status(form)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def reset_by_link(token: str):
    return _set_password_page("reset", token, "accounts/set_password.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def accept_invitation(token: str):
    return _set_password_page("invitation", token, "accounts/invitation.html")
