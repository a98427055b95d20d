"""A user's notice channels: e-mail and SMS on or off (``/account/notifications``).

The inbox cannot be turned off — it is the record of what the court told the person.
Turning a channel off is confirmed by a notice: in the inbox, and one last message on the
channel turned off, so the phone or mailbox that stops receiving also learns why (a
person who did not do it themselves finds out). Turning one on is confirmed the same way
on the channel turned on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.extensions import db
from app.models import NoticeChannel, NoticeKind, NoticePreference, User
from app.notify.outbox import queue_notice
from app.services.use_case import use_case
from mediation.messages import Msg

#: How each channel is named in the confirmation (Chinese, English).
_NAMES = {"email": ("电子邮件", "e-mail"), "sms": ("短信", "text message")}


@dataclass(frozen=True)
class ChannelChoice:
    email: bool
    sms: bool
    #: Whether the user can be reached there at all (an address / a mobile number).
    has_email: bool
    has_phone: bool


def notice_channels(user: User) -> ChannelChoice:
    """The user's current choice (no row yet: both on)."""
    preference = db.session.get(NoticePreference, user.id)
    return ChannelChoice(email=preference.email if preference else True,
                         sms=preference.sms if preference else True,
                         has_email=bool((user.email or "").strip()),
                         has_phone=bool((user.phone or "").strip()))


@use_case
def set_notice_channels(*, actor: User, email: bool, sms: bool, now: datetime) -> list[str]:
    """Save the actor's own choice; confirm every change by a notice. Returns the channels
    whose setting changed (none: nothing saved, nobody told)."""
    preference = db.session.get(NoticePreference, actor.id)
    before = {"email": preference.email, "sms": preference.sms} if preference else {
        "email": True, "sms": True}
    after = {"email": email, "sms": sms}
    changed = [c for c in ("email", "sms") if before[c] != after[c]]
    if not changed:
        return []
    if preference is None:
        preference = NoticePreference(user_id=actor.id)
        db.session.add(preference)
    preference.email, preference.sms, preference.updated_at = email, sms, now
    off = [c for c in changed if not after[c]]
    on = [c for c in changed if after[c]]
    zh = [f"已关闭{_NAMES[c][0]}通知：此后不再通过{_NAMES[c][0]}发送通知，本条为最后一条。" for c in off]
    en = [f"{_NAMES[c][1].capitalize()} notices are off: this is the last one by {_NAMES[c][1]}."
          for c in off]
    zh += [f"已开启{_NAMES[c][0]}通知。" for c in on]
    en += [f"{_NAMES[c][1].capitalize()} notices are on." for c in on]
    zh.append("站内通知始终保留。如非本人操作，请登录平台在“通知设置”中恢复，并修改密码。")
    en.append("Notices always stay in your inbox on the platform. If you did not make this "
              "change, restore it under “Notice settings” and change your password.")
    subject = Msg(
        "通知方式已更改：" + "，".join([f"关闭{_NAMES[c][0]}" for c in off]
                                + [f"开启{_NAMES[c][0]}" for c in on]),
        "Notice channels changed: " + ", ".join([f"{_NAMES[c][1]} off" for c in off]
                                                + [f"{_NAMES[c][1]} on" for c in on]))
    queue_notice(user=actor, kind=NoticeKind.CHANNELS_CHANGED, subject=subject,
                 body=Msg("\n".join(zh), "\n".join(en)), now=now,
                 dedupe_key=f"channels_changed:user:{actor.id}:at:{now.timestamp():.6f}",
                 channels=[NoticeChannel(c) for c in changed])
    db.session.commit()
    return changed
