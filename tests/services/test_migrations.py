"""Migrations and models agree: `flask db upgrade` on an empty database yields the models' schema."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@pytest.fixture
def empty_database_url(app, database_url, tmp_path):
    """A brand-new empty database on the same backend as the suite."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_on_an_empty_database_matches_the_models(empty_database_url):
    """After `flask db upgrade` head, does autogenerate find anything left to migrate?"""
    from flask_migrate import upgrade

    from app import create_app
    from app.config import Settings
    from app.extensions import db

    settings = Settings.from_env({"SECRET_KEY": "x" * 40, "DATABASE_URL": empty_database_url})
    fresh = create_app(settings)
    with fresh.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        tables = set(db.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert diff == []
    assert {"users", "cases", "complaints", "login_sessions", "alembic_version"} <= tables
