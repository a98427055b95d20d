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
