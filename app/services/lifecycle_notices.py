"""Who is told when a case moves on, and when a developer answers a complaint.

Called inside the use-case's transaction, before its one commit (the outbox), like
``case_notices`` and ``delegation_notices``:

- **A case moves** (``transition_case``) to scheduled, mediated, judicially confirmed,
  performing, withdrawn, failed, litigation or closed: every party with an account (the
  claimant side and the respondent side), the case's mediator and its judge — never the
  acting user. The text names the case number and what it is about, never a party's name,
  and the reason the actor gave. Moves that already tell people in their own words (a
  delegation accepted or declined, an agreement taking effect, a visit scheduled, the
  period run out) are not repeated here: those go through their own use-cases.
- **A developer answers a complaint** (``respond_to_complaint``): the claimant's account
  learns that an answer is waiting, not the answer itself (they read it on the complaint).

Adding a lifecycle step is one line in ``STATUS_NOTICES``. Each ``dedupe_key`` names the
event, its moment and the recipient.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Case, Complaint, ComplaintResponse, NoticeKind, User
from app.notify.outbox import queue_notice
from app.services.case_notices import _about, _claimant_accounts, _day, _respondent_accounts
from mediation.lifecycle import COURT_TZ, CaseStatus, Outcome
from mediation.messages import Msg

#: The moves every party is told of: (subject, first line of the body), each as a
#: Msg (Chinese, with English for a recipient who reads English).
STATUS_NOTICES: dict[CaseStatus, tuple[Msg, Msg]] = {
    CaseStatus.SCHEDULED: (
        Msg("案件{number}已排期", "Case {number} is scheduled"),
        Msg("调解员已安排调解，将通知您具体的时间和地点。",
            "The mediator has scheduled the mediation and will tell you the time and place.")),
    CaseStatus.MEDIATED: (
        Msg("案件{number}调解成功", "Case {number}: mediation succeeded"),
        Msg("各方已达成调解协议。", "The parties have reached a mediation agreement.")),
    CaseStatus.CONFIRMED: (
        Msg("案件{number}的调解协议已经司法确认", "Case {number}: the agreement is judicially confirmed"),
        Msg("人民法院已裁定确认调解协议有效；一方拒绝履行的，对方可以申请强制执行。",
            "The court has ruled the agreement valid; if one party refuses to perform it, "
            "the other may apply for enforcement.")),
    CaseStatus.PERFORMING: (
        Msg("案件{number}进入履行阶段", "Case {number}: the agreement is being performed"),
        Msg("请按调解协议约定的期限和方式履行。",
            "Please perform the agreement within the time and in the way it sets.")),
    CaseStatus.WITHDRAWN: (
        Msg("案件{number}已撤回", "Case {number} is withdrawn"),
        Msg("案件已撤回，调解程序终结。", "The case is withdrawn; the mediation has ended.")),
    CaseStatus.FAILED: (
        Msg("案件{number}调解不成", "Case {number}: mediation failed"),
        Msg("调解未能达成协议，调解程序终结；当事人可以依法向人民法院提起诉讼。",
            "No agreement was reached and the mediation has ended; the parties may bring "
            "a lawsuit in the people's court.")),
    CaseStatus.LITIGATION: (
        Msg("案件{number}已转入诉讼", "Case {number} has gone to litigation"),
        Msg("案件已转入诉讼程序，法院将另行通知诉讼事项。",
            "The case has entered litigation; the court will notify you of the proceedings.")),
    CaseStatus.CLOSED: (
        Msg("案件{number}已结案", "Case {number} is closed"),
        Msg("案件已结案。", "The case is closed.")),
}


def _everyone(case: Case, actor: User) -> list[User]:
    """Both sides' accounts, the mediator and the judge of ``case``; not the actor."""
    members = list(db.session.scalars(
        select(Complaint).where(Complaint.case_id == case.id).order_by(Complaint.id)))
    told = {u.id: u for u, _ in _claimant_accounts(members, actor)}
    told.update({u.id: u for u, _ in _respondent_accounts(members, actor)})
    if case.mediator is not None and case.mediator.user.active:
        told.setdefault(case.mediator.user.id, case.mediator.user)
    if case.judge_id is not None:
        judge = db.session.get(User, case.judge_id)
        if judge is not None and judge.active:
            told.setdefault(judge.id, judge)
    told.pop(actor.id, None)
    return sorted(told.values(), key=lambda u: u.id)


def status_changed(case: Case, to: CaseStatus, *, reason: str | None, actor: User,
                   now: datetime) -> None:
    """``case`` moved to ``to``: tell everyone concerned (when ``to`` is in STATUS_NOTICES)."""
    if to not in STATUS_NOTICES:
        return
    subject, first = STATUS_NOTICES[to]
    about = _about(case)
    zh = [f"案件{case.number}（{about}）：{first}", f"日期：{_day(now)}"]
    en = [f"Case {case.number} ({about}): {first.en}", f"Date: {now.astimezone(COURT_TZ):%Y-%m-%d}"]
    if case.outcome:
        zh.append(f"结案方式：{Outcome.zh(case.outcome)}")
        en.append(f"Outcome: {Outcome(case.outcome).label_en}")
    if reason:
        zh.append(f"说明：{reason}")
        en.append(f"Reason: {reason}")
    body = Msg("\n".join(zh), "\n".join(en))
    subject = Msg(str(subject), subject.en, number=case.number)
    stamp = int(now.timestamp())
    for user in _everyone(case, actor):
        queue_notice(user=user, kind=NoticeKind.CASE_STATUS_CHANGED, subject=subject, body=body,
                     dedupe_key=f"case_status:{case.id}:{to.value}:at:{stamp}:user:{user.id}",
                     now=now, case_id=case.id)


def complaint_answered(complaint: Complaint, response: ComplaintResponse, *, actor: User,
                       now: datetime) -> None:
    """The developer answered: the claimant learns that an answer waits on the complaint."""
    for user, _ in _claimant_accounts([complaint], actor):
        queue_notice(user=user, kind=NoticeKind.COMPLAINT_ANSWERED,
                     subject=Msg("开发企业已回应您的投诉（{no}）",
                                 "The developer has answered your complaint ({no})",
                                 no=complaint.receipt_no),
                     body=Msg("被投诉的开发企业已于{day}对您的投诉（受理号{no}）作出回应，"
                              "请登录平台在投诉详情中查看。",
                              "On {date} the developer answered your complaint (receipt {no}); "
                              "log in to read the answer on the complaint's page.",
                              day=_day(now), no=complaint.receipt_no,
                              date=f"{now.astimezone(COURT_TZ):%Y-%m-%d}"),
                     dedupe_key=f"complaint_answered:response:{response.id}:user:{user.id}",
                     now=now, case_id=complaint.case_id, complaint_id=complaint.id)
