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

_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _may_write() -> bool:
    """Whether the current unit of work may write (everything but a safe HTTP request)."""
    if has_request_context():
        return request.method not in _READ_ONLY_METHODS
    return True


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


def configure_postgresql(engine: Engine) -> None:
    """PostgreSQL: a GET reads in autocommit mode, everything else in a transaction.

    Under READ COMMITTED every statement sees its own snapshot anyway, so a read-only
    request gains nothing from a transaction but pays for it: the pool's pre-ping opens one
    (BEGIN, SELECT 1) and the return to the pool closes it (ROLLBACK), four round trips
    where two do. Connections rest in autocommit, so the pre-ping is one ``SELECT 1``; a
    checkout for a request that may write (anything but a safe HTTP method, any CLI or
    job) turns autocommit off, so its use-case commits or rolls back as one transaction.
    """
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, _record, _proxy):
        dbapi_connection.autocommit = not _may_write()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, _record):
        if dbapi_connection is None or dbapi_connection.closed:
            return
        if dbapi_connection.info.transaction_status == 0:  # IDLE: nothing left open
            dbapi_connection.autocommit = True
