"""A judicially confirmed agreement's payments and milestones, tracked as ``obligations``
with their due days — whoever performs them.

The developer's become the release planner's obligations (``developer_id``: they cost the
developer's cash and lower the case's exposure). A homeowner's (paying the balance, taking
delivery, signing the filing …) are tracked too, under ``person_id``: the planner reads
developer rows only (``app.services.release.build_scenario``), so they never change a
release plan. Who performs an item is read from the agreement's own words: a party's name,
its role in the agreement (申请人 / 被申请人), or the usual words for the developer
(开发企业, 开发商) and for buyers (业主, 买受人, 购房人). An item performed by someone else
(a guarantor) stays in the agreement only. See docs/on-site.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select

from app.access import Permission, can, case_relation
from app.extensions import db
from app.models import Agreement, Case, Developer, Obligation, ObligationReduction, Person, User
from app.services.people import present
from mediation.agreements import Content

__all__ = ["ObligationRow", "case_obligations", "obligations_of", "track_obligations"]

#: Words an agreement uses for the developer, and for the homeowners who bought from it.
DEVELOPER_WORDS = ("开发企业", "开发商")
BUYER_WORDS = ("业主", "买受人", "购房人")


def performers(who: str, parties: list[tuple[str, str]], developer: Developer) -> list[str]:
    """The party keys an item's performer (``who``) names: by name, by role in the
    agreement, or by the usual words; [] when it names none of the parties."""
    who = (who or "").strip()
    names = {}
    for key, _role in parties:
        kind, _, ident = key.partition(":")
        row = db.session.get(Person if kind == "person" else Developer, int(ident))
        names[key] = row.name if row is not None else ""
    by_name = [k for k, _ in parties if names[k] == who]
    if by_name:
        return by_name
    if who in DEVELOPER_WORDS or who == developer.name:
        return [f"developer:{developer.id}"]
    if who in ("申请人", "被申请人"):
        return [k for k, role in parties if role == who]
    if who in BUYER_WORDS:
        return [k for k, _ in parties if k.startswith("person:")]
    return []


def track_obligations(case: Case, agreement: Agreement, parties: list[tuple[str, str]],
                      now: datetime) -> list[Obligation]:
    """Each payment and milestone of the confirmed ``agreement`` becomes one obligation per
    party that performs it (``parties``: the agreement's (key, role))."""
    content = Content.from_dict(agreement.content)
    developer = db.session.get(Developer, case.developer_id)
    items = [(f"付款：{p.payer}→{p.payee}" + (f"（{p.settles}）" if p.settles else ""), p.payer, p.due, p.amount_fen)
             for p in content.payments]
    items += [(m.what + (f"（{m.settles}）" if m.settles else ""), m.who, m.due, m.amount_fen or 0)
              for m in content.milestones]
    made = []
    for description, who, due, amount in items:
        for key in performers(who, parties, developer):
            kind, _, ident = key.partition(":")
            obligation = Obligation(description=description[:200], cost_fen=amount, status="open",
                                    created_at=now, agreement_id=agreement.id, case_id=case.id, due_on=due,
                                    performer=who[:100])
            if kind == "developer":
                obligation.developer_id = int(ident)
                if amount > 0:  # the developer's performance lowers the case's exposure
                    obligation.reductions = [ObligationReduction(case_id=case.id, amount_fen=amount)]
            else:
                obligation.person_id = int(ident)
            db.session.add(obligation)
            made.append(obligation)
    return made


# --- Showing them --------------------------------------------------------------------------


@dataclass(frozen=True)
class ObligationRow:
    obligation: Obligation
    case: Case
    #: "developer" or "homeowner": who performs it.
    side: str
    #: The performer as this viewer may see them (a person per app.services.people).
    party: str
    due_on: date | None


def _row(viewer: User, obligation: Obligation, case: Case) -> ObligationRow:
    if obligation.person_id is not None:
        person = db.session.get(Person, obligation.person_id)
        shown = present(viewer, person, case_relation(viewer, case)).name
        return ObligationRow(obligation, case, "homeowner", shown, obligation.due_on)
    developer = db.session.get(Developer, obligation.developer_id)
    return ObligationRow(obligation, case, "developer", developer.name, obligation.due_on)


def case_obligations(viewer: User, case: Case) -> list[ObligationRow]:
    """The obligations tracked for ``case`` (the caller checked the viewer sees the case)."""
    rows = db.session.scalars(select(Obligation).where(Obligation.case_id == case.id)
                              .order_by(Obligation.due_on, Obligation.id))
    return [_row(viewer, o, case) for o in rows]


def obligations_of(user: User) -> list[ObligationRow]:
    """For a party's home page: a homeowner's own obligations; a developer's own, and its
    buyers' in its cases (what it is owed). Only from confirmed agreements."""
    if user.role == "homeowner" and user.person_id:
        where = Obligation.person_id == user.person_id
    elif user.role == "developer" and user.developer_id:
        where = or_(Obligation.developer_id == user.developer_id,
                    Obligation.case_id.in_(select(Case.id).where(Case.developer_id == user.developer_id)))
    else:
        return []
    rows = db.session.execute(select(Obligation, Case).join(Case, Case.id == Obligation.case_id)
                              .where(where, Obligation.agreement_id.is_not(None))
                              .order_by(Obligation.due_on, Obligation.id)).all()
    return [_row(user, o, c) for o, c in rows if can(user, Permission.CASE_VIEW, c)]
