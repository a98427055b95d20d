"""What the four case-list pages share: the filter form, its choices, and the rendering.

The filter form is a GET form, so a filtered list is a link one can bookmark or send; it
has no CSRF token because it changes nothing. A filter the role's page does not offer
(say ``mediator_id`` on a homeowner's list) is ignored; an unknown value is shown next to
its field and the list answers 400 with the other filters still applied.
"""
from __future__ import annotations

import functools
from urllib.parse import parse_qsl, urlencode

from flask import render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BuildError
from wtforms import IntegerField, SearchField, SelectField, SelectMultipleField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from app.i18n import PageText as _l  # lazy, from the request's catalog (cheap)
from app.models.types import utcnow
from app.services import case_filter_choices, case_lists
from app.services.case_lists import DEFAULT_LIMIT, MAX_LIMIT, CaseFilters
from app.web import fragments
from app.web.case_rows import Columns, option_tags, render_rows
from app.web.forms import BaseForm
from mediation.disputes import DisputeType
from mediation.lifecycle import CaseStatus

#: The filters each role's page offers (the sort, page size and search box always).
SCOPE_FIELDS = {
    "court": ("status", "dispute_type", "deadline", "town_id", "mediator_id", "project_id",
              "developer_id"),
    "mediator": ("status", "dispute_type", "deadline", "town_id", "project_id", "developer_id"),
    "developer": ("status", "dispute_type", "deadline", "project_id"),
    "homeowner": ("status", "dispute_type"),
}

#: The optional columns of each role's table (app/web/case_rows.py renders its rows).
SCOPE_COLUMNS = {
    "court": Columns(selectable=True, mediator=True),
    "mediator": Columns(),
    "developer": Columns(developer=False),
    "homeowner": Columns(filter_links=False),
}

SORT_LABELS = {
    "registered_desc": _l("Newest first"),
    "registered_asc": _l("Oldest first"),
    "deadline_asc": _l("Nearest mediation deadline first"),
    "claim_desc": _l("Largest claim first"),
}
DEADLINE_LABELS = {"overdue": _l("Mediation period overdue"),
                   "due3": _l("Mediation period ends within 3 days")}
PAGE_SIZES = (20, 50, 100, 200)


ANY = ("", _l("Any"))


@functools.cache
def enum_choices(enum, locale: str) -> tuple[tuple[str, str], ...]:
    """An enum's (code, name) choices in ``locale`` (constants: made once per language)."""
    return tuple(enum.choices(locale))


@functools.lru_cache(maxsize=64)
def id_choices(pairs: tuple) -> tuple[tuple[str, str], ...]:
    """(id, name) rows as a select's (value, label) choices, made once per list of rows
    (the court's mediators and towns: the same until one of them changes)."""
    return tuple((str(i), name) for i, name in pairs)


class _Choice(SelectField):
    """A select whose unknown value is reported in the page's language, not WTForms'.

    ``message`` is a keyword: the forms' meta (app/web/forms.py) takes a field's second
    positional argument for its validators, as WTForms' own fields have it."""

    def __init__(self, label, *, message, **kwargs):
        super().__init__(label, choices=[], default="", validate_choice=False, **kwargs)
        self.unknown_message = message

    def pre_validate(self, form):
        if self.data not in (None, "") and self.data not in {str(v) for v, _ in self.choices}:
            raise ValidationError(self.unknown_message)


class _Choices(SelectMultipleField):
    def __init__(self, label, *, message, **kwargs):
        super().__init__(label, choices=[], default=(), validate_choice=False, **kwargs)
        self.unknown_message = message

    def pre_validate(self, form):
        known = {str(v) for v, _ in self.choices}
        if any(value not in known for value in self.data or ()):
            raise ValidationError(self.unknown_message)


