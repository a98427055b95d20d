"""Labels of the prevention pages in the reader's language (template globals)."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from risk.inquiries import LETTER_TYPES


def letter_label(code: str) -> str:
    kind = LETTER_TYPES.get(code)
    if kind is None:
        return code
    return kind.label_en if str(get_locale()).startswith("en") else kind.label_zh


def review_label(code: str | None) -> str:
    return {"compliant": _("Compliant"), "rectify": _("Rectify by a date"),
            "non_compliant": _("Non-compliant")}.get(code or "", "—")


def level_label(code: str | None) -> str:
    return {"none": _("No warning"), "blue": _("Blue"), "yellow": _("Yellow"), "orange": _("Orange"),
            "red": _("Red")}.get(code or "none", code or "")


def commitment_label(code: str) -> str:
    return {"open": _("Open"), "kept": _("Kept"), "broken": _("Broken")}.get(code, code)
