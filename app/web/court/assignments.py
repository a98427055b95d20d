"""The judge's assignment page: the solver's suggestions with their reasons, accepted all,
some, or with an override (``/court/assignments``; docs/on-site.md).

The form posts ``pick`` (the case ids the judge accepts) and ``mediator_<case id>`` (the
suggested mediator, or the one the judge chose instead). One service call delegates them
all or refuses with the reason, which the page shows again next to the case's row.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.models.types import utcnow
from app.services import assignment_suggestions
from app.services.errors import ServiceError
from app.web.court import bp
from app.web.forms import EmptyForm


def _render(errors=None, chosen=None, status=200):
    page = assignment_suggestions.suggestions(actor=current_user, now=utcnow())
    return render_template("court/assignments.html", page=page, form=EmptyForm(),
                           errors=errors or {}, chosen=chosen), status


@bp.get("/assignments")
def suggest_assignments():
    return _render()


@bp.post("/assignments")
def accept_assignments():
    form = EmptyForm()
    if not form.validate():
        return _render(errors={"": _("The form has expired; please try again.")}, status=400)
    picked = request.form.getlist("pick")
    pairs = [(case_id, request.form.get(f"mediator_{case_id}", "")) for case_id in picked]
    chosen = {"picked": set(picked), **{f"mediator_{c}": m for c, m in pairs}}
    try:
        done = assignment_suggestions.accept_assignments(pairs, actor=current_user, now=utcnow())
    except ServiceError as error:
        field = error.field or ""
        return _render(errors={field: error.message}, chosen=chosen, status=error.status)
    flash(_("%(n)s cases were assigned.", n=len(done)), "success")
    return redirect(url_for("court.suggest_assignments"), code=303)
