"""Does the nightly evaluation read the database like the rules expect, store each level,
and keep the rises and falls?"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.cli import warnings_cli
from app.extensions import db
from app.models import (
    BlacklistDecision, Commitment, Complaint, ComplianceInquiry, DeveloperGuarantee, Project,
    RiskLevelChange, RiskLevelRow,
)
from app.services.early_warnings import build_snapshot, evaluate_warnings
from tests.factories import NOW

TODAY = date(2026, 11, 30)
EVENING = datetime(2026, 11, 29, 18, 0, tzinfo=timezone.utc)  # 30 Nov, 02:00 in Wenchang


def _project(app, make, **fields):
    """A project (made by the factory, outside any app context) with these columns."""
    project = make.project()
    values = {"units_total": 100, "units_delivered": 100, "promised_delivery_on": date(2026, 1, 1),
              **fields}
    with app.app_context():
        row = db.session.get(Project, project.id)
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()
    return project


def _level(subject, id_):
    column = RiskLevelRow.project_id if subject == "project" else RiskLevelRow.developer_id
    return db.session.scalar(select(RiskLevelRow).where(column == id_))


def test_a_late_project_an_unanswered_inquiry_and_a_blacklist_are_stored_with_their_facts(app, make):
    late = _project(app, make, units_delivered=50, promised_delivery_on=TODAY - timedelta(days=100))
    quiet = _project(app, make)
    with app.app_context():
        db.session.add(ComplianceInquiry(
            court_id=quiet.court_id, developer_id=quiet.developer_id, project_id=quiet.id,
            letter_type="presale_funds", issued_at=NOW, deadline_working_days=10,
            deadline_on=date(2026, 11, 27)))
        db.session.add(BlacklistDecision(developer_id=quiet.developer_id, decided_at=NOW, reason="虚假承诺"))
        db.session.commit()
        summary = evaluate_warnings(now=EVENING)
        assert summary.today == TODAY and summary.projects == 2
        row = _level("project", late.id)
        assert row.level == "orange" and row.evaluated_on == TODAY
        assert row.warnings[0]["rule"] == "overdue_delivery"
        assert "已逾期100天，尚有50套未交付" in row.warnings[0]["facts_zh"]
        assert row.warnings[0]["facts_en"].startswith("100 days past")
        quiet_row = _level("project", quiet.id)
        assert quiet_row.level == "red"
        assert [w["rule"] for w in quiet_row.warnings] == ["inquiry_unanswered", "blacklist"]
        developer = _level("developer", quiet.developer_id)
        assert developer.level == "red" and developer.blacklisted


def test_complaints_count_by_their_date_in_wenchang(app, make):
    project = _project(app, make)
    for _ in range(5):
        make.complaint(project=project)
    with app.app_context():
        # 16:30 UTC on 29 Nov is 00:30 on 30 Nov in Wenchang: inside the window.
        db.session.execute(Complaint.__table__.update().values(
            submitted_at=datetime(2026, 11, 29, 16, 30, tzinfo=timezone.utc)))
        db.session.commit()
        snapshot = build_snapshot(TODAY)
        assert snapshot.projects[0].complaints == (TODAY,) * 5
        assert build_snapshot(TODAY - timedelta(days=1)).projects[0].complaints == ()
        evaluate_warnings(now=EVENING)
        assert _level("project", project.id).level == "blue"


def test_a_rise_and_a_fall_are_kept_and_a_second_run_changes_nothing(app, make):
    project = _project(app, make, units_delivered=90, promised_delivery_on=TODAY - timedelta(days=5))
    with app.app_context():
        evaluate_warnings(now=EVENING)
        evaluate_warnings(now=EVENING)
        changes = list(db.session.scalars(select(RiskLevelChange).where(
            RiskLevelChange.project_id == project.id)))
        assert [(c.from_level, c.to_level, c.evaluated_on) for c in changes] == [("none", "yellow", TODAY)]
        db.session.get(Project, project.id).units_delivered = 100
        db.session.commit()
        summary = evaluate_warnings(now=EVENING + timedelta(days=1))
        assert summary.falls >= 1
        changes = list(db.session.scalars(select(RiskLevelChange).where(
            RiskLevelChange.project_id == project.id).order_by(RiskLevelChange.id)))
        assert [(c.from_level, c.to_level) for c in changes] == [("none", "yellow"), ("yellow", "none")]
        row = _level("project", project.id)
        assert row.level == "none" and row.since_on == TODAY + timedelta(days=1) and row.warnings == []


def test_broken_commitments_blacklist_the_developer_and_contagion_reaches_its_guarantor(app, make):
    debtor = _project(app, make)
    guarantor = _project(app, make)
    with app.app_context():
        for age in (10, 100, 300):
            db.session.add(Commitment(developer_id=debtor.developer_id, text="按期交房",
                                      due_on=TODAY - timedelta(days=age), status="broken",
                                      made_at=NOW, settled_at=NOW))
        db.session.add(DeveloperGuarantee(guarantor_id=guarantor.developer_id, debtor_id=debtor.developer_id))
        db.session.commit()
        evaluate_warnings(now=EVENING)
        assert _level("developer", debtor.developer_id).blacklisted
        linked = _level("developer", guarantor.developer_id)
        assert linked.level == "yellow" and linked.warnings[0]["rule"] == "contagion"
        assert f"{guarantor.developer_id}为{debtor.developer_id}提供担保" in linked.warnings[0]["facts_zh"]


def test_flask_warnings_evaluate_stores_the_levels(app, make):
    _project(app, make, units_delivered=0, promised_delivery_on=date(2026, 1, 1))
    result = app.test_cli_runner().invoke(warnings_cli, ["evaluate", "--date", "2026-11-30"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2026-11-30: 1 projects, 1 developers evaluated; 2 rose, 0 fell")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RiskLevelRow)) == 2
    bad = app.test_cli_runner().invoke(warnings_cli, ["evaluate", "--date", "30/11/2026"])
    assert bad.exit_code == 2


@pytest.mark.parametrize("fields", [
    {"review": "rectify"},                                  # rectify without its date
    {"review": "compliant"},                                # a review without an answer
    {"deadline_working_days": 0},
    {"letter_type": "gossip"},
])
def test_the_database_refuses_an_impossible_inquiry(app, make, fields):
    project = _project(app, make)
    with app.app_context():
        values = {"court_id": project.court_id, "developer_id": project.developer_id,
                  "project_id": project.id, "letter_type": "presale_permit", "issued_at": NOW,
                  "deadline_working_days": 10, "deadline_on": TODAY, **fields}
        db.session.add(ComplianceInquiry(**values))
        with pytest.raises(Exception) as raised:
            db.session.commit()
        db.session.rollback()
        assert "constraint" in str(raised.value).lower() or "check" in str(raised.value).lower()
