"""Sending a one-time link to a person: by SMS, and by e-mail when they have an address.

Links are keys to an account, so they do not go through the notice outbox (which keeps
every message's text in the ``notices`` table and shows it in the inbox): they are sent
directly, after the use-case's commit, and a lost one is simply requested again.
With e-mail off (no ``MAIL_SERVER``) a development server writes the e-mail to the log;
a production server sends none.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app

from app.models import User
from app.models.types import utcnow
from app.notify.email import MailError, SmtpConnection, build_message, mail_settings
from app.notify.sms import SmsError, sms_gateway

log = logging.getLogger("app.account_mail")


def send_email(to: str, *, subject: str, text: str, reference: str) -> bool:
    """Send one e-mail now; False when e-mail is off or the server refused it (logged)."""
    settings = mail_settings()
    if settings is None:
        if not current_app.config["APP_SETTINGS"].is_production:
            log.warning("E-mail (MAIL_SERVER not set, not sent) to %s: %s\n%s", to, subject, text)
        return False
    message = build_message(sender=settings.sender, to=to, subject=subject, body=text,
                            sent_at=utcnow(), reference=reference)
    try:
        with SmtpConnection(settings) as connection:
            connection.send(message)
    except MailError as error:
        log.error("E-mail to %s not sent: %s", to, error.message)
        return False
    return True


def send_link(user: User, *, subject: str, text: str,
              channels: Iterable[str] = ("sms", "email")) -> list[str]:
    """Send ``text`` to the user's mobile phone and e-mail address; return the channels used."""
    used = []
    phone = (user.phone or "").strip()
    if "sms" in channels and phone.isdigit() and len(phone) == 11:
        try:
            sms_gateway().send(phone, text)
            used.append("sms")
        except SmsError as error:
            log.error("SMS to %s not sent: %s", phone, error)
    email = (user.email or "").strip()
    if "email" in channels and email and send_email(
            email, subject=subject, text=text, reference=f"account:{user.id}:{subject}"):
        used.append("email")
    return used
