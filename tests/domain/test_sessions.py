"""The session record's rules: every party named, a failure has its ground, confirmations
cover the exact text."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mediation.sessions import (
    Attendance, Offer, SessionError, SessionOutcome, SessionRecord, confirmed, offers_from_text,
    record_digest, validate_record,
)

NOW = datetime(2026, 12, 3, 4, 0, tzinfo=timezone.utc)
PARTIES = {"person:1", "developer:2"}


def _record(**kw):
    base = dict(held_at=NOW - timedelta(hours=1), place="售楼部会议室",
                attendance=(Attendance("person:1", True, "本人"), Attendance("developer:2", True, "委托代理人 李四")),
                notes="双方就逾期交房违约金进行协商。", offers=(Offer("被申请人", "支付违约金", 3_000_000),))
    base.update(kw)
    return SessionRecord(**base)


def test_a_record_naming_every_party_is_accepted_and_trimmed():
    checked = validate_record(_record(notes="  经过  "), parties=PARTIES, now=NOW)
    assert checked.notes == "经过" and checked.present == PARTIES


def test_a_party_left_out_of_the_attendance_is_refused():
    with pytest.raises(SessionError) as refused:
        validate_record(_record(attendance=(Attendance("person:1", True),)), parties=PARTIES, now=NOW)
    assert refused.value.field == "present"


def test_a_session_in_the_future_is_refused():
    with pytest.raises(SessionError, match="尚未举行"):
        validate_record(_record(held_at=NOW + timedelta(minutes=1)), parties=PARTIES, now=NOW)


def test_a_failed_session_needs_its_ground():
    with pytest.raises(SessionError) as refused:
        validate_record(_record(outcome=SessionOutcome.FAILED), parties=PARTIES, now=NOW)
    assert refused.value.field == "ground" and refused.value.message.en.startswith("Give the ground")
    ok = validate_record(_record(outcome=SessionOutcome.FAILED, ground="被申请人不同意支付"), parties=PARTIES, now=NOW)
    assert ok.ground == "被申请人不同意支付"


def test_a_record_is_confirmed_only_by_every_present_party_on_the_same_text():
    rec = _record(attendance=(Attendance("person:1", True), Attendance("developer:2", False)))
    digest = record_digest(rec)
    assert not confirmed(rec, {}, digest)
    assert confirmed(rec, {"person:1": digest}, digest)  # the absent party does not confirm
    changed = SessionRecord.from_dict({**rec.as_dict(), "notes": "改过的经过"})
    assert not confirmed(changed, {"person:1": digest}, digest)


def test_offers_are_read_one_per_line_in_fen():
    assert offers_from_text("被申请人|支付违约金|30000\n\n申请人|同意延期交房|") == (
        Offer("被申请人", "支付违约金", 3_000_000), Offer("申请人", "同意延期交房", None))
    with pytest.raises(SessionError) as refused:
        offers_from_text("只有一栏")
    assert refused.value.field == "offers"


def test_the_record_survives_its_json():
    rec = _record(outcome=SessionOutcome.SETTLED)
    assert SessionRecord.from_dict(rec.as_dict()) == rec
