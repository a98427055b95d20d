"""Demo data for prevention (合规性函询 · 预警 · 承诺 · 失信名单), built through the services.

Inquiries in every state for several developers (``developer`` among them): awaiting,
overdue, answered, compliant, to rectify, rectified, non-compliant; commitments kept and
broken; one developer blacklisted (three broken commitments and a judge's decision); one
guarantee chain that spreads the red level to two guarantors; projects set up so that the
evaluation gives every level (blue by a surge of complaints, yellow and orange by late
delivery, red by a long delay and by the blacklist). The evaluation runs last, so the
warnings, their notices and PDFs are the engine's, not hand-written. One developer has an
obligation past its due day (``milestone_overdue``).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import BlacklistDecision, Commitment, DeveloperGuarantee, Obligation, Project, User
from mediation.lifecycle import COURT_TZ, court_date


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=COURT_TZ)


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def build_prevention(builder) -> None:
    """Called by ``app.demo.build_demo`` after the cases are committed."""
    from app.services import inquiries, warning_notices
    from app.services.early_warnings import evaluate_warnings

    now = builder.now
    today = court_date(now)
    judge = _user("judge")
    devs = builder.developers
    projects = {d.id: [p for p in builder.projects if p.developer_id == d.id] for d in devs}

    # Levels by delivery: yellow (a few units late), orange (100 days, a third undelivered).
    yellow, orange = projects[devs[4].id][0], projects[devs[5].id][0]
    for project, days, delivered in ((yellow, 40, 0.95), (orange, 100, 0.6)):
        row = db.session.get(Project, project.id)
        row.promised_delivery_on = today - timedelta(days=days)
        row.units_delivered = int(row.units_total * delivered)
    # Blue: a quiet project (delivery two years away) with six complaints this month.
    blue = db.session.get(Project, projects[devs[6].id][0].id)
    blue.promised_delivery_on, blue.units_delivered = today + timedelta(days=730), 0
    for k in range(6):
        builder.make_case(received=today - timedelta(days=3 + 4 * k), status="registered", outcome=None,
                          concluded=None, pre_litigation=True, project=blue, claimants=[builder.new_person()],
                          dispute_type="quality")
    db.session.commit()

    def issue(developer, n, days_ago, kind="construction_progress", working_days=10):
        project = projects[developer.id][n % len(projects[developer.id])]
        return inquiries.issue_inquiry(project.id, letter_type=kind, working_days=working_days,
                                       actor=db.session.get(User, judge.id), now=_at(today - timedelta(days=days_ago)))

    def answer(inquiry, username, days_ago):
        texts = {q.position: f"已核查：{q.text[:12]}……情况属实，材料见附件。" for q in inquiry.questions}
        return inquiries.answer_inquiry(inquiry.id, texts, actor=_user(username),
                                        now=_at(today - timedelta(days=days_ago)))

    def review(inquiry, verdict, reason, days_ago, rectify_by=None):
        inquiries.review_inquiry(inquiry.id, review=verdict, reason=reason, rectify_by=rectify_by,
                                 actor=db.session.get(User, judge.id), now=_at(today - timedelta(days=days_ago)))

    # `developer` (devs[0]): one of each state.
    issue(devs[0], 0, 2, "presale_funds")                                       # awaiting
    issue(devs[0], 1, 40, "title_certificate")                                  # overdue, unanswered
    answered = issue(devs[0], 2, 20, "advertising")
    answer(answered, "developer", 10)                                           # answered, to review
    ok = issue(devs[0], 0, 60, "presale_permit")
    answer(ok, "developer", 55)
    review(ok, "compliant", "预售许可证齐全，范围一致", 50)                        # compliant
    fixed = issue(devs[0], 1, 70, "completion_acceptance")
    answer(fixed, "developer", 62)
    review(fixed, "rectify", "竣工验收备案材料缺失，限期补正", 60, rectify_by=today - timedelta(days=30))
    inquiries.record_rectification(fixed.id, rectified_on=today - timedelta(days=35),
                                   actor=db.session.get(User, judge.id), now=_at(today - timedelta(days=34)))
    # `developer2` (devs[1]): non-compliant; `developer3` (devs[2]): rectification overdue.
    bad = issue(devs[1], 0, 45, "presale_funds")
    answer(bad, "developer2", 38)
    review(bad, "non_compliant", "预售资金未进入监管账户，用于其他项目", 35)
    late = issue(devs[2], 0, 50, "construction_progress")
    answer(late, "developer3", 44)
    review(late, "rectify", "工程进度滞后，未说明交房安排", 40, rectify_by=today - timedelta(days=5))

    # Commitments: `developer` kept two; devs[3] broke three within the year — blacklisted,
    # and a judge's decision with the reason besides.
    for k, (text, kept) in enumerate((("3月底前完成主体封顶", True), ("6月底前办理首次登记", True))):
        db.session.add(Commitment(developer_id=devs[0].id, text=text, due_on=today - timedelta(days=90 - 30 * k),
                                  status="kept" if kept else "broken", made_at=now - timedelta(days=150),
                                  settled_at=now - timedelta(days=20), settled_by_id=judge.id))
    for age in (20, 120, 250):
        db.session.add(Commitment(developer_id=devs[3].id, text="按期向购房人支付逾期交房违约金",
                                  due_on=today - timedelta(days=age), status="broken",
                                  made_at=now - timedelta(days=age + 60), settled_at=now - timedelta(days=age - 5),
                                  settled_by_id=judge.id, settle_note="到期未支付"))
    db.session.add(BlacklistDecision(developer_id=devs[3].id, decided_at=now - timedelta(days=10),
                                     decided_by_id=judge.id, reason="一年内三次违背承诺，拒不支付违约金"))
    # A guarantee chain: devs[1] guarantees devs[2], which guarantees the blacklisted devs[3].
    db.session.add_all([
        DeveloperGuarantee(guarantor_id=devs[1].id, debtor_id=devs[2].id, note="融资担保"),
        DeveloperGuarantee(guarantor_id=devs[2].id, debtor_id=devs[3].id, note="工程款连带担保"),
    ])
    # An obligation a judge entered for devs[5] (already orange by its late project), 12 days
    # past its day and not performed: the developer's own milestone_overdue warning.
    db.session.add(Obligation(developer_id=devs[5].id, description="向购房人交付3号楼并移交钥匙", cost_fen=0,
                              status="open", due_on=today - timedelta(days=12), created_at=now - timedelta(days=60)))
    db.session.commit()

    summary = evaluate_warnings(now=now)
    made = warning_notices.issue_notice_documents(now=now)
    # `developer` has signed and answered its first notice with a dated commitment.
    first = next(iter(warning_notices.list_notices(_user("developer"))), None)
    if first is not None:
        warning_notices.acknowledge_notice(first.id, actor=_user("developer"), now=now)
        warning_notices.answer_notice(first.id, plan="成立整改专班，按周向法院报告交房进度。",
                                      promises=[warning_notices.Promise("60日内完成剩余房屋交付",
                                                                        today + timedelta(days=60))],
                                      actor=_user("developer"), now=now)
    builder.echo(f"  预防：函询 8 件（各状态），承诺与失信名单，担保链 1 条；{summary.line()}；预警通知书 {made} 份")
