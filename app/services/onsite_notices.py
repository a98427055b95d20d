"""Who is told what as on-site mediation runs (sessions, confirmation, litigation, ratings).

Queued inside the use-case's transaction (``app.notify.outbox``). Texts are ``Msg``s and
each user gets them in their own language (``User.locale``; Chinese by default). The actor
is never told of their own act; each ``dedupe_key`` names the event and the recipient.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Case, NoticeKind, User
from app.notify.outbox import queue_notice
from app.services.agreement_notices import _party_users
from app.services.agreements import case_parties
from mediation.messages import Msg


def tell(user: User, kind: NoticeKind, subject: Msg, body: Msg, *, key: str, now: datetime,
         case_id: int | None = None) -> None:
    queue_notice(user=user, kind=kind, subject=subject.in_locale(user.locale), body=body.in_locale(user.locale),
                 dedupe_key=f"{key}:user:{user.id}", now=now, case_id=case_id)


def party_users(case: Case, keys=None) -> list[User]:
    """The active accounts of the case's parties (or of ``keys`` only)."""
    keys = [k for k, _ in case_parties(case)] if keys is None else list(keys)
    return _party_users(keys)


def judges(case: Case) -> list[User]:
    """The case's judge, or every active judge of its court when it has none yet."""
    if case.judge_id is not None:
        found = [db.session.get(User, case.judge_id)]
    else:
        found = list(db.session.scalars(select(User).where(
            User.role == "judge", User.court_id == case.court_id).order_by(User.id)))
    return [j for j in found if j is not None and j.active]


def mediator_user(case: Case) -> list[User]:
    if case.mediator is not None and case.mediator.user is not None and case.mediator.user.active:
        return [case.mediator.user]
    return []


def tell_all(users, actor: User | None, kind: NoticeKind, subject: Msg, body: Msg, *, key: str,
             now: datetime, case_id: int | None = None) -> None:
    seen = set()
    for user in users:
        if user.id in seen or (actor is not None and user.id == actor.id):
            continue
        seen.add(user.id)
        tell(user, kind, subject, body, key=key, now=now, case_id=case_id)
