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
from mediation.lifecycle import CaseStatus, Outcome

#: The moves every party is told of: (subject, first line of the body).
STATUS_NOTICES: dict[CaseStatus, tuple[str, str]] = {
    CaseStatus.SCHEDULED: ("案件{number}已排期", "调解员已安排调解，将通知您具体的时间和地点。"),
    CaseStatus.MEDIATED: ("案件{number}调解成功", "各方已达成调解协议。"),
    CaseStatus.CONFIRMED: ("案件{number}的调解协议已经司法确认",
                           "人民法院已裁定确认调解协议有效；一方拒绝履行的，对方可以申请强制执行。"),
    CaseStatus.PERFORMING: ("案件{number}进入履行阶段", "请按调解协议约定的期限和方式履行。"),
    CaseStatus.WITHDRAWN: ("案件{number}已撤回", "案件已撤回，调解程序终结。"),
    CaseStatus.FAILED: ("案件{number}调解不成", "调解未能达成协议，调解程序终结；当事人可以依法向人民法院提起诉讼。"),
    CaseStatus.LITIGATION: ("案件{number}已转入诉讼", "案件已转入诉讼程序，法院将另行通知诉讼事项。"),
    CaseStatus.CLOSED: ("案件{number}已结案", "案件已结案。"),
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
    lines = [f"案件{case.number}（{_about(case)}）：{first}", f"日期：{_day(now)}"]
    if case.outcome:
        lines.append(f"结案方式：{Outcome.zh(case.outcome)}")
    if reason:
        lines.append(f"说明：{reason}")
    stamp = int(now.timestamp())
    for user in _everyone(case, actor):
        queue_notice(user=user, kind=NoticeKind.CASE_STATUS_CHANGED,
                     subject=subject.format(number=case.number), body="\n".join(lines),
                     dedupe_key=f"case_status:{case.id}:{to.value}:at:{stamp}:user:{user.id}",
                     now=now, case_id=case.id)


def complaint_answered(complaint: Complaint, response: ComplaintResponse, *, actor: User,
                       now: datetime) -> None:
    """The developer answered: the claimant learns that an answer waits on the complaint."""
    for user, _ in _claimant_accounts([complaint], actor):
        queue_notice(user=user, kind=NoticeKind.COMPLAINT_ANSWERED,
                     subject=f"开发企业已回应您的投诉（{complaint.receipt_no}）",
                     body=(f"被投诉的开发企业已于{_day(now)}对您的投诉（受理号{complaint.receipt_no}）"
                           "作出回应，请登录平台在投诉详情中查看。"),
                     dedupe_key=f"complaint_answered:response:{response.id}:user:{user.id}",
                     now=now, case_id=complaint.case_id, complaint_id=complaint.id)
