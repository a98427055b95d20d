"""The court's case list: every case of the judge's court, with filters, search and bulk actions.

A bulk action takes two steps: the list's form posts the chosen cases to a confirmation
page that shows exactly which cases will change (someone else's or unknown ids are named
and left out); confirming applies the action one case at a time and shows a per-row
report. The confirmation carries the status each case had when shown, so a case changed
meanwhile fails its row instead of being acted on blindly.
"""
from __future__ import annotations

from flask import render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import Length, Optional

from app.i18n import PageText as _l  # lazy, from the request's catalog (cheap)
from app.models.types import utcnow
from app.services import bulk_actions
from app.services.errors import ServiceError
from app.web.case_lists import (
    _Choice, enum_choices, id_choices, list_options, parse_back, render_case_list,
)
from app.web import fragments
from app.web.case_rows import option_tags
from app.web.court import bp
from app.web.forms import BaseForm
from app.web.page_cache import cached_page
from mediation.lifecycle import CaseStatus, Outcome

BULK_ACTIONS = {
    "assign": _l("Assign a mediator"),
    "status": _l("Change the status"),
    "merge": _l("Merge into one group case"),
}


class BulkCaseForm(BaseForm):
    """A bulk action on the ticked cases (the same form confirms it)."""

    action = _Choice(_l("Action"), message=_l("Unknown action."))
    case_id = SelectMultipleField(_l("Cases"), coerce=int, validate_choice=False)
    mediator_id = SelectField(_l("Mediator"), choices=[], validate_choice=False)
    to = _Choice(_l("New status"), message=_l("Unknown status."))
    outcome = _Choice(_l("Outcome"), message=_l("Unknown outcome."))
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)])
    back = HiddenField("")  # a label, so WTForms does not load its catalog to make one

    def set_choices(self, options) -> None:
        locale = str(get_locale())
        self.action.choices = list(BULK_ACTIONS.items())
        self.mediator_id.choices = [("", _l("Choose a mediator")),
                                    *id_choices(tuple(options.mediators))]
        self.to.choices = [("", _l("Choose a status")), *enum_choices(CaseStatus, locale)]
        self.outcome.choices = [("", _l("No outcome (the case is not concluded)")),
                                *enum_choices(Outcome, locale)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.action.errors and not self.action.data:
            self.action.errors.append(_("Choose an action."))
            valid = False
        if not self.case_id.errors and not self.case_id.data:
            self.case_id.errors.append(_("Tick at least one case."))
            valid = False
        if len(self.case_id.data or ()) > bulk_actions.BULK_LIMIT:
            self.case_id.errors.append(
                _("At most %(n)s cases at a time.", n=bulk_actions.BULK_LIMIT))
            valid = False
        if self.action.data == "assign" and not self.mediator_id.data:
            self.mediator_id.errors.append(_("Choose the mediator to assign."))
            valid = False
        if self.action.data == "status" and not self.to.data:
            self.to.errors.append(_("Choose the new status."))
            valid = False
        if self.action.data == "merge" and len(set(self.case_id.data or ())) < 2:
            self.case_id.errors.append(_("Tick at least two cases to merge."))
            valid = False
        return valid


def _bulk_form(options, formdata=None) -> BulkCaseForm:
    form = BulkCaseForm(formdata=formdata) if formdata is not None else BulkCaseForm()
    form.set_choices(options)
    form.options = options
    return form


def _bulk_bar(form: BulkCaseForm):
    return fragments.macro("court/_bulk_bar.html", "bulk_bar", form, option_tags=option_tags)


def _list_again(form: BulkCaseForm):
    """The list as it was, with the bulk form's errors beside its fields (422)."""
    return render_case_list("court/cases.html", "court", args=parse_back(form.back.data),
                            status=422, bulk=form, bulk_bar=lambda: _bulk_bar(form),
                            bulk_actions=BULK_ACTIONS, options=form.options)


def _expected(form: BulkCaseForm) -> dict[int, str]:
    known = {s.value for s in CaseStatus}
    pairs = ((case_id, request.form.get(f"expected-{case_id}")) for case_id in form.case_id.data)
    return {case_id: status for case_id, status in pairs if status in known}


@bp.get("/cases")
@cached_page
def list_cases():
    options = list_options(current_user)

    def bulk_bar():
        """The empty bar, kept by what it shows: the language and the court's mediators."""
        return fragments.kept(("bulk bar", str(get_locale()), tuple(options.mediators)),
                              lambda: _bulk_bar(_bulk_form(options)))

    return render_case_list("court/cases.html", "court", bulk=None, bulk_bar=bulk_bar,
                            bulk_actions=BULK_ACTIONS, options=options)


@bp.post("/cases/bulk")
def confirm_bulk_cases():
    form = _bulk_form(list_options(current_user), request.form)
    if not form.validate():
        return _list_again(form)
    try:
        preview = bulk_actions.preview_bulk(form.case_id.data, actor=current_user, now=utcnow())
    except ServiceError as error:
        form.case_id.errors.append(error.message)
        return _list_again(form)
    mediator_name = dict(form.mediator_id.choices).get(form.mediator_id.data)
    return render_template("court/cases_confirm.html", form=form, preview=preview,
                           bulk_actions=BULK_ACTIONS, mediator_name=mediator_name)


@bp.post("/cases/bulk/apply")
def apply_bulk_cases():
    form = _bulk_form(list_options(current_user), request.form)
    if not form.validate():
        return _list_again(form)
    now = utcnow()
    try:
        if form.action.data == "assign":
            report = bulk_actions.bulk_assign(form.case_id.data, form.mediator_id.data,
                                            actor=current_user, now=now, expected=_expected(form))
        elif form.action.data == "status":
            report = bulk_actions.bulk_change_status(
                form.case_id.data, form.to.data, actor=current_user, now=now,
                reason=form.reason.data, outcome=form.outcome.data or None,
                expected=_expected(form))
        else:
            report = bulk_actions.bulk_merge(form.case_id.data, actor=current_user, now=now)
    except ServiceError as error:
        target = getattr(form, error.field, None) if error.field else None
        (target if target is not None else form.case_id).errors.append(error.message)
        return _list_again(form)
    succeeded = sum(1 for row in report if row["ok"])
    return render_template("court/cases_result.html", form=form, report=report,
                           succeeded=succeeded, failed=len(report) - succeeded,
                           bulk_actions=BULK_ACTIONS)
