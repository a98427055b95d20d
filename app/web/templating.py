"""The Jinja globals the web's templates share, registered in one place: ``create_app``.

A blueprint registering app-wide globals as a side effect (``record_once``) hid where a
name came from and let a template query the database through one. Templates get their
data from the view (a service's view model); what is here only labels, links and empty
forms — plus the unread count of the navigation bar, counted once per request.
Locale-dependent labels and filters are ``app.i18n``'s.
"""
from __future__ import annotations

from flask import render_template, request
from flask_babel import get_locale
from flask_login import current_user

from app.services.holidays import deadline_is_estimated
from app.web import fragments
from app.web.court.tasks import new_task_form, result_form, task_status_label
from app.web.holidays import holiday_source_label
from app.web.notices import notice_link, unread_notices
from app.web.prevention.labels import commitment_label, letter_label, level_label, review_label
from app.web.referrals import agency_label, referral_column_header

#: The roles whose navigation shows their unread count.
UNREAD_COUNT_ROLES = frozenset({"homeowner", "developer", "mediator"})


def navigation():
    """The role's navigation links (``_nav.html``), kept by everything they show: the role,
    the language, where the app is mounted, the page (marked current) and the unread count."""
    role = str(current_user.role)
    unread = unread_notices() if role in UNREAD_COUNT_ROLES else 0
    return fragments.kept(
        ("nav", role, str(get_locale()), request.script_root, request.endpoint, unread),
        lambda: render_template("_nav.html", unread=unread))


def account_links():
    """Who is logged in and the links to their account's pages (``_account_links.html``),
    kept by the name, role, language and mount point they show."""
    return fragments.kept(
        ("account links", current_user.name, str(current_user.role), str(get_locale()),
         request.script_root),
        lambda: render_template("_account_links.html"))


#: name in templates → function
TEMPLATE_GLOBALS = {
    "account_links": account_links,
    "navigation": navigation,
    "agency_label": agency_label,
    "agency_task_result_form": result_form,
    "agency_task_status_label": task_status_label,
    "commitment_label": commitment_label,
    "letter_label": letter_label,
    "level_label": level_label,
    "review_label": review_label,
    "holiday_source_label": holiday_source_label,
    "new_agency_task_form": new_task_form,
    "notice_link": notice_link,
    "referral_column_header": referral_column_header,
    "unread_notices": unread_notices,
}

#: name in templates → filter
TEMPLATE_FILTERS = {
    "deadline_estimated": deadline_is_estimated,
}
