"""The clerk's register of developers and projects (``/admin/developers``,
``/admin/projects``): list and search, create, edit (app.services.registry)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.models.types import utcnow
from app.services import registry
from app.services.errors import NotFoundError, ServiceError
from app.web.account_forms import DeveloperForm, ProjectForm, place_errors
from app.web.admin import bp


def _status(form) -> int:
    return 422 if any(f.errors for f in form) else 200


@bp.get("/developers")
def list_developers():
    q = request.args.get("q", "")[:100]
    developers, total = registry.search_developers(q)
    return render_template("admin/developers.html", developers=developers, total=total, q=q)


def _developer_page(developer_id: int | None):
    try:
        developer = registry.get_developer(developer_id) if developer_id else None
    except NotFoundError:
        abort(404)
    form = DeveloperForm(obj=developer)
    if form.validate_on_submit():
        try:
            saved = registry.save_developer(
                actor=current_user, now=utcnow(), developer_id=developer_id,
                name=form.name.data, uscc=form.uscc.data,
                legal_representative=form.legal_representative.data, phone=form.phone.data,
                address=form.address.data)
        except ServiceError as error:
            place_errors(form, error)
        else:
            flash(_("%(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("admin.list_developers", q=saved.uscc))
    return render_template("admin/developer_form.html", form=form,
                           developer=developer), _status(form)


@bp.route("/developers/new", methods=["GET", "POST"])
def create_developer():
    return _developer_page(None)


@bp.route("/developers/<int(max=2147483647):developer_id>", methods=["GET", "POST"])
def edit_developer(developer_id: int):
    return _developer_page(developer_id)


@bp.get("/projects")
def list_projects():
    q = request.args.get("q", "")[:100]
    developer_id = request.args.get("developer_id", "")
    projects, total = registry.search_projects(q, developer_id=developer_id)
    return render_template("admin/projects.html", projects=projects, total=total, q=q,
                           developer_id=developer_id)


def _project_page(project_id: int | None):
    try:
        project = registry.get_project(project_id) if project_id else None
    except NotFoundError:
        abort(404)
    form = ProjectForm(obj=project)
    lists = registry.reference_lists()
    form.fill_choices(lists["developers"], lists["courts"], lists["towns"])
    if request.method == "GET" and project is None and request.args.get("developer_id"):
        form.developer_id.data = request.args["developer_id"]
    if form.validate_on_submit():
        try:
            saved = registry.save_project(
                actor=current_user, now=utcnow(), project_id=project_id, name=form.name.data,
                developer_id=form.developer_id.data, court_id=form.court_id.data,
                town_id=form.town_id.data, address=form.address.data,
                latitude=form.latitude.data, longitude=form.longitude.data,
                presale_permit=form.presale_permit.data, units_total=form.units_total.data,
                units_delivered=form.units_delivered.data,
                promised_delivery_on=form.promised_delivery_on.data)
        except ServiceError as error:
            place_errors(form, error)
        else:
            flash(_("%(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("admin.list_projects", q=saved.name))
    return render_template("admin/project_form.html", form=form, project=project), _status(form)



@bp.route("/projects/new", methods=["GET", "POST"])
def create_project():
    return _project_page(None)


@bp.route("/projects/<int(max=2147483647):project_id>", methods=["GET", "POST"])
def edit_project(project_id: int):
    return _project_page(project_id)
