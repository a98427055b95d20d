"""What the prevention pages show: a project's whole history (complaints per month,
inquiries, warnings, commitments, freezes) and, for a developer's staff, its projects'
levels and what it must do next. Reads only; every object is asked of ``app.access``.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select

from app.access import Permission, can
from app.extensions import db
from app.models import (
    Commitment, Complaint, ComplianceInquiry, FrozenAsset, Project, RiskLevelChange, RiskLevelRow, User,
    WarningNotice,
)
from app.services.errors import NotFoundError
from app.services.inquiries import inquiry_state, list_inquiries
from mediation.lifecycle import COURT_TZ, court_date
from mediation.messages import Msg

#: Months of complaints the project page charts.
CHART_MONTHS = 12


def project_for(user: User, project_id: int) -> Project:
    """A project ``user`` may follow: a judge of its court, or its developer's staff."""
    project = db.session.get(Project, project_id)
    if project is None or not can(user, Permission.WARNING_VIEW, project):
        raise NotFoundError(Msg("项目不存在", "No such project"))
    return project


def _months_back(today: date, n: int) -> list[str]:
    months, year, month = [], today.year, today.month
    for _ in range(n):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def complaints_per_month(project_id: int, today: date) -> list[tuple[str, int]]:
    """Complaints about the project in each of the last ``CHART_MONTHS`` months (court time)."""
    months = _months_back(today, CHART_MONTHS)
    first = datetime.combine(date.fromisoformat(months[0] + "-01"), time.min, tzinfo=COURT_TZ)
    rows = db.session.scalars(select(Complaint.submitted_at).where(
        Complaint.project_id == project_id, Complaint.submitted_at >= first))
    counts = Counter(court_date(at).strftime("%Y-%m") for at in rows)
    return [(m, counts.get(m, 0)) for m in months]


@dataclass(frozen=True)
class Bar:
    """One month's bar of the server-drawn SVG chart (presentation attributes, no style)."""

    month: str
    count: int
    x: int
    y: int
    height: int


def chart(counts: list[tuple[str, int]], *, height: int = 120, width: int = 24, gap: int = 8) -> list[Bar]:
    top = max([n for _, n in counts] + [1])
    bars = []
    for i, (month, n) in enumerate(counts):
        h = round(n * height / top)
        bars.append(Bar(month, n, i * (width + gap), height - h, h))
    return bars


def project_page(user: User, project_id: int, today: date) -> dict:
    """Everything the project's risk page shows."""
    project = project_for(user, project_id)
    level = db.session.scalar(select(RiskLevelRow).where(RiskLevelRow.project_id == project.id))
    changes = list(db.session.scalars(select(RiskLevelChange).where(RiskLevelChange.project_id == project.id)
                                      .order_by(RiskLevelChange.evaluated_on.desc(), RiskLevelChange.id.desc())))
    inquiries = [(i, inquiry_state(i, today)) for i in list_inquiries(user, project_id=project.id)]
    notices = list(db.session.scalars(select(WarningNotice).where(
        (WarningNotice.project_id == project.id)
        | ((WarningNotice.project_id.is_(None)) & (WarningNotice.developer_id == project.developer_id)))
        .order_by(WarningNotice.created_at.desc())))
    commitments = list(db.session.scalars(select(Commitment).where(
        Commitment.developer_id == project.developer_id).order_by(Commitment.due_on.desc())))
    freezes = list(db.session.scalars(select(FrozenAsset).where(
        FrozenAsset.developer_id == project.developer_id).order_by(FrozenAsset.id)))
    counts = complaints_per_month(project.id, today)
    return {"project": project, "level": level, "changes": changes, "inquiries": inquiries,
            "notices": notices, "commitments": commitments, "freezes": freezes,
            "complaints": counts, "bars": chart(counts),
            "may_issue": can(user, Permission.INQUIRY_ISSUE, project)}


def inquiry_counts(user: User, today: date) -> Counter:
    """How many of the user's visible inquiries stand in each state."""
    return Counter(inquiry_state(i, today) for i in list_inquiries(user, limit=10_000))


def open_inquiries_of(developer_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ComplianceInquiry).where(
        ComplianceInquiry.developer_id == developer_id, ComplianceInquiry.answered_at.is_(None))) or 0
