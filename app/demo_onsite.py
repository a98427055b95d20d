"""Demo data for on-site mediation (docs/on-site.md), made through the real services so the
PDFs, notices and numbers are what the platform itself would make:

- `homeowner`'s cases with the demo `mediator`: one confirmed by a judge and performing
  (session record, agreement signed by `homeowner` and `developer`, joint application,
  ruling, tracked obligations); one signed and awaiting the application;
- a case whose session failed, filed for litigation with its 民初 number;
- closed cases rated by their parties: one bad (2 stars) with its follow-up done, one bad
  still open, one good. The visits of `mediator` are made by ``app.demo``.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Case, Complaint, FollowUp, User
from mediation.agreements import Content, MilestoneTerm, PaymentTerm
from mediation.lifecycle import COURT_TZ
from mediation.sessions import Attendance, Offer, SessionOutcome, SessionRecord


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _parties(case: Case) -> list[str]:
    from app.services.agreements import case_parties
    return [k for k, _ in case_parties(case)]


def build(builder, password: str) -> None:
    from app.services import agreements, cases, confirmation, ratings, sessions

    db.session.flush()
    now = builder.now
    today = now.astimezone(COURT_TZ).date()
    mediator_user, judge = _user("mediator"), _user("judge")
    home, company = _user("homeowner"), _user("developer")
    mediator = builder.mediators[0]
    project = next(p for p in builder.projects if p.developer is builder.developers[0])
    person = builder.homeowners[0]

    def case_in_mediation(days_ago: int, claimant=person) -> Case:
        case = builder.make_case(received=today - timedelta(days=days_ago), status="in_mediation", outcome=None,
                                 concluded=None, pre_litigation=True, project=project, claimants=[claimant],
                                 mediator=mediator, dispute_type="late_delivery")
        db.session.commit()
        return case

    def session(case: Case, at, outcome=SessionOutcome.CONTINUED, ground=""):
        record = SessionRecord(
            held_at=at, place=f"{project.name}售楼部洽谈室",
            attendance=tuple(Attendance(k, True, "本人" if k.startswith("person") else "委托代理人")
                             for k in _parties(case)),
            notes="申请人要求支付逾期交房违约金并确定交房日期；被申请人说明工程进度，提出分期支付方案。",
            offers=(Offer("被申请人", "分两期支付逾期交房违约金", 4_800_000),), outcome=outcome, ground=ground)
        return sessions.record_session(case.id, record, actor=mediator_user, now=at + timedelta(hours=3))

    def signed(case: Case, at) -> int:
        due = today + timedelta(days=45)
        content = Content(
            terms=("被申请人于约定期限内向申请人交付房屋并办理交接手续。", "被申请人向申请人支付逾期交房违约金48,000元，分两期付清。"),
            payments=(PaymentTerm(today + timedelta(days=20), "开发企业", "申请人", 2_400_000, "逾期交房违约金"),
                      PaymentTerm(due, "开发企业", "申请人", 2_400_000, "逾期交房违约金")),
            milestones=(MilestoneTerm("交付房屋并移交钥匙", "开发企业", due + timedelta(days=15), None, "交付房屋"),
                        # The homeowner's own part: tracked as the homeowner's obligation once confirmed.
                        MilestoneTerm("办理收房手续并签署交接单", "申请人", due + timedelta(days=30), None, "交付房屋")))
        agreement, _ = agreements.record_agreement(case.id, content, actor=mediator_user, now=at)
        for who in (home, company):
            agreements.sign_agreement(agreement.id, actor=who, now=at + timedelta(hours=1),
                                      password=password, ip="127.0.0.1")
        return agreement.id

    # 1. Confirmed and performing.
    start = now - timedelta(days=6)
    performing = case_in_mediation(20)
    session(performing, start)
    agreement_id = signed(performing, start + timedelta(hours=4))
    for who in (home, company):
        application = confirmation.apply_for_confirmation(agreement_id, actor=who, now=start + timedelta(days=1),
                                                          ip="127.0.0.1")
    confirmation.decide_confirmation(application.id, actor=judge, now=start + timedelta(days=2), confirm=True)
    cases.transition_case(performing.id, "performing", actor=judge, now=start + timedelta(days=2, hours=1))
    # 2. Signed, awaiting the joint application.
    waiting = case_in_mediation(12)
    session(waiting, now - timedelta(days=2))
    signed(waiting, now - timedelta(days=2) + timedelta(hours=4))
    # 3. Failed, and filed for litigation.
    failed = case_in_mediation(30, claimant=builder.new_person())
    session(failed, now - timedelta(days=4), SessionOutcome.FAILED, "被申请人不同意支付违约金，双方分歧较大")
    cases.transition_case(failed.id, "litigation", actor=judge, now=now - timedelta(days=3))
    # 4. Closed cases and their ratings.
    rated = []
    for days_ago, score, comment, done in ((40, 2, "调解员两次改期，通知不及时", True),
                                           (35, 1, "违约金至今未付清", False),
                                           (30, 5, "调解员上门调解，效率很高", None)):
        case = builder.make_case(received=today - timedelta(days=days_ago), status="performing", outcome="mediated",
                                 concluded=today - timedelta(days=days_ago - 10), pre_litigation=True, project=project,
                                 claimants=[person], mediator=mediator, dispute_type="late_delivery")
        db.session.commit()
        cases.transition_case(case.id, "closed", actor=judge, now=now - timedelta(days=days_ago - 20),
                              reason="履行完毕")
        ratings.rate_case(case.id, actor=home if score <= 2 else company, score=score, comment=comment,
                          now=now - timedelta(days=days_ago - 21))
        if done:
            followup = db.session.scalar(select(FollowUp).where(FollowUp.case_id == case.id))
            ratings.complete_followup(followup.id, actor=judge, note="已电话回访，调解员说明改期原因并致歉，当事人表示理解",
                                      now=now - timedelta(days=days_ago - 23))
        rated.append(case)
    builder.echo("  上门调解与和解：司法确认履行中1件、待申请确认1件、转诉讼1件、评价3条（差评2条，已回访1条）")
