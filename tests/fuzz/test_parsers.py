"""Hypothesis on the parsers that read what people and other systems type or send: any input
gives a value or the parser's documented refusal, never another exception (docs/fuzzing.md).

- ID numbers and credit codes (``mediation.identifiers``): ``InvalidIdentifierError``;
- amounts (``mediation.amounts.parse_yuan``, full-width digits included): ``InvalidAmountError``;
- referral CSV files and rows (``app.services.referral_csv``): ``FileFormatError`` for the
  file, row errors in the returned list, ``ValueError`` from the cell parsers;
- scenario JSON of ``risk.plan`` (``ScenarioError``) and snapshot JSON of ``risk.warnings``
  (``SnapshotError``).

Derandomized: the same examples every run; ``FUZZ_EXAMPLES`` raises the count.
"""
from __future__ import annotations

import json
import os
import string
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mediation.amounts import MAX_CLAIM_FEN, InvalidAmountError, fen_to_yuan_text, format_yuan, parse_yuan
from mediation.identifiers import (
    InvalidIdentifierError, make_resident_id, make_uscc, validate_phone, validate_resident_id,
    validate_uscc,
)
from mediation.assign.scenario import ScenarioError as AssignmentScenarioError
from mediation.assign.scenario import read_scenario as read_assignment_scenario
from risk.guarantee_graph import ScenarioError, parse_scenario, read_scenario
from risk.warnings.snapshot import SnapshotError, parse_snapshot, read_snapshot

EXAMPLES = max(200, int(os.environ.get("FUZZ_EXAMPLES", "0")) * 20)
fuzz = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
TODAY = date(2026, 12, 2)

FULL_WIDTH_DIGITS = "０１２３４５６７８９"
#: Characters a person may type or paste into a number field.
TYPED = st.text(alphabet=st.sampled_from(
    string.digits + FULL_WIDTH_DIGITS + "xX.,，．、 \u3000¥￥元-+eE_٣𝟙\x00\t\n"), max_size=30)
ANY_TEXT = st.one_of(st.text(max_size=40), TYPED)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


def _full_width(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in string.digits + ".,"})


# --- ID numbers and credit codes ------------------------------------------------------------

@fuzz
@given(st.one_of(ANY_TEXT, st.text(alphabet=string.digits + "Xx", min_size=15, max_size=19),
                 st.none()))
@example("11010119900307123" + "\x00")
@example("１１０１０１１９９００３０７１２３Ｘ")
def test_a_resident_id_is_valid_or_refused_with_a_reason(text):
    try:
        value = validate_resident_id(text, today=TODAY)
    except InvalidIdentifierError as error:
        assert error.message and error.field == "resident_id"
    else:
        assert len(value) == 18 and value == validate_resident_id(value, today=TODAY)


@fuzz
@given(st.text(alphabet=string.digits, min_size=17, max_size=17))
def test_a_made_resident_id_passes_or_its_body_is_refused(body):
    try:
        made = make_resident_id(body)
        assert validate_resident_id(made) == made
    except InvalidIdentifierError as error:
        assert error.message


@fuzz
@given(st.one_of(ANY_TEXT, st.text(alphabet=string.digits + string.ascii_uppercase, min_size=17,
                                   max_size=19), st.none()))
def test_a_credit_code_is_valid_or_refused_with_a_reason(text):
    try:
        value = validate_uscc(text)
    except InvalidIdentifierError as error:
        assert error.message and error.field == "uscc"
    else:
        assert len(value) == 18 and validate_uscc(value) == value


@fuzz
@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_a_made_credit_code_passes_or_its_body_is_refused(body):
    try:
        made = make_uscc(body)
        assert validate_uscc(made) == made
    except InvalidIdentifierError as error:
        assert error.message


@fuzz
@given(st.one_of(ANY_TEXT, st.none()))
def test_a_phone_is_valid_or_refused_with_a_reason(text):
    try:
        validate_phone(text)
    except InvalidIdentifierError as error:
        assert error.message


# --- Amounts --------------------------------------------------------------------------------

@fuzz
@given(st.one_of(ANY_TEXT, st.none()))
@example("1e999999999")
@example("９" * 400)
@example("１２，３４５．６７")
def test_an_amount_is_fen_or_refused_with_a_reason(text):
    try:
        fen = parse_yuan(text)
    except InvalidAmountError as error:
        assert error.message
    else:
        assert isinstance(fen, int) and 0 <= fen <= MAX_CLAIM_FEN


@fuzz
@given(st.integers(min_value=0, max_value=MAX_CLAIM_FEN))
def test_every_amount_reads_back_in_every_way_it_is_written(fen):
    plain = fen_to_yuan_text(fen)
    assert parse_yuan(plain) == fen
    assert parse_yuan(_full_width(plain)) == fen  # a Chinese input method in full-width mode
    assert parse_yuan(format_yuan(fen)) == fen  # ¥1,234.56
    assert parse_yuan(plain + "元") == fen


# --- Referral CSV ---------------------------------------------------------------------------

class _Projects:
    """``CourtProjects`` without a database: one project, by number or name."""

    def resolve(self, text: str):
        from app.services.referral_csv import ProjectRef

        if text in ("1", "椰林湾"):
            return ProjectRef(id=1, name="椰林湾", developer_id=1)
        raise ValueError(f"本院没有名为“{text[:30]}”的项目")


def _cells():
    return st.one_of(ANY_TEXT, st.sampled_from(
        ["110101199003071236", "13800138000", "椰林湾", "1", "逾期交房", "2026-11-27",
         "1,234.5", "1e999999999", "", "=cmd()", '"', "2026-02-30"]))


