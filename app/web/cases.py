"""The case page, shared by every role, and its actions.

Any logged-in user reaches this blueprint (it is not an audience blueprint); which case
they may open is decided object by object in ``app.access`` — someone else's case is a
404, never a glimpse of its data. The page is ``app.services.case_page``; every action goes
through ``app.services.cases``, which checks the role again and refuses with a message
shown next to the field.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import (
    BooleanField, HiddenField, IntegerField, SelectField, SelectMultipleField, TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.access import Permission, can
from app.auth import home_endpoint
from app.extensions import db
from app.models import Case
from app.models.types import utcnow
from app.services import case_page as case_page_service
from app.services import cases as case_service
from app.services import delegation
from app.services import release_records
from app.services.errors import ServiceError
from app.web.court.release_record_forms import MarkForm
from app.web.forms import BaseForm, EmptyForm
from app.web.loading import complaint_or_404
from mediation.lifecycle import CaseStatus, Outcome

bp = Blueprint("cases", __name__)

#: The pseudo-move of the form that extends the mediation period without a status change.
EXTEND = "extend"
#: The longest extension one form accepts: the parties agree to weeks, not years.
MAX_EXTENSION_DAYS = 90


class TransitionForm(BaseForm):
    """One move of the case; the page shows one per move, told apart by their prefix."""

    expected_status = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    outcome = SelectField(_l("Outcome"), choices=[], default="", validate_choice=True)
    extension_days = IntegerField(
        _l("Extend the mediation period by (days)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_EXTENSION_DAYS)])
    parties_consent = BooleanField(_l("Both parties consent to the extension"))


class ExtensionForm(BaseForm):
    """Extend the mediation period with both parties' consent, without a move."""

    expected_status = HiddenField()
    extension_days = IntegerField(
        _l("Extend the mediation period by (days)"),
        validators=[InputRequired(message=_l("Enter the number of days.")),
                    NumberRange(min=1, max=MAX_EXTENSION_DAYS)])
    parties_consent = BooleanField(_l("Both parties consent to the extension"))
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class AssignForm(BaseForm):
    expected_status = HiddenField()
    mediator_id = SelectField(_l("Mediator"), coerce=int, choices=[], validate_choice=False,
                              validators=[InputRequired(message=_l("Choose a mediator."))])


class RepresentativesForm(BaseForm):
    person_ids = SelectMultipleField(_l("Representatives"), coerce=int, choices=[],
                                     widget=ListWidget(prefix_label=False),
                                     option_widget=CheckboxInput())


def _locale() -> str:
    return str(get_locale())


def _transition_form(move: str, outcomes=(), formdata=None) -> TransitionForm:
    form = TransitionForm(prefix=move, formdata=formdata)
    form.outcome.choices = [("", "—")] + [(o.value, o.label(_locale())) for o in outcomes]
    return form


def _claimant_choices(page) -> list[tuple[int, str]]:
    return [(c.person_id, c.name) for c in page.claimants if c.person_id]


def _forms(page: case_page_service.CasePage) -> dict:
    """The page's forms, empty, keyed by purpose (transitions keyed by target status)."""
    status = page.case.status
    transitions = {}
    for move in page.moves:
        form = _transition_form(move.target.value, move.outcomes)
        form.expected_status.data = status
        if len(move.outcomes) == 1:
            form.outcome.data = move.outcomes[0].value
        transitions[move.target.value] = form
    extend = ExtensionForm(prefix=EXTEND, formdata=None)
    extend.expected_status.data = status
    assign = AssignForm(formdata=None)
    assign.expected_status.data = status
    assign.mediator_id.choices = [(o.mediator.id, o.name) for o in page.mediator_options]
    reps = RepresentativesForm(formdata=None)
    reps.person_ids.choices = _claimant_choices(page)
    reps.person_ids.data = sorted(page.representative_ids)
    return {"transitions": transitions, "extend": extend, "assign": assign,
            "representatives": reps}


def _page(case_id: int) -> case_page_service.CasePage:
    try:
        return case_page_service.case_page(case_id, viewer=current_user, now=utcnow())
    except ServiceError:
        abort(404)


def _render(page, forms, *, status: int = 200, error: str | None = None):
    return render_template("cases/show.html", page=page, case=page.case, forms=forms,
                           error=error), status


def _rerender(case_id: int, failed: dict, *, status: int, error: str | None = None):
    """Show the page again with the failed form (and its errors) in place of the empty one."""
    page = _page(case_id)
    forms = _forms(page)
    forms["transitions"].update(failed.pop("transitions", {}))
    forms.update(failed)
    return _render(page, forms, status=status, error=error)


def _refused(case_id: int, failed: dict, error: ServiceError, form=None):
    """The service refused (and rolled back): show why, next to the field if there is one."""
    if error.status == 404:
        abort(404)
    target = form[error.field] if form is not None and error.field and error.field in form else None
    message = error.message
    if target is not None:
        target.errors = [*target.errors, error.message]
        message = None
    return _rerender(case_id, failed, status=error.status, error=message)


def _invalid(case_id: int, failed: dict):
    db.session.rollback()
    return _rerender(case_id, failed, status=422)


