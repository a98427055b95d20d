"""Every use-case wears the one rollback wrapper (app.services.use_case)."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from sqlalchemy import func, select

import app.services
from app.extensions import db
from app.models import Court
from app.services.errors import ServiceError
from app.services.use_case import use_case


def test_a_refused_use_case_leaves_nothing_for_the_next_commit(app):
    """A use-case added a row, then refused: does a later commit in the same session save it?"""
    with app.app_context():
        @use_case
        def refusing():
            db.session.add(Court(name="不应保存的法院", code="琼0000"))
            raise ServiceError("不予办理")

        with pytest.raises(ServiceError):
            refusing()
        db.session.commit()  # the next use-case of the same request commits
        assert db.session.scalar(
            select(func.count()).select_from(Court).where(Court.name == "不应保存的法院")) == 0


def _service_functions():
    for module_info in pkgutil.iter_modules(app.services.__path__):
        module = importlib.import_module(f"app.services.{module_info.name}")
        for name, fn in vars(module).items():
            if (inspect.isfunction(fn) and not name.startswith("_")
                    and getattr(fn, "__module__", None) == module.__name__):
                yield module.__name__, name, fn


def test_every_service_that_commits_rolls_back_when_it_fails():
    """Is there a public service function that commits but has no rollback wrapper?"""
    bare = []
    for module, name, fn in _service_functions():
        source = inspect.getsource(inspect.unwrap(fn))
        if "db.session.commit()" in source and not hasattr(fn, "__wrapped__"):
            bare.append(f"{module}.{name}")
    assert bare == []
