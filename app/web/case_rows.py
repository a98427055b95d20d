"""The rows of a case list, rendered: the one part of a list page that grows with its size.

A list page shows up to 200 rows of up to 11 cells. Rendered by Jinja, each cell cost an
attribute lookup, a filter or function call, a translation and an escape per value and per
constant label — about 340 Python calls a row, most of an uncached page (BENCHMARKS.md,
"Page cache and a cheap page"). Here everything the same for the whole page (labels, link
patterns, the time zone, the enum names) is looked up and escaped once, and each row is
one string put together from its escaped values: the same HTML, about a tenth of the calls.

The markup is the table's ``<tbody>``; the header, the empty state and the columns' order
live in ``templates/_case_list.html`` (``case_table``), which must list the same columns
as :func:`render_rows` — ``tests/web/test_case_rows.py`` checks that they agree.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from html import escape as html_escape
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from markupsafe import Markup

from app.i18n import page_translations
from app.services.holidays import court_calendar

from mediation.amounts import format_yuan


@dataclass(frozen=True)
class Columns:
    """Which of the optional columns a role's list shows."""

    selectable: bool = False  # a checkbox per row for the bulk actions (the court's list)
    mediator: bool = False
    developer: bool = True
    filter_links: bool = True  # project and developer names narrow the list to them


def _(message: str) -> str:
    """``message`` in the page's language, from the request's catalog (no variables here)."""
    return page_translations().ugettext(message)


def _e(value) -> str:
    """``value`` escaped for HTML text and attributes (``html.escape``: one call, not three)."""
    return html_escape(value if isinstance(value, str) else str(value))


def option_tags(choices, selected) -> Markup:
    """The ``<option>`` tags of a select, ``selected`` (compared as text) marked.

    The court's list has selects of every mediator (twice) and town: built here, an option
    is one string, not a loop step, a comparison and two escapes through Jinja. The same
    choices and selection give the same tags, so they are kept by their content (labels
    made text first, in the page's language): the mediators' options, unchanged by a write
    to a case, are not built again on the page rendered after it.
    """
    return _option_tags(tuple((value, str(label)) for value, label in choices),
                        "" if selected is None else str(selected))


@functools.lru_cache(maxsize=256)
def _option_tags(choices: tuple, selected: str) -> Markup:
    return Markup("".join(
        f'<option value="{_e(value)}"{" selected" if str(value) == selected else ""}>{_e(label)}</option>'
        for value, label in choices))


def _escape_all(texts: list[str]) -> list[str]:
    """Each text escaped for HTML, in one pass over all of them rather than a call each (a
    page of 50 rows has some 300): joined by NUL, which no stored text holds (every text
    field refuses it, PostgreSQL cannot store it), escaped, split again. Should a text hold
    one all the same, each is escaped on its own."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != max(len(texts) - 1, 0):
        return [_e(text) for text in texts]
    return html_escape(joined).split("\x00") if texts else []


def _date_of(tz: ZoneInfo):
    """A stored UTC time as the court's date, the way ``local_date`` shows it."""
    def date_of(value: datetime | None) -> date | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(tz).date()
    return date_of


def _estimated_years():
    """Whether a year's working days are only estimated (no State Council notice entered):
    asked of the court's calendar once per year a page shows, not once per row."""
    calendar, years = court_calendar(), {}

    def estimated(day: date) -> bool:
        known = years.get(day.year)
        if known is None:
            known = years[day.year] = calendar.is_estimate(day)
        return known
    return estimated


