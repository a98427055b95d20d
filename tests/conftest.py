"""Shared fixtures. Domain tests (tests/domain) need none of these.

The database is SQLite by default; ``pytest --db=postgres`` runs the same tests against
``TEST_DATABASE_URL`` (the README's test command does both when the variable is set).
"""
from __future__ import annotations

import os

import pytest


def pytest_addoption(parser):
    parser.addoption("--db", choices=["sqlite", "postgres"], default="sqlite",
                     help="database backend for the app tests")


def pytest_sessionfinish(session, exitstatus):
    """Tests that build an app of their own leave its watches' kept connections: give them
    back while the interpreter still runs (at its exit their rollback logs a traceback)."""
    import sys

    watch = sys.modules.get("app.services.reminder_watch")
    if watch is not None:
        watch.close_all()


def pytest_report_header(config):
    backend = config.getoption("--db")
    url = os.environ.get("TEST_DATABASE_URL", "") if backend == "postgres" else "sqlite (temp file)"
    return f"database backend: {backend} {url}"


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory) -> str:
    if request.config.getoption("--db") == "postgres":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.exit("--db=postgres needs TEST_DATABASE_URL", returncode=2)
        return url
    path = tmp_path_factory.mktemp("db") / "test.sqlite3"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from app import create_app
    from app.config import Settings
    from app.extensions import db

    settings = Settings.from_env({
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
        "DATABASE_URL": database_url,
        "DEMO_PASSWORD": "Demo@2026",
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
    })
    application = create_app(settings, TESTING=True, LOGIN_RATE_LIMIT="10000 per minute",
                             LOGIN_ADDRESS_RATE_LIMIT="10000 per minute",
                             WTF_CSRF_ENABLED=True)
    with application.app_context():
        db.drop_all()
        db.create_all()
        from app.models.search import install_search

        install_search(db.engine)  # the search index is raw DDL, not in the models
    yield application
    from app.services.reminder_watch import close_all

    with application.app_context():
        db.session.remove()
        close_all(db.engine)  # the watches' kept connections, before the engine goes
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """Empty every table after each app test, so tests never see each other's rows."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    from sqlalchemy import text

    from app.extensions import db, limiter

    with application.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
        limiter.reset()
        from app.services.reminder_watch import forget_all

        forget_all()  # TRUNCATE fires no trigger: the next test's watch must ask again
        application.extensions["sms"].outbox.clear()  # the logging SMS backend's memory


@pytest.fixture
def db_session(app):
    from app.extensions import db

    with app.app_context():
        yield db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app):
    """Small factories: ``make.user("judge")``, ``make.case(project=…)``."""
    from tests.factories import Factories

    return Factories(app)
