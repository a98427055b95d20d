"""``flask users create|deactivate|reset-password``: the clerk's use-cases from a shell."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Mediator, User
from app.services import accounts
from tests.factories import NOW, PASSWORD


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["users", *args], input=input)


def test_create_makes_a_mediator_with_its_record_and_asks_the_password_twice(app, make):
    court = make.court()
    result = run(app, "create", "mediator.lin", "--role", "mediator", "--name", "林调解",
                 "--court-id", str(court.id), "--skill", "quality", "--skill", "area",
                 input="Mediate2026\nMediate2026\n")
    assert result.exit_code == 0, result.stderr
    assert "created mediator.lin" in result.stdout and "Mediate2026" not in result.stdout
    with app.app_context():
        mediator = db.session.scalar(select(Mediator).join(User).where(
            User.username == "mediator.lin"))
        assert mediator.court_id == court.id and mediator.skills == ["quality", "area"]
        assert accounts.authenticate("mediator.lin", "Mediate2026") is not None


def test_a_refused_create_prints_one_line_on_stderr_and_exits_2(app, make):
    result = run(app, "create", "judge.x", "--role", "judge", "--name", "符法官",
                 "--password", "weakpass")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "court_id" in lines[0] and "password" in lines[0]
    assert "Traceback" not in result.stderr
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "judge.x")) is None


def test_deactivate_ends_every_session_and_token(app, make):
    judge = make.user("judge")
    with app.app_context():
        web, _ = accounts.sign_in(db.session.get(User, judge.id), now=NOW)
        api, _ = accounts.sign_in(db.session.get(User, judge.id), now=NOW, kind="api")
    result = run(app, "deactivate", judge.username)
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        assert accounts.load_session_user(web, now=NOW) is None
        assert accounts.load_session_user(api, now=NOW, kind="api") is None
        assert accounts.authenticate(judge.username, PASSWORD) is None


def test_an_unknown_username_is_one_line_and_exit_2(app):
    result = run(app, "deactivate", "nobody")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "nobody" in result.stderr


def test_reset_password_sets_it_and_ends_the_sessions(app, make):
    owner = make.user("homeowner")
    with app.app_context():
        web, _ = accounts.sign_in(db.session.get(User, owner.id), now=NOW)
    result = run(app, "reset-password", owner.username, input="Counter2026\nCounter2026\n")
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        assert accounts.load_session_user(web, now=NOW) is None
        assert accounts.authenticate(owner.username, "Counter2026") is not None
    weak = run(app, "reset-password", owner.username, "--password", "12345678")
    assert weak.exit_code == 2 and "字母和数字" in weak.stderr
