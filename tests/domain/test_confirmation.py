"""The 30 days for a joint application for judicial confirmation (民事诉讼法 art. 205)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from mediation.confirmation import ConfirmationError, application_deadline, check_application

EFFECTIVE = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in court time, 2 December
BOTH = {"person:1", "developer:2"}


def test_the_period_ends_on_the_thirtieth_day_after_the_agreement_took_effect():
    assert application_deadline(EFFECTIVE) == date(2027, 1, 1)
    # 2027-01-01 is a holiday: with a calendar the last day moves to the next working day
    assert application_deadline(EFFECTIVE, is_working_day=lambda d: d != date(2027, 1, 1)) == date(2027, 1, 2)


def test_a_joint_application_on_the_last_day_is_accepted_and_one_day_late_is_refused():
    last_day_evening = datetime(2027, 1, 1, 15, 0, tzinfo=timezone.utc)  # 23:00 court time
    assert check_application(EFFECTIVE, last_day_evening, applicants=BOTH, parties=BOTH) == date(2027, 1, 1)
    with pytest.raises(ConfirmationError, match="第二百零五条"):
        check_application(EFFECTIVE, last_day_evening + timedelta(hours=1), applicants=BOTH, parties=BOTH)


def test_one_party_alone_cannot_apply_and_an_unsigned_agreement_cannot_be_confirmed():
    with pytest.raises(ConfirmationError) as caught:
        check_application(EFFECTIVE, EFFECTIVE, applicants={"person:1"}, parties=BOTH)
    assert caught.value.field == "applicants"
    with pytest.raises(ConfirmationError, match="尚未生效"):
        check_application(None, EFFECTIVE, applicants=BOTH, parties=BOTH)
