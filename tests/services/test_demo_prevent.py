"""The demo shows prevention whole: inquiries in every state (``developer`` among several),
warnings at every level with their facts, commitments kept and broken, one blacklisted
developer, and a guarantee chain that spreads."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select


def test_the_demo_shows_every_state_and_level(app):
    from app.demo import build_demo
    from app.extensions import db
    from app.models import Commitment, RiskLevelRow, User, WarningNotice
    from app.services import inquiries
    from mediation.lifecycle import court_date

    with app.app_context():
        lines = []
        build_demo(seed=2020, echo=lines.append, password="Demo@2026")
        judge = db.session.scalar(select(User).where(User.username == "judge"))
        developer = db.session.scalar(select(User).where(User.username == "developer"))
        today = court_date(max(i.issued_at for i in inquiries.list_inquiries(judge)))
        states = Counter(inquiries.inquiry_state(i, today) for i in inquiries.list_inquiries(judge))
        assert {"awaiting", "overdue", "answered", "compliant", "rectified", "non_compliant",
                "rectify_overdue"} <= set(states)
        own = {inquiries.inquiry_state(i, today) for i in inquiries.list_inquiries(developer)}
        assert {"awaiting", "overdue", "answered", "compliant", "rectified"} <= own
        rows = db.session.scalars(select(RiskLevelRow)).all()
        assert {"blue", "yellow", "orange", "red"} <= {r.level for r in rows if r.subject == "project"}
        assert all(w["facts_zh"] for r in rows for w in r.warnings)
        assert sum(r.blacklisted for r in rows if r.subject == "developer") == 1
        assert any(w["rule"] == "contagion" for r in rows for w in r.warnings)
        assert any(w["rule"] == "milestone_overdue" for r in rows if r.subject == "developer" for w in r.warnings)
        assert {c.status for c in db.session.scalars(select(Commitment))} >= {"kept", "broken", "open"}
        assert db.session.scalar(select(WarningNotice).where(WarningNotice.answered_at.is_not(None))) is not None
