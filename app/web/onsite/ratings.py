"""好差评 in the browser: a party rates a closed case; the judge follows up bad ratings."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.models.types import utcnow
from app.services import ratings as service
from app.services.errors import ServiceError
from app.web.forms import BaseForm
from app.web.onsite import bp


class RatingForm(BaseForm):
    score = RadioField(_l("Your rating"), coerce=int, validators=[InputRequired()],
                       choices=[(5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"), (1, "★")])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])


class FollowUpForm(BaseForm):
    note = TextAreaField(_l("What the follow-up found"), validators=[InputRequired(), Length(max=4000)])


def _render_rating(case_id: int, form=None, status=200):
    try:
        view = service.rating_page(current_user, case_id)
    except ServiceError:
        abort(404)
    return render_template("onsite/rating.html", view=view, case=view.case,
                           form=form or RatingForm(formdata=None)), status


@bp.get("/cases/<int(max=2147483647):case_id>/rating")
def show_rating(case_id: int):
    return _render_rating(case_id)


@bp.post("/cases/<int(max=2147483647):case_id>/rating")
def rate_case(case_id: int):
    _render_rating(case_id)  # 404 for someone else's case, before anything else
    form = RatingForm()
    if not form.validate():
        return _render_rating(case_id, form, 422)
    try:
        service.rate_case(case_id, actor=current_user, score=form.score.data, comment=form.comment.data or "",
                          now=utcnow())
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        target = form[error.field] if error.field in form else form.score
        target.errors = [*target.errors, error.message]
        return _render_rating(case_id, form, error.status)
    flash(_("Thank you: your rating was recorded."), "success")
    return redirect(url_for("onsite.show_rating", case_id=case_id), code=303)


def _render_followups(forms=None, status=200):
    try:
        items = service.followups(current_user)
    except ServiceError:
        abort(403)
    forms = forms or {}
    return render_template("onsite/followups.html", items=items,
                           forms={f.id: forms.get(f.id) or FollowUpForm(formdata=None, prefix=f"f{f.id}") for f in items},
                           today=utcnow()), status


@bp.get("/followups")
def list_followups():
    return _render_followups()


@bp.post("/followups/<int(max=2147483647):followup_id>/done")
def complete_followup(followup_id: int):
    form = FollowUpForm(prefix=f"f{followup_id}")
    if not form.validate():
        if current_user.role != "judge":
            abort(404)
        return _render_followups({followup_id: form}, 422)
    try:
        service.complete_followup(followup_id, actor=current_user, note=form.note.data, now=utcnow())
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        form.note.errors = [*form.note.errors, error.message]
        return _render_followups({followup_id: form}, error.status)
    flash(_("The follow-up was recorded."), "success")
    return redirect(url_for("onsite.list_followups"), code=303)
