"""Early warnings (风险预警): explained rules that rate each project and developer blue,
yellow, orange or red, so the court acts before buyers sue (关口前移).

The rules and their defaults (docs/early-warnings.md has the reasons):

* ``surge`` — complaints about a project in the last 30 days ``n`` ≥ 5 and ≥ 2 × the
  monthly mean ``m`` of the 180 days before (``m`` at least 1): blue; ``n`` ≥ 10 and ≥ 3 ×
  ``m`` yellow; ``n`` ≥ 20 and ≥ 5 × ``m`` orange.
* ``overdue_delivery`` — past the promised delivery date with units undelivered: yellow;
  more than 90 days and ≥ 20 % undelivered orange; more than 180 days and ≥ 20 % red.
* ``inquiry_unanswered`` — a compliance inquiry's deadline passed unanswered: yellow;
  10 or more working days after it (Chinese holidays and make-up days) orange.
* ``inquiry_non_compliant`` — an answer reviewed non-compliant, or a rectification date
  passed unrectified: orange.
* ``milestone_overdue`` — a developer's agreement milestone past due: orange; more than 30
  days red.
* ``commitment_broken`` — a dated commitment (承诺) not kept: orange for the developer.
* ``blacklist`` — 3 or more broken commitments due in the last 365 days, or a judge's
  decision: red for the developer and all its projects (失信名单; its guarantees refused).
* ``contagion`` — linked to a red developer through guarantees, either direction, any
  number of steps: one level above its own, at least yellow, at most orange; path shown.

A project's level is the highest its rules give; a developer's the highest of its
projects, its own rules and contagion. Windows count calendar days and include ``today``.
Pure: a :class:`Snapshot` and its ``today`` in, an :class:`Evaluation` out. The command
``python -m risk.warnings SNAPSHOT.json`` is the contract of docs/early-warnings.md.
"""
from risk.warnings.engine import assess
from risk.warnings.model import (
    DEFAULT_RULES,
    RULES,
    Assessment,
    Commitment,
    Evaluation,
    Guarantee,
    Inquiry,
    Level,
    Milestone,
    Project,
    Snapshot,
    SurgeStep,
    RiskWarning,
    WarningRules,
)
from risk.warnings.snapshot import SnapshotError, parse_snapshot, read_snapshot

__all__ = [
    "DEFAULT_RULES", "RULES", "Assessment", "Commitment", "Evaluation", "Guarantee", "Inquiry",
    "Level", "Milestone", "Project", "Snapshot", "SnapshotError", "SurgeStep", "RiskWarning",
    "WarningRules", "assess", "parse_snapshot", "read_snapshot",
]
