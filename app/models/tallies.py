"""How many cases each court has, kept by the database as the cases change.

The judge's list as opened says how many cases the court has ("共 8,432 件", or "more
than 10,000"). Counted from the cases, that is an index walk of up to 10,001 entries on
every render: about 2 ms of the database's own time on PostgreSQL, more than the rest of
the page's queries together (BENCHMARKS.md, issue 8, fifth pass). Here the database keeps the
figure itself, as rows of changes: a trigger on ``cases`` adds a row ``(court, +n)`` for
the cases a statement inserts, ``(court, −n)`` for those it deletes, and both for a case
moved to another court. Only inserts: no row is updated by two writers, so a tally never
makes one filing wait for another or take part in a deadlock.

A court's total is the sum of its rows. The scheduler folds them into one row per court
every few minutes (``app.services.case_tallies.fold_case_tallies``), and the list reads
at most :data:`FOLD_AFTER` of them: past that (a bulk import before the next fold, or no
scheduler running) it counts the cases as before. Every path that writes ``cases`` is
covered, the ORM, bare SQL, ``COPY`` and a shell alike, because the database does it.

The triggers are raw DDL, created with the ``cases`` table (after ``case_tallies``) and by
the migration ``b7c1d2e3f4a5``, which keeps its own copy of these statements.
"""
from __future__ import annotations

from sqlalchemy import DDL, Index, event
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.cases import Case

__all__ = ["CaseTally", "FOLD_AFTER", "TALLY_DDL"]

#: The list sums at most this many rows of a court; more (not yet folded) and it counts
#: the cases instead. A sum of 64 rows on their index costs a few microseconds.
FOLD_AFTER = 64


class CaseTally(db.Model):
    """A change of a court's number of cases (``n``: +k or −k), or their folded sum."""

    __tablename__ = "case_tallies"

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int | None] = mapped_column()
    n: Mapped[int] = mapped_column()

    __table_args__ = (Index("ix_case_tallies_court_id_n", "court_id", "n"),)


#: PostgreSQL: one row per court a statement touches (statement-level triggers with
#: transition tables: a COPY of 100,000 cases adds one row). An UPDATE that moves no case
#: between courts adds nothing.
POSTGRESQL_DDL = (
    "CREATE OR REPLACE FUNCTION cases_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'INSERT' THEN "
    "INSERT INTO case_tallies (court_id, n) SELECT court_id, count(*) FROM tally_new GROUP BY court_id; "
    "ELSIF TG_OP = 'DELETE' THEN "
    "INSERT INTO case_tallies (court_id, n) SELECT court_id, -count(*) FROM tally_old GROUP BY court_id; "
    "ELSE "
    "INSERT INTO case_tallies (court_id, n) SELECT court_id, sum(d) FROM ("
    "SELECT court_id, 1 AS d FROM tally_new UNION ALL SELECT court_id, -1 FROM tally_old) AS moved "
    "GROUP BY court_id HAVING sum(d) <> 0; "
    "END IF; RETURN NULL; END $$",
    "CREATE TRIGGER cases_tally_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS tally_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_tally()",
    "CREATE TRIGGER cases_tally_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS tally_old "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_tally()",
    "CREATE TRIGGER cases_tally_update AFTER UPDATE ON cases "
    "REFERENCING OLD TABLE AS tally_old NEW TABLE AS tally_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_tally()",
    # TRUNCATE fires no row or delete trigger: no cases, no tallies.
    "CREATE OR REPLACE FUNCTION cases_tally_truncated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "DELETE FROM case_tallies; RETURN NULL; END $$",
    "CREATE TRIGGER cases_tally_truncate AFTER TRUNCATE ON cases "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_tally_truncated()",
)

#: SQLite: row-level triggers (one writer at a time; the fold keeps the rows few).
SQLITE_DDL = (
    "CREATE TRIGGER cases_tally_insert AFTER INSERT ON cases BEGIN "
    "INSERT INTO case_tallies (court_id, n) VALUES (NEW.court_id, 1); END",
    "CREATE TRIGGER cases_tally_delete AFTER DELETE ON cases BEGIN "
    "INSERT INTO case_tallies (court_id, n) VALUES (OLD.court_id, -1); END",
    "CREATE TRIGGER cases_tally_update AFTER UPDATE OF court_id ON cases "
    "WHEN OLD.court_id IS NOT NEW.court_id BEGIN "
    "INSERT INTO case_tallies (court_id, n) VALUES (OLD.court_id, -1); "
    "INSERT INTO case_tallies (court_id, n) VALUES (NEW.court_id, 1); END",
)

TALLY_DDL = {"postgresql": POSTGRESQL_DDL, "sqlite": SQLITE_DDL}

# The tallies are created before the cases and emptied after them (a wipe deletes children
# first, in reverse order): the triggers are created with ``cases``, and the rows its
# deletion writes are then deleted with the rest.
Case.__table__.add_is_dependent_on(CaseTally.__table__)
for _dialect, _statements in TALLY_DDL.items():
    for _sql in _statements:
        event.listen(Case.__table__, "after_create",
                     DDL(_sql.replace("%", "%%")).execute_if(dialect=_dialect))
