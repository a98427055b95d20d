"""Column types shared by the models."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always handed back timezone-aware.

    SQLite has no time zones and PostgreSQL's ``timestamp`` has none either; storing
    naive UTC everywhere keeps both identical, and refusing naive input catches the
    classic bug of saving local Shanghai time as if it were UTC.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware datetime (UTC)")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    """The current time in UTC; only the outer layers (views, jobs, CLI) call this."""
    return datetime.now(timezone.utc)


def upsert_insert(bind):
    """The INSERT with ON CONFLICT of the database behind ``bind`` (SQLite or PostgreSQL,
    the two the platform runs on)."""
    dialect = bind.dialect.name
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"unsupported database: {dialect}")  # pragma: no cover


def in_clause(values) -> str:
    """SQL list of quoted string literals for a CheckConstraint."""
    return ", ".join("'" + str(getattr(v, "value", v)) + "'" for v in values)


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere; use it with ``escape="\\"``."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