def _after_change(case_id: int, message: str):
    flash(message, "success")
    case = db.session.get(Case, case_id)
    if case is None or not can(current_user, Permission.CASE_VIEW, case):  # e.g. a mediator who declined
        return redirect(url_for(home_endpoint(current_user)), code=303)
    return redirect(url_for("cases.show_case", case_id=case_id), code=303)


@bp.get("/cases/<int(max=2147483647):case_id>")
def show_case(case_id: int):
    page = _page(case_id)
    return _render(page, _forms(page))


@bp.post("/cases/<int(max=2147483647):case_id>/transition")
def transition_case(case_id: int):
    page = _page(case_id)
    move = request.form.get("move", "")
    if move not in {s.value for s in CaseStatus} | {EXTEND}:
        abort(400)
    if move == EXTEND:
        form = ExtensionForm(prefix=EXTEND)
        failed = {"extend": form}
        target, outcome = page.case.status, None
    else:
        offered = next((m for m in page.moves if m.target.value == move), None)
        # A move the page did not offer still goes to the service, which says why not.
        form = _transition_form(move, offered.outcomes if offered else tuple(Outcome),
                                formdata=request.form)
        failed = {"transitions": {move: form}}
        target, outcome = move, None
    if not form.validate():
        return _invalid(case_id, failed)
    if move != EXTEND:
        outcome = form.outcome.data or None
    try:
        case_service.transition_case(
            case_id, target, actor=current_user, now=utcnow(), reason=form.reason.data,
            outcome=outcome, extension_days=form.extension_days.data,
            parties_consent=bool(form.parties_consent.data),
            expected_status=form.expected_status.data or None)
    except ServiceError as error:
        return _refused(case_id, failed, error, form)
    return _after_change(case_id, _("The case was updated."))


@bp.post("/cases/<int(max=2147483647):case_id>/assign")
def assign_mediator(case_id: int):
    page = _page(case_id)
    form = AssignForm()
    form.mediator_id.choices = [(o.mediator.id, o.name) for o in page.mediator_options]
    if not form.validate():
        return _invalid(case_id, {"assign": form})
    try:
        case_service.assign_mediator(case_id, form.mediator_id.data, actor=current_user,
                                     now=utcnow(),
                                     expected_status=form.expected_status.data or None)
    except ServiceError as error:
        return _refused(case_id, {"assign": form}, error, form)
    return _after_change(case_id, _("The mediator was assigned."))


@bp.post("/cases/<int(max=2147483647):case_id>/accept")
def accept_case(case_id: int):
    """The delegated mediator accepts the case: the 30-day period starts (docs/on-site.md)."""
    _page(case_id)
    form = EmptyForm()
    if not form.validate():
        abort(400)
    try:
        delegation.accept_case(case_id, actor=current_user, now=utcnow())
    except ServiceError as error:
        return _refused(case_id, {}, error)
    return _after_change(case_id, _("You accepted the case: the mediation period runs from today."))


@bp.post("/cases/<int(max=2147483647):case_id>/representatives")
def choose_representatives(case_id: int):
    page = _page(case_id)
    form = RepresentativesForm()
    form.person_ids.choices = _claimant_choices(page)
    if not form.validate():
        return _invalid(case_id, {"representatives": form})
    try:
        case_service.choose_representatives(case_id, form.person_ids.data or [],
                                            actor=current_user, now=utcnow())
    except ServiceError as error:
        return _refused(case_id, {"representatives": form}, error, form)
    return _after_change(case_id, _("The representatives were recorded."))


@bp.post("/cases/<int(max=2147483647):case_id>/obligations/<int(max=2147483647):obligation_id>/mark")
def mark_case_obligation(case_id: int, obligation_id: int):
    """A judge of the case's court records that an obligation of the case was performed, or
    confirms it — a homeowner's or the developer's, by the same use case as the release
    records page (docs/on-site.md). The case's parties and mediator get 403, others 404."""
    case = db.session.get(Case, case_id)
    if case is None or not can(current_user, Permission.CASE_VIEW, case):
        abort(404)
    if not can(current_user, Permission.CASE_MANAGE, case):
        abort(403)
    try:
        obligation = release_records.obligation_record(obligation_id)
    except ServiceError:
        abort(404)
    if obligation.case_id != case.id:
        abort(404)
    form = MarkForm()
    if not form.validate():
        abort(400)
    try:
        release_records.mark_obligation(obligation.id, status=form.status.data, actor=current_user,
                                        now=utcnow())
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("cases.show_case", case_id=case.id, _anchor="obligations"), code=303)
    flash(_("The obligation's performance was recorded."), "success")
    return redirect(url_for("cases.show_case", case_id=case.id, _anchor="obligations"), code=303)


@bp.post("/complaints/<int(max=2147483647):complaint_id>/opt-out")
def opt_out(complaint_id: int):
    case_id = complaint_or_404(complaint_id).case_id
    if not EmptyForm().validate():
        abort(400)
    try:
        new_case = case_service.opt_out_of_group(complaint_id, actor=current_user, now=utcnow())
    except ServiceError as error:
        if case_id is None:
            abort(error.status)
        return _refused(case_id, {}, error)
    flash(_("The claimant left the group case; the complaint now has case %(number)s.",
            number=new_case.number), "success")
    return redirect(url_for("cases.show_case", case_id=new_case.id), code=303)

