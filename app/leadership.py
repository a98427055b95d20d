"""One active scheduler: a PostgreSQL advisory lock, or a lease row on SQLite.

Any number of ``flask scheduler`` processes may run; each asks at every tick whether it
leads, and only the leader runs the job table (the jobs are harmless twice anyway: this is
to avoid the waste, not to be correct).

- **PostgreSQL**: the leader holds ``pg_try_advisory_lock(KEY)`` on a connection of its
  own, kept open while it runs. When the process dies the server closes the connection
  and frees the lock, and the next tick of another scheduler takes it — within one tick.
- **SQLite**: a row of ``scheduler_leases`` (holder, expires_at). The leader renews it at
  every tick; another scheduler takes it only once it expired (``UPDATE … WHERE holder =
  me OR expires_at < now`` inside ``BEGIN IMMEDIATE``), so a dead leader is replaced at
  most ``LEASE`` after its last tick.

Either way the leader writes its heartbeat (``heartbeat_at``) and the last tick's report
into the row; the operators page shows it ("上次运行：40秒前").
"""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import text, update
from sqlalchemy.engine import Connection, Engine

from app.extensions import db
from app.models import SchedulerLease
from app.models.types import upsert_insert

#: The name of the scheduler's lease row.
LEASE_NAME = "scheduler"
#: A lease not renewed for this long is free (the leader ticks every LEASE / 3).
LEASE = timedelta(seconds=45)
#: The advisory-lock key: "RMND" as an integer, constant across processes.
ADVISORY_KEY = 0x524D4E44


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Leadership:
    """Whether this process leads; ask :meth:`tick` at every tick."""

    engine: Engine
    holder: str = field(default_factory=holder_name)
    lease: timedelta = LEASE
    _connection: Connection | None = None

    @property
    def uses_advisory_lock(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def tick(self, *, now: datetime) -> bool:
        """Take or keep the leadership at ``now``; True when this process leads."""
        if self.uses_advisory_lock:
            return self._advisory()
        return take_lease(self.holder, now=now, lease=self.lease)

    def _advisory(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except Exception:  # the server went away: the lock went with it
                self._drop()
        connection = self.engine.connect()
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                 {"key": ADVISORY_KEY}).scalar()
        connection.commit()
        if got:
            self._connection = connection
            return True
        connection.close()
        return False

    def _drop(self) -> None:
        try:
            self._connection.close()
        except Exception:
            pass
        self._connection = None

    def release(self) -> None:
        """Give the leadership up (a clean stop); a crash frees it too, a little later."""
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                         {"key": ADVISORY_KEY})
                self._connection.commit()
            except Exception:
                pass
            self._drop()
        elif not self.uses_advisory_lock:
            free_lease(self.holder)


def take_lease(holder: str, *, now: datetime, lease: timedelta = LEASE) -> bool:
    """Take or renew the lease row for ``holder`` if it is free, expired or already ours."""
    table = SchedulerLease.__table__
    try:
        insert = upsert_insert(db.session.get_bind())
        db.session.execute(insert(table).values(
            name=LEASE_NAME, holder=holder, expires_at=now + lease, heartbeat_at=now)
            .on_conflict_do_nothing(index_elements=["name"]))
        taken = db.session.execute(
            update(table).where(table.c.name == LEASE_NAME,
                                (table.c.holder == holder) | (table.c.expires_at < now))
            .values(holder=holder, expires_at=now + lease).returning(table.c.name)).first()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return taken is not None


def free_lease(holder: str) -> None:
    table = SchedulerLease.__table__
    try:
        db.session.execute(update(table).where(table.c.name == LEASE_NAME,
                                               table.c.holder == holder)
                           .values(expires_at=table.c.heartbeat_at))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def beat(holder: str, *, now: datetime, report: str | None = None,
         lease: timedelta = LEASE) -> None:
    """Record the leader's tick (and, on SQLite, renew the lease it already holds)."""
    table = SchedulerLease.__table__
    insert = upsert_insert(db.session.get_bind())
    values = dict(holder=holder, heartbeat_at=now, expires_at=now + lease)
    if report is not None:
        values["last_report"] = report
    try:
        db.session.execute(insert(table).values(name=LEASE_NAME, **values)
                           .on_conflict_do_update(index_elements=["name"], set_=values))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def heartbeat() -> SchedulerLease | None:
    """The scheduler's last tick, for the operators page (None: it never ran)."""
    return db.session.get(SchedulerLease, LEASE_NAME)
