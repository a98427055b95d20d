"""The last net: no text with a NUL reaches the database, whatever path it took."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.input_safety import UnstorableInputError
from app.models import Person


def test_a_nul_that_skipped_every_form_stops_before_sql(app, make):
    """On PostgreSQL a NUL would be a driver error (500); on SQLite a stored NUL."""
    make.person()
    with app.test_request_context():
        with pytest.raises(UnstorableInputError):
            db.session.scalar(select(Person).where(Person.name == "张\x00三"))
        db.session.rollback()
        with pytest.raises(UnstorableInputError):
            db.session.add(Person(name="李\x00四", resident_id=None))
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(Person.name)) == "张三"
