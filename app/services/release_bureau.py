"""The housing bureau's part in a release (docs/release-in-the-app.md).

A frozen supervised pre-sale account (预售资金监管账户) must be reported to the housing bureau,
which keeps its supervised amount from being paid out before first registration. So when an
approved stage releases (part of) such an account, the approval's own transaction gives the
bureau an agency task (九龙治水, ``app.services.agency_tasks``) on the first case the account
secures — which account, how much was released and how much stays frozen, the preservation
ruling, the release ruling and its verification code — and tells the bureau's staff (the
court's housing-bureau officers, ``Mediator.kind == "housing_bureau"``) in their inbox and by
e-mail, each in their own language. One task per release: ``agency_tasks.asset_release_id``
is unique, and the stage itself is released only once (``approve_stage``).

The bureau's staff see these tasks on ``/mediator/agency-tasks`` (:func:`bureau_tasks`).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import AgencyTask, Case, Mediator, NoticeKind, User
from app.models.release import AssetRelease, FrozenAsset
from app.notify.outbox import queue_notice
from app.services.agency_tasks import TaskView, is_overdue
from mediation.amounts import format_yuan
from mediation.lifecycle import court_date
from mediation.messages import Msg

#: The agency (``app.models.referrals.AGENCIES``) and the mediator kind of its officers.
BUREAU = "housing_bureau"
#: Working days the bureau is given to adjust its supervision of the account: the same short
#: step the court gives for its own first acts on a case (在线调解规则 arts. 10, 12: 3 working days).
DUE_WORKING_DAYS = 3
#: Who is named responsible on the task when the court has no housing-bureau officer on file.
BUREAU_NAME = Msg("住房和城乡建设局", "Housing and urban-rural development bureau")


def bureau_staff(court_id: int) -> list[User]:
    """The court's housing-bureau officers with an active account, oldest first."""
    return list(db.session.scalars(
        select(User).join(Mediator, Mediator.user_id == User.id)
        .where(Mediator.court_id == court_id, Mediator.kind == BUREAU, Mediator.active.is_(True),
               User.active.is_(True)).order_by(User.id)))


def _due_on(now: datetime):
    from app.services.holidays import court_calendar
    from risk.workdays import add_working_days

    return add_working_days(court_date(now), DUE_WORKING_DAYS, court_calendar())


def report_presale_releases(ledger: list[AssetRelease], *, ruling, actor_id: int | None,
                            now: datetime) -> list[AgencyTask]:
    """Give the housing bureau a task, and tell its staff, for each release in ``ledger`` of a
    supervised pre-sale account that secures a case. Part of the approval's transaction
    (flushed, not committed); ``ruling`` is the stage's release ruling (``Document``)."""
    tasks = []
    for line in ledger:
        asset = db.session.get(FrozenAsset, line.asset_id)
        if asset.kind != "presale_account" or not asset.cases:
            continue
        case: Case = asset.cases[0]
        staff = bureau_staff(case.court_id)
        remaining = asset.frozen_fen - asset.released_fen
        facts = dict(account=asset.label, order=asset.order.ruling_no, amount=format_yuan(line.amount_fen),
                     remaining=format_yuan(remaining), ruling=ruling.title if ruling else "",
                     code=ruling.verify_code if ruling else "", case=case.number)
        description = Msg(
            "预售资金监管账户“{account}”（{order}冻结）经{ruling}解除冻结{amount}，仍冻结{remaining}"
            "（核验码 {code}，案件 {case}）。请据此调整对该账户的监管；监管额度在首次登记前仍不得拨付。",
            "The supervised pre-sale account \"{account}\" (frozen by {order}) was released by {amount} by "
            "{ruling}; {remaining} stays frozen (verification code {code}, case {case}). Please adjust the "
            "supervision of the account; the supervised amount is still not paid out before first registration.",
            **facts)
        task = AgencyTask(case_id=case.id, agency=BUREAU, owner_name=(staff[0].name if staff else str(BUREAU_NAME))[:50],
                          description=str(description), due_on=_due_on(now), status="open",
                          created_by_id=actor_id, created_at=now, asset_release_id=line.id)
        db.session.add(task)
        db.session.flush()
        subject = Msg("预售资金监管账户解除冻结：{account}", "Pre-sale account released: {account}", account=asset.label)
        for user in staff:
            queue_notice(user=user, kind=NoticeKind.PRESALE_RELEASED, subject=subject, body=description,
                         dedupe_key=f"presale-release:{line.id}:{user.id}", now=now, case_id=case.id)
        tasks.append(task)
    return tasks


def bureau_tasks(user: User, *, now: datetime) -> list[TaskView]:
    """The tasks given to the agency ``user`` works for (a housing-bureau officer) by the
    user's court, open ones first by deadline; nobody else's (empty for anyone else)."""
    from app.access import Permission, can

    if not can(user, Permission.AGENCY_TASKS_VIEW):
        return []
    mediator = db.session.scalar(select(Mediator).where(Mediator.user_id == user.id))
    today = court_date(now)
    tasks = db.session.scalars(
        select(AgencyTask).join(Case, Case.id == AgencyTask.case_id)
        .where(AgencyTask.agency == mediator.kind, Case.court_id == mediator.court_id)
        .order_by(AgencyTask.status != "open", AgencyTask.due_on, AgencyTask.id)).all()
    # The query is the rule of app.access as a filter; each task is asked again all the same.
    return [TaskView(t, is_overdue(t, today)) for t in tasks if can(user, Permission.AGENCY_TASKS_VIEW, t)]
