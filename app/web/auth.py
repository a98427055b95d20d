"""Login, logout, password change and language choice."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from wtforms import SelectField

from app.auth import home_endpoint
from app.i18n import LOCALE_COOKIE, LOCALES
from app.models.types import utcnow
from app.security import login_limits
from app.services import accounts, login_sessions
from app.services.errors import NotFoundError, ServiceError
from app.web.forms import BaseForm, ChangePasswordForm, EmptyForm, LoginForm
from mediation.messages import Msg

bp = Blueprint("auth", __name__)

_PASSWORD_MESSAGES = {
    "wrong_current": lambda: _("The current password is wrong."),
    "too_short": lambda: _("Use at least 8 characters."),
    "same_as_username": lambda: _("The password must differ from the username."),
    "letters_and_digits": lambda: _("Use both letters and digits."),
}


def safe_next(target: str | None) -> str | None:
    """Only follow a ``next`` that stays on this site (a path; no scheme, host or "\\")."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@login_limits(methods=["POST"])  # failed attempts, per account and per address
def login():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.username.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong username or password."))
        else:
            accounts.sign_in(user, now=utcnow(), remember=form.remember.data,
                             user_agent=request.headers.get("User-Agent"),
                             address=request.remote_addr)
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
    return render_template("auth/login.html", form=form), (200 if not form.errors else 422)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        accounts.sign_out(current_user.get_id(), now=utcnow())
        logout_user()
        flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, current=form.current.data, new=form.new.data, now=utcnow(),
                user_agent=request.headers.get("User-Agent"),
            )
        except accounts.PasswordPolicyError as error:
            field = form.current if str(error) == "wrong_current" else form.new
            field.errors.append(_PASSWORD_MESSAGES[str(error)]())
        else:
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed; other devices were logged out."), "success")
            return redirect(url_for(home_endpoint(current_user)))
    return render_template("auth/change_password.html", form=form), (200 if not form.errors else 422)


@bp.get("/account/sessions")
def list_sessions():
    """The user's live web sessions and API tokens, each with "end this", and "end all"."""
    rows = login_sessions.active_sessions(current_user, now=utcnow())
    return render_template("auth/sessions.html", rows=rows, form=EmptyForm())


@bp.post("/account/sessions/<int(max=2147483647):session_id>/end")
def end_session(session_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        login_sessions.end_session(current_user, session_id, now=utcnow())
    except NotFoundError:
        abort(404)
    if session_id == current_user.session_id:
        logout_user()
        flash(_("You have logged out."), "info")
        return redirect(url_for("auth.login"))
    flash(_("That session has ended; it no longer works anywhere."), "success")
    return redirect(url_for("auth.list_sessions"))


@bp.post("/account/sessions/end-all")
def end_all_sessions():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    login_sessions.end_all_sessions(current_user, now=utcnow())
    logout_user()
    flash(_("Every session and token of your account has ended, this one too."), "info")
    return redirect(url_for("auth.login"))


class LanguageForm(BaseForm):
    locale = SelectField(_l("Language"), choices=list(LOCALES.items()))


@bp.route("/account/language", methods=["GET", "POST"])
def account_language():
    """The account's language: kept in User.locale (pages, inbox, e-mail and SMS follow it)."""
    # The account's language fills the form shown; a POST says what it chose, or is refused.
    form = (LanguageForm(locale=current_user.locale if current_user.locale in LOCALES else "zh")
            if request.method == "GET" else LanguageForm())
    if form.validate_on_submit():
        try:
            accounts.set_locale(current_user._get_current_object(), form.locale.data)
        except ServiceError as error:
            form.locale.errors.append(error.message)
        else:
            response = redirect(url_for("auth.account_language"))
            # The browser's choice (the cookie) would otherwise outrank the account's.
            response.set_cookie(LOCALE_COOKIE, form.locale.data, max_age=365 * 24 * 3600,
                                samesite="Lax", httponly=True)
            # Said in the language just chosen (this request still speaks the old one).
            flash(Msg("语言已保存。", "Language saved.").in_locale(form.locale.data), "success")
            return response
    return render_template("auth/language.html", form=form), (200 if not form.errors else 422)


@bp.get("/lang/<code>")
def set_language(code: str):
    target = safe_next(request.args.get("next")) or url_for("public.index")
    response = redirect(target)
    if code in LOCALES:
        response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response
