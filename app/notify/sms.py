"""The SMS channel: one small protocol, ``send(phone, text)``, and the backends behind it.

One-time codes (registration, password reset) and invitation links reach people by SMS.
The platform talks to a gateway through :class:`SmsGateway` only; ``SMS_BACKEND`` picks
the backend when the app is created (``app.config.SMS_BACKENDS``):

- ``log`` (the development default): the message is written to the application log —
  never to a page — and the last messages are kept in memory (``outbox``), which is how
  the tests and a developer at the console read a code. It sends nothing.
- ``http``: each message is POSTed as JSON ``{"phone", "text", "reference"}`` to
  ``SMS_HTTP_URL`` (with ``Authorization: Bearer SMS_HTTP_TOKEN`` when set) — the shape a
  small adapter in front of the court's SMS provider accepts. A 2xx reply means taken; a
  4xx other than 408/429 means this message will never go (:class:`PermanentSmsError`);
  anything else (5xx, 408, 429, no answer) is worth a retry (:class:`SmsError`).

One-time codes leave after the use-case's commit: a failed send loses nothing but the
message (the person asks for a new code). Notices by SMS are queued in the outbox and
sent by the dispatcher (``app.notify.dispatch``), which retries; ``reference`` carries the
notice's dedupe key so the gateway can drop a resend after a crash.
"""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from flask import current_app

log = logging.getLogger("app.sms")

#: Messages the logging backend keeps for reading back (tests, the development console).
OUTBOX_SIZE = 200


#: Seconds to wait for the HTTP gateway.
HTTP_TIMEOUT = 10


class SmsError(Exception):
    """The gateway did not take the message (for now: worth a retry)."""


class PermanentSmsError(SmsError):
    """The gateway refused this message for good (a bad number, a rejected text)."""


class SmsGateway(Protocol):
    def send(self, phone: str, text: str, *, reference: str | None = None) -> None:
        """Hand one text message for ``phone`` (11-digit mobile) to the gateway;
        ``reference`` identifies the notice (the same on a resend)."""


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str


class LoggingSmsGateway:
    """Development: log each message and keep the recent ones in ``outbox``."""

    def __init__(self, size: int = OUTBOX_SIZE):
        self.outbox: deque[SentSms] = deque(maxlen=size)

    def send(self, phone: str, text: str, *, reference: str | None = None) -> None:
        self.outbox.append(SentSms(phone, text))
        log.warning("SMS (logging backend, not sent) to %s: %s", phone, text)

    def last_to(self, phone: str) -> str | None:
        """The latest message to ``phone``, or None."""
        for message in reversed(self.outbox):
            if message.phone == phone:
                return message.text
        return None


class HttpSmsGateway:
    """Production: POST each message as JSON to the configured gateway URL."""

    def __init__(self, url: str, token: str = "", timeout: float = HTTP_TIMEOUT):
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, phone: str, text: str, *, reference: str | None = None) -> None:
        payload = json.dumps({"phone": phone, "text": text, "reference": reference},
                             ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            detail = error.read()[:200].decode("utf-8", "replace")
            message = f"SMS gateway HTTP {error.code}: {detail}".strip()
            if 400 <= error.code < 500 and error.code not in (408, 429):
                raise PermanentSmsError(message) from None
            raise SmsError(message) from None
        except (OSError, ValueError) as error:  # refused, timeout, bad URL
            raise SmsError(f"SMS gateway {self.url}: {error!r}") from None


def _make(app) -> SmsGateway:
    backend = app.config.get("SMS_BACKEND", "log")
    if backend == "http":
        return HttpSmsGateway(app.config["SMS_HTTP_URL"], app.config.get("SMS_HTTP_TOKEN") or "")
    return LoggingSmsGateway()


def init_app(app) -> None:
    app.extensions["sms"] = _make(app)


def sms_gateway() -> SmsGateway:
    """The running app's gateway."""
    return current_app.extensions["sms"]
