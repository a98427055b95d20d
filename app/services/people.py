"""How the people of a case appear to one viewer: claimants, timeline names, list rows.

The rule itself is pure (``mediation.people.present_person``); ``app.access.case_relation``
says where the viewer stands towards the case's people. Every page, list and API call that
shows a person goes through here, so a neighbour in a group case is 王*燕 everywhere — in
the claimants' table, in "my cases", in the timeline and in ``GET /api/v1/cases/{id}``.

Timeline entries never spell a person's name in their stored text: an event that names
people (the representatives chosen) keeps their ids in ``CaseEvent.person_ids`` and the
names are shown per viewer here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.access import case_relation, person_relation
from app.extensions import db
from app.models import Case, CaseEvent, Person, Role, User
from mediation.people import Person as PersonData
from mediation.people import PersonView, Relation, present_in_list, present_person
from mediation.messages import Msg

__all__ = ["TimelineEntry", "present", "present_row_claimant", "present_row_claimants", "timeline"]


def _data(person: Person) -> PersonData:
    return PersonData(name=person.name, resident_id=person.resident_id, phone=person.phone)


def present(viewer: User, person: Person, default: Relation, *, in_list: bool = False
            ) -> PersonView:
    """``person`` as ``viewer`` may see them; ``default``: the viewer's relation to the
    case's people (``app.access.case_relation``), SELF is found here."""
    return present_person(person_relation(viewer, person.id, default), _data(person),
                          in_list=in_list)


def present_row_claimant(viewer: User, default: Relation, *, person_id: int | None,
                         name: str | None, phone: str | None) -> tuple[str | None, str | None]:
    """The (name, phone) of a list row's claimant for ``viewer``: a natural person follows
    the rule in its list form; a company (``person_id`` None) is shown as it is."""
    if person_id is None:
        return name, None
    view = present_person(person_relation(viewer, person_id, default),
                          PersonData(name=name, phone=phone), in_list=True)
    return view.name, (view.phone if phone else None)


def present_row_claimants(viewer: User, default: Relation, rows
                          ) -> list[tuple[str | None, str | None]]:
    """:func:`present_row_claimant` for a page of rows at once: ``rows`` are (person_id, name,
    phone). The viewer stands in ``default`` to every claimant but their own person record
    (SELF), so the rule is applied in at most two batches, not once per row."""
    own = viewer.person_id
    # The access rule asked once: is the viewer's own person record SELF to them?
    own = own if own is not None and person_relation(viewer, own, default) is Relation.SELF else None
    shown: list = [None] * len(rows)
    batches: dict[Relation, list[int]] = {}
    for index, (person_id, name, phone) in enumerate(rows):
        if person_id is None:  # a company: shown as it is
            shown[index] = (name, None)
        else:
            batches.setdefault(Relation.SELF if person_id == own else default, []).append(index)
    for relation, indexes in batches.items():
        for index, view in zip(indexes, present_in_list(
                relation, [(rows[i][1], rows[i][2]) for i in indexes])):
            shown[index] = view
    return shown


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's timeline as the viewer may read it."""

    at: datetime
    actor_name: str | None  # None: the platform itself
    actor_role: str | None
    from_status: str | None
    to_status: str
    outcome: str | None
    reason: str | None


def _actor_name(viewer: User, actor: User | None, people: dict[int, Person],
                default: Relation) -> str | None:
    if actor is None:
        return None
    if actor.role == Role.HOMEOWNER and actor.person_id in people:
        return present(viewer, people[actor.person_id], default).name
    return actor.name


def timeline(case: Case, events: list[CaseEvent], viewer: User,
             default: Relation | None = None) -> list[TimelineEntry]:
    """The case's events for ``viewer``, with every person named by the rule."""
    default = default or case_relation(viewer, case)
    wanted = {pid for e in events for pid in (e.person_ids or [])}
    wanted |= {e.actor.person_id for e in events
               if e.actor is not None and e.actor.person_id is not None}
    people = {p.id: p for p in db.session.scalars(
        select(Person).where(Person.id.in_(wanted)))} if wanted else {}
    entries = []
    for event in events:
        reason = Msg(event.reason, event.reason_en) if event.reason_en else event.reason
        named = [people[pid] for pid in (event.person_ids or []) if pid in people]
        if named:
            names = "、".join(present(viewer, p, default).name for p in named)
            reason = Msg("{r}：{names}", "{r}: {names}", r=reason, names=names) if reason else names
        entries.append(TimelineEntry(
            at=event.at, actor_name=_actor_name(viewer, event.actor, people, default),
            actor_role=event.actor_role, from_status=event.from_status,
            to_status=event.to_status, outcome=event.outcome, reason=reason))
    return entries
