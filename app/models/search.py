"""The case search index, beside the models: FTS5 trigram on SQLite, pg_trgm on PostgreSQL.

``cases.search_text`` is an ordinary column of ``app.models.cases.Case``; the index over
it is raw DDL the ORM cannot describe (an FTS5 virtual table kept by triggers, a GIN
index with an operator class). The migration 20261127_7b715a8cc7e9 creates it with a
frozen copy of these statements; ``install_search`` creates it wherever a schema is built
with ``db.create_all()`` (tests, tools), and ``include_object`` tells Alembic's
autogenerate to leave it alone. ``app.services.case_search`` queries it.
"""
from __future__ import annotations

import weakref

from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.extensions import db

__all__ = [
    "FTS_TABLE", "POSTGRES_SEARCH_DDL", "SQLITE_SEARCH_DDL", "TRGM_INDEX", "include_object",
    "install_search", "sqlite_has_trigram", "uses_fts",
]

FTS_TABLE = "cases_fts"
TRGM_INDEX = "ix_cases_search_trgm"

#: SQLite: an external-content FTS5 table over cases.search_text, kept by triggers. The
#: migration 20261127_7b715a8cc7e9 carries a frozen copy of these statements.
SQLITE_SEARCH_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_text, content='cases', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON cases BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON cases BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF search_text ON cases BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)
#: PostgreSQL: a trigram GIN index serves LIKE '%…%' for terms of three characters or more.
POSTGRES_SEARCH_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON cases USING gin (search_text gin_trgm_ops)",
)

_fts_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def sqlite_has_trigram() -> bool:
    """Whether this SQLite library has FTS5 with the trigram tokenizer (3.34 or later)."""
    import sqlite3

    if sqlite3.sqlite_version_info < (3, 34, 0):
        return False
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


def install_search(bind) -> None:
    """Create the search index on an engine or connection whose tables exist (tests, tools).

    Idempotent. Migrations create the same objects; ``db.create_all()`` does not, so
    whatever builds a schema with ``create_all`` calls this afterwards.
    """
    engine = getattr(bind, "engine", bind)
    _fts_cache.pop(engine, None)
    statements = ()
    if bind.dialect.name == "sqlite" and sqlite_has_trigram():
        statements = SQLITE_SEARCH_DDL
    elif bind.dialect.name == "postgresql":
        statements = POSTGRES_SEARCH_DDL
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    else:  # a Connection, inside the caller's transaction
        for statement in statements:
            bind.exec_driver_sql(statement)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: the search index lives outside the models (FTS5 tables, GIN index)."""
    if type_ == "table" and name and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_")):
        return False
    if type_ == "index" and name == TRGM_INDEX:
        return False
    return True


def uses_fts() -> bool:
    """Whether this database answers long terms from the FTS5 table (SQLite with FTS5)."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return False
    found = _fts_cache.get(engine)
    if found is None:
        found = db.session.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": FTS_TABLE}).first() is not None
        _fts_cache[engine] = found
    return found
