"""Login limits that hold behind a proxy and lock nobody but the account attacked (finding 4).

Behind nginx every request used to come from the proxy's address, and ten wrong passwords
a minute from anyone blocked everyone — the right password too.
"""
from __future__ import annotations

import secrets
import socket
from contextlib import contextmanager

import pytest
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import security
from app.config import Settings
from app.extensions import limiter
from tests.factories import PASSWORD
from tests.web.helpers import csrf_token

PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # nginx in front of the app


@contextmanager
def limits(app, *, account: str = "10000 per minute", address: str = "10000 per minute"):
    saved = app.config["LOGIN_RATE_LIMIT"], app.config["LOGIN_ADDRESS_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"], app.config["LOGIN_ADDRESS_RATE_LIMIT"] = account, address
    try:
        yield
    finally:
        app.config["LOGIN_RATE_LIMIT"], app.config["LOGIN_ADDRESS_RATE_LIMIT"] = saved


@contextmanager
def behind_proxies(app, count: int):
    """The app as ``TRUSTED_PROXIES=count`` wires it (create_app → security.init_app)."""
    original = app.wsgi_app
    security.install_proxy_fix(app, count)
    try:
        yield
    finally:
        app.wsgi_app = original


def web_login(client, username, password, *, client_address=None, environ=PROXY):
    headers = {"X-Forwarded-For": client_address} if client_address else {}
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token},
                       headers=headers, environ_base=environ).status_code


def api_login(client, username, password, *, environ=PROXY):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base=environ).status_code


def test_wrong_passwords_for_one_account_do_not_block_another_from_the_same_address(app, make):
    """Ten wrong passwords for the clerk's account; can the judge at the next desk log in?"""
    attacked, colleague = make.user("admin"), make.user("judge")
    with limits(app, account="3 per minute", address="50 per minute"):
        first = app.test_client()
        codes = [web_login(first, attacked.username, f"guess-{i}x") for i in range(3)]
        assert codes == [422, 422, 422]
        assert web_login(first, attacked.username, PASSWORD) == 429  # the account rests
        assert api_login(first, attacked.username, PASSWORD) == 429  # API shares the count
        assert web_login(app.test_client(), colleague.username, PASSWORD) == 302
        assert api_login(app.test_client(), colleague.username, PASSWORD) == 200


def test_the_account_count_ignores_case_and_spaces(app, make):
    user = make.user("judge")
    with limits(app, account="2 per minute"):
        client = app.test_client()
        web_login(client, user.username.upper(), "wrong-1x")
        web_login(client, f" {user.username} ", "wrong-2x")
        assert web_login(client, user.username, PASSWORD) == 429


def test_successful_logins_are_not_counted(app, make):
    """An office logging in at nine o'clock is not an attack."""
    users = [make.user("mediator") for _ in range(4)]
    with limits(app, account="2 per minute", address="2 per minute"):
        for user in users:
            assert api_login(app.test_client(), user.username, PASSWORD) == 200
            assert api_login(app.test_client(), user.username, PASSWORD) == 200
            assert api_login(app.test_client(), user.username, PASSWORD) == 200


def test_one_address_guessing_across_accounts_stops_at_the_address_limit(app, make):
    """Spraying one password over many accounts: stopped, but only that address."""
    victims = [make.user("homeowner") for _ in range(4)]
    with limits(app, account="100 per minute", address="3 per minute"):
        attacker = {"REMOTE_ADDR": "198.51.100.7"}
        codes = [api_login(app.test_client(), v.username, "Spring2026", environ=attacker)
                 for v in victims]
        assert codes == [401, 401, 401, 429]
        assert api_login(app.test_client(), victims[3].username, PASSWORD,
                         environ={"REMOTE_ADDR": "203.0.113.9"}) == 200


def test_behind_a_trusted_proxy_each_client_has_its_own_address(app, make):
    """With TRUSTED_PROXIES=1 the client's address comes from X-Forwarded-For."""
    victims = [make.user("homeowner") for _ in range(3)]
    with limits(app, address="2 per minute"), behind_proxies(app, 1):
        attacker = "198.51.100.7"
        codes = [web_login(app.test_client(), v.username, "wrong-pass-1", client_address=attacker)
                 for v in victims]
        assert codes == [422, 422, 429]
        # Another client behind the same nginx is not the attacker.
        assert web_login(app.test_client(), victims[2].username, PASSWORD,
                         client_address="203.0.113.9") == 302


