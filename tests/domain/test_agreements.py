"""The agreement's rules: what it must say, what draws a warning, when it takes effect, what
its signatures cover."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from mediation.agreements import (
    AgreementError, Content, Guarantee, MilestoneTerm, PaymentTerm, content_digest, effective_at,
    ownership_only_terms, signatures_hold, validate_content, warnings_for,
)
from mediation.lifecycle import CaseStatus, CaseState, TransitionError, allowed_transitions, apply_transition

NOW = datetime(2026, 12, 2, 2, 0)
CONTENT = Content(terms=("被申请人向申请人支付违约金48,000元。",),
                  payments=(PaymentTerm(date(2027, 1, 15), "开发企业", "申请人", 4_800_000, "违约金"),),
                  milestones=(MilestoneTerm("交付房屋", "开发企业", date(2027, 3, 31)),),
                  guarantees=(Guarantee("李四", "违约金的连带责任保证"),))


def test_a_term_that_only_confirms_ownership_is_flagged_with_article_355():
    terms = ["确认3栋1201室归申请人所有。", "被申请人协助申请人办理3栋1201室的不动产登记。",
             "被申请人向申请人支付违约金。"]
    assert ownership_only_terms(terms) == [1]
    (warning,) = warnings_for(Content(terms=tuple(terms)))
    assert "第1项" in warning and "第三百五十五条" in warning and "art. 355" in warning.en


@pytest.mark.parametrize("content, field", [
    (Content(terms=()), "terms"),
    (Content(terms=("a",), payments=(PaymentTerm(date(2027, 1, 1), "甲", "乙", 0),)), "payments"),
    (Content(terms=("a",), payments=(PaymentTerm(date(2027, 1, 1), "", "乙", 100),)), "payments"),
    (Content(terms=("a",), milestones=(MilestoneTerm("", "甲", date(2027, 1, 1)),)), "milestones"),
    (Content(terms=("a",), milestones=(MilestoneTerm("交付", "甲", date(2027, 1, 1), -5),)), "milestones"),
    (Content(terms=("a",), guarantees=(Guarantee("", "全部债务"),)), "guarantees"),
])
def test_an_incomplete_agreement_is_refused_naming_the_field(content, field):
    with pytest.raises(AgreementError) as caught:
        validate_content(content)
    assert caught.value.field == field


def test_the_agreement_takes_effect_at_the_last_signature():
    required = {"person:1", "developer:2"}
    assert effective_at(required, {"person:1": NOW}) is None
    later = NOW + timedelta(days=1)
    assert effective_at(required, {"person:1": later, "developer:2": NOW}) == later


def test_signatures_cover_the_content_and_a_changed_term_breaks_them():
    digest = content_digest(CONTENT)
    assert content_digest(Content.from_dict(CONTENT.as_dict())) == digest
    assert signatures_hold(CONTENT, [digest, digest])
    changed = Content(terms=("被申请人向申请人支付违约金4,800元。",), payments=CONTENT.payments)
    assert not signatures_hold(changed, [digest, digest])
    assert not signatures_hold(CONTENT, [])


def test_mediated_is_reached_only_through_a_signed_agreement():
    state = CaseState(status=CaseStatus.IN_MEDIATION)
    with pytest.raises(TransitionError, match="在线签署调解协议"):
        apply_transition(state, "mediated", actor_role="mediator", now=NOW, outcome="mediated")
    assert CaseStatus.MEDIATED not in {m.target for m in allowed_transitions(state, "mediator")}
    done = apply_transition(state, "mediated", actor_role="developer", now=NOW, outcome="mediated",
                            agreement_signed=True)
    assert done.state.status is CaseStatus.MEDIATED and done.state.concluded_at == NOW
