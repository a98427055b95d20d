"""The application factory: the one place where things are wired together."""
from __future__ import annotations

from flask import Flask

from app.config import BASE_DIR, Settings


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    """Create the web application. Nothing here starts a thread or a scheduler."""
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        instance_path=str(BASE_DIR / "instance"),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    app.config.update(settings.flask_config())
    app.config.update(overrides)

    from app.extensions import (
        babel, cache, configure_postgresql, configure_sqlite, csrf, db, limiter, login_manager,
        migrate,
    )
    from app.models.versions import install_tracking

    db.init_app(app)
    install_tracking()
    cache.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from app import i18n

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)

    with app.app_context():
        configure_sqlite(db.engine)
        configure_postgresql(db.engine)

    from app import auth, errors, input_safety, security
    from app.notify import sms

    security.init_app(app)  # ProxyFix (TRUSTED_PROXIES) and the headers of every response

    sms.init_app(app)

    auth.init_app(app)
    errors.init_app(app)
    with app.app_context():
        input_safety.init_app(app, db.engine)

    from app.web import register_blueprints
    from app.web.templating import TEMPLATE_FILTERS, TEMPLATE_GLOBALS

    register_blueprints(app)
    app.jinja_env.globals.update(TEMPLATE_GLOBALS)
    app.jinja_env.filters.update(TEMPLATE_FILTERS)

    from app.api import api_bp

    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)

    from app.cli import register_cli

    register_cli(app)
    return app
