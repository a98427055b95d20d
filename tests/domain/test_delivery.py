"""SMS quiet hours and digests after a pile-up (mediation.delivery): pure rules."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mediation.delivery import (
    DIGEST_AFTER, DueNotice, digest_text, in_quiet_hours, plan_deliveries, sms_allowed_at,
)
from mediation.lifecycle import COURT_TZ


def court(day: int, hour: int, minute: int = 0) -> datetime:
    """A court-time moment in December 2026, as UTC (how the dispatcher passes ``now``)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=COURT_TZ).astimezone(timezone.utc)


@pytest.mark.parametrize("moment, allowed", [
    (court(2, 8, 0), court(2, 8, 0)),      # the first minute of the day: send
    (court(2, 14, 30), court(2, 14, 30)),
    (court(2, 20, 59), court(2, 20, 59)),  # the last minute before the quiet hours
    (court(2, 21, 0), court(3, 8, 0)),     # 21:00: deferred to tomorrow 08:00
    (court(2, 23, 45), court(3, 8, 0)),
    (court(3, 0, 10), court(3, 8, 0)),     # after midnight: the same morning, not the next
    (court(3, 7, 59), court(3, 8, 0)),
])
def test_an_sms_in_the_quiet_hours_waits_for_eight_oclock_court_time(moment, allowed):
    """Is a text due at night deferred to 08:00 Asia/Shanghai (never dropped)?"""
    assert sms_allowed_at(moment) == allowed
    assert in_quiet_hours(moment) == (moment != allowed)
    assert sms_allowed_at(moment).tzinfo == timezone.utc


def due(id_, user, channel="email", waited=timedelta(hours=10), now=None, subject=None):
    now = now or court(3, 9)
    return DueNotice(id_, user, channel, subject or f"通知{id_}", now - waited)


def test_notices_piled_up_for_one_person_and_channel_go_as_one_digest():
    now = court(3, 9)
    plan = plan_deliveries([due(1, 7), due(2, 8), due(3, 7), due(4, 7, "sms"), due(5, 7)],
                           now=now)
    assert [(d.ids, d.user_id, d.channel, d.is_digest) for d in plan] == [
        ((1, 3, 5), 7, "email", True),  # three for user 7 by e-mail: one digest
        ((2,), 8, "email", False),
        ((4,), 7, "sms", False),        # another channel is counted on its own
    ]


def test_two_piled_up_notices_or_a_fresh_burst_go_one_by_one():
    """A dispatcher that runs every minute meets three fresh notices for a judge: no digest."""
    now = court(3, 9)
    fresh = [due(i, 7, waited=timedelta(minutes=1)) for i in (1, 2, 3)]
    assert [d.ids for d in plan_deliveries(fresh, now=now)] == [(1,), (2,), (3,)]
    two = [due(4, 7), due(5, 7)]
    assert [d.ids for d in plan_deliveries(two, now=now)] == [(4,), (5,)]
    edge = [due(i, 7, waited=DIGEST_AFTER) for i in (6, 8, 9)]
    assert [d.ids for d in plan_deliveries(edge, now=now)] == [(6, 8, 9)]


def test_deliveries_are_in_order_of_their_first_notice():
    """Crash repair relies on it: the first unfinished notice of a run was the one in flight."""
    now = court(3, 9)
    plan = plan_deliveries([due(1, 9), due(2, 7), due(3, 7), due(4, 7), due(5, 9)], now=now)
    assert [d.ids for d in plan] == [(1,), (2, 3, 4), (5,)]


def test_a_digest_lists_the_notices_and_stays_short_by_sms():
    subject, body = digest_text([f"通知{i}" for i in range(1, 6)], channel="sms")
    assert subject == "您有5条新通知"
    assert "1. 通知1" in body and "3. 通知3" in body and "通知4" not in body
    assert body.endswith("……另有2条")
    _, mail = digest_text([f"通知{i}" for i in range(1, 6)], channel="email")
    assert "5. 通知5" in mail and "另有" not in mail


def test_a_digest_speaks_english_to_an_english_reader():
    subject, body = digest_text(["Case 1 is scheduled", "Case 2 is closed", "x", "y"],
                                channel="sms", locale="en")
    assert subject == "You have 4 new notices"
    assert "1. Case 1 is scheduled" in body and body.endswith("… and 1 more")
