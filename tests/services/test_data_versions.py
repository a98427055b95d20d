"""The data version the page cache keys on: every committed change to what a list shows
gives it a new token; reads, rolled-back work and unrelated tables leave it alone."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Integer, String, insert, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models import Case, LoginSession, Person
from app.models.versions import UNSHOWN_TABLES, current_token
from tests.factories import NOW


def _token(app) -> str | None:
    from app.extensions import db

    with app.app_context():
        token = current_token()
        db.session.remove()
    return token


def test_the_first_write_creates_the_token_and_each_commit_renews_it(app, make):
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
def test_a_bulk_statement_on_a_shown_table_renews_the_token(app, make, statement):
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


def test_reads_and_writes_to_unshown_tables_keep_the_token(app, make):
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


class _NextFeature(DeclarativeBase):
    """A feature nobody has written yet, with a table no list of tables has heard of."""


class SiteVisit(_NextFeature):
    __tablename__ = "site_visits_of_the_next_feature"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note: Mapped[str] = mapped_column(String(40))


@pytest.fixture
def next_feature_table(app):
    from app.extensions import db

    with app.app_context():
        _NextFeature.metadata.create_all(db.engine)
    yield SiteVisit
    with app.app_context():
        db.session.remove()
        _NextFeature.metadata.drop_all(db.engine)


@pytest.mark.parametrize("write", ["object", "bulk update", "core insert"])
def test_a_change_to_a_brand_new_mapped_table_renews_the_token(app, make, next_feature_table, write):
    """The next feature adds a table a page shows and forgets to say so: is its page stale?
    No: the token is renewed for any mapped table, without being told about it."""
    from app.extensions import db

    make.person()  # the database has a token
    with app.app_context():
        db.session.add(SiteVisit(id=1, note="现场勘验"))
        db.session.commit()
        db.session.remove()
    before = _token(app)
    with app.app_context():
        if write == "object":
            db.session.get(SiteVisit, 1).note = "第二次勘验"
        elif write == "bulk update":
            db.session.execute(update(SiteVisit).values(note="第二次勘验"))
        else:
            db.session.execute(insert(SiteVisit.__table__).values(id=2, note="补充勘验"))
        db.session.commit()
        db.session.remove()
    assert _token(app) != before


def test_every_exception_names_a_real_table_and_says_why(app):
    """A mistyped exception would silently track nothing less; a reason keeps it honest."""
    from app.extensions import db

    assert set(UNSHOWN_TABLES) <= set(db.metadata.tables)
    assert all(len(reason) > 10 for reason in UNSHOWN_TABLES.values())
