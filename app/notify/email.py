"""The e-mail channel: plain-text messages over SMTP (``smtplib``).

The server comes from the configuration (``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_SENDER``);
with no ``MAIL_SERVER`` e-mail is off and notices go to the in-app inbox only. A court
usually relays through a mail server on its own network, so this speaks plain SMTP
without login or TLS.

Failures come in two kinds, because the dispatcher treats them differently:
:class:`PermanentMailError` (the server refused this recipient or this message for good,
a 5xx reply to RCPT or DATA: try no more) and :class:`TransientMailError` (4xx replies,
a refused sender, timeouts, a dropped connection: try again later). ``connection_lost`` says the connection cannot carry further messages.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from hashlib import sha256

from flask import current_app

#: Seconds to wait for the SMTP server before an attempt counts as failed.
SMTP_TIMEOUT = 20
#: Appended to every e-mail: the message is a copy of what the inbox shows.
FOOTER = ("\n\n——\n请登录巡回法庭房地产纠纷调解平台，在“通知”中查看详情。"
          "\n本邮件由系统自动发送，请勿直接回复。")


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    timeout: float = SMTP_TIMEOUT


def mail_settings() -> MailSettings | None:
    """The SMTP server of the running app, or None when e-mail is off."""
    config = current_app.config
    host = (config.get("MAIL_SERVER") or "").strip()
    if not host:
        return None
    return MailSettings(host=host, port=int(config.get("MAIL_PORT") or 25),
                        sender=config.get("MAIL_SENDER") or "noreply@localhost")


def email_enabled() -> bool:
    return mail_settings() is not None


class MailError(Exception):
    def __init__(self, message: str, *, connection_lost: bool = False):
        super().__init__(message)
        self.message = message
        self.connection_lost = connection_lost


class PermanentMailError(MailError):
    """The server refused this message for good (5xx): retrying would not help."""


class TransientMailError(MailError):
    """The message may go through later (4xx, timeout, connection trouble)."""


def notice_message_id(notice_id: int, dedupe_key: str, sender: str) -> str:
    """The Message-ID of a notice's e-mail: the same for every attempt at one notice.

    A resend after a crash (the server took the message, the dispatcher died before
    recording it) therefore carries the Message-ID of the first copy: the mail server, the
    recipient's client and ``flask notices duplicates`` all recognise it as one message.
    The dedupe key is hashed because it may hold characters a Message-ID may not.
    """
    domain = sender.rpartition("@")[2] or "localhost"
    digest = sha256(dedupe_key.encode("utf-8")).hexdigest()[:16]
    return f"<notice-{notice_id}.{digest}@{domain}>"


def build_message(*, sender: str, to: str, subject: str, body: str, sent_at: datetime,
                  reference: str, message_id: str | None = None) -> EmailMessage:
    """A UTF-8 plain-text message; ``reference`` (the dedupe key) lands in a header.

    ``message_id`` is the stable id of a notice (:func:`notice_message_id`); one-off
    messages (a password-reset link) get a fresh one."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id or make_msgid(domain=sender.rpartition("@")[2] or None)
    message["X-Notice-Key"] = reference
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body + FOOTER, charset="utf-8")
    return message


def _reply_text(code: int, reply) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip()


class SmtpConnection:
    """One SMTP session for a batch of messages: ``with SmtpConnection(s) as c: c.send(m)``."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "SmtpConnection":
        try:
            self._smtp = smtplib.SMTP(self.settings.host, self.settings.port,
                                      timeout=self.settings.timeout)
        except smtplib.SMTPConnectError as error:
            raise TransientMailError(
                f"SMTP {self.settings.host}:{self.settings.port}: "
                f"{_reply_text(error.smtp_code, error.smtp_error)}", connection_lost=True) from None
        except (OSError, smtplib.SMTPException) as error:
            raise TransientMailError(
                f"SMTP {self.settings.host}:{self.settings.port}: {error!r}",
                connection_lost=True) from None
        return self

    def __exit__(self, *exc) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; raise a MailError saying whether to retry."""
        assert self._smtp is not None, "use SmtpConnection as a context manager"
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            replies = list(error.recipients.values())
            text = "; ".join(_reply_text(code, reply) for code, reply in replies)
            if replies and all(code >= 500 for code, _ in replies):
                raise PermanentMailError(f"recipient refused: {text}") from None
            raise TransientMailError(f"recipient refused for now: {text}") from None
        except smtplib.SMTPServerDisconnected as error:
            raise TransientMailError(f"connection closed: {error}", connection_lost=True) from None
        except smtplib.SMTPResponseException as error:
            text = _reply_text(error.smtp_code, error.smtp_error)
            # Only this message's content refused for good is final; a refused sender or
            # greeting is the server's or our configuration's fault, and worth a retry
            # once it is fixed. 421: the server is closing the session (RFC 5321 §3.8).
            if isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
                raise PermanentMailError(text) from None
            raise TransientMailError(text, connection_lost=error.smtp_code == 421) from None
        except (OSError, smtplib.SMTPException) as error:  # timeouts are OSErrors
            raise TransientMailError(f"{error!r}", connection_lost=True) from None
        if refused:  # a single recipient: refused means the whole message was not taken
            raise TransientMailError(f"recipient refused: {refused}")
