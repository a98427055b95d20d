"""One blueprint per audience."""
from __future__ import annotations


def register_blueprints(app) -> None:
    from app.web import admin, auth, court, developer, homeowner, mediator, public

    for module in (public, auth, homeowner, developer, mediator, court, admin):
        app.register_blueprint(module.bp)

    from app.web import cases  # the case page, any logged-in user; access per case

    app.register_blueprint(cases.bp)

    from app.web import referrals  # agency referral imports, judges and clerks (/court/imports)

    app.register_blueprint(referrals.bp)

    from app.web import intake  # evidence downloads, access-checked per complaint

    app.register_blueprint(intake.bp)
