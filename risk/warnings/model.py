"""The warning engine's vocabulary: levels, thresholds, the snapshot it reads and the
warnings it returns. Plain frozen dataclasses; nothing here knows JSON or a database."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from fractions import Fraction


class Level(IntEnum):
    """Levels, lowest to highest; ``NONE`` where no rule fires."""

    NONE = 0
    BLUE = 1
    YELLOW = 2
    ORANGE = 3
    RED = 4

    @property
    def code(self) -> str:
        return self.name.lower()

    @property
    def label_zh(self) -> str:
        return ("无", "蓝色", "黄色", "橙色", "红色")[self]

    @classmethod
    def from_code(cls, code: str) -> Level:
        return cls[code.upper()]


#: Rule names, in the order warnings are listed.
RULES = ("surge", "overdue_delivery", "inquiry_unanswered", "inquiry_non_compliant",
         "milestone_overdue", "commitment_broken", "blacklist", "contagion")


@dataclass(frozen=True)
class SurgeStep:
    """Complaints fire at ``level`` when ``n`` ≥ ``at_least`` and ``n`` ≥ ``times`` × the monthly mean."""

    level: Level
    at_least: int
    times: int


@dataclass(frozen=True)
class WarningRules:
    """The thresholds of every rule; the defaults are the court's (docs/early-warnings.md)."""

    # surge: a month's complaints against the mean month of the half-year before it. Five
    # is the smallest number a building's residents file together when something breaks;
    # doubling, tripling and five-fold are the steps a judge notices.
    surge_window_days: int = 30
    surge_baseline_days: int = 180
    surge_baseline_months: int = 6
    surge_min_monthly_mean: int = 1  # a quiet project's mean is taken as 1, so 5 is not "∞ times"
    surge_steps: tuple[SurgeStep, ...] = (
        SurgeStep(Level.BLUE, 5, 2), SurgeStep(Level.YELLOW, 10, 3), SurgeStep(Level.ORANGE, 20, 5))
    # overdue_delivery: a quarter, then half a year late with a fifth of the units still out
    # (商品房买卖合同解释 art. 11: a 3-month cure period before the buyer may rescind).
    delivery_orange_days: int = 90
    delivery_red_days: int = 180
    delivery_undelivered_share: Fraction = Fraction(1, 5)
    # inquiry_unanswered: two working weeks of silence after the deadline.
    inquiry_orange_working_days: int = 10
    # milestone_overdue: a month late is no longer a slip.
    milestone_red_days: int = 30
    # blacklist: 3 false commitments in a year (承诺制: repeated false commitments).
    blacklist_broken_commitments: int = 3
    blacklist_window_days: int = 365
    # contagion: one level above its own, never below yellow nor above orange.
    contagion_floor: Level = Level.YELLOW
    contagion_cap: Level = Level.ORANGE


DEFAULT_RULES = WarningRules()


@dataclass(frozen=True)
class Project:
    id: object
    developer_id: object
    units: int
    delivered_units: int
    promised_delivery: date | None
    complaints: tuple[date, ...] = ()


@dataclass(frozen=True)
class Inquiry:
    id: object
    project_id: object
    deadline: date
    answered_on: date | None = None
    review: str | None = None  # compliant · rectify · non_compliant · None (not reviewed)
    rectify_by: date | None = None
    rectified_on: date | None = None


@dataclass(frozen=True)
class Milestone:
    id: object
    developer_id: object
    due: date
    performed_on: date | None = None


@dataclass(frozen=True)
class Commitment:
    id: object
    developer_id: object
    due: date
    kept: bool | None = None


@dataclass(frozen=True)
class Guarantee:
    guarantor: object
    debtor: object


@dataclass(frozen=True)
class Snapshot:
    """Everything the rules read about one court on ``today`` (the court's date)."""

    today: date
    projects: tuple[Project, ...] = ()
    inquiries: tuple[Inquiry, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    guarantees: tuple[Guarantee, ...] = ()
    blacklisted: tuple[object, ...] = ()

    def developer_ids(self) -> list:
        """Every developer the snapshot names, in order of first appearance."""
        seen = {}
        for dev in (*(p.developer_id for p in self.projects),
                    *(m.developer_id for m in self.milestones),
                    *(c.developer_id for c in self.commitments),
                    *(x for g in self.guarantees for x in (g.guarantor, g.debtor)),
                    *self.blacklisted):
            seen.setdefault(dev, None)
        return list(seen)


@dataclass(frozen=True)
class RiskWarning:
    """One rule that fired, with its facts in Chinese and English."""

    rule: str
    level: Level
    facts_zh: str
    facts_en: str
    path: tuple = ()  # contagion: developer ids from this one to the red one

    def as_json(self, lang: str = "zh") -> dict:
        return {"rule": self.rule, "level": self.level.code,
                "facts": self.facts_zh if lang == "zh" else self.facts_en}


@dataclass(frozen=True)
class Assessment:
    """A project's or developer's level and the warnings that give it."""

    id: object
    level: Level
    warnings: tuple[RiskWarning, ...] = ()
    blacklisted: bool = False
    developer_id: object = None  # projects only


@dataclass(frozen=True)
class Evaluation:
    today: date
    projects: tuple[Assessment, ...] = field(default_factory=tuple)
    developers: tuple[Assessment, ...] = field(default_factory=tuple)

    def as_json(self, lang: str = "zh") -> dict:
        """The shape of the ``python -m risk.warnings`` contract."""
        return {
            "projects": [{"id": a.id, "level": a.level.code,
                          "warnings": [w.as_json(lang) for w in a.warnings]}
                         for a in self.projects],
            "developers": [{"id": a.id, "level": a.level.code, "blacklisted": a.blacklisted,
                            "warnings": [w.as_json(lang) for w in a.warnings]}
                           for a in self.developers],
        }
