"""Notices: the outbox of messages to users (the in-app inbox and e-mail).

A use-case queues its notices in its own transaction (``app.notify.outbox``), so a notice
exists exactly when the decision it reports was committed. An inbox notice is delivered
by being stored (status ``sent`` at once); an e-mail notice waits ``pending`` until the
dispatcher (``app.notify.dispatch``) claims it (``sending``), hands it to the SMTP server
and marks it ``sent``, or records the error and tries again later, giving up
(``failed``) after a few attempts. ``dedupe_key`` is unique: the same notice queued twice
(a retried use-case, a double click) is stored once.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, in_clause


class NoticeChannel(str, enum.Enum):
    INBOX = "inbox"
    EMAIL = "email"
    SMS = "sms"


class NoticeStatus(str, enum.Enum):
    PENDING = "pending"  # waiting for the dispatcher (e-mail and SMS)
    SENDING = "sending"  # claimed by one dispatcher run until next_attempt_at
    SENT = "sent"
    FAILED = "failed"  # given up; last_error says why


class NoticeKind(str, enum.Enum):
    """What a notice reports. Not a CHECK constraint: reminders will add kinds freely."""

    COMPLAINT_ACCEPTED = "complaint_accepted"
    COMPLAINT_REJECTED = "complaint_rejected"
    COMPLAINT_MERGED = "complaint_merged"
    CASE_MERGED = "case_merged"
    CASE_AGAINST_YOU = "case_against_you"
    MEDIATOR_ASSIGNED = "mediator_assigned"
    DELEGATION_ACCEPTED = "delegation_accepted"
    DELEGATION_DECLINED = "delegation_declined"
    MEDIATION_EXPIRED = "mediation_expired"
    VISIT_SCHEDULED = "visit_scheduled"
    VISIT_MOVED = "visit_moved"
    VISIT_CANCELLED = "visit_cancelled"
    AGREEMENT_TO_SIGN = "agreement_to_sign"
    AGREEMENT_EFFECTIVE = "agreement_effective"
    CHANNELS_CHANGED = "channels_changed"
    CASE_STATUS_CHANGED = "case_status_changed"
    COMPLAINT_ANSWERED = "complaint_answered"
    #: A due reminder (app.services.reminder_dispatch); its own kind is in the subject line.
    REMINDER = "reminder"
    INQUIRY_ISSUED = "inquiry_issued"
    INQUIRY_REVIEWED = "inquiry_reviewed"
    WARNING_ISSUED = "warning_issued"
    SESSION_TO_CONFIRM = "session_to_confirm"
    MEDIATION_FAILED = "mediation_failed"
    CONFIRMATION_APPLIED = "confirmation_applied"
    CONFIRMATION_DECIDED = "confirmation_decided"
    CASE_IN_LITIGATION = "case_in_litigation"
    RATING_INVITED = "rating_invited"
    FOLLOWUP_TASK = "followup_task"
    #: A supervised pre-sale account was released: the housing bureau's task (release_bureau).
    PRESALE_RELEASED = "presale_released"


#: The rows the dispatcher looks at; the partial index below and its queries share this text.
OUTBOX_SQL = "status IN ('pending', 'sending')"
#: A user's unread inbox notices (the navigation badge counts these).
UNREAD_SQL = "channel = 'inbox' AND read_at IS NULL"


class Notice(db.Model):
    """One message to one user on one channel."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: The English of ``subject`` and ``body`` (None: the notice is shown as written); the
    #: inbox, the e-mail and the SMS pick the recipient's language (app.notify.render).
    subject_en: Mapped[str | None] = mapped_column(String(200))
    body_en: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(8))
    #: Delivery attempts started (an attempt counts when a dispatcher claims the row).
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Times the notice was taken back from a dispatcher that died while it may have been
    #: in the server's hands: each may have reached the recipient twice, with one
    #: Message-ID (``flask notices duplicates`` lists them).
    crash_resends: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The dispatcher run that holds the row while ``sending``.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    #: When the dispatcher may take the row (again): the retry time of a pending row, the
    #: end of the claim of a sending row (a crashed dispatcher's rows come back after it).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(f"channel IN ({in_clause(NoticeChannel)})", name="channel_known"),
        CheckConstraint(f"status IN ({in_clause(NoticeStatus)})", name="status_known"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_date"),
        CheckConstraint("channel <> 'inbox' OR status = 'sent'", name="inbox_delivered"),
        CheckConstraint(
            "status NOT IN ('pending', 'sending') OR next_attempt_at IS NOT NULL",
            name="outbox_has_due_time"),
        CheckConstraint("status <> 'sending' OR claim_token IS NOT NULL", name="sending_has_claim"),
        CheckConstraint("read_at IS NULL OR channel = 'inbox'", name="read_only_inbox"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        CheckConstraint("crash_resends >= 0", name="crash_resends_nonnegative"),
        # The inbox page, newest first, and its keyset pages.
        Index("ix_notices_user_channel", "user_id", "channel", "id"),
        # The badge: one count over a user's unread inbox notices, read from this index
        # alone. channel and read_at are constant here, but naming them lets SQLite's
        # planner see three equalities and prefer it to the inbox index above.
        Index("ix_notices_user_unread", "user_id", "channel", "read_at",
              sqlite_where=text(UNREAD_SQL), postgresql_where=text(UNREAD_SQL)),
        # The dispatcher: due e-mails; the index holds only undelivered rows.
        Index("ix_notices_outbox", "next_attempt_at", "id",
              sqlite_where=text(OUTBOX_SQL), postgresql_where=text(OUTBOX_SQL)),
    )

    user = relationship("User")
    case = relationship("Case")
    complaint = relationship("Complaint")

    @property
    def unread(self) -> bool:
        return self.channel == NoticeChannel.INBOX.value and self.read_at is None


class NoticePreference(db.Model):
    """Which channels besides the inbox a user wants notices on (no row: every channel).

    The inbox cannot be turned off: it is the record of what the court told the person.
    Turning a channel off is confirmed by a last message on it (and in the inbox).
    """

    __tablename__ = "notice_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
    sms: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user = relationship("User")
