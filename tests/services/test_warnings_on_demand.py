"""Evaluation on demand (a judge's "evaluate now" on a project page) and the developers'
obligations as milestones: the same engine and storage as the nightly run, never beside it."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import (
    Commitment, DeveloperGuarantee, Obligation, Project, RiskLevelChange, RiskLevelRow, WarningNotice,
)
from app.services import early_warnings
from app.services.early_warnings import (
    DEVELOPER_KEY, NIGHTLY_KEY, build_snapshot, evaluate_on_demand, evaluate_warnings,
)
from app.services.errors import ConflictError, ForbiddenError, NotFoundError
from tests.factories import NOW

TODAY = date(2026, 11, 30)
EVENING = datetime(2026, 11, 29, 18, 0, tzinfo=timezone.utc)  # 30 Nov, 02:00 in Wenchang
MORNING = datetime(2026, 11, 30, 2, 15, tzinfo=timezone.utc)  # 30 Nov, 10:15 in Wenchang


def _quiet(app, make, **fields):
    """A project with nothing wrong, and a judge of its court."""
    project = make.project()
    judge = make.user("judge", court=project.court)
    with app.app_context():
        row = db.session.get(Project, project.id)
        values = {"units_total": 100, "units_delivered": 100, "promised_delivery_on": date(2026, 1, 1), **fields}
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()
    return project, judge


def _make_late(app, project_id, days=5):
    """The project's delivery falls `days` past its promise with units undelivered (yellow)."""
    with app.app_context():
        row = db.session.get(Project, project_id)
        row.units_delivered, row.promised_delivery_on = 90, TODAY - timedelta(days=days)
        db.session.commit()


def _counts(project_id):
    changes = db.session.scalar(select(func.count()).select_from(RiskLevelChange).where(
        RiskLevelChange.project_id == project_id))
    notices = db.session.scalar(select(func.count()).select_from(WarningNotice).where(
        WarningNotice.project_id == project_id))
    return changes, notices


def _level(subject, id_):
    column = RiskLevelRow.project_id if subject == "project" else RiskLevelRow.developer_id
    return db.session.scalar(select(RiskLevelRow).where(column == id_))


def _obligation(developer_id, due, **fields):
    values = {"description": "交付1号楼", "cost_fen": 0, "status": "open", "created_at": NOW, "due_on": due}
    obligation = Obligation(developer_id=developer_id, **{**values, **fields})
    db.session.add(obligation)
    db.session.commit()
    return obligation


# --- On demand -------------------------------------------------------------------------------


def test_a_project_that_crossed_a_threshold_rises_on_demand_with_one_notice_and_twice_changes_nothing(app, make):
    project, judge = _quiet(app, make)
    with app.app_context():
        evaluate_warnings(now=EVENING - timedelta(days=1))
        assert _level("project", project.id).level == "none"
    _make_late(app, project.id)
    with app.app_context():
        result = evaluate_on_demand(project.id, actor=db.session.get(type(judge), judge.id), now=MORNING)
        assert (result.project_level, result.developer_level, result.rises) == ("yellow", "yellow", 2)
        row = _level("project", project.id)
        assert row.level == "yellow" and row.evaluated_on == TODAY and row.since_on == TODAY
        assert row.evaluated_at == MORNING and row.warnings[0]["rule"] == "overdue_delivery"
        assert _counts(project.id) == (1, 1)
        change = db.session.scalar(select(RiskLevelChange).where(RiskLevelChange.project_id == project.id))
        assert (change.from_level, change.to_level, change.evaluated_on) == ("none", "yellow", TODAY)

        later = MORNING + timedelta(minutes=5)
        again = evaluate_on_demand(project.id, actor=db.session.get(type(judge), judge.id), now=later)
        assert (again.project_level, again.rises, again.falls) == ("yellow", 0, 0)
        assert _counts(project.id) == (1, 1)  # no second change, no second notice
        assert _level("project", project.id).evaluated_at == later  # only the time moves on
        # The nightly run afterwards finds nothing new either.
        evaluate_warnings(now=EVENING + timedelta(days=1))
        assert _counts(project.id) == (1, 1)


def test_only_the_developer_and_its_own_projects_are_stored(app, make):
    project, judge = _quiet(app, make)
    sibling = make.project(developer=project.developer, court=project.court)
    other, _ = _quiet(app, make)
    _make_late(app, sibling.id)
    _make_late(app, other.id)
    with app.app_context():
        evaluate_on_demand(project.id, actor=db.session.get(type(judge), judge.id), now=MORNING)
        assert _level("project", project.id).level == "none"
        assert _level("project", sibling.id).level == "yellow"  # the developer's level rests on it
        assert _level("developer", project.developer_id).level == "yellow"
        assert _level("project", other.id) is None and _level("developer", other.developer_id) is None


