"""Language, time zone and money display.

Simplified Chinese is the default; English can be chosen per browser (a cookie) or per
account. Money is stored in integer fen and shown in yuan; times are stored in UTC and
shown in Asia/Shanghai.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, g, request
from flask_babel import get_locale, get_translations
from flask_login import current_user
from markupsafe import escape

from mediation.amounts import format_yuan
from mediation.disputes import Channel, ComplaintStatus, DisputeType
from mediation.identifiers import mask_phone, mask_resident_id
from mediation.lifecycle import CaseStatus, Outcome
from mediation.messages import localize
from mediation.roles import Role

LOCALES = {"zh": "简体中文", "en": "English"}
LOCALE_COOKIE = "lang"


def select_locale() -> str:
    """The API answers in the language of ``Accept-Language`` (Chinese when it names neither);
    a page in the browser's chosen language (cookie), else the account's, else Chinese."""
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(list(LOCALES)) or current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in LOCALES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def yuan_or_dash(fen: int | None) -> str:
    """¥1,234.56 from 123456 fen; a dash when there is no amount."""
    return "—" if fen is None else format_yuan(fen)


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC timestamp shown in the court's time zone."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.astimezone(tz).strftime(fmt)


def local_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return local_time(value, "%Y-%m-%d")
    return value.isoformat()


def localized(value):
    """A message (or a list of them) in the request's language: ``Msg`` picks its text."""
    locale = str(get_locale())
    if isinstance(value, (list, tuple)):
        return [localize(v, locale) for v in value]
    return localize(value, locale)


def notice_in_locale(notice):
    """A notice's subject and body in the request's language (app.notify.render)."""
    from app.notify.render import notice_text

    return notice_text(notice, str(get_locale()))


def html_lang() -> str:
    return "zh-CN" if str(get_locale()) == "zh" else "en"


def _enum_label(enum_cls):
    def label(code: str | None) -> str:
        if code is None:
            return "—"
        try:
            return enum_cls(code).label(str(get_locale()))
        except ValueError:
            return code
    return label


def page_translations():
    """This request's catalog, looked up once: a list page says ``_()`` some sixty times, and
    Flask-Babel finds the catalog again on each (context, domain, locale, cache key)."""
    try:
        return g.page_translations
    except AttributeError:
        g.page_translations = translations = get_translations()
        return translations


class PageText:
    """A UI text translated where it is shown, as Flask-Babel's ``lazy_gettext`` is, but from
    the request's catalog (:func:`page_translations`): two calls where ``lazy_gettext`` makes
    some twenty-five, and a list page shows about sixty labels and option names. Extracted
    by ``pybabel`` when the name it is imported as is ``_l``. Outside a request: the source."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message

    def __str__(self) -> str:
        try:
            return page_translations().ugettext(self.message)
        except RuntimeError:  # no application or request context
            return self.message

    def __html__(self) -> str:
        return escape(str(self))

    def __repr__(self) -> str:
        return f"PageText({self.message!r})"


def _install_template_gettext(app) -> None:
    """Templates translate through :func:`page_translations` (same catalog, same results)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
        newstyle=True)


def init_app(app) -> None:
    from mediation.sessions import SessionOutcome
    from mediation.statistics import format_percent

    _install_template_gettext(app)

    app.jinja_env.globals["percent"] = format_percent
    app.jinja_env.globals["role_label"] = _enum_label(Role)
    app.jinja_env.globals["dispute_label"] = _enum_label(DisputeType)
    app.jinja_env.globals["channel_label"] = _enum_label(Channel)
    app.jinja_env.globals["complaint_status_label"] = _enum_label(ComplaintStatus)
    app.jinja_env.globals["status_label"] = _enum_label(CaseStatus)
    app.jinja_env.globals["outcome_label"] = _enum_label(Outcome)
    app.jinja_env.globals["session_outcome_label"] = _enum_label(SessionOutcome)
    app.jinja_env.filters["yuan"] = yuan_or_dash
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["mask_id"] = mask_resident_id
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["localized"] = localized
    app.jinja_env.globals["LOCALES"] = LOCALES
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.globals["notice_in_locale"] = notice_in_locale
