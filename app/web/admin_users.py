"""The clerk's account pages (``/admin/users``): list and search, create, invite developer
staff, deactivate and reactivate, reset a password, end every session.

Only the clerk reaches them (``app.auth.BLUEPRINT_ROLES['admin']``). Each view: read the
form → one service call (app.services.account_admin) → render or redirect.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.models.types import utcnow
from app.services import account_admin, registry
from app.services.errors import NotFoundError, ServiceError
from app.web.account_forms import (
    AccountForm, ClerkPasswordForm, InviteForm, mediator_kind_choices, place_errors,
    role_choices,
)
from app.web.admin import bp
from app.web.forms import EmptyForm


def _status(form) -> int:
    return 422 if any(f.errors for f in form) else 200


@bp.get("/users")
def list_users():
    q = request.args.get("q", "")[:100]
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    rows, total = account_admin.search_accounts(q=q, role=role, status=status, now=utcnow())
    return render_template("admin/users.html", rows=rows, total=total, q=q, role=role,
                           status=status, roles=role_choices()[1:] + [("homeowner", _("Homeowner"))])


@bp.route("/users/new", methods=["GET", "POST"])
def create_user():
    form = AccountForm()
    lists = registry.reference_lists()
    form.fill_choices(lists["courts"], lists["developers"])
    if form.validate_on_submit():
        try:
            user = account_admin.create_account(
                actor=current_user, now=utcnow(), role=form.role.data,
                username=form.username.data, name=form.name.data,
                password=form.password.data, confirm=form.confirm.data, phone=form.phone.data,
                email=form.email.data, court_id=form.court_id.data,
                developer_id=form.developer_id.data, mediator_kind=form.mediator_kind.data,
                skills=form.skills.data, capacity=form.capacity.data)
        except ServiceError as error:
            place_errors(form, error)
        else:
            flash(_("The account %(username)s was created.", username=user.username), "success")
            return redirect(url_for("admin.show_user", user_id=user.id))
    return render_template("admin/user_new.html", form=form), _status(form)


@bp.route("/users/invite", methods=["GET", "POST"])
def invite_user():
    form = InviteForm()
    developers = registry.reference_lists()["developers"]
    form.developer_id.choices = [("", _("Choose a developer"))] + [
        (str(d.id), d.name) for d in developers]
    if request.method == "GET" and request.args.get("developer_id"):
        form.developer_id.data = request.args["developer_id"]
    if form.validate_on_submit():
        try:
            user = account_admin.invite_developer_staff(
                actor=current_user, now=utcnow(), developer_id=form.developer_id.data,
                name=form.name.data, phone=form.phone.data, email=form.email.data,
                link_for=lambda token: url_for("accounts.accept_invitation", token=token,
                                               _external=True))
        except ServiceError as error:
            place_errors(form, error)
        else:
            flash(_("%(name)s was invited; the link to set a password was sent to the phone "
                    "(and e-mail).", name=user.name), "success")
            return redirect(url_for("admin.show_user", user_id=user.id))
    return render_template("admin/user_invite.html", form=form), _status(form)


@bp.get("/users/<int(max=2147483647):user_id>")
def show_user(user_id: int):
    try:
        user, mediator, live = account_admin.account_detail(user_id, now=utcnow())
    except NotFoundError:
        abort(404)
    return render_template("admin/user.html", user=user, mediator=mediator, live=live,
                           kinds=dict(mediator_kind_choices()), action_form=EmptyForm(),
                           password_form=ClerkPasswordForm())


def _act(user_id: int, use_case, message):
    """Run a button's use-case on the account; ``message(result)`` is flashed."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = use_case(actor=current_user, now=utcnow(), user_id=user_id)
    except NotFoundError:
        abort(404)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(message(result), "success")
    return redirect(url_for("admin.show_user", user_id=user_id))


@bp.post("/users/<int(max=2147483647):user_id>/deactivate")
def deactivate_user(user_id: int):
    return _act(user_id, account_admin.deactivate_account, lambda _user: _(
        "The account was deactivated; every session and token has ended."))


@bp.post("/users/<int(max=2147483647):user_id>/activate")
def activate_user(user_id: int):
    return _act(user_id, account_admin.activate_account,
                lambda _user: _("The account can log in again."))


@bp.post("/users/<int(max=2147483647):user_id>/sessions/end")
def end_user_sessions(user_id: int):
    return _act(user_id, account_admin.end_sessions, lambda n: _(
        "Every session and token of the account has ended (%(n)s were live).", n=n))


@bp.post("/users/<int(max=2147483647):user_id>/password")
def reset_user_password(user_id: int):
    form = ClerkPasswordForm()
    if form.validate_on_submit():
        try:
            account_admin.reset_password(actor=current_user, now=utcnow(), user_id=user_id,
                                         password=form.password.data, confirm=form.confirm.data)
        except NotFoundError:
            abort(404)
        except ServiceError as error:
            place_errors(form, error)
        else:
            flash(_("The password was reset; every session and token of the account has "
                    "ended. Hand the new password over in person."), "success")
            return redirect(url_for("admin.show_user", user_id=user_id))
    try:
        user, mediator, live = account_admin.account_detail(user_id, now=utcnow())
    except NotFoundError:
        abort(404)
    return render_template("admin/user.html", user=user, mediator=mediator, live=live,
                           kinds=dict(mediator_kind_choices()), action_form=EmptyForm(),
                           password_form=form), 422
