"""Who uses the platform: the five roles, defined once.

- 业主 (homeowner): a buyer of a unit; files complaints, alone or for neighbours as a group.
- 开发企业 (developer): a company's staff; answers complaints against the company and files
  its own disputes (e.g. against buyers in default).
- 调解员 (mediator): court mediators, specially invited mediators, housing-bureau staff and
  lawyers to whom the court delegates pre-litigation mediation (委派调解).
- 法官 (judge): judges of the circuit court; triage, assignment, rulings, statistics.
- 书记员 (admin): the court clerk; accounts and reference data, not case files.

The codes are stable: the database (``users.role``, ``case_events.actor_role``, with a CHECK
constraint generated from :class:`Role`), the JSON API (``GET /api/v1/me``) and the phone app
use them. Labels come in Chinese (default) and English.
"""
from __future__ import annotations

from mediation.disputes import LabelledEnum

__all__ = ["COURT_STAFF", "JUDGES", "PARTIES", "Role"]


class Role(LabelledEnum):
    """A user's role; ``str(role)`` is its stable code."""

    HOMEOWNER = "homeowner", "业主", "Homeowner"
    DEVELOPER = "developer", "开发企业", "Developer"
    MEDIATOR = "mediator", "调解员", "Mediator"
    JUDGE = "judge", "法官", "Judge"
    ADMIN = "admin", "书记员", "Court clerk"

    @classmethod
    def of(cls, value) -> "Role | None":
        """The role named by ``value`` (a code or a member); None for anything else."""
        try:
            return cls(value)
        except ValueError:
            return None


#: The parties to a dispute: they file, withdraw their own application, opt out.
PARTIES = frozenset({Role.HOMEOWNER, Role.DEVELOPER})
#: The court's side of a mediation: the mediator it delegates to and its judges.
COURT_STAFF = frozenset({Role.MEDIATOR, Role.JUDGE})
#: Decisions only a judge takes (assignment, judicial confirmation, litigation, transfer).
JUDGES = frozenset({Role.JUDGE})
