"""One blueprint per audience, plus the pages every logged-in role shares."""
from __future__ import annotations


def register_blueprints(app) -> None:
    from app.web import (
        accounts, admin, agreements, auth, cases, court, developer, homeowner, intake, mediator,
        notices, onsite, prevention, public,
        referrals, reminders,
    )

    # cases: the case page (access per case); referrals: agency imports for judges and
    # clerks (/court/imports); intake: evidence downloads (access per complaint);
    # notices: each user's own inbox (access per notice); agreements: a case's agreement
    # page (access per case); prevention: inquiries, warnings and risk pages of judges and
    # developer staff (access per object); onsite: visit sheets, documents, sessions,
    # confirmation, ratings (access per object, docs/on-site.md).
    for module in (public, auth, accounts, homeowner, developer, mediator, court, admin, cases,
                   agreements, referrals, reminders, intake, notices, prevention, onsite):
        app.register_blueprint(module.bp)
    app.register_blueprint(notices.settings_bp)  # /account/notifications
