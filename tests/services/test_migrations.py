"""Migrations and models agree: `flask db upgrade` on an empty database yields the models' schema."""
from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, text


def test_upgrade_on_an_empty_database_matches_the_models(empty_database_url):
    """After `flask db upgrade` head, does autogenerate find anything left to migrate?"""
    from flask_migrate import upgrade

    from app import create_app
    from app.config import Settings
    from app.extensions import db

    settings = Settings.from_env({"SECRET_KEY": "x" * 40, "DATABASE_URL": empty_database_url})
    fresh = create_app(settings)
    with fresh.app_context():
        upgrade()
        with db.engine.connect() as conn:
            from app.models.search import include_object

            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object})
            diff = compare_metadata(context, db.metadata)
        inspector = db.inspect(db.engine)
        tables = set(inspector.get_table_names())
        checks = {t.name: {ck["name"]: ck["sqltext"] for ck in inspector.get_check_constraints(t.name)}
                  for t in db.metadata.sorted_tables}
        db.engine.dispose()
    assert diff == []
    # Alembic does not compare CHECK constraints: every one of the models must exist with
    # the same allowed values (e.g. a new case outcome needs a migration too).
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint):
                assert constraint.name in checks[table.name], (table.name, constraint.name)
                migrated = checks[table.name][constraint.name]
                for literal in re.findall(r"'[^']*'", str(constraint.sqltext)):
                    assert literal in migrated, (constraint.name, literal)
    assert {"users", "cases", "complaints", "login_sessions", "alembic_version"} <= tables


def test_upgrading_a_database_with_cases_keeps_every_row(empty_database_url):
    """Later migrations rebuild `cases` on SQLite: complaints pointing at it must survive."""
    from flask_migrate import upgrade

    from app import create_app
    from app.config import Settings
    from app.extensions import db

    settings = Settings.from_env({"SECRET_KEY": "x" * 40, "DATABASE_URL": empty_database_url})
    fresh = create_app(settings)
    now = "2026-11-01 02:00:00"
    with fresh.app_context():
        upgrade(revision="c760666989c3")
        with db.engine.begin() as conn:
            for statement in (
                "INSERT INTO courts (id, name, code) VALUES (1, '文昌法院', '琼9005')",
                "INSERT INTO towns (id, county, name) VALUES (1, '文昌市', '文城镇')",
                f"INSERT INTO developers (id, name, uscc, created_at) VALUES (1, '椰海置业', '91469005MA5T0000X1', '{now}')",
                "INSERT INTO projects (id, developer_id, court_id, town_id, name, units_total, units_delivered, created_at) "
                f"VALUES (1, 1, 1, 1, '椰风海韵', 10, 0, '{now}')",
                f"INSERT INTO persons (id, name, resident_id, created_at) VALUES (1, '王海燕', '469005198001010011', '{now}')",
                "INSERT INTO cases (id, court_id, year, seq, number, project_id, developer_id, dispute_type, is_group, "
                "status, pre_litigation, went_to_litigation, claim_total_fen, received_at, registered_at, updated_at, extension_days) "
                f"VALUES (1, 1, 2026, 1, '（2026）琼9005民诉前调1号', 1, 1, 'late_delivery', false, 'registered', true, false, 100, '{now}', '{now}', '{now}', 0)",
                "INSERT INTO complaints (id, receipt_no, court_id, project_id, claimant_person_id, respondent_developer_id, "
                f"dispute_type, channel, facts, status, case_id, submitted_at) VALUES (1, 'TS1', 1, 1, 1, 1, 'late_delivery', "
                f"'online', '逾期交房', 'accepted', 1, '{now}')",
                "INSERT INTO complaint_claims (id, complaint_id, kind, amount_fen) VALUES (1, 1, '违约金', 100)",
            ):
                conn.execute(text(statement))
        upgrade()
        with db.engine.connect() as conn:
            counts = [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                      for t in ("cases", "complaints", "complaint_claims")]
            search = conn.execute(text("SELECT search_text FROM cases WHERE id = 1")).scalar()
            conn.execute(text("UPDATE cases SET outcome = 'merged', concluded_at = updated_at WHERE id = 1"))
            tally = "SELECT coalesce(sum(n), 0) FROM case_tallies WHERE court_id = 1"
            filled = conn.execute(text(tally)).scalar()  # the court's case, counted at the upgrade
            for table in ("complaint_claims", "complaints", "cases"):
                conn.execute(text(f"DELETE FROM {table}"))
            # The triggers exist at head (a migration that rebuilds cases on SQLite drops them).
            after_delete = conn.execute(text(tally)).scalar()
            conn.commit()
        db.engine.dispose()
    assert (filled, after_delete) == (1, 0)
    assert counts == [1, 1, 1]
    assert "椰风海韵" in search and "王海燕" in search
