"""The clerk's holiday notices under ``/admin/holidays`` (on the admin blueprint).

The list shows last year to three years ahead with where each year's working days come
from (entered · built-in · 预计); a year's page shows its days off and make-up working days,
prefilled from the current source, for the clerk to correct and save. Also registers the
``deadline_estimated`` template filter that case lists and case pages use for “预计”.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from app.web.forms import BaseForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from app.models.types import utcnow
from app.services import holidays
from app.services.errors import ServiceError
from app.web.admin import bp
from mediation.lifecycle import court_date

SOURCE_LABELS = {"clerk": _l("Entered from the notice"), "official": _l("Built-in (chinese-calendar)"),
                 "estimate": _l("Estimated (statutory holidays only)")}


class HolidayYearForm(BaseForm):
    notice = StringField(_l("Notice"), [Length(max=200)],
                         description=_l("Title or number of the State Council's notice."))
    holidays = TextAreaField(_l("Days off"), render_kw={"rows": 10},
                             description=_l("One date or range per line, e.g. 2027-10-01..2027-10-07."))
    workdays = TextAreaField(_l("Make-up working days"), render_kw={"rows": 4},
                             description=_l("Weekend days worked (调休上班), one per line."))


class DeleteForm(BaseForm):
    pass


def holiday_source_label(source: str) -> str:
    """Template helper: where a year's working days come from, in the reader's language."""
    return str(SOURCE_LABELS.get(source, source))


def _year_or_404(year: int) -> int:
    if not holidays.FIRST_YEAR <= year <= holidays.LAST_YEAR:
        abort(404)
    return year


@bp.get("/holidays")
def list_holiday_years():
    rows = holidays.holiday_years(court_date(utcnow()))
    return render_template("admin/holidays.html", rows=rows)


def _year_page(year: int, form: HolidayYearForm, status: int = 200):
    arrangement, row = holidays.year_arrangement(year)
    return render_template("admin/holiday_year.html", year=year, form=form, source=arrangement.source,
                           row=row, delete_form=DeleteForm()), status


@bp.get("/holidays/<int:year>")
def edit_holiday_year(year: int):
    arrangement, row = holidays.year_arrangement(_year_or_404(year))
    form = HolidayYearForm(formdata=None, data={
        "notice": row.notice if row else "",
        "holidays": holidays.format_days(arrangement.holidays),
        "workdays": holidays.format_days(arrangement.workdays)})
    return _year_page(year, form)


@bp.post("/holidays/<int:year>")
def save_holiday_year(year: int):
    _year_or_404(year)
    form = HolidayYearForm()
    if form.validate_on_submit():
        try:
            holidays.save_holiday_year(year, holidays=form.holidays.data, workdays=form.workdays.data,
                                       notice=form.notice.data, actor=current_user, now=utcnow())
        except ServiceError as error:
            target = getattr(form, error.field, None) if error.field else None
            if target is None:
                flash(error.message, "error")
            else:
                target.errors = list(target.errors) + [error.message]
        else:
            flash(_("The holiday arrangement of %(year)s was saved.", year=year), "success")
            return redirect(url_for("admin.list_holiday_years"))
    return _year_page(year, form, 422)


@bp.post("/holidays/<int:year>/delete")
def delete_holiday_year(year: int):
    _year_or_404(year)
    if not DeleteForm().validate_on_submit():
        abort(400)
    try:
        holidays.delete_holiday_year(year, actor=current_user)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(_("The entry for %(year)s was withdrawn.", year=year), "success")
    return redirect(url_for("admin.list_holiday_years"))
