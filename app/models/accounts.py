"""Accounts, roles and server-side login sessions."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, in_clause
from mediation.roles import Role

__all__ = ["LoginSession", "Role", "User"]


class User(UserMixin, db.Model):
    """A person who logs in. Judges and mediators belong to a court, developer staff to
    a developer, homeowners to their Person record."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({in_clause(Role)})", name="role_known"),
        CheckConstraint(f"role <> '{Role.DEVELOPER.value}' OR developer_id IS NOT NULL",
                        name="developer_bound"),
        CheckConstraint(f"role NOT IN ({in_clause([Role.JUDGE, Role.MEDIATOR])}) "
                        "OR court_id IS NOT NULL", name="court_bound"),
        CheckConstraint(f"role <> '{Role.HOMEOWNER.value}' OR person_id IS NOT NULL",
                        name="homeowner_bound"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))
    #: Indexed: a homeowner resets a password by a code sent to this phone.
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    court_id: Mapped[int | None] = mapped_column(ForeignKey("courts.id"), index=True)
    developer_id: Mapped[int | None] = mapped_column(ForeignKey("developers.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    court = relationship("Court")
    developer = relationship("Developer")
    person = relationship("Person")

    #: The login-session token this object was loaded through (set by the user loader).
    session_token = None  # type: str | None  (not a column)
    #: The id of that login session (its row in ``login_sessions``), set with it.
    session_id = None  # type: int | None  (not a column)
    #: The case lists' data version when this request began (app.models.versions), read
    #: with the session; None when the user was loaded some other way.
    list_version = None  # type: str | None  (not a column)

    def get_id(self) -> str | None:
        """Flask-Login stores this in the cookie: the session token, never the user id."""
        return self.session_token

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginSession(db.Model):
    """A server-side login session (Flask-Login's alternative-token pattern).

    The cookie carries a random token; the database keeps only its SHA-256. Logging out
    or changing the password revokes the row, so a replayed session or remember-me
    cookie is worthless afterwards.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(8), default="web")
    user_agent: Mapped[str | None] = mapped_column(String(255))
    #: When and from which address the session was last used (refreshed at most every
    #: few minutes by ``load_session_user``; shown on the user's /account/sessions).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    address: Mapped[str | None] = mapped_column(String(45))

    __table_args__ = (CheckConstraint("kind IN ('web', 'api')", name="kind_known"),)

    user = relationship("User")

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
