"""The release plan of a developer for judges: the plan the planner gives on today's records,
the plans kept for approval, and approving a stage (docs/release-in-the-app.md)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.access import Permission, can
from app.extensions import db
from app.models import Developer
from app.models.types import utcnow
from app.services import release, release_suggestions, release_view
from app.services.errors import ServiceError
from app.web.release_labels import release_labels
from app.web.court import bp
from app.web.forms import BaseForm


class ConfirmForm(BaseForm):
    """A button with its CSRF token."""


def _developer_in_view(developer_id: int, permission: Permission) -> Developer:
    """The developer, when the judge's court holds a case against it; else 404 (another
    court's developer is not disclosed)."""
    developer = db.session.get(Developer, developer_id)
    if developer is None or not can(current_user, permission, developer):
        abort(404)
    return developer


@bp.get("/developers/<int(max=2147483647):developer_id>/release")
def release_plan(developer_id: int):
    developer = _developer_in_view(developer_id, Permission.RELEASE_VIEW)
    scenario, plan, suggestion = release_suggestions.page_plan(developer_id, now=utcnow())
    return render_template("court/release_plan.html", developer=developer, scenario=scenario, plan=plan,
                           suggestion=suggestion,
                           rows=release_view.stage_rows(scenario, plan),
                           graph=Markup(release_view.graph_svg(scenario, plan)),
                           expiring=release.guarantee_expiry(developer_id, scenario, plan),
                           kept=release.plans_of(developer_id), form=ConfirmForm(), labels=release_labels())


@bp.post("/developers/<int(max=2147483647):developer_id>/release")
def propose_release_plan(developer_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _developer_in_view(developer_id, Permission.RELEASE_APPROVE)
    release.propose_plan(developer_id, actor_id=current_user.id, now=utcnow())
    flash(_("The plan was kept; its stages await approval."))
    return redirect(url_for("court.release_plan", developer_id=developer_id))


@bp.post("/release-plans/<int(max=2147483647):plan_id>/stages/<int(max=2147483647):number>/approve")
def approve_release_stage(plan_id: int, number: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    plan = db.session.get(release.ReleasePlan, plan_id)
    if plan is None or not can(current_user, Permission.RELEASE_APPROVE, plan):
        abort(404)
    try:
        release.approve_stage(plan_id, number, actor_id=current_user.id, actor_role=current_user.role, now=utcnow())
        flash(_("Stage %(n)s approved and released.", n=number))
    except ServiceError as error:
        flash(str(error.message), "error")
    return redirect(url_for("court.release_plan", developer_id=plan.developer_id))
