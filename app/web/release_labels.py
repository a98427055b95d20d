"""How the release records' codes read on a page (asset and guarantee kinds, statuses),
shared by the judges' records pages and the developer's own page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


def asset_kinds():
    return [("bank_account", _l("Bank account")), ("presale_account", _l("Supervised pre-sale account")),
            ("unit", _l("Unit (released whole)")), ("equity", _l("Equity (released whole)"))]


def guarantee_kinds():
    return [("bank_letter", _l("Bank letter of guarantee")), ("insurance", _l("Preservation insurance")),
            ("surety", _l("Surety (guarantee company)")), ("collateral", _l("Collateral"))]


def release_labels() -> dict:
    """code → label for every code the records pages show."""
    return {**dict(asset_kinds()), **dict(guarantee_kinds()),
            "offered": _l("awaiting review"), "accepted": _l("accepted on review"), "refused": _l("refused on review"),
            "open": _l("to perform"), "performed": _l("performed, awaiting confirmation"),
            "confirmed": _l("performance confirmed"),
            # the plan (risk.plan_result) and its kept stages (docs/release-in-the-app.md)
            "complete": _l("complete: every frozen asset can be let go in stages"),
            "blocked": _l("blocked: a claim would be left unsecured"),
            "proposed": _l("proposed, awaiting approval"), "approved": _l("approved"),
            "released": _l("released")}
