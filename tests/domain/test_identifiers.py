"""Are developers, homeowners and phone numbers identified the way the standards say?"""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediation.identifiers import (
    USCC_ALPHABET,
    USCC_AUTHORITIES,
    InvalidIdentifierError,
    make_resident_id,
    make_uscc,
    mask_phone,
    mask_resident_id,
    validate_phone,
    validate_resident_id,
    validate_uscc,
)

# A published sample code (GB 32100-2015 style) whose check character is 3.
SAMPLE_USCC = "91350100M000100Y43"


# --- 统一社会信用代码 --------------------------------------------------------------------

uscc_bodies = st.builds(
    lambda authority, category, region, org: authority + category + region + org,
    st.sampled_from(USCC_AUTHORITIES),
    st.sampled_from(USCC_ALPHABET),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)


def test_a_valid_code_is_accepted_and_upper_cased():
    assert validate_uscc(" 91350100m000100y43 ") == SAMPLE_USCC


def test_a_wrong_check_character_names_the_right_one():
    with pytest.raises(InvalidIdentifierError) as error:
        validate_uscc("91350100M000100Y44")
    assert error.value.field == "uscc"
    assert str(error.value) == "统一社会信用代码校验位错误，应为3"


@pytest.mark.parametrize(
    "code, message",
    [
        ("", "请填写统一社会信用代码"),
        ("9135010M000100Y43", "统一社会信用代码应为18位，当前为17位"),
        ("91350100M0001I0Y43", "统一社会信用代码第14位“I”不是合法字符"),
        ("B1350100M000100Y43", "统一社会信用代码第1位应为登记管理部门代码"),
        ("9135A100M000100Y43", "统一社会信用代码第3至8位应为6位数字的行政区划码"),
    ],
)
def test_malformed_codes_are_refused_with_a_precise_message(code, message):
    with pytest.raises(InvalidIdentifierError) as error:
        validate_uscc(code)
    assert str(error.value).startswith(message)


def test_the_field_name_can_be_chosen_by_the_form():
    with pytest.raises(InvalidIdentifierError) as error:
        validate_uscc("123", field="developer_uscc")
    assert error.value.field == "developer_uscc"


@given(uscc_bodies)
def test_every_made_code_validates(body):
    code = make_uscc(body)
    assert len(code) == 18 and code.startswith(body)
    assert validate_uscc(code.lower()) == code


@given(uscc_bodies, st.sampled_from(USCC_ALPHABET))
def test_any_other_check_character_is_refused(body, other):
    code = make_uscc(body)
    if other != code[-1]:
        with pytest.raises(InvalidIdentifierError, match="校验位错误"):
            validate_uscc(body + other)


# --- 身份证号 ----------------------------------------------------------------------------

resident_bodies = st.builds(
    lambda region, born, seq: f"{region}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(["469005", "460100", "110105", "440305", "810000"]),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


def test_the_standard_example_gets_check_character_x():
    assert make_resident_id("11010519491231002") == "11010519491231002X"


def test_a_lower_case_x_is_normalised():
    assert validate_resident_id(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    "value, message",
    [
        ("110105194912310021", "身份证号校验位错误，应为X"),
        ("11010519491231002", "身份证号应为18位，当前为17位"),
        ("110105194902300021", "身份证号中的出生日期19490230不是有效日期"),
        ("1101051949123100AX", "身份证号前17位应全部为数字"),
        ("01010519491231002X", "身份证号前6位应为有效的行政区划码"),
        ("11010518991231002Y", "身份证号中的出生日期18991231早于1900年"),
    ],
)
def test_invalid_resident_ids_are_refused_with_a_precise_message(value, message):
    with pytest.raises(InvalidIdentifierError) as error:
        validate_resident_id(value)
    assert error.value.field == "resident_id"
    assert str(error.value).startswith(message)


def test_a_birth_date_after_today_is_refused_when_today_is_given():
    future = make_resident_id("46900520300101001")
    with pytest.raises(InvalidIdentifierError, match="晚于今天"):
        validate_resident_id(future, today=date(2026, 1, 1))
    assert validate_resident_id(future) == future  # without today, only the form is checked


@given(resident_bodies)
def test_every_made_resident_id_validates(body):
    assert validate_resident_id(make_resident_id(body)) == make_resident_id(body)


@given(resident_bodies, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_a_single_mistyped_digit_is_always_caught(body, position, shift):
    valid = make_resident_id(body)
    digit = str((int(valid[position]) + shift) % 10)
    mistyped = valid[:position] + digit + valid[position + 1:]
    with pytest.raises(InvalidIdentifierError):
        validate_resident_id(mistyped)


# --- Phones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 19912345678", "19912345678"),
        ("0898-63212345", "0898-63212345"),
        ("089863212345", "0898-63212345"),
        ("(0898) 6321 2345", "0898-63212345"),
        ("010-62345678", "010-62345678"),
        ("0898-63212345转801", "0898-63212345-801"),
    ],
)
def test_mobiles_and_landlines_are_normalised(value, expected):
    assert validate_phone(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "请填写联系电话"),
        ("12812345678", "手机号第二位应为3至9"),
        ("1381234567", "手机号应为11位，当前为10位"),
        ("0898-123", "固定电话应为“区号-号码”"),
        ("hello", "请填写有效的手机号"),
    ],
)
def test_bad_phone_numbers_are_refused(value, message):
    with pytest.raises(InvalidIdentifierError) as error:
        validate_phone(value)
    assert error.value.field == "phone"
    assert str(error.value).startswith(message)


# --- Masking -----------------------------------------------------------------------------


def test_lists_show_ids_and_phones_masked():
    assert mask_resident_id("469005199001011234") == "4690**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0898-63212345") == "0898-****2345"


@given(resident_bodies)
def test_a_masked_resident_id_shows_only_its_first_and_last_four(body):
    valid = make_resident_id(body)
    masked = mask_resident_id(valid)
    assert masked == valid[:4] + "*" * 10 + valid[-4:]


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_a_masked_mobile_hides_the_middle_four(mobile):
    masked = mask_phone(validate_phone(mobile))
    assert masked == mobile[:3] + "****" + mobile[-4:]


@given(st.text(max_size=30))
def test_a_masked_resident_id_never_shows_more_than_eight_characters(value):
    masked = mask_resident_id(value)
    assert len(masked) == len(value.strip())
    assert sum(ch != "*" for ch in masked) <= 8


def test_a_masked_name_keeps_its_first_and_last_character():
    """How does a neighbour's name appear to another claimant? 王*燕, never in full."""
    from mediation.identifiers import mask_name

    assert [mask_name(n) for n in ("王海燕", "欧阳娜娜", "张三", "李", " 王海燕 ")] == [
        "王*燕", "欧**娜", "张*", "*", "王*燕"]
