from datetime import datetime, timedelta, timezone

from mediation.duplicates import FiledComplaint, find_duplicate

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def filed(id, key="469005198001010011", project=1, kind="late_delivery", days=0):
    return FiledComplaint(id, key, project, kind, T0 + timedelta(days=days))


def test_same_person_project_and_type_within_30_days_is_a_duplicate():
    assert find_duplicate(filed(None, days=29), [filed(1), filed(2, days=10)]).id == 2


def test_after_30_days_it_is_a_new_dispute():
    assert find_duplicate(filed(None, days=31), [filed(1)]) is None


def test_another_person_project_or_type_is_not_a_duplicate():
    new = filed(None, days=1)
    assert find_duplicate(new, [filed(1, key="x"), filed(2, project=9), filed(3, kind="quality")]) is None
