"""The next due reminder, kept in memory: an idle tick asks the database nothing.

The dispatch job runs every minute and nearly always finds nothing due. Instead of asking
the database each time, the process keeps the earliest ``due_at`` of the pending
reminders and asks again only when that time has come or the table may have changed:

- **PostgreSQL**: a trigger on ``reminders`` (``reminders_notify``, statement level,
  after INSERT or an UPDATE of ``due_at``/``status``; migration ``9a1c2e7b5d40``) calls
  ``pg_notify('reminders', '')``, which PostgreSQL delivers when the writing transaction
  commits — a web worker planning a reminder due at once, an operator's retry, a plain
  SQL insert alike. The watch ``LISTEN``s on a connection of its own (autocommit) and
  reads the notifications without a round trip (``notifies(timeout=0)``: the socket
  only).
- **SQLite**: ``PRAGMA data_version`` on a kept connection changes when another
  connection commits; that connection's own ``total_changes`` covers its own writes.
  Either changing means "ask again".

The scheduler's dispatch job watches the notice outbox the same way (``what="notices"``:
trigger ``notices_notify``, the first entry of ``ix_notices_outbox``), so an idle minute
claims no notices either; ``flask notices send`` and direct calls always ask.

The order makes it safe: the watch starts listening (or reads the version) *before* it
reads the next due time, so a commit after that read always leaves a notification or a
new version. On PostgreSQL the notification reaches the listening socket a moment after
the writer's COMMIT returns, so a tick in that moment may not see it yet: the next tick
does (a reminder is then at most one tick late, never lost). ``TRUNCATE`` fires no
trigger; whoever empties the tables (the tests) calls :func:`forget_all`, and a job run by
hand (``flask jobs run``) asks the database too. It also asks again every ``RECHECK`` whatever happened
(a lost connection is dropped and rebuilt, and the next tick asks). ``now`` may be any
time (the tests travel): the watch keeps a fact about the table, not an answer for one
``now``.
"""
from __future__ import annotations

import logging
import threading
import time
import weakref
from datetime import datetime, timezone

from sqlalchemy.engine import Engine

log = logging.getLogger("app.reminders")

__all__ = ["CHANNEL", "RECHECK_SECONDS", "WATCHED", "DueWatch", "forget_all", "watch_for"]

#: The notification channel the trigger notifies.
CHANNEL = "reminders"
#: Ask the database at least this often, whatever the notifications say.
RECHECK_SECONDS = 300.0

#: The earliest pending reminder (the partial index ix_reminders_due, its first entry).
_NEXT_DUE = ("SELECT due_at FROM reminders WHERE status = 'pending' "
             "ORDER BY due_at LIMIT 1")
#: The earliest e-mail or SMS notice to send, or to take back from a crashed run (the
#: partial index ix_notices_outbox, its first entry; app.models.notices.OUTBOX_SQL).
_NEXT_NOTICE = ("SELECT next_attempt_at FROM notices WHERE status IN ('pending', 'sending') "
                "ORDER BY next_attempt_at LIMIT 1")

#: What a watch watches: its notification channel and its next-due query.
WATCHED = {"reminders": (CHANNEL, _NEXT_DUE), "notices": ("notices", _NEXT_NOTICE)}


def _aware(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite: the text SQLAlchemy stored (naive UTC)
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


class DueWatch:
    """The earliest pending ``due_at`` of one database, refreshed only when needed."""

    def __init__(self, engine: Engine, *, what: str = "reminders",
                 recheck_seconds: float = RECHECK_SECONDS):
        self.engine = engine
        self.channel, self.query = WATCHED[what]
        self.recheck_seconds = recheck_seconds
        self.next_due: datetime | None = None
        #: Queries made (tests and the benchmark count them).
        self.queries = 0
        self._connection = None  # the kept DBAPI connection
        self._known = False
        self._checked = 0.0
        self._version: tuple[int, int] | None = None
        self._lock = threading.Lock()

    # -- the tick ---------------------------------------------------------------------------

    def anything_due(self, now: datetime) -> bool:
        """Whether a pending reminder is due at ``now``."""
        with self._lock:
            try:
                if (not self._known or self._changed()
                        or (self.next_due is not None and self.next_due <= now)
                        or time.monotonic() - self._checked > self.recheck_seconds):
                    self._refresh()
            except Exception:  # when in doubt, dispatch: the caller's own query decides
                log.warning("%s watch: its connection failed; a new one next tick",
                            self.channel, exc_info=True)
                self._drop()
                return True
            return self.next_due is not None and self.next_due <= now

    def forget(self) -> None:
        """Ask the database at the next tick (after this process wrote reminders itself)."""
        self._known = False

    def close(self) -> None:
        with self._lock:
            self._drop()

    # -- the database ------------------------------------------------------------------------

    @property
    def _postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def _open(self):
        if self._connection is None:
            raw = self.engine.raw_connection()
            driver = raw.driver_connection
            if self._postgres:
                if not driver.autocommit:
                    driver.rollback()  # a checkout's ping may have begun a transaction
                    driver.autocommit = True
                driver.execute(f"LISTEN {self.channel}")
            self._connection = raw
            self._known = False
        return self._connection.driver_connection

    def _changed(self) -> bool:
        driver = self._open()
        if self._postgres:
            changed = False
            for _ in driver.notifies(timeout=0):
                changed = True
            return changed
        return self._sqlite_version(driver) != self._version

    @staticmethod
    def _sqlite_version(driver) -> tuple[int, int]:
        return driver.execute("PRAGMA data_version").fetchone()[0], driver.total_changes

    def _refresh(self) -> None:
        driver = self._open()
        if self._postgres:
            for _ in driver.notifies(timeout=0):  # listening already: drain, then read
                pass
            row = driver.execute(self.query).fetchone()
        else:
            self._version = self._sqlite_version(driver)
            row = driver.execute(self.query).fetchone()
        self.queries += 1
        self.next_due = _aware(row[0]) if row else None
        self._known = True
        self._checked = time.monotonic()

    def _drop(self) -> None:
        connection, self._connection, self._known = self._connection, None, False
        if connection is not None:
            try:
                if self._postgres and connection.is_valid:
                    connection.invalidate()  # never back into the pool: it LISTENs
                else:
                    connection.close()
            except Exception:  # pragma: no cover - closing a broken connection
                pass


_WATCHES: "weakref.WeakKeyDictionary[Engine, dict[str, DueWatch]]" = weakref.WeakKeyDictionary()
_WATCHES_LOCK = threading.Lock()


def watch_for(engine: Engine, what: str = "reminders") -> DueWatch:
    """This process's watch of ``engine``'s reminders (or of its notice outbox,
    ``what="notices"``): one each per engine."""
    with _WATCHES_LOCK:
        watches = _WATCHES.setdefault(engine, {})
        if what not in watches:
            watches[what] = DueWatch(engine, what=what)
        return watches[what]


def forget_all() -> None:
    """Every watch of this process asks the database at its next tick."""
    with _WATCHES_LOCK:
        for watches in list(_WATCHES.values()):
            for watch in watches.values():
                watch.forget()


def close_all(engine: Engine | None = None) -> None:
    """Give back the connections the watches keep (of ``engine``, or of every engine):
    before an engine is disposed, so no kept connection is left for the interpreter's
    exit to collect (its rollback then fails on a closed socket and logs a traceback)."""
    with _WATCHES_LOCK:
        engines = [engine] if engine is not None else list(_WATCHES.keys())
        for kept in engines:
            for watch in _WATCHES.pop(kept, {}).values():
                watch.close()
