"""Inbox notices (and e-mail, when configured) about a case's agreement, queued inside the
use-case's transaction (``app.notify.outbox``): the parties are asked to sign when the
mediator records it; everyone — parties and mediator — hears when it takes effect."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Agreement, Case, NoticeKind, User
from app.notify.outbox import queue_notice
from mediation.messages import Msg

AGREEMENT_TO_SIGN = NoticeKind.AGREEMENT_TO_SIGN
AGREEMENT_EFFECTIVE = NoticeKind.AGREEMENT_EFFECTIVE


def _party_users(keys) -> list[User]:
    persons = [int(k.split(":")[1]) for k in keys if k.startswith("person:")]
    developers = [int(k.split(":")[1]) for k in keys if k.startswith("developer:")]
    if not persons and not developers:
        return []
    return list(db.session.scalars(select(User).where(
        User.active.is_(True),
        or_(User.person_id.in_(persons) & (User.role == "homeowner"),
            User.developer_id.in_(developers) & (User.role == "developer"))).order_by(User.id)))


def agreement_to_sign(case: Case, agreement: Agreement, keys, *, actor: User, now: datetime) -> None:
    for user in _party_users(keys):
        queue_notice(user=user, kind=AGREEMENT_TO_SIGN,
                     subject=Msg("案件{n}的调解协议待您签署", "Case {n}: the mediation agreement awaits your signature",
                                 n=case.number),
                     body=Msg("调解员{m}已录入案件{n}的调解协议，请登录平台核对条款后在线签署"
                              "（再次输入登录密码，或使用短信验证码）。各方当事人均签署后协议生效。",
                              "Mediator {m} recorded the mediation agreement of case {n}. Log in, check "
                              "its terms and sign it online (with your password again, or a code texted to your phone). The "
                              "agreement takes effect once every party has signed.",
                              m=actor.name, n=case.number),
                     dedupe_key=f"agreement_to_sign:{agreement.id}:user:{user.id}", now=now, case_id=case.id)


def agreement_effective(case: Case, agreement: Agreement, keys, *, now: datetime) -> None:
    users = _party_users(keys)
    if case.mediator is not None and case.mediator.user.active:
        users.append(case.mediator.user)
    for user in users:
        queue_notice(user=user, kind=AGREEMENT_EFFECTIVE,
                     subject=Msg("案件{n}的调解协议已生效", "Case {n}: the mediation agreement is in force",
                                 n=case.number),
                     body=Msg("案件{n}的调解协议已由各方当事人签署，自最后一方签署时生效。"
                              "协议书可在案件的文书中下载；各方可自生效之日起三十日内共同向人民法院申请司法确认"
                              "（民事诉讼法第二百零五条）。",
                              "Every party has signed the mediation agreement of case {n}; it took "
                              "effect with the last signature. Download it from the case's documents; "
                              "within thirty days the parties may jointly ask the court to confirm it "
                              "(Civil Procedure Law, art. 205).", n=case.number),
                     dedupe_key=f"agreement_effective:{agreement.id}:user:{user.id}", now=now, case_id=case.id)
