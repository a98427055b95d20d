"""How a natural person appears to whoever is looking: one rule for every page, list and call.

A homeowner's name, resident ID number and phone are personal information; the platform
shows each only as far as the viewer needs it (个人信息保护法 art. 6: limited to the
minimum necessary; art. 51: de-identification as a protective measure):

| viewer's relation to the person            | name    | ID number | phone  |
|--------------------------------------------|---------|-----------|--------|
| the person themselves                      | full    | full      | full   |
| a judge of the case's court                | full    | masked    | full   |
| the case's assigned mediator               | full    | masked    | full   |
| the other side of the dispute (developer)  | full    | masked    | masked |
| a fellow party (a neighbour in a group)    | 王*燕   | masked    | masked |
| anyone else                                | 王*燕   | masked    | masked |

The court and the mediator must reach the parties, so they see names and phones; nobody
reads a full ID number on screen (a reveal that is recorded in an audit trail may come
later). The respondent knows who claims against it — the name — but not how to reach them
privately. Neighbours in a group case see each other as 王*燕.

In a **list** (a table of many people) ID numbers and phones are masked for everyone, the
person included (``4690**********1234``, ``138****5678``); only the name follows the table.

Companies (developers) are not natural persons: their names and codes are shown in full.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mediation.identifiers import mask_name, mask_phone, mask_resident_id

__all__ = ["EMPTY", "Person", "PersonView", "Relation", "Shown", "present_in_list",
           "present_person", "shown_to"]

#: What is shown for a value the record does not have.
EMPTY = "—"


class Relation(StrEnum):
    """The viewer's relation to the person shown (decided by ``app.access``)."""

    SELF = "self"
    COURT = "court"
    MEDIATOR = "mediator"
    COUNTERPARTY = "counterparty"
    FELLOW_PARTY = "fellow_party"
    OTHER = "other"


class Shown(StrEnum):
    FULL = "full"
    MASKED = "masked"


F, M = Shown.FULL, Shown.MASKED

#: (name, resident ID, phone) for each relation, on a page about one case or complaint.
RULES: dict[Relation, tuple[Shown, Shown, Shown]] = {
    Relation.SELF: (F, F, F),
    Relation.COURT: (F, M, F),
    Relation.MEDIATOR: (F, M, F),
    Relation.COUNTERPARTY: (F, M, M),
    Relation.FELLOW_PARTY: (M, M, M),
    Relation.OTHER: (M, M, M),
}

_WHY = {
    Relation.SELF: "本人信息完整显示",
    Relation.COURT: "法院可见当事人姓名和电话，身份证号遮蔽显示",
    Relation.MEDIATOR: "承办调解员可见当事人姓名和电话，身份证号遮蔽显示",
    Relation.COUNTERPARTY: "对方当事人可见姓名，身份证号和电话遮蔽显示",
    Relation.FELLOW_PARTY: "同案其他申请人的姓名、身份证号和电话均遮蔽显示",
    Relation.OTHER: "非本案人员只见遮蔽后的信息",
}


@dataclass(frozen=True)
class Person:
    """A natural person as stored: any field may be missing."""

    name: str | None
    resident_id: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class PersonView:
    """The person as this viewer may see them, and why."""

    name: str
    resident_id: str
    phone: str
    relation: Relation
    name_shown: Shown
    resident_id_shown: Shown
    phone_shown: Shown
    reason: str

    @property
    def is_self(self) -> bool:
        return self.relation is Relation.SELF


def _show(value: str | None, shown: Shown, mask) -> str:
    text = (value or "").strip()
    if not text:
        return EMPTY
    return text if shown is Shown.FULL else mask(text)


def shown_to(relation: Relation | str, *, in_list: bool = False) -> tuple[Shown, Shown, Shown]:
    """How much of (name, resident ID, phone) a viewer in ``relation`` sees: the rule
    (``RULES``) and, ``in_list``, its list form — ID numbers and phones masked for everyone."""
    name, resident_id, phone = RULES[Relation(relation)]
    if in_list:
        resident_id = phone = Shown.MASKED
    return name, resident_id, phone


def present_person(relation: Relation | str, person: Person, *, in_list: bool = False
                   ) -> PersonView:
    """Show ``person`` to a viewer standing in ``relation`` to them.

    ``in_list``: the person is one row of a table, where ID numbers and phones are masked
    for every viewer.
    """
    relation = Relation(relation)
    name, resident_id, phone = shown_to(relation, in_list=in_list)
    reason = _WHY[relation]
    if in_list:
        reason += "；列表中身份证号和电话一律遮蔽显示"
    return PersonView(
        name=_show(person.name, name, mask_name),
        resident_id=_show(person.resident_id, resident_id, mask_resident_id),
        phone=_show(person.phone, phone, mask_phone),
        relation=relation, name_shown=name, resident_id_shown=resident_id, phone_shown=phone,
        reason=reason,
    )


def present_in_list(relation: Relation | str, people) -> list[tuple[str, str | None]]:
    """The (name, phone) of each (name, phone) in ``people`` as one viewer standing in
    ``relation`` to all of them sees it in a list: what ``present_person(relation, Person(name,
    phone=phone), in_list=True)`` shows, for a page of rows at once — the rule is read once,
    not an object built per person. A phone the record lacks is None (nothing to show)."""
    name_shown, _, phone_shown = shown_to(relation, in_list=True)
    full_name, full_phone = name_shown is Shown.FULL, phone_shown is Shown.FULL
    shown = []
    for name, phone in people:
        name = (name or "").strip()
        name = EMPTY if not name else name if full_name else mask_name(name)
        if phone:
            text = phone.strip()
            phone = EMPTY if not text else text if full_phone else mask_phone(text)
        else:
            phone = None
        shown.append((name, phone))
    return shown
