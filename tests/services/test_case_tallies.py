"""A court's number of cases, kept by the database (app.models.tallies): every write to
``cases`` moves it, the judge's list reads it while the rows are few and counts the cases
when they are not, and folding the rows changes no total."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from app.extensions import db
from app.models import Case, CaseTally, Complaint, ComplaintClaim
from app.models.tallies import FOLD_AFTER
from app.services.case_tallies import fold_case_tallies
from tests.factories import NOW
from tests.services.test_case_lists import _page, world  # noqa: F401  (the fixture)


def tallied(court_id) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(CaseTally.n), 0))
                             .where(CaseTally.court_id == court_id))


def counted(court_id) -> int:
    return db.session.scalar(select(func.count()).select_from(Case).where(Case.court_id == court_id))


def test_every_write_to_cases_moves_its_courts_tally(app, world):  # noqa: F811
    """Filed through the ORM, deleted, moved to another court by a bare UPDATE: does each
    court's tally stay its number of cases?"""
    court, other = world.court.id, world.other_court.id
    with app.app_context():
        assert (tallied(court), tallied(other)) == (counted(court), counted(other)) == (9, 1)
        moved, gone = sorted(i for i, c in world.cases.items() if c["court"] == court)[:2]
        db.session.execute(update(Case).where(Case.id == moved).values(court_id=other))
        db.session.execute(update(Case).where(Case.court_id == court).values(updated_at=NOW))  # moves none
        complaints = select(Complaint.id).where(Complaint.case_id == gone)
        db.session.execute(delete(ComplaintClaim).where(ComplaintClaim.complaint_id.in_(complaints)))
        db.session.execute(delete(Complaint).where(Complaint.case_id == gone))
        db.session.execute(delete(Case).where(Case.id == gone))
        db.session.commit()
        assert (tallied(court), tallied(other)) == (counted(court), counted(other)) == (7, 2)


def test_folding_leaves_one_row_a_court_and_every_total_as_it_was(app, world):  # noqa: F811
    with app.app_context():
        before = {world.court.id: tallied(world.court.id), world.other_court.id: tallied(world.other_court.id)}
        assert db.session.scalar(select(func.count()).select_from(CaseTally)) > 2
        assert fold_case_tallies(now=NOW).endswith("folded into 2")
        rows = db.session.execute(select(CaseTally.court_id, CaseTally.n)).all()
        assert sorted(rows) == sorted(before.items())
        fold_case_tallies(now=NOW)  # again: the same rows' sums
        assert sorted(db.session.execute(select(CaseTally.court_id, CaseTally.n)).all()) == sorted(rows)


def test_the_judges_list_counts_from_the_tally_while_its_rows_are_few(app, world):  # noqa: F811
    """The list's total is the tally's (shown here by a tally row no case backs), and past
    FOLD_AFTER unfolded rows it is the cases' count again; a filter always counts cases."""
    court = world.court.id
    with app.app_context():
        fold_case_tallies(now=NOW)
        db.session.execute(insert(CaseTally), [{"court_id": court, "n": 5}])
        db.session.commit()
    assert _page(app, world.judge, limit=2).total == 9 + 5
    assert _page(app, world.judge, {"status": ("registered",)}, limit=2).total == 2
    with app.app_context():  # not folded yet: more rows than the list sums
        db.session.execute(insert(CaseTally), [{"court_id": court, "n": n} for n in (1, -1) * FOLD_AFTER])
        db.session.commit()
    assert _page(app, world.judge, limit=2).total == 9
    with app.app_context():
        fold_case_tallies(now=NOW)
    assert _page(app, world.judge, limit=2).total == 9 + 5
    assert _page(app, world.other_judge, limit=2).total == 1


def test_the_fold_is_a_scheduler_job(app, world):  # noqa: F811
    from app.jobs import JOBS_BY_ID, run_job

    assert JOBS_BY_ID["tallies_fold"].trigger().interval.total_seconds() == 300
    assert run_job(app, "tallies_fold", now=NOW).endswith("folded into 2")
    assert run_job(app, "tallies_fold", now=NOW) == "2 tally row(s) folded into 2"


def test_a_truncated_case_table_leaves_no_tally(app, world):  # noqa: F811
    """PostgreSQL's TRUNCATE fires no delete trigger: its own trigger empties the tallies.
    (SQLite has no TRUNCATE: its DELETE fires the row triggers, test above.)"""
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite's DELETE is covered above")
    with app.app_context():
        db.session.execute(text("TRUNCATE cases, complaints, complaint_claims CASCADE"))
        db.session.commit()
        assert tallied(world.court.id) == 0