class CaseFilterForm(BaseForm):
    """The list's filters, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=case_lists.MAX_QUERY_LENGTH)],
                    description=_l("Case or receipt number, project, developer, party names or facts"))
    status = _Choices(_l("Status"), message=_l("Unknown status."))
    dispute_type = _Choice(_l("Dispute type"), message=_l("Unknown dispute type."))
    deadline = _Choice(_l("Deadline"), message=_l("Unknown deadline filter."))
    town_id = _Choice(_l("Town"), message=_l("Unknown town."))
    mediator_id = _Choice(_l("Mediator"), message=_l("Unknown mediator."))
    project_id = IntegerField(_l("Project"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    developer_id = IntegerField(_l("Developer"),
                                validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    sort = _Choice(_l("Sort"), message=_l("Unknown sort order."))
    limit = IntegerField(_l("Per page"), default=DEFAULT_LIMIT,
                         validators=[Optional(), NumberRange(min=1, max=MAX_LIMIT)])

    def set_choices(self, options) -> None:
        locale = str(get_locale())
        self.status.choices = list(enum_choices(CaseStatus, locale))
        self.dispute_type.choices = [ANY, *enum_choices(DisputeType, locale)]
        self.deadline.choices = [ANY, *DEADLINE_LABELS.items()]
        self.town_id.choices = [ANY, *id_choices(tuple(options.towns))]
        self.mediator_id.choices = [ANY, *id_choices(tuple(options.mediators))]
        self.sort.choices = list(SORT_LABELS.items())

    def to_filters(self, scope: str) -> CaseFilters:
        """The valid filters this page offers (invalid fields are left out)."""
        offered = SCOPE_FIELDS[scope]

        def value(name):
            field = getattr(self, name)
            if name != "q" and name != "sort" and name not in offered:
                return None
            return None if field.errors else field.data

        return CaseFilters(
            status=tuple(value("status") or ()), dispute_type=value("dispute_type") or None,
            project_id=value("project_id"), developer_id=value("developer_id"),
            town_id=value("town_id") or None, mediator_id=value("mediator_id") or None,
            deadline=value("deadline") or None, q=value("q") or "",
            sort=value("sort") or case_lists.SORTS[0])

    @property
    def page_size(self) -> int:
        return DEFAULT_LIMIT if self.limit.errors or not self.limit.data else self.limit.data


def url_encode(args: MultiDict) -> str:
    """The query string of a list, to come back to it after a bulk action."""
    return urlencode(list(args.items(multi=True)))


def parse_back(back: str | None) -> MultiDict:
    """The list's query string carried through the bulk forms (only ever a query string)."""
    return MultiDict(parse_qsl((back or "")[:2000], keep_blank_values=False))


def case_link_pattern() -> str:
    """"/cases/{}" built once per request from the case page's endpoint, if it exists."""
    try:
        return url_for("cases.show_case", case_id=987654321).replace("987654321", "{}")
    except BuildError:
        return "/cases/{}"


@functools.cache
def _enum_names(locale: str) -> tuple[dict[str, str], dict[str, str]]:
    """Status and dispute-type names in ``locale`` (constants: computed once per language)."""
    return ({s.value: s.label(locale) for s in CaseStatus},
            {d.value: d.label(locale) for d in DisputeType})


#: Filter choices by (data version, role, court, developer), in this process. Kept under
#: the data version, a copy can never be stale: any committed change renews the version.
_OPTIONS: dict[tuple, case_filter_choices.FilterOptions] = {}
_OPTIONS_KEPT = 64


def list_options(user) -> case_filter_choices.FilterOptions:
    """The filter choices of ``user``'s list: queried once per data version and court, not on
    every request (they are the same for every judge of a court until the data changes)."""
    token = getattr(user, "list_version", None)
    if token is None:  # no version yet (an empty database): nothing to key a copy on
        return case_filter_choices.filter_options(user)
    key = (token, user.role, user.court_id, user.developer_id)
    options = _OPTIONS.get(key)
    if options is None:
        if len(_OPTIONS) >= _OPTIONS_KEPT:
            _OPTIONS.clear()  # old versions' copies; the current ones come back on their next use
        options = _OPTIONS[key] = case_filter_choices.filter_options(user)
    return options


#: The filter form's outcome for a query string, by (language, page, role's search, the
#: choices' content, the query string): a valid query's filters, page size and form. The
#: choices are in the key by content, so a copy meets only the choices it was checked against.
_FORMS: dict[tuple, tuple] = {}
_FORMS_KEPT = 256


