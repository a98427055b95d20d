"""A notice in its recipient's language: the one place that picks it.

A notice is queued with its subject and body as :class:`mediation.messages.Msg` (Chinese,
with English); the outbox stores both (``subject``/``body`` and ``subject_en``/``body_en``).
Whoever shows or sends it asks :func:`notice_text` for the text in the language of the
person who reads it: the inbox and the API in the request's language, the e-mail and the
SMS in the recipient's ``User.locale`` at send time (:func:`recipient_locale`). A notice
without English (older rows, free text) is shown as written.
"""
from __future__ import annotations

from dataclasses import dataclass

from mediation.messages import Msg

__all__ = ["NoticeText", "notice_text", "recipient_locale", "stored_texts"]


@dataclass(frozen=True)
class NoticeText:
    subject: str
    body: str


def _english(locale: str | None) -> bool:
    return bool(locale) and str(locale).lower().startswith("en")


def recipient_locale(user) -> str:
    """The language a user reads their notices in: their account's choice, else Chinese."""
    locale = getattr(user, "locale", None)
    return "en" if _english(locale) else "zh"


def notice_text(notice, locale: str | None) -> NoticeText:
    """``notice``'s subject and body in ``locale`` (any object or row with ``subject``,
    ``body`` and optionally ``subject_en``/``body_en``)."""
    subject, body = notice.subject, notice.body
    if _english(locale):
        subject = getattr(notice, "subject_en", None) or subject
        body = getattr(notice, "body_en", None) or body
    return NoticeText(subject=subject or "", body=body or "")


def stored_texts(subject, body) -> dict:
    """The column values that keep both languages of a queued notice's texts."""
    return {"subject": str(subject), "body": str(body),
            "subject_en": subject.en if isinstance(subject, Msg) else None,
            "body_en": body.en if isinstance(body, Msg) else None}