def test_contagion_reaches_the_developer_on_demand_as_it_does_at_night(app, make):
    project, judge = _quiet(app, make)
    debtor, _ = _quiet(app, make)
    with app.app_context():
        for age in (10, 100, 300):
            db.session.add(Commitment(developer_id=debtor.developer_id, text="按期交房",
                                      due_on=TODAY - timedelta(days=age), status="broken",
                                      made_at=NOW, settled_at=NOW))
        db.session.add(DeveloperGuarantee(guarantor_id=project.developer_id, debtor_id=debtor.developer_id))
        db.session.commit()
        assert early_warnings.guarantee_component(project.developer_id) == {project.developer_id,
                                                                           debtor.developer_id}
        evaluate_on_demand(project.id, actor=db.session.get(type(judge), judge.id), now=MORNING)
        linked = _level("developer", project.developer_id)
        assert linked.level == "yellow" and linked.warnings[0]["rule"] == "contagion"
        assert _level("developer", debtor.developer_id) is None  # the debtor waits for the nightly run


def test_only_a_judge_of_the_projects_court_may_evaluate(app, make):
    project, _ = _quiet(app, make)
    staff = make.user("developer", developer=project.developer)
    stranger_judge = make.user("judge")
    with app.app_context():
        user = db.session.get(type(staff), staff.id)
        with pytest.raises(ForbiddenError):
            evaluate_on_demand(project.id, actor=user, now=MORNING)
        with pytest.raises(NotFoundError):
            evaluate_on_demand(project.id, actor=db.session.get(type(staff), stranger_judge.id), now=MORNING)
        assert _level("project", project.id) is None


# --- Never beside another evaluation ---------------------------------------------------------


