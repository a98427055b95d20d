"""A user's inbox: own notices only, pages, marking read, and a badge count that stays cheap."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import User
from app.notify.outbox import queue_notice
from app.services import notices
from app.services.errors import NotFoundError
from tests.factories import NOW


def queue(user, n: int, *, prefix: str = "n") -> None:
    recipient = db.session.get(User, user.id)
    for i in range(n):
        queue_notice(user=recipient, kind="complaint_accepted", subject=f"{prefix}{i}",
                     body="正文", dedupe_key=f"{prefix}:{i}:{user.id}",
                     now=NOW + timedelta(minutes=i))
    db.session.commit()


def test_the_inbox_pages_newest_first_through_own_notices_only(app, make):
    owner, neighbour = make.user("homeowner"), make.user("homeowner")
    with app.app_context():
        queue(owner, 5)
        queue(neighbour, 2, prefix="other")
        first = notices.inbox(db.session.get(User, owner.id), limit=3)
        assert [n.subject for n in first.items] == ["n4", "n3", "n2"]
        assert first.unread == 5 and first.next_before == first.items[-1].id
        second = notices.inbox(db.session.get(User, owner.id), before=first.next_before, limit=3)
        assert [n.subject for n in second.items] == ["n1", "n0"] and second.next_before is None


def test_marking_read_is_for_the_owner_only_and_keeps_the_first_time(app, make):
    owner, neighbour = make.user("homeowner"), make.user("homeowner")
    with app.app_context():
        queue(owner, 2)
        page = notices.inbox(db.session.get(User, owner.id))
        target = page.items[0].id
        with pytest.raises(NotFoundError):
            notices.mark_read(target, actor=db.session.get(User, neighbour.id), now=NOW)
        with pytest.raises(NotFoundError):
            notices.get_notice(target, actor=db.session.get(User, neighbour.id))
        for bad in (0, -1, 2**40, "x", None):
            with pytest.raises(NotFoundError):
                notices.mark_read(bad, actor=db.session.get(User, owner.id), now=NOW)
        read = notices.mark_read(target, actor=db.session.get(User, owner.id), now=NOW)
        assert read.read_at == NOW
        again = notices.mark_read(target, actor=db.session.get(User, owner.id),
                                  now=NOW + timedelta(hours=1))
        assert again.read_at == NOW
        assert notices.unread_count(owner.id) == 1
        assert notices.mark_all_read(actor=db.session.get(User, owner.id), now=NOW) == 1
        assert notices.unread_count(owner.id) == 0


def test_the_badge_count_reads_only_the_partial_unread_index(app, make):
    """The navigation runs this on every page of a party: it must never scan the table."""
    user = make.user("homeowner")
    with app.app_context():
        sql = str(notices.unread_query(user.id).compile(
            db.engine, compile_kwargs={"literal_binds": True}))
        if db.engine.dialect.name == "sqlite":
            plan = " ".join(row[-1] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
        else:
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in db.session.execute(text("EXPLAIN " + sql)))
        db.session.rollback()
    assert "ix_notices_user_unread" in plan, plan
