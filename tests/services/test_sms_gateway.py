"""The SMS gateway: a configurable backend behind one small protocol."""
from __future__ import annotations

import logging

import pytest

from app.config import ConfigError, Settings
from app.notify.sms import LoggingSmsGateway, SmsGateway


def test_the_development_backend_logs_the_message_and_keeps_it_for_reading(caplog):
    gateway: SmsGateway = LoggingSmsGateway(size=2)
    with caplog.at_level(logging.WARNING, logger="app.sms"):
        gateway.send("13800138000", "验证码123456")
    assert "13800138000" in caplog.text and "123456" in caplog.text
    gateway.send("13900139000", "second")
    gateway.send("13900139000", "third")
    assert gateway.last_to("13900139000") == "third"
    assert gateway.last_to("13800138000") is None  # only the most recent ones are kept


def test_the_backend_is_chosen_by_configuration_and_an_unknown_one_is_refused():
    assert Settings.from_env({"SECRET_KEY": "x" * 40}).sms_backend == "log"
    assert Settings.from_env({"SECRET_KEY": "x" * 40, "SMS_BACKEND": "LOG"}).sms_backend == "log"
    with pytest.raises(ConfigError, match="SMS_BACKEND"):
        Settings.from_env({"SECRET_KEY": "x" * 40, "SMS_BACKEND": "carrier-pigeon"})


def test_the_app_uses_the_configured_gateway(app):
    assert isinstance(app.extensions["sms"], LoggingSmsGateway)


# --- The HTTP backend, against a tiny HTTP server on loopback -------------------------------


@pytest.fixture
def gateway_server():
    """A local stand-in for the court's SMS adapter: keeps each JSON body, answers ``status``."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            server.received.append((self.path, dict(self.headers), json.loads(body)))
            self.send_response(server.status)
            self.end_headers()
            self.wfile.write(b'{"ok": true}' if server.status < 300 else b"number blocked")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.received, server.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    yield server
    server.shutdown()
    server.server_close()


def test_the_http_backend_posts_json_with_the_reference_and_token(gateway_server):
    from app.notify.sms import HttpSmsGateway

    HttpSmsGateway(gateway_server.url, token="s3cret").send(
        "13800138000", "案件已排期：12月3日9时", reference="case:1:scheduled:sms")
    [(path, headers, body)] = gateway_server.received
    assert path == "/sms" and headers["Authorization"] == "Bearer s3cret"
    assert headers["Content-Type"].startswith("application/json")
    assert body == {"phone": "13800138000", "text": "案件已排期：12月3日9时",
                    "reference": "case:1:scheduled:sms"}


@pytest.mark.parametrize("status, permanent", [(400, True), (404, True), (429, False),
                                               (500, False), (503, False)])
def test_the_http_backend_says_whether_a_refusal_is_final(gateway_server, status, permanent):
    from app.notify.sms import HttpSmsGateway, PermanentSmsError, SmsError

    gateway_server.status = status
    with pytest.raises(SmsError, match=str(status)) as raised:
        HttpSmsGateway(gateway_server.url).send("13800138000", "x")
    assert isinstance(raised.value, PermanentSmsError) is permanent


def test_the_http_backend_with_nobody_listening_is_a_transient_error():
    import socket

    from app.notify.sms import HttpSmsGateway, PermanentSmsError, SmsError

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SmsError) as raised:
        HttpSmsGateway(f"http://127.0.0.1:{port}/sms", timeout=2).send("13800138000", "x")
    assert not isinstance(raised.value, PermanentSmsError)


def test_the_http_backend_needs_a_url():
    with pytest.raises(ConfigError, match="SMS_HTTP_URL"):
        Settings.from_env({"SECRET_KEY": "x" * 40, "SMS_BACKEND": "http"})
    settings = Settings.from_env({"SECRET_KEY": "x" * 40, "SMS_BACKEND": "http",
                                  "SMS_HTTP_URL": "https://sms.court.example/send"})
    assert settings.flask_config()["SMS_HTTP_URL"] == "https://sms.court.example/send"