def _choices_key(options: case_filter_choices.FilterOptions) -> tuple:
    return (tuple(options.towns), tuple(options.mediators), tuple(options.projects),
            tuple(options.developers))


def _filter_form(args: MultiDict, scope: str, user, options):
    """(form, valid, filters): read from the query string, or — for a valid query already
    read under the same choices and language — the same result without building the form."""
    key = (str(get_locale()), request.script_root, request.blueprint, scope,
           user.role in case_lists.PHONE_SEARCH_ROLES,
           _choices_key(options), tuple((k, v) for k, v in args.items(multi=True) if k != "cursor"))
    found = _FORMS.get(key)
    if found is not None:
        return found[0], True, found[1], key
    form = CaseFilterForm(formdata=args)
    form.set_choices(options)
    if user.role in case_lists.PHONE_SEARCH_ROLES:
        form.q.description = _l("Case or receipt number, project, developer, party names, "
                                "phone or facts")
    valid = form.validate()
    filters = form.to_filters(scope)
    if valid:
        if len(_FORMS) >= _FORMS_KEPT:
            _FORMS.clear()
        _FORMS[key] = (form, filters)
    return form, valid, filters, key if valid else None


def render_case_list(template: str, scope: str, *, args: MultiDict | None = None,
                     status: int | None = None, options=None, **context):
    """Load → check (done by the blueprint) → list → render, for one role's list page."""
    args = request.args if args is None else args
    # The user itself, not Flask-Login's proxy: the list reads the viewer's role and ids for
    # every row (a proxy costs a context look-up per attribute: ~170 a page).
    user = current_user._get_current_object()
    options = options or list_options(user)
    form, valid, filters, form_key = _filter_form(args, scope, user, options)
    cursor_error = None
    now = utcnow()
    try:
        page = case_lists.list_cases(user, filters, cursor=args.get("cursor") or None,
                                     limit=form.page_size, now=now)
    except case_lists.InvalidCursorError as error:
        cursor_error = error.message
        page = case_lists.list_cases(user, filters, limit=form.page_size, now=now)
    labels = case_filter_choices.filter_labels(filters)
    keep = MultiDict([(k, v) for k, v in args.items(multi=True) if k != "cursor"])

    def list_url(**changes) -> str:
        merged = keep.copy()
        for key, value in changes.items():
            merged.setlist(key, [] if value is None else [value])
        return url_for(f"{request.blueprint}.list_cases", **merged.to_dict(flat=False))

    def filter_link(name: str) -> str:
        """This list narrowed to one value of ``name``: the value is appended to the end."""
        merged = keep.copy()
        merged.poplist(name)
        url = url_for(f"{request.blueprint}.list_cases", **merged.to_dict(flat=False))
        return f"{url}{'&' if '?' in url else '?'}{name}="

    statuses, disputes = _enum_names(str(get_locale()))
    columns = SCOPE_COLUMNS[scope]
    rows = render_rows(
        page.items, columns, case_link=case_link_pattern(), project_link=filter_link("project_id"),
        developer_link=filter_link("developer_id"), statuses=statuses, disputes=disputes)
    code = status or (200 if valid and cursor_error is None else 400)

    def render_filter_form():
        return fragments.macro("_case_list.html", "filter_form", form, options,
                               SCOPE_FIELDS[scope], labels, list_url, PAGE_SIZES,
                               option_tags=option_tags)

    def filter_form():
        """The form's HTML, when the page shows it: a valid query's is kept with its chips'
        names (everything it shows is in the key); one with errors is drawn each time."""
        if form_key is None:
            return render_filter_form()
        return fragments.kept(("filter form", form_key, tuple(labels.items())), render_filter_form)

    def table_head():
        return fragments.kept(("table head", str(get_locale()), columns),
                              lambda: fragments.macro("_case_list.html", "case_table_head", columns))

    return render_template(
        template, form=form, page=page, rows=rows, columns=columns, options=options,
        filter_form=filter_form, table_head=table_head, labels=labels, cursor_error=cursor_error,
        list_url=list_url, page_sizes=PAGE_SIZES, back=url_encode(args), option_tags=option_tags,
        **context), code
