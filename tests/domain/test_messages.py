"""Messages speak both languages: the court's Chinese, and English for the English interface."""
from __future__ import annotations

import pickle
from datetime import datetime, timezone

import pytest

from mediation.amounts import InvalidAmountError, parse_yuan
from mediation.identifiers import InvalidIdentifierError, validate_resident_id
from mediation.lifecycle import CaseState, CaseStatus, TransitionError, apply_transition
from mediation.messages import Msg, localize

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)


def test_a_message_is_its_chinese_text_and_knows_its_english():
    m = Msg("近{days}天新增投诉{n}件", "{n} complaints in the last {days} days", days=30, n=42)
    assert m == "近30天新增投诉42件" and isinstance(m, str)
    assert localize(m, "en") == "42 complaints in the last 30 days"
    assert localize(m, "zh") == "近30天新增投诉42件"
    assert localize(m, None) == "近30天新增投诉42件"
    assert pickle.loads(pickle.dumps(m)).en == m.en


def test_plain_text_is_shown_as_it_is_in_either_language():
    assert localize("王海燕", "en") == "王海燕" and localize(None, "en") == ""


def test_a_refused_move_explains_itself_in_english_too():
    state = CaseState(status=CaseStatus.REGISTERED)
    with pytest.raises(TransitionError) as refused:
        apply_transition(state, "performing", actor_role="judge", now=NOW)
    message = refused.value.message
    assert "不能直接变更为" in message
    assert localize(message, "en") == "A case that is “Registered” cannot become “Performing”"


def test_a_missing_reason_names_the_field_in_both_languages():
    state = CaseState(status=CaseStatus.ASSIGNED)
    with pytest.raises(TransitionError) as refused:
        apply_transition(state, "registered", actor_role="mediator", now=NOW, reason=" ")
    assert refused.value.message == "请填写拒绝或回避理由"
    assert localize(refused.value.message, "en") == "Please give the reason for declining or recusal"


def test_identifier_and_amount_errors_carry_english():
    with pytest.raises(InvalidIdentifierError) as bad_id:
        validate_resident_id("46900519900101123")
    assert localize(bad_id.value.message, "en") == "A resident ID has 18 characters, not 17"
    with pytest.raises(InvalidAmountError) as bad_amount:
        parse_yuan("12.345")
    assert localize(bad_amount.value.message, "en") == "The amount has at most two decimals (fen)"
