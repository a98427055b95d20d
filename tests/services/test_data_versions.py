"""The data version the page cache keys on: every committed change to what a list shows
gives it a new token; reads, rolled-back work and unrelated tables leave it alone."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.models import Case, LoginSession, Person
from app.models.versions import current_token
from tests.factories import NOW


def _token(app) -> str | None:
    from app.extensions import db

    with app.app_context():
        token = current_token()
        db.session.remove()
    return token


def test_the_first_tracked_write_creates_the_token_and_each_commit_renews_it(app, make):
    assert _token(app) is None  # an empty database: nothing may be cached yet
    make.person()
    first = _token(app)
    assert first
    make.person(name="李四")
    assert _token(app) not in (None, first)


def test_a_change_to_a_case_through_the_request_session_renews_the_token(app, make):
    """An object changed and committed: is the token new?"""
    from app.extensions import db

    case = make.case()
    before = _token(app)
    with app.app_context():
        db.session.get(Case, case.id).claim_total_fen = 12_345
        db.session.commit()
        db.session.remove()
    assert _token(app) != before


@pytest.mark.parametrize("statement", [
    lambda case_id: update(Case).where(Case.id == case_id).values(claim_total_fen=1),
    lambda case_id: update(Person).values(phone="13900139000"),
])
def test_a_bulk_statement_on_a_tracked_table_renews_the_token(app, make, statement):
    """``update(Case)`` changes rows without loading objects: it must count too."""
    from app.extensions import db

    case = make.case()
    before = _token(app)
    with app.app_context():
        db.session.execute(statement(case.id))
        db.session.commit()
        db.session.remove()
    assert _token(app) != before


def test_a_rolled_back_change_keeps_the_token(app, make):
    from app.extensions import db

    case = make.case()
    before = _token(app)
    with app.app_context():
        db.session.get(Case, case.id).claim_total_fen = 999
        db.session.flush()
        db.session.rollback()
        db.session.commit()  # nothing left to commit
        db.session.remove()
    assert _token(app) == before


def test_reads_and_writes_to_untracked_tables_keep_the_token(app, make):
    """A login writes a session row; a list page reads. Neither changes what lists show."""
    from app.extensions import db

    user = make.user("judge")
    before = _token(app)
    with app.app_context():
        db.session.get(Case, 1)
        db.session.add(LoginSession(token_sha256="a" * 64, user_id=user.id, created_at=NOW,
                                    expires_at=NOW + timedelta(days=1)))
        db.session.commit()
        db.session.remove()
    assert _token(app) == before


def test_the_migration_starts_the_database_with_a_token(empty_database_url):
    """So a freshly migrated platform caches from its first request."""
    from flask_migrate import upgrade

    from app import create_app
    from app.config import Settings
    from app.extensions import db

    fresh = create_app(Settings.from_env({"SECRET_KEY": "x" * 40,
                                          "DATABASE_URL": empty_database_url}))
    with fresh.app_context():
        upgrade()
        token = current_token()
        db.session.remove()
        db.engine.dispose()
    assert token and len(token) == 16