@fuzz
@given(st.dictionaries(st.sampled_from(
    ["name", "resident_id", "phone", "project", "unit", "dispute_type", "claim_yuan", "facts",
     "received_on", "external_ref"]), _cells()), st.integers(min_value=0, max_value=3))
def test_a_referral_row_is_clean_or_has_its_errors_listed(values, extra):
    from app.services.referral_csv import RawRow, validate_row

    row, errors = validate_row(RawRow(2, values, extra), _Projects(), TODAY)
    assert (row is None) == bool(errors)
    assert all(e["row"] == 2 and e["message"].startswith("第2行") for e in errors)


@fuzz
@given(ANY_TEXT)
@example("1e999999999")
@example("9" * 5000)
def test_a_csv_amount_and_date_are_read_or_refused_in_chinese(text):
    from app.services.referral_csv import parse_day, parse_yuan as csv_yuan

    for parse in (csv_yuan, parse_day):
        try:
            parse(text)
        except ValueError as error:
            assert str(error)


@fuzz
@given(st.one_of(
    st.binary(max_size=300),
    st.lists(st.lists(_cells(), max_size=12), max_size=6).map(
        lambda rows: "\n".join(",".join(r) for r in rows).encode()),
    st.lists(_cells(), max_size=12).map(
        lambda row: ("姓名,身份证号,联系电话,项目,纠纷类型,诉求金额,事实与理由,来件日期\n"
                     + ",".join(row)).encode("gb18030", "replace"))))
@example(b"PK\x03\x04")
@example(b"\xff\xfe\x00")
@example('姓名,身份证号\n"unclosed'.encode())
def test_a_csv_file_is_read_into_rows_or_refused_as_a_whole(data):
    from app.services.referral_csv import FileFormatError, decode_csv, read_rows

    try:
        rows, positions = read_rows(decode_csv(data))
    except FileFormatError as error:
        assert error.message
    else:
        assert all(row.row >= 2 for row in rows) and positions


# --- Scenario and snapshot JSON -------------------------------------------------------------

SCENARIO_KEYS = ("cases", "assets", "guarantees", "obligations", "cash", "policy")
SNAPSHOT_KEYS = ("today", "projects", "inquiries", "milestones", "commitments", "guarantees",
                 "blacklisted")


def _shaped(keys):
    """Objects with the document's keys holding lists of small objects: deep enough to reach
    the checks of each field, not only the first 'expected an object'."""
    item = st.dictionaries(st.sampled_from(
        ["id", "owner", "kind", "value", "secures", "divisible", "release_allowed", "provider",
         "backed_by", "from_stage", "cost", "reduces", "after", "exposure", "developer_id",
         "units", "delivered_units", "complaints", "project_id", "deadline", "review", "due",
         "performed_on", "kept", "guarantor", "debtor", "sent_on", "answered_on"]),
        st.one_of(JSON, st.sampled_from(["2026-11-27", "c1", "a1", "d1", 100, [], ["c1"],
                                          {"c1": 50}, True])), max_size=8)
    return st.fixed_dictionaries({}, optional={
        key: st.one_of(st.lists(item, max_size=3), JSON, st.sampled_from(["2026-12-01", {}]))
        for key in keys})


@fuzz
@given(st.one_of(JSON, _shaped(SCENARIO_KEYS)))
def test_a_scenario_is_read_or_refused_naming_the_field(data):
    try:
        parse_scenario(data)
    except ScenarioError as error:
        assert error.field


@fuzz
@given(st.one_of(st.text(max_size=60), JSON.map(json.dumps)))
@example("[" * 100_000)
@example("9" * 5000)
@example('{"cases": NaN}')
def test_scenario_text_is_read_or_refused_naming_the_field(text):
    try:
        read_scenario(text)
    except ScenarioError as error:
        assert error.field


@fuzz
@given(st.one_of(JSON, _shaped(SNAPSHOT_KEYS)))
def test_a_snapshot_is_read_or_refused_naming_the_field(data):
    try:
        read_snapshot(data)
    except SnapshotError as error:
        assert error.field


@fuzz
@given(st.one_of(st.text(max_size=60), JSON.map(json.dumps)))
@example("[" * 100_000)
@example('{"today": "2026-12-02", "projects": [{"id": "p", "units": ' + "9" * 5000 + "}]}")
def test_snapshot_text_is_read_or_refused_naming_the_field(text):
    try:
        parse_snapshot(text)
    except SnapshotError as error:
        assert error.field


@fuzz
@given(st.one_of(st.text(max_size=60), JSON.map(json.dumps)))
@example("[" * 100_000)
@example('{"cases": [{"id": "c", "capacity": ' + "9" * 5000 + "}]}")
@example('{"cases": Infinity}')
def test_assignment_scenario_text_is_read_or_refused_naming_the_field(text):
    try:
        read_assignment_scenario(text)
    except AssignmentScenarioError as error:
        assert error.field


@pytest.mark.parametrize("parse, refusal", [
    (read_scenario, ScenarioError), (parse_snapshot, SnapshotError),
    (read_assignment_scenario, AssignmentScenarioError)])
@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "9" * 5000, "[1e999999999]"])
def test_json_past_the_stack_or_the_digit_limit_is_refused_not_a_crash(parse, refusal, text):
    with pytest.raises(ValueError) as refused:
        parse(text)
    assert type(refused.value) is refusal