def test_x_forwarded_for_from_an_untrusted_sender_is_ignored(app, make):
    """Without TRUSTED_PROXIES a client cannot pick a fresh address for every guess."""
    victims = [make.user("homeowner") for _ in range(3)]
    with limits(app, address="2 per minute"):
        codes = [web_login(app.test_client(), v.username, "wrong-pass-1",
                           client_address=f"192.0.2.{i}") for i, v in enumerate(victims)]
    assert codes == [422, 422, 429]


def test_a_forged_hop_in_front_of_the_trusted_proxy_is_ignored(app, make):
    """The client writes its own X-Forwarded-For; nginx appends the real address: only the
    last hop (the one the trusted proxy saw) counts."""
    victims = [make.user("homeowner") for _ in range(3)]
    with limits(app, address="2 per minute"), behind_proxies(app, 1):
        codes = [web_login(app.test_client(), v.username, "wrong-pass-1",
                           client_address=f"192.0.2.{i}, 198.51.100.7")
                 for i, v in enumerate(victims)]
    assert codes == [422, 422, 429]


def test_trusted_proxies_is_read_from_the_environment_and_wired():
    settings = Settings.from_env({"SECRET_KEY": "k" * 40, "DATABASE_URL": "sqlite://",
                                  "TRUSTED_PROXIES": "2"})
    assert settings.flask_config()["TRUSTED_PROXIES"] == 2
    bare = Flask(__name__)
    bare.config.update(TRUSTED_PROXIES=2)
    security.init_app(bare)
    assert isinstance(bare.wsgi_app, ProxyFix) and bare.wsgi_app.x_for == 2
    plain = Flask(__name__)
    security.init_app(plain)
    assert not isinstance(plain.wsgi_app, ProxyFix)


@pytest.mark.parametrize("value", ["-1", "many", "11"])
def test_a_nonsense_proxy_count_refuses_to_start(value):
    from app.config import ConfigError

    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        Settings.from_env({"SECRET_KEY": "k" * 40, "DATABASE_URL": "sqlite://",
                           "TRUSTED_PROXIES": value})


REDIS_URL = "redis://127.0.0.1:6379/13"


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def test_redis_url_keeps_the_counters_in_redis_for_every_worker(app, make):
    """REDIS_URL: the counts live in Redis, where a second worker finds them."""
    if not _redis_reachable():
        pytest.skip("no Redis at 127.0.0.1:6379: the shared-counter test needs one")
    import redis

    settings = Settings.from_env({"SECRET_KEY": "k" * 40, "DATABASE_URL": "sqlite://",
                                  "REDIS_URL": REDIS_URL})
    assert settings.flask_config()["RATELIMIT_STORAGE_URI"] == REDIS_URL
    user = make.user("judge", username=f"redis-{secrets.token_hex(4)}")
    saved = app.config["RATELIMIT_STORAGE_URI"]
    app.config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    limiter.init_app(app)
    try:
        with limits(app, account="2 per minute"):
            client = app.test_client()
            assert [api_login(client, user.username, "wrong-pass-1") for _ in range(2)] == [401, 401]
            assert api_login(client, user.username, PASSWORD) == 429
        # Another worker opens its own connection to the same Redis and finds the count.
        other_worker = redis.Redis.from_url(REDIS_URL)
        keys = [k.decode() for k in other_worker.keys("*login-account*")]
        ours = [k for k in keys if security.username_digest(user.username) in k]
        assert len(ours) == 1, keys
        assert int(other_worker.get(ours[0])) == 3  # two wrong passwords and the refused try
    finally:
        redis.Redis.from_url(REDIS_URL).flushdb()
        app.config["RATELIMIT_STORAGE_URI"] = saved
        limiter.init_app(app)


def test_a_refused_api_login_is_a_problem_document_saying_when_to_retry(app, make):
    user = make.user("judge")
    with limits(app, account="1 per minute"):
        client = app.test_client()
        assert api_login(client, user.username, "wrong-pass-1") == 401
        response = client.post("/api/v1/auth/token",
                               json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 429
    assert int(response.headers["Retry-After"]) > 0
