"""Data versions: a token that changes whenever data a cached page shows may have changed.

A rendered case list is kept (app.web.page_cache) under the token current when it was
rendered; any committed change to a mapped table replaces the token, so the next request
looks for a new key and renders afresh. Nothing has to know which pages to drop, and no
list says which tables count: every table counts, the new one of the next feature too,
except the few in :data:`UNSHOWN_TABLES`, which no page shows (a test checks each of them
exists, and another builds a brand-new mapped table and sees a change to it renew the token).

How the token stays honest:

* The session notes every write to a shown table: objects flushed (new, changed,
  deleted; the tables come from each object's mapper) and insert/update/delete statements
  run through the session, ORM-enabled (``update(Case)``) or on a bare ``Table``.
* Just before the commit, and only when something was noted, one upsert sets a new random
  token, as the transaction's last statement. The row lock it takes (PostgreSQL) is held
  only for the commit itself, so writers never wait on it while holding other rows, and
  it cannot take part in a deadlock.
* A reader takes the token *before* the data. Under SQLite both come from one snapshot;
  under PostgreSQL's READ COMMITTED the data is at least as new as the token. Either way
  a page is never stored under a token older than what it shows can be stale against.
* The token is random, not a counter: a database emptied (tests), rebuilt or restored
  never meets a page rendered from other data under the same token.

A write made outside the ORM session (raw SQL in a shell) does not change the token; the
page cache's time limit bounds how long such a change can go unseen.
"""
from __future__ import annotations

import secrets

from flask import g, has_app_context
from sqlalchemy import String, bindparam, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from app.models.types import upsert_insert

#: The only tables whose writes leave the token alone, each with the reason no cached page
#: can show it. Everything else, present or future, renews the token when it changes.
UNSHOWN_TABLES = {
    "login_sessions": "written at every log-in and log-out; no page shows a login session "
                      "(the page cache keys on the user, not the session)",
    "data_versions": "the token itself",
    "case_tallies": "a court's number of cases as rows of changes (app.models.tallies); the "
                    "triggers write them with the case writes, which renew the token "
                    "themselves, and a fold leaves every total as it was",
    "scheduler_leases": "the scheduler's lease and heartbeat, renewed every minute; only the "
                        "operators page shows it, and that page is never cached",
    "reminders": "planned and dispatched by the minute; only the operators page and the "
                 "reminders API show them, never cached (a dispatched reminder becomes notices, "
                 "which do renew the token)",
}
CASE_LISTS = "case_lists"
_NOTED = "data_versions_changed"


class DataVersion(db.Model):
    """The current token of one kind of cached data."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


_TOKEN = select(DataVersion.token).where(DataVersion.name == bindparam("name"))


def current_token(name: str = CASE_LISTS) -> str | None:
    """The token now; None until the first write to a shown table (callers then do not cache)."""
    return db.session.scalar(_TOKEN, {"name": name})


def remember_request_token(token: str | None) -> None:
    """Keep the token the request read with its login session (``request_token``), for the
    per-process copies that are checked against it (the court calendar)."""
    if has_app_context():
        g.data_version = token


def request_token() -> str | None:
    """The token read at the start of this request, or None (no request, no login, no
    write yet, or a write of the request's own since: see ``forget_request_token``)."""
    return g.get("data_version") if has_app_context() else None


def forget_request_token() -> None:
    """After a write of the request's own, its early token no longer describes the data."""
    if has_app_context():
        g.pop("data_version", None)


def token_subquery(name: str = CASE_LISTS):
    """The token as a column of another query (read with the login session, per request)."""
    return (select(DataVersion.token).where(DataVersion.name == name)
            .scalar_subquery().label("data_version"))


def _shown(tables) -> bool:
    """Whether a change to any of ``tables`` may show on a cached page (unknown: yes)."""
    names = [getattr(table, "name", None) for table in tables]
    return not names or any(name not in UNSHOWN_TABLES for name in names)


def _note_flush(session: Session, _flush_context) -> None:
    # In after_flush the collections still hold what this flush wrote.
    for obj in (*session.new, *session.dirty, *session.deleted):
        if _shown(inspect(obj).mapper.tables):
            session.info[_NOTED] = True
            return


def _note_statement(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None:
        tables = mapper.tables
    else:
        table = getattr(state.statement, "table", None)
        tables = [table] if table is not None else []
    if _shown(tables):
        state.session.info[_NOTED] = True


def _upsert(bind, name: str, token: str):
    statement = upsert_insert(bind)(DataVersion.__table__).values(name=name, token=token)
    return statement.on_conflict_do_update(index_elements=["name"], set_={"token": token})


def _bump_before_commit(session: Session) -> None:
    session.flush()  # notes what the commit's own flush would write
    if session.info.pop(_NOTED, False):
        session.execute(_upsert(session.get_bind(), CASE_LISTS, secrets.token_hex(8)))


def _forget(session: Session, *_args) -> None:
    session.info.pop(_NOTED, None)


def install_tracking() -> None:
    """Listen on every ORM session (the request's, a CLI's, a test factory's)."""
    if event.contains(Session, "after_flush", _note_flush):
        return
    event.listen(Session, "after_flush", _note_flush)
    event.listen(Session, "do_orm_execute", _note_statement)
    event.listen(Session, "before_commit", _bump_before_commit)
    event.listen(Session, "after_rollback", _forget)
