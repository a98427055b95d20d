"""A court's number of cases from its tally rows (app.models.tallies), and their fold.

``court_total`` is the statement the judge's list reads its count from: the sum of the
court's tally rows while there are fewer than ``FOLD_AFTER`` of them, else the capped
count it is given (the database evaluates only the branch it takes). ``fold_case_tallies``
replaces each court's rows by their sum; the scheduler runs it every five minutes.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Select, case, delete, func, insert, select

from app.extensions import db
from app.models.tallies import FOLD_AFTER, CaseTally
from app.services.use_case import use_case

__all__ = ["court_total", "fold", "fold_case_tallies"]


def court_total(court_id: int, capped_count: Select) -> Select:
    """One column, one row: the court's number of cases (exact, even past the list's cap),
    or ``capped_count``'s figure when its tally rows are too many to sum cheaply."""
    rows = select(CaseTally.n).where(CaseTally.court_id == court_id).limit(FOLD_AFTER).subquery()
    few = select(func.count()).select_from(rows).scalar_subquery() < FOLD_AFTER
    total = select(func.coalesce(func.sum(rows.c.n), 0)).scalar_subquery()
    return select(case((few, total), else_=capped_count.scalar_subquery()).label("count_1"))


def fold(executor) -> tuple[int, int]:
    """Each court's tally rows into one, through ``executor`` (a session or a connection;
    the caller commits): (rows taken, rows written). The rows are taken by the DELETE
    itself (``RETURNING``): a row a filing adds meanwhile is not in it and stays, so no
    change is lost or counted twice, on SQLite and PostgreSQL alike."""
    taken = executor.execute(delete(CaseTally).returning(CaseTally.court_id, CaseTally.n)).all()
    sums: dict[int | None, int] = defaultdict(int)
    for court_id, n in taken:
        sums[court_id] += n
    if sums:
        executor.execute(insert(CaseTally), [{"court_id": c, "n": n} for c, n in sums.items()])
    return len(taken), len(sums)


@use_case
def fold_case_tallies(*, now: datetime) -> str:
    """The scheduler's fold (``flask jobs run tallies_fold``), in one transaction."""
    taken, written = fold(db.session)
    db.session.commit()
    return f"{taken} tally row(s) folded into {written}"
