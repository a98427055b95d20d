"""Extensions, created unbound; ``create_app`` binds them.

SQLite is the embedded default, so connections get the pragmas a multi-process web
app needs (foreign keys, WAL, a busy timeout), and every transaction that may write
begins with ``BEGIN IMMEDIATE``: a deferred transaction that reads first and writes
later fails at once with "database is locked" when another writer got in between,
whatever the busy timeout. Reads (GET requests) keep deferred transactions so they
never queue behind writers.
"""
from __future__ import annotations

import sqlite3
import time

from flask import has_request_context, request
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase

#: Stable constraint names, so migrations autogenerate the same names on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
cache = Cache()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def login_rate_limit() -> str:
    """The limit on login attempts (web form and API token alike), from the configuration."""
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]

_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _may_write() -> bool:
    """Whether the current unit of work may write (everything but a safe HTTP request)."""
    if has_request_context():
        return request.method not in _READ_ONLY_METHODS
    return True


#: For services that choose where to write (app.services.accounts notes a session's last use).
may_write = _may_write


def configure_sqlite(engine: Engine) -> None:
    """Install the pragmas and the immediate-begin rule on an SQLite engine."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised via engine
        # Let SQLAlchemy (below) emit BEGIN itself instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:  # in-memory databases have no WAL
            pass
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


#: A pooled PostgreSQL connection that rested longer than this is pinged before use.
IDLE_PING_SECONDS = 10.0


def configure_postgresql(engine: Engine) -> None:
    """PostgreSQL: ping only rested connections; a GET reads in autocommit.

    A connection taken from the pool straight after another request is alive; one that
    rested (overnight, or across a database restart) may not be. So instead of
    SQLAlchemy's pre-ping on every checkout, a connection is pinged (``SELECT 1``) only
    after ``IDLE_PING_SECONDS`` of rest, and a dead one is replaced before the request
    sees it (``DisconnectionError`` makes the pool reconnect). A restart while requests
    flow costs the one request that meets a dead connection: SQLAlchemy then drops the
    whole pool.

    Under READ COMMITTED every statement sees its own snapshot anyway, so a read-only
    request gains nothing from a transaction but pays for one (BEGIN and ROLLBACK are
    round trips of their own). Connections rest in autocommit; a checkout for a request
    that may write (anything but a safe HTTP method, any CLI or job) turns it off, so its
    use-case commits or rolls back as one transaction.
    """
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        if time.monotonic() - record.info.get("checked_in_at", float("-inf")) > IDLE_PING_SECONDS:
            try:
                dbapi_connection.autocommit = True
                dbapi_connection.execute("SELECT 1")
            except Exception as error:  # psycopg.Error: closed, reset, terminated …
                raise DisconnectionError(str(error)) from error
        dbapi_connection.autocommit = not _may_write()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, record):
        record.info["checked_in_at"] = time.monotonic()
        if dbapi_connection is None or dbapi_connection.closed:
            return
        if dbapi_connection.info.transaction_status == 0:  # IDLE: nothing left open
            dbapi_connection.autocommit = True
