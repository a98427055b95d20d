"""Can anyone be in two places at once on a site visit?"""
from datetime import datetime, timedelta, timezone

import pytest

from mediation.visits import BookedVisit, ProposedVisit, VisitError, check_visit

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)
NINE = datetime(2026, 12, 3, 1, 0, tzinfo=timezone.utc)  # 09:00 in Wenchang


def visit(**changes):
    fields = dict(mediator_id=1, project_id=10, room="售楼部会议室", starts_at=NINE,
                  ends_at=NINE + timedelta(hours=2), case_ids=frozenset({100}),
                  party_ids=frozenset({7}))
    fields.update(changes)
    return ProposedVisit(**fields)


def booked(**changes):
    fields = dict(mediator_id=2, project_id=11, room="会议室", starts_at=NINE + timedelta(hours=1),
                  ends_at=NINE + timedelta(hours=3), case_ids=frozenset({200}),
                  party_ids=frozenset({8}), id=5, mediator_name="李调解", project_name="椰风海韵")
    fields.update(changes)
    return BookedVisit(**fields)


def test_a_visit_that_clashes_with_nobody_is_accepted():
    check_visit(visit(), [booked()], now=NOW)


@pytest.mark.parametrize("clash, field, words", [
    ({"mediator_id": 1}, "starts_at", "调解员李调解在2026-12-03 10:00至2026-12-03 12:00已有上门调解"),
    ({"project_id": 10, "room": "售楼部会议室"}, "room", "“售楼部会议室”在2026-12-03 10:00至2026-12-03 12:00已被占用"),
    ({"party_ids": frozenset({7})}, "case_ids", "当事人王五在2026-12-03 10:00"),
])
def test_the_mediator_the_room_and_a_party_are_never_double_booked(clash, field, words):
    with pytest.raises(VisitError) as refused:
        check_visit(visit(), [booked(**clash)], now=NOW, party_names={7: "王五"})
    assert refused.value.field == field and words in refused.value.message
    assert refused.value.message.en


def test_back_to_back_visits_do_not_clash():
    check_visit(visit(), [booked(mediator_id=1, starts_at=NINE + timedelta(hours=2))], now=NOW)


@pytest.mark.parametrize("changes, words", [
    ({"case_ids": frozenset()}, "至少选择一件案件"),
    ({"ends_at": NINE}, "结束时间应晚于开始时间"),
    ({"ends_at": NINE + timedelta(hours=11)}, "不超过10小时"),
    ({"starts_at": NOW - timedelta(hours=1), "ends_at": NOW + timedelta(hours=1)}, "开始时间已过"),
])
def test_a_malformed_visit_is_refused(changes, words):
    with pytest.raises(VisitError, match=words):
        check_visit(visit(**changes), [], now=NOW)
