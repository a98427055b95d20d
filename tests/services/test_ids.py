"""One reading of an id, wherever it is typed (app.services.ids)."""
from __future__ import annotations

import pytest

from app.services.errors import ServiceError
from app.services.ids import MAX_ID, parse_id, parse_ids


@pytest.mark.parametrize("value, expected", [
    (7, 7), ("7", 7), (" 42 ", 42), (str(MAX_ID), MAX_ID), ("0042", 42),
])
def test_a_positive_id_that_fits_a_row_is_read(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize("value", [
    None, "", " ", 0, "0", -1, "-1", "+5", "1.5", 1.0, "1e3", "abc", True, False,
    "１２", "١٢", MAX_ID + 1, str(MAX_ID + 1), "9" * 30, "<script>", ["1"],
])
def test_anything_else_names_no_row(value):
    """Signs, decimals, full-width or Arabic digits, bools and numbers past the id column: None."""
    assert parse_id(value) is None


def test_a_list_of_ids_keeps_its_order_and_drops_repeats():
    assert parse_ids(["3", 1, " 3", "2"], "案件", "case_ids") == [3, 1, 2]


def test_a_bad_id_in_a_list_is_named_with_its_field():
    with pytest.raises(ServiceError) as refused:
        parse_ids(["1", "x9"], "投诉", "complaint_ids")
    assert refused.value.field == "complaint_ids"
    assert refused.value.message == "投诉编号“x9”无效"
