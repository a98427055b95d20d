"""Demo data for notice channels (docs/notices.md): one saved choice to look at.

The demo ``developer`` account has turned text messages off (its staff read notices in the
inbox and by e-mail), so /account/notifications shows a saved choice; everyone else keeps
the default (every channel they can be reached on).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import NoticePreference, User


def build_notice_channels(*, now: datetime, echo) -> None:
    developer = db.session.scalar(select(User).where(User.username == "developer"))
    if developer is None:
        return
    db.session.add(NoticePreference(user_id=developer.id, email=True, sms=False, updated_at=now))
    echo("  通知方式：developer 已关闭短信通知")
