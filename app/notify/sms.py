"""The SMS channel: one small protocol, ``send(phone, text)``, and the backends behind it.

One-time codes (registration, password reset) and invitation links reach people by SMS.
The platform talks to a gateway through :class:`SmsGateway` only; ``SMS_BACKEND`` picks
the backend when the app is created (``app.config.SMS_BACKENDS``):

- ``log`` (the development default): the message is written to the application log —
  never to a page — and the last messages are kept in memory (``outbox``), which is how
  the tests and a developer at the console read a code. It sends nothing.

A later release adds an HTTP backend for the court's SMS provider; it only has to offer
``send``. Messages leave after the use-case's commit: a failed send loses nothing but the
message (the person asks for a new code).
"""
from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from flask import current_app

log = logging.getLogger("app.sms")

#: Messages the logging backend keeps for reading back (tests, the development console).
OUTBOX_SIZE = 200


class SmsError(Exception):
    """The gateway did not take the message."""


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Hand one text message for ``phone`` (11-digit mobile) to the gateway."""


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str


class LoggingSmsGateway:
    """Development: log each message and keep the recent ones in ``outbox``."""

    def __init__(self, size: int = OUTBOX_SIZE):
        self.outbox: deque[SentSms] = deque(maxlen=size)

    def send(self, phone: str, text: str) -> None:
        self.outbox.append(SentSms(phone, text))
        log.warning("SMS (logging backend, not sent) to %s: %s", phone, text)

    def last_to(self, phone: str) -> str | None:
        """The latest message to ``phone``, or None."""
        for message in reversed(self.outbox):
            if message.phone == phone:
                return message.text
        return None


_BACKENDS = {"log": LoggingSmsGateway}


def init_app(app) -> None:
    app.extensions["sms"] = _BACKENDS[app.config.get("SMS_BACKEND", "log")]()


def sms_gateway() -> SmsGateway:
    """The running app's gateway."""
    return current_app.extensions["sms"]
