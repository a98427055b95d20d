"""Two development workers without SECRET_KEY sign alike (issue 13, finding 7).

Each worker used to make up its own key: a login answered by one was refused by the
other, about one request in ten with gunicorn's defaults.
"""
from __future__ import annotations

import stat

import pytest

from app.config import ConfigError, Settings
from tests.factories import PASSWORD
from tests.web.helpers import login


def test_the_first_start_writes_a_key_only_its_owner_reads_and_later_starts_reuse_it(tmp_path):
    first = Settings.from_env({"DATABASE_URL": "sqlite://"}, instance_dir=tmp_path)
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 32 and key_file.read_text().strip() == first.secret_key
    second = Settings.from_env({"DATABASE_URL": "sqlite://"}, instance_dir=tmp_path)
    assert second.secret_key == first.secret_key
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left


def test_a_secret_key_from_the_environment_wins_and_writes_nothing(tmp_path):
    settings = Settings.from_env({"SECRET_KEY": "x" * 40, "DATABASE_URL": "sqlite://"},
                                 instance_dir=tmp_path)
    assert settings.secret_key == "x" * 40
    assert not (tmp_path / "secret_key").exists()


def test_production_still_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_env({"APP_ENV": "production", "DATABASE_URL": "postgresql://x/y"},
                          instance_dir=tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_an_empty_key_file_is_refused_not_used(tmp_path):
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(ConfigError, match="secret_key"):
        Settings.from_env({"DATABASE_URL": "sqlite://"}, instance_dir=tmp_path)


def test_a_login_on_one_worker_is_honoured_by_the_other(app, make, database_url, tmp_path):
    """Two app instances started without SECRET_KEY: does worker B accept A's session?"""
    from app import create_app
    from app.extensions import db, limiter

    user = make.user("judge")
    environ = {"DATABASE_URL": database_url, "UPLOAD_DIR": str(tmp_path / "uploads")}
    workers = [create_app(Settings.from_env(environ, instance_dir=tmp_path / "instance"),
                          TESTING=True) for _ in range(2)]
    try:
        first, second = (worker.test_client() for worker in workers)
        assert login(first, user.username, PASSWORD).status_code == 302
        cookie = first.get_cookie("session")
        assert cookie is not None
        second.set_cookie("session", cookie.value)
        assert second.get("/court/").status_code == 200  # not sent to the login page
    finally:
        for worker in workers:
            with worker.app_context():
                db.session.remove()
                db.engine.dispose()
        limiter.init_app(app)  # the limiter is one object; give it back to the test app
