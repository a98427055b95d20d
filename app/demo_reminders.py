"""Demo reminders: what the open cases and unanswered inquiries of the demo have pending.

The demo builds its cases directly (not through the use-cases), so the events that would
have planned their reminders never ran; this plans them now from each case's and
inquiry's state, as the events would have (``app.services.reminders``). Those already due
are sent by the scheduler ``./run.sh`` starts, within a minute; the operators page
(/court/reminders) shows both.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Case, ComplianceInquiry
from app.services.case_records import OPEN_FOR_JOINING
from app.services.reminders import EVENTS, apply_plan


def plan_demo_reminders(now: datetime) -> int:
    """Plan the reminders of every open case and unanswered inquiry; returns how many."""
    planned = 0
    for case in db.session.scalars(select(Case).where(Case.status.in_(OPEN_FOR_JOINING))):
        planned += apply_plan(*EVENTS["case_changed"](case, now), now=now)
    for inquiry in db.session.scalars(select(ComplianceInquiry).where(
            ComplianceInquiry.answered_at.is_(None))):
        planned += apply_plan(*EVENTS["inquiry_issued"](inquiry, now), now=now)
    return planned
