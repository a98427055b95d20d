"""A page of rows presented at once follows the same rule as one person presented alone."""
from __future__ import annotations

import pytest

from mediation.people import EMPTY, Person, Relation, present_in_list, present_person

PEOPLE = [("王海燕", "13800138000"), ("欧阳娜娜", "0898-63331234"), ("张三", None), (None, "13900001111"),
          ("  ", "  "), ("李", ""), ("<b>陈立</b>", "139-0000")]


@pytest.mark.parametrize("relation", list(Relation))
def test_a_batch_shows_each_person_as_present_person_does_in_a_list(relation):
    shown = present_in_list(relation, PEOPLE)
    for (name, phone), (shown_name, shown_phone) in zip(PEOPLE, shown, strict=True):
        view = present_person(relation, Person(name=name, phone=phone), in_list=True)
        assert shown_name == view.name
        assert shown_phone == (view.phone if phone else None)


def test_in_a_list_a_neighbour_is_wang_star_yan_and_every_phone_is_masked():
    assert present_in_list(Relation.FELLOW_PARTY, PEOPLE[:1]) == [("王*燕", "138****8000")]
    assert present_in_list(Relation.COURT, PEOPLE[:1]) == [("王海燕", "138****8000")]
    assert present_in_list(Relation.SELF, PEOPLE[:1]) == [("王海燕", "138****8000")]
    assert present_in_list(Relation.OTHER, [(None, None)]) == [(EMPTY, None)]


def test_an_unknown_relation_is_refused():
    with pytest.raises(ValueError):
        present_in_list("neighbour", PEOPLE)
