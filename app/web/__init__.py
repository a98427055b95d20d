"""One blueprint per audience, plus the pages every logged-in role shares."""
from __future__ import annotations


def register_blueprints(app) -> None:
    from app.web import (
        accounts, admin, agreements, auth, cases, court, developer, homeowner, intake, mediator,
        notices, public,
        referrals,
    )

    # cases: the case page (access per case); referrals: agency imports for judges and
    # clerks (/court/imports); intake: evidence downloads (access per complaint);
    # notices: each user's own inbox (access per notice); agreements: a case's agreement
    # page (access per case).
    for module in (public, auth, accounts, homeowner, developer, mediator, court, admin, cases,
                   agreements, referrals, intake, notices):
        app.register_blueprint(module.bp)
    app.register_blueprint(notices.settings_bp)  # /account/notifications
