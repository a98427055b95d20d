"""Small callables that make valid rows with sensible defaults."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

from app.models import (
    Case, Complaint, ComplaintClaim, Court, Developer, Mediator, Person, Project, Town, User,
)
from app.services.accounts import hash_password
from mediation.casenumber import format_case_number
from mediation.identifiers import make_resident_id, make_uscc

PASSWORD = "Secret-pass-123"
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
_serial = itertools.count(1)
_HASH = hash_password(PASSWORD)


class Factories:
    """Each call saves in its own short session and returns a detached, fully loaded object.

    Tests must not hold an application context open while they make requests (Flask would
    reuse it, sharing ``g`` and the database session between test clients), so the
    factories never push one for longer than a call.
    """

    def __init__(self, app):
        self.app = app

    def _save(self, obj):
        from sqlalchemy import inspect
        from sqlalchemy.orm import Session

        from app.extensions import db

        with self.app.app_context():
            with Session(db.engine, expire_on_commit=False) as session:
                session.add(obj)
                session.commit()
                for rel in inspect(obj).mapper.relationships:
                    if not rel.uselist:
                        related = getattr(obj, rel.key)
                        if related is not None:
                            for sub in inspect(related).mapper.relationships:
                                if not sub.uselist:
                                    getattr(related, sub.key)
        return obj

    def court(self, name: str | None = None, code: str = "琼9005") -> Court:
        return self._save(Court(name=name or f"法院{next(_serial)}", code=code))

    def town(self) -> Town:
        n = next(_serial)
        return self._save(Town(county="文昌市", name=f"测试镇{n}", latitude=19.5, longitude=110.8))

    def developer(self, name: str | None = None) -> Developer:
        n = next(_serial)
        return self._save(Developer(name=name or f"测试置业有限公司{n}",
                                    uscc=make_uscc(f"91469005MA{n:07d}"[:17]), created_at=NOW))

    def project(self, developer: Developer | None = None, court: Court | None = None,
                name: str | None = None) -> Project:
        n = next(_serial)
        return self._save(Project(
            developer=developer or self.developer(), court=court or self.court(), town=self.town(),
            name=name or f"测试花园{n}", units_total=100, units_delivered=10,
            promised_delivery_on=date(2025, 6, 30), created_at=NOW))

    def person(self, name: str = "张三") -> Person:
        n = next(_serial)
        return self._save(Person(name=name, resident_id=make_resident_id(f"46900519800101{n % 1000:03d}"),
                                 phone="13800138000", created_at=NOW))

    def user(self, role: str, username: str | None = None, *, court: Court | None = None,
             developer: Developer | None = None, person: Person | None = None, **extra) -> User:
        username = username or f"{role}{next(_serial)}"
        bound = {}
        if role in ("judge", "mediator", "admin"):
            bound["court"] = court or self.court()
        if role == "developer":
            bound["developer"] = developer or self.developer()
        if role == "homeowner":
            bound["person"] = person or self.person()
        user = self._save(User(username=username, name=extra.pop("name", username), role=role,
                               password_hash=_HASH, created_at=NOW, **bound, **extra))
        if role == "mediator":
            user.mediator = self._save(Mediator(user=user, court=user.court, kind="court",
                                                skills=["late_delivery"], capacity=10, created_at=NOW))
        return user

    def complaint(self, *, project: Project | None = None, person: Person | None = None,
                  status: str = "submitted", case: Case | None = None,
                  dispute_type: str = "late_delivery", against: Person | None = None
                  ) -> Complaint:
        """A homeowner's complaint against the project's developer; with ``against``, the
        developer's own dispute with that buyer."""
        project = project or self.project()
        parties = ({"claimant_developer": project.developer, "respondent_person": against}
                   if against is not None else
                   {"claimant_person": person or self.person(),
                    "respondent_developer": project.developer})
        return self._save(Complaint(
            receipt_no=_receipt_no(next(_serial)), court=project.court, project=project,
            unit="1栋101", dispute_type=dispute_type, channel="online", facts="逾期交房",
            status=status, case=case, submitted_at=NOW, **parties,
            claims=[ComplaintClaim(kind="违约金", amount_fen=1_000_000)]))

    def case(self, *, project: Project | None = None, status: str = "registered",
             mediator: Mediator | None = None, claimant: Person | None = None,
             outcome: str | None = None, concluded_at: datetime | None = None) -> Case:
        project = project or self.project()
        seq = next(_serial)
        case = Case(
            court=project.court, year=2026, seq=seq,
            number=format_case_number(2026, project.court.code, seq),
            project=project, developer=project.developer, dispute_type="late_delivery",
            status=status, outcome=outcome, mediator=mediator, received_at=NOW,
            registered_at=NOW, updated_at=NOW, concluded_at=concluded_at,
            closed_at=concluded_at if status == "closed" else None,
            assigned_at=NOW if mediator else None,
            mediation_deadline_at=NOW + timedelta(days=30) if mediator else None)
        self._save(case)
        self.complaint(project=project, person=claimant, status="accepted", case=case)
        return case


def _receipt_no(n: int) -> str:
    """A receipt number in the filers' format (``TS20260301-22222K``), unique per ``n``."""
    from app.services.receipts import ALPHABET

    suffix = ""
    for _ in range(6):
        n, digit = divmod(n, len(ALPHABET))
        suffix = ALPHABET[digit] + suffix
    return f"TS20260301-{suffix}"