def render_rows(items, columns: Columns, *, case_link: str, project_link: str,
                developer_link: str, statuses: dict[str, str], disputes: dict[str, str]) -> Markup:
    """The ``<tr>`` of each :class:`app.services.case_lists.CaseRow`, in the page's order.

    ``case_link`` is a pattern with ``{}`` for the case id; ``project_link`` and
    ``developer_link`` are this list's URL ending in ``project_id=`` / ``developer_id=``.
    """
    labels = {key: _e(text) for key, text in (
        ("select", _("Select")), ("number", _("Case number")), ("claimant", _("Claimant")),
        ("project", _("Project")), ("developer", _("Developer")), ("type", _("Dispute type")),
        ("status", _("Status")), ("mediator", _("Mediator")), ("claimed", _("Claimed")),
        ("registered", _("Registered")), ("deadline", _("Mediation deadline")))}
    cell = {key: f'<td data-label="{text}">' for key, text in labels.items()}
    group = f' <span class="tag">{_e(_("Group"))}</span>'
    deadline_marks = {
        "overdue": (" deadline-overdue", f' <strong>{_e(_("Overdue"))}</strong>'),
        "due_soon": (" deadline-soon", f' <strong>{_e(_("Due soon"))}</strong>'),
    }
    # The pending delegation step (人民法院在线调解规则 arts. 10, 12), when no 30-day clock runs.
    response_labels = {"assign": _e(_("Assign by")), "accept": _e(_("Accept by"))}
    overdue_note = f' <strong>{_e(_("Overdue"))}</strong>'
    estimated = (f' <span class="estimate" data-testid="estimated" title="'
                 f'{_e(_("No official holiday arrangement for this year yet: the date is an estimate."))}">'
                 f'{_e(_("estimated"))}</span>')
    others_pattern = _("and others (%(n)s in all)")  # translated once, filled in per row
    only_project = _e(_("Only this project"))
    only_developer = _e(_("Only this developer"))
    project_link, developer_link = _e(project_link), _e(developer_link)
    status_cells = {code: f'<span class="status status-{_e(code)}">{_e(label)}</span>'
                    for code, label in statuses.items()}
    dispute_names = {code: _e(label) for code, label in disputes.items()}
    date_of = _date_of(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    estimated_year = _estimated_years()

    case_link = _e(case_link)
    # The rows' texts, escaped in one pass (see _escape_all), six a row.
    texts = _escape_all([text or "" for row in items for text in (
        row.number, row.claimant_name, row.claimant_phone, row.project_name, row.developer_name,
        row.mediator_name)])

    out = []
    for index, row in enumerate(items):
        number, claimant_name, claimant_phone, project_name, developer_name, mediator_name = \
            texts[6 * index:6 * index + 6]
        state = row.deadline_state  # a code of the service's ("overdue", "due_soon")
        parts = [f'<tr data-case-id="{row.id}"', f' class="row-{state}">' if state else ">"]
        if columns.selectable:
            parts.append(f'{cell["select"]}<input type="checkbox" name="case_id" value="{row.id}" '
                         f'id="pick-{row.id}" aria-label="{labels["select"]} {number}"></td>')
        parts.append(f'{cell["number"]}<a href="{case_link.format(row.id)}" '
                     f'data-testid="case-link">{number}</a>{group if row.is_group else ""}</td>')
        if claimant_name:
            claimant = claimant_name
            if claimant_phone:
                claimant += f' <span class="muted">{claimant_phone}</span>'  # masked by the service
            if row.claimant_count > 1:
                others = others_pattern % {"n": row.claimant_count}
                claimant += f' <span class="muted">{_e(others)}</span>'
        else:
            claimant = "—"
        parts.append(f'{cell["claimant"]}{claimant}</td>')
        project = project_name
        if columns.filter_links:
            project = f'<a href="{project_link}{row.project_id}" title="{only_project}">{project}</a>'
        parts.append(f'{cell["project"]}{project}</td>')
        if columns.developer:
            developer = developer_name
            if columns.filter_links:
                developer = (f'<a href="{developer_link}{row.developer_id}" '
                             f'title="{only_developer}">{developer}</a>')
            parts.append(f'{cell["developer"]}{developer}</td>')
        dispute = dispute_names.get(row.dispute_type)
        parts.append(f'{cell["type"]}{dispute if dispute is not None else _e(row.dispute_type)}</td>')
        status = status_cells.get(row.status)
        if status is None:
            status = f'<span class="status status-{_e(row.status)}">{_e(row.status)}</span>'
        parts.append(f'{cell["status"]}{status}</td>')
        if columns.mediator:
            parts.append(f'{cell["mediator"]}{mediator_name or "—"}</td>')
        # Digits, "¥", "," and "." only: nothing to escape.
        claimed = "—" if row.claim_total_fen is None else format_yuan(row.claim_total_fen)
        parts.append(f'<td data-label="{labels["claimed"]}" class="num">{claimed}</td>')
        registered = date_of(row.registered_at)
        parts.append(f'{cell["registered"]}{registered.isoformat() if registered else "—"}</td>')
        day = date_of(row.deadline_at)
        if day:
            mark, note = deadline_marks.get(state, ("", ""))
            # A year without the State Council's notice: the date is an estimate.
            shown = f"{day.isoformat()}{estimated if estimated_year(day) else ''}"
            deadline = f'<span class="deadline{mark}">{shown}{note}</span>'
        elif row.response_step:
            late = row.response_overdue
            due = date_of(row.response_due_at)
            deadline = (f'<span class="deadline{" deadline-overdue" if late else ""}" '
                        f'data-testid="response-due">{response_labels[row.response_step]} '
                        f'{due.isoformat() if due else ""}{overdue_note if late else ""}</span>')
        else:
            deadline = ""
        parts.append(f'{cell["deadline"]}{deadline or "—"}</td></tr>\n')
        out.append("".join(parts))
    return Markup("".join(out))
