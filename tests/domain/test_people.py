"""Who sees a person's name, ID number and phone in full: one rule, asked from every side."""
from __future__ import annotations

import pytest

from mediation.people import EMPTY, Person, Relation, Shown, present_person

WANG = Person(name="王海燕", resident_id="469005198001011234", phone="13812345678")


def test_a_homeowner_sees_a_neighbour_in_the_group_as_wang_star_yan():
    """Does a fellow claimant of a group case see the neighbour's name, ID or phone?"""
    view = present_person(Relation.FELLOW_PARTY, WANG)
    assert (view.name, view.resident_id, view.phone) == (
        "王*燕", "4690**********1234", "138****5678")
    assert "遮蔽" in view.reason


def test_the_person_sees_themselves_in_full():
    view = present_person(Relation.SELF, WANG)
    assert (view.name, view.resident_id, view.phone) == (
        WANG.name, WANG.resident_id, WANG.phone)
    assert view.is_self


@pytest.mark.parametrize("relation", [Relation.COURT, Relation.MEDIATOR])
def test_the_court_and_the_mediator_see_name_and_phone_but_never_the_full_id(relation):
    """Can the judge or the assigned mediator read a full ID number on screen? No."""
    view = present_person(relation, WANG)
    assert (view.name, view.phone) == (WANG.name, WANG.phone)
    assert view.resident_id == "4690**********1234"
    assert view.resident_id_shown is Shown.MASKED


def test_the_developer_knows_who_claims_but_not_how_to_reach_them():
    view = present_person(Relation.COUNTERPARTY, WANG)
    assert (view.name, view.resident_id, view.phone) == (
        "王海燕", "4690**********1234", "138****5678")


@pytest.mark.parametrize("relation", list(Relation))
def test_a_list_masks_id_and_phone_for_everyone(relation):
    """In a table of many people, is any ID number or phone shown in full? No — not even
    the viewer's own."""
    view = present_person(relation, WANG, in_list=True)
    assert view.resident_id == "4690**********1234" and view.phone == "138****5678"


@pytest.mark.parametrize("relation", list(Relation))
def test_every_relation_has_a_rule_that_masks_something_or_is_the_person(relation):
    view = present_person(relation, WANG)
    masked = {view.name_shown, view.resident_id_shown, view.phone_shown}
    assert relation is Relation.SELF or Shown.MASKED in masked


def test_missing_values_show_as_a_dash():
    view = present_person(Relation.COURT, Person(name="李四"))
    assert (view.resident_id, view.phone) == (EMPTY, EMPTY)


def test_an_unknown_relation_is_refused():
    with pytest.raises(ValueError):
        present_person("neighbour", WANG)