def _in_threads(app, *jobs):
    """Run the jobs at the same moment, each in its own app context (its own session and
    connection); return what each returned or raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = job()
            except Exception as error:  # noqa: BLE001 - the test looks at it
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _judge(judge_id):
    from app.models import User

    return db.session.get(User, judge_id)


@pytest.mark.parametrize("rounds", [3])
def test_on_demand_and_nightly_at_the_same_moment_make_one_rise_and_one_notice(app, make, rounds):
    for n in range(rounds):
        project, judge = _quiet(app, make)
        _make_late(app, project.id)
        results = _in_threads(
            app, lambda: evaluate_warnings(now=MORNING),
            lambda: evaluate_on_demand(project.id, actor=_judge(judge.id), now=MORNING))
        for result in results:  # each ran, or was told the developer is being evaluated
            assert not isinstance(result, Exception) or isinstance(result, ConflictError), repr(result)
        with app.app_context():
            assert _counts(project.id) == (1, 1), n
            assert db.session.scalar(select(func.count()).select_from(RiskLevelChange).where(
                RiskLevelChange.developer_id == project.developer_id)) == 1


def test_two_presses_at_the_same_moment_make_one_rise_and_one_notice(app, make):
    project, judge = _quiet(app, make)
    _make_late(app, project.id)
    press = lambda: evaluate_on_demand(project.id, actor=_judge(judge.id), now=MORNING)  # noqa: E731
    results = _in_threads(app, press, press)
    assert any(not isinstance(r, Exception) for r in results)
    for result in results:
        assert not isinstance(result, Exception) or isinstance(result, ConflictError), repr(result)
    with app.app_context():
        assert _counts(project.id) == (1, 1)


@pytest.fixture
def postgres_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("advisory locks are PostgreSQL's; on SQLite writers take turns (test below)")


def _release(holder):
    """The other run ends: its locks go (a pooled connection's session would keep them)."""
    holder.execute(text("SELECT pg_advisory_unlock_all()"))
    holder.commit()
    holder.close()


@pytest.mark.parametrize("key", ["nightly", "developer"])
def test_postgres_a_press_while_the_developer_is_being_evaluated_is_told_so_at_once(app, make, postgres_only, key):
    project, judge = _quiet(app, make)
    _make_late(app, project.id)
    with app.app_context():
        holder = db.engine.connect()  # another process's run, holding its lock
        try:
            if key == "nightly":
                holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": NIGHTLY_KEY})
            else:
                holder.execute(text("SELECT pg_advisory_lock(:k, :d)"), {"k": DEVELOPER_KEY, "d": project.developer_id})
            holder.commit()
            with pytest.raises(ConflictError) as refused:
                evaluate_on_demand(project.id, actor=_judge(judge.id), now=MORNING)
            assert "正在评估" in str(refused.value.raw_message)
            assert _level("project", project.id) is None and _counts(project.id) == (0, 0)
        finally:
            _release(holder)
        evaluate_on_demand(project.id, actor=_judge(judge.id), now=MORNING)
        assert _counts(project.id) == (1, 1)


def test_postgres_the_nightly_run_waits_for_a_running_press(app, make, postgres_only):
    project, judge = _quiet(app, make)
    _make_late(app, project.id)
    with app.app_context():
        holder = db.engine.connect()
        holder.execute(text("SELECT pg_advisory_lock_shared(:k)"), {"k": NIGHTLY_KEY})  # a press in progress
        holder.commit()
        done = threading.Event()

        def nightly():
            with app.app_context():
                evaluate_warnings(now=MORNING)
                db.session.remove()
            done.set()

        thread = threading.Thread(target=nightly)
        thread.start()
        assert not done.wait(1.0)  # waiting for the press
        _release(holder)
        thread.join(30)
        assert done.is_set() and _counts(project.id) == (1, 1)


def test_sqlite_a_press_waits_for_another_writer_then_runs(app, make):
    project, judge = _quiet(app, make)
    _make_late(app, project.id)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's BEGIN IMMEDIATE; PostgreSQL's advisory locks are tested above")
        raw = db.engine.raw_connection()
        raw.cursor().execute("BEGIN IMMEDIATE")  # the nightly run's transaction, say
        started = threading.Event()
        results = []

        def press():
            with app.app_context():
                started.set()
                results.append(evaluate_on_demand(project.id, actor=_judge(judge.id), now=MORNING))
                db.session.remove()

        thread = threading.Thread(target=press)
        thread.start()
        started.wait()
        thread.join(1.0)
        assert thread.is_alive() and not results  # it waits its turn
        raw.cursor().execute("COMMIT")
        raw.close()
        thread.join(30)
        assert results[0].project_level == "yellow" and _counts(project.id) == (1, 1)


def test_a_lock_held_past_the_busy_timeout_is_a_conflict_not_a_500(app, make, monkeypatch):
    project, judge = _quiet(app, make)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's 'database is locked'; PostgreSQL answers at once (test above)")

        def locked(*args, **kwargs):
            raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

        monkeypatch.setattr(early_warnings, "build_snapshot", locked)
        with pytest.raises(ConflictError):
            evaluate_on_demand(project.id, actor=_judge(judge.id), now=MORNING)


# --- Milestones: the developers' obligations -------------------------------------------------


@pytest.mark.parametrize(("late", "level"), [(0, "none"), (1, "orange"), (30, "orange"), (31, "red")])
def test_a_developers_obligation_past_due_fires_milestone_overdue(app, make, late, level):
    project, _ = _quiet(app, make)
    with app.app_context():
        obligation = _obligation(project.developer_id, TODAY - timedelta(days=late))
        snapshot = build_snapshot(TODAY)
        assert [(m.id, m.developer_id, m.due, m.performed_on) for m in snapshot.milestones] == [
            (obligation.id, project.developer_id, TODAY - timedelta(days=late), None)]
        evaluate_warnings(now=EVENING)
        row = _level("developer", project.developer_id)
        assert row.level == level
        if level != "none":
            assert row.warnings[0]["rule"] == "milestone_overdue"
            assert f"履行节点{obligation.id}应于" in row.warnings[0]["facts_zh"]
            assert f"已逾期{late}天" in row.warnings[0]["facts_zh"]
        assert _level("project", project.id).level == "none"  # a developer's rule, not its projects'


def test_a_performed_or_confirmed_obligation_is_no_milestone_overdue(app, make):
    from app.services.release_records import mark_obligation

    project, _ = _quiet(app, make)
    with app.app_context():
        performed = _obligation(project.developer_id, TODAY - timedelta(days=40))
        confirmed = _obligation(project.developer_id, TODAY - timedelta(days=40))
        mark_obligation(performed.id, status="performed", actor=None, now=EVENING - timedelta(days=2))
        mark_obligation(confirmed.id, status="confirmed", actor=None, now=EVENING - timedelta(days=1))
        assert db.session.get(Obligation, performed.id).performed_at == EVENING - timedelta(days=2)
        assert db.session.get(Obligation, confirmed.id).performed_at == EVENING - timedelta(days=1)
        mark_obligation(performed.id, status="confirmed", actor=None, now=EVENING)
        assert db.session.get(Obligation, performed.id).performed_at == EVENING - timedelta(days=2)  # kept
        by_id = {m.id: m.performed_on for m in build_snapshot(TODAY).milestones}
        assert by_id == {performed.id: TODAY - timedelta(days=2), confirmed.id: TODAY - timedelta(days=1)}
        evaluate_warnings(now=EVENING)
        assert _level("developer", project.developer_id).level == "none"


def test_an_obligation_without_a_due_day_is_no_milestone(app, make):
    project, _ = _quiet(app, make)
    with app.app_context():
        _obligation(project.developer_id, None)
        assert build_snapshot(TODAY).milestones == ()


def test_a_homeowners_obligation_never_counts_against_a_developer(app, make):
    if not hasattr(Obligation, "person_id"):
        pytest.skip("homeowners' obligations (person_id) are not in this schema yet")
    project, _ = _quiet(app, make)
    person = make.person()
    with app.app_context():
        db.session.add(Obligation(developer_id=None, person_id=person.id, description="支付尾款", cost_fen=0,
                                  status="open", created_at=NOW, due_on=TODAY - timedelta(days=60)))
        db.session.commit()
        assert build_snapshot(TODAY).milestones == ()
        evaluate_warnings(now=EVENING)
        assert _level("developer", project.developer_id).level == "none"
