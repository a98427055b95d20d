"""Settings come from the environment; production refuses unsafe defaults."""
from __future__ import annotations

import pytest

from app.config import ConfigError, Settings
from mediation.identifiers import make_resident_id
from tests.factories import NOW


def test_development_defaults_to_sqlite_under_instance():
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("instance/platform.sqlite3")
    assert len(settings.secret_key) >= 32


def test_email_is_off_until_an_smtp_server_is_named():
    """No MAIL_SERVER: notices use the inbox only, nothing is sent to a guessed localhost."""
    assert Settings.from_env({}).email_enabled is False
    assert Settings.from_env({"MAIL_SERVER": "  "}).email_enabled is False
    configured = Settings.from_env({"MAIL_SERVER": "smtp.court.internal", "MAIL_PORT": "2525",
                                    "MAIL_SENDER": "notice@court.example"})
    assert configured.email_enabled
    config = configured.flask_config()
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_SENDER"]) == (
        "smtp.court.internal", 2525, "notice@court.example")


@pytest.mark.parametrize("secret", [None, "", "dev", "change-me", "short"])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    environ = {"APP_ENV": "production", "DATABASE_URL": "postgresql+psycopg://db/x"}
    if secret is not None:
        environ["SECRET_KEY"] = secret
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_env(environ)


def test_production_refuses_to_start_without_a_database_url():
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "s" * 40})


def test_production_cookies_are_secure():
    settings = Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "s" * 40,
                                  "DATABASE_URL": "postgresql+psycopg://db/x"})
    config = settings.flask_config()
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]


def test_sqlite_connections_get_the_pragmas_and_begin_immediately(app):
    """Foreign keys on, WAL, a busy timeout; and writers take the lock at BEGIN."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite-specific pragmas (this run is on PostgreSQL)")
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        db.session.remove()


def test_a_read_then_write_transaction_never_fails_with_database_locked(app, make):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite locking behaviour (this run is on PostgreSQL)")
    """Two writers that both read first: with BEGIN IMMEDIATE the second waits instead of
    failing at once with 'database is locked' (SQLITE_BUSY_SNAPSHOT)."""
    import threading
    import time

    from sqlalchemy import select

    from app.extensions import db
    from app.models import Court

    court = make.court()
    errors: list[Exception] = []
    first_has_read = threading.Event()

    def writer(n: int):
        with app.app_context():
            try:
                if n == 1:
                    first_has_read.wait(timeout=5)
                row = db.session.get(Court, court.id)  # read …
                if n == 0:
                    first_has_read.set()
                    time.sleep(0.3)  # the other writer reads meanwhile (or waits, with IMMEDIATE)
                row.address = f"writer {n}"  # … then write
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - collected for the assertion
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        address = db.session.scalar(select(Court.address).where(Court.id == court.id))
        db.session.remove()
    assert errors == []
    assert address == "writer 1"  # the second writer waited for the first, then won


def test_postgresql_reads_in_autocommit_and_writes_in_a_transaction(app):
    """A GET needs no transaction (and pays four round trips for one); a POST, a CLI or a
    job must commit or roll back as one."""
    from app.extensions import db

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL connection modes (this run is on SQLite)")

    def autocommit(**request) -> bool:
        context = app.test_request_context(**request) if request else app.app_context()
        with context:
            mode = db.session.connection().connection.dbapi_connection.autocommit
            db.session.remove()
        return mode

    for _ in range(2):  # a fresh connection, then one back from the pool
        assert autocommit(method="GET") is True
        assert autocommit(method="POST") is False
        assert autocommit() is False


def test_a_failed_write_on_postgresql_leaves_nothing_behind_after_reads(app):
    """The connection a GET used in autocommit serves the next POST as a transaction."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Person

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL connection modes (this run is on SQLite)")
    with app.test_request_context(method="GET"):
        db.session.scalar(select(func.count()).select_from(Person))
        db.session.remove()
    with app.test_request_context(method="POST"):
        db.session.add(Person(name="半途", resident_id=make_resident_id("46900519800101001"),
                              created_at=NOW))
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Person)) == 0
        db.session.remove()


def test_a_postgresql_connection_that_died_while_resting_is_replaced_unseen(app, monkeypatch):
    """The database restarted while the pool slept: the next request still succeeds,
    because a rested connection is pinged and replaced; unpinged, it would fail."""
    from sqlalchemy import create_engine, exc, text

    import app.extensions as extensions
    from app.extensions import db

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        pytest.skip("PostgreSQL connection pool (this run is on SQLite)")

    def kill_pooled_connections():
        with app.app_context():
            db.engine.dispose()  # an empty pool, which now gets exactly one connection
            pid = db.session.scalar(text("SELECT pg_backend_pid()"))
            db.session.remove()
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:  # waits (up to 5 s) until that backend is gone
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        admin.dispose()

    def read_in_a_request():
        with app.test_request_context(method="GET"):
            try:
                return db.session.scalar(text("SELECT 1"))
            finally:
                db.session.remove()

    try:
        kill_pooled_connections()
        monkeypatch.setattr(extensions, "IDLE_PING_SECONDS", 1e9)  # never ping: it fails
        with pytest.raises(exc.OperationalError):
            read_in_a_request()
        kill_pooled_connections()
        monkeypatch.setattr(extensions, "IDLE_PING_SECONDS", 0.0)  # every rested one pinged
        assert [read_in_a_request() for _ in range(3)] == [1, 1, 1]
    finally:
        with app.app_context():  # no killed connection may wait in the pool for the next test
            db.engine.dispose()

