"""One blueprint per audience."""
from __future__ import annotations


def register_blueprints(app) -> None:
    from app.web import admin, auth, court, developer, homeowner, mediator, public

    for module in (public, auth, homeowner, developer, mediator, court, admin):
        app.register_blueprint(module.bp)
