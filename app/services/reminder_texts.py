"""What a due reminder says, in Chinese and English: one template per kind.

A reminder's row keeps the facts its text needs (``payload``, frozen when planned: the
case number, the project, a deadline in Chinese and, under ``<name>_en``, in English). The
templates below are filled with them in two ways that give the same text:

- :func:`render` in Python (the row-by-row path of ``app.services.reminder_dispatch``,
  which writes one reminder at a time when a batch cannot be written at once);
- :func:`sql_texts` in SQL, for the set-based dispatch that moves a whole batch of due
  reminders into the notices with one ``INSERT … SELECT``: ``CASE kind WHEN … THEN
  replace(replace(template, '{number}', payload.number), …)`` — no row comes to Python.

A notice keeps both languages (``subject``/``body`` and ``subject_en``/``body_en``); the
inbox, the e-mail and the SMS pick the recipient's (docs/languages.md). A fact missing
from the payload reads as empty; an English fact missing falls back to the Chinese one
(a project's name is the same in both).
"""
from __future__ import annotations

import string
from functools import cache

from mediation.messages import Msg
from mediation.reminders import ReminderKind

__all__ = ["FIELDS", "TEXTS", "render", "sql_texts"]

#: Subject and body of each kind; ``{…}`` are the payload's facts.
TEXTS: dict[ReminderKind, tuple[Msg, Msg]] = {
    ReminderKind.ASSIGN_DUE: (
        Msg("待分派：{number}", "Case to assign: {number}"),
        Msg("案件{number}（{project}）应于{step_due}前委派调解员，请及时分派。",
            "Case {number} ({project}) is to be delegated to a mediator by {step_due}; "
            "please assign it.")),
    ReminderKind.ACCEPT_DUE: (
        Msg("待接受委派：{number}", "Delegation to accept: {number}"),
        Msg("案件{number}（{project}）已委派给您，请于{step_due}前接受或申请回避。",
            "Case {number} ({project}) has been delegated to you; please accept it or ask to "
            "withdraw by {step_due}.")),
    ReminderKind.MEDIATION_ENDING: (
        Msg("调解期限将届满：{number}", "Mediation period ending: {number}"),
        Msg("案件{number}的调解期限至{deadline}届满。需要延长的，应在届满前取得双方当事人同意。",
            "The mediation period of case {number} ends on {deadline}. An extension needs "
            "both parties' consent before it ends.")),
    ReminderKind.MEDIATION_ENDED: (
        Msg("调解期限已届满：{number}", "Mediation period ended: {number}"),
        Msg("案件{number}的调解期限已于{deadline}届满，请依规则终止调解或转入诉讼。",
            "The mediation period of case {number} ended on {deadline}; end the mediation "
            "or move the case to litigation as the rules require.")),
    ReminderKind.VISIT_TOMORROW: (
        Msg("明日上门调解：{project}", "Site mediation tomorrow: {project}"),
        Msg("上门调解定于{starts}在{project}{room}进行，请按时参加。",
            "The site mediation takes place at {starts} at {project} {room}; please attend "
            "on time.")),
    ReminderKind.INQUIRY_DUE: (
        Msg("函询答复期限临近：{project}", "Inquiry to answer soon: {project}"),
        Msg("关于{project}的合规性函询应于{deadline}前答复，请及时答复。",
            "The compliance inquiry about {project} is to be answered by {deadline}; please "
            "answer in time.")),
    ReminderKind.INQUIRY_OVERDUE: (
        Msg("函询逾期未答复：{project}", "Inquiry overdue: {project}"),
        Msg("关于{project}的合规性函询答复期限{deadline}已过，开发企业尚未答复。",
            "The deadline ({deadline}) of the compliance inquiry about {project} has passed "
            "and the developer has not answered.")),
    ReminderKind.MILESTONE_DUE: (
        Msg("履行节点临近：{number}", "Milestone due soon: {number}"),
        Msg("案件{number}调解协议的履行节点即将到期，请按协议履行。",
            "A performance milestone of the agreement in case {number} is due soon; please "
            "perform as agreed.")),
    ReminderKind.MILESTONE_OVERDUE: (
        Msg("履行节点已到期：{number}", "Milestone due date passed: {number}"),
        Msg("案件{number}调解协议的履行节点已到期，请核实履行情况。",
            "A performance milestone of the agreement in case {number} has fallen due; "
            "please check whether it was performed.")),
    ReminderKind.CONFIRMATION_WINDOW: (
        Msg("司法确认申请期限临近：{number}", "Judicial confirmation window closing: {number}"),
        Msg("案件{number}的调解协议于{effective}生效，申请司法确认应在生效之日起三十日内共同提出，"
            "请提示当事人。",
            "The agreement of case {number} took effect on {effective}; the parties must apply "
            "together for judicial confirmation within 30 days of that day. Please remind them.")),
    ReminderKind.FOLLOW_UP: (
        Msg("回访：{number}", "Follow-up visit: {number}"),
        Msg("案件{number}的调解协议于{effective}生效，请按期回访当事人，了解履行情况。",
            "The agreement of case {number} took effect on {effective}; please visit the "
            "parties to learn how it is being performed.")),
    ReminderKind.RATING_FOLLOW_UP: (
        Msg("差评回访：{number}", "Bad rating to follow up: {number}"),
        Msg("案件{number}收到当事人差评，请于{deadline}前回访并记录处理情况。",
            "A party gave case {number} a bad rating; follow it up and record what you found "
            "by {deadline}.")),
    ReminderKind.WARNING_ACK: (
        Msg("请确认风险预警{project}", "Please acknowledge the risk warning: {project}"),
        Msg("贵公司{project}的风险预警尚未确认，请登录平台查看并提交整改计划。",
            "The risk warning on your project {project} has not been acknowledged; please "
            "sign in to read it and send a rectification plan.")),
}


def _fields(template: str) -> list[str]:
    found = []
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"a reminder template takes plain {{name}} fields: {template!r}")
        if name not in found:
            found.append(name)
    return found


#: Every fact any template names.
FIELDS: tuple[str, ...] = tuple(sorted({name for pair in TEXTS.values() for msg in pair
                                        for text in (str(msg), msg.en) for name in _fields(text)}))


def _fill(template: str, facts: dict) -> str:
    for name in _fields(template):
        template = template.replace("{" + name + "}", facts.get(name, ""))
    return template


def _facts(payload: dict | None) -> tuple[dict, dict]:
    """The Chinese and the English facts of a payload (None and missing read as empty)."""
    payload = payload or {}
    zh = {name: "" if payload.get(name) is None else str(payload[name]) for name in FIELDS}
    en = {name: str(payload[f"{name}_en"]) if payload.get(f"{name}_en") is not None
          else zh[name] for name in FIELDS}
    return zh, en


def render(kind: str, payload: dict | None) -> tuple[Msg, Msg]:
    """The subject and body of a reminder, both languages (a :class:`Msg` each)."""
    subject, body = TEXTS[ReminderKind(kind)]
    zh, en = _facts(payload)
    return (Msg(_fill(str(subject), zh), _fill(subject.en, en)),
            Msg(_fill(str(body), zh), _fill(body.en, en)))


#: The four text columns of a notice and (template picker, English?) for each.
_COLUMNS = {"subject": (0, False), "body": (1, False), "subject_en": (0, True),
            "body_en": (1, True)}


@cache
def sql_texts(dialect: str, row: str = "r") -> tuple[dict[str, str], dict[str, str]]:
    """SQL expressions that render the four text columns of the reminder row ``row``
    (``{column: expression}``) and the bound templates they use (``{name: template}``).

    The facts are read from ``row.payload`` (``json_extract`` on SQLite, ``->>`` on
    PostgreSQL); each kind's branch names only the facts its template uses."""
    def fact(name: str) -> str:
        if dialect == "postgresql":
            return f"({row}.payload ->> '{name}')"
        return f"json_extract({row}.payload, '$.{name}')"

    params: dict[str, str] = {}
    columns: dict[str, str] = {}
    for column, (which, english) in _COLUMNS.items():
        branches = []
        for number, (kind, pair) in enumerate(TEXTS.items()):
            template = pair[which].en if english else str(pair[which])
            name = f"tpl_{number}_{column}"
            params[name] = template
            expression = f":{name}"
            for field in _fields(template):
                value = (f"coalesce({fact(field + '_en')}, {fact(field)}, '')" if english
                         else f"coalesce({fact(field)}, '')")
                expression = f"replace({expression}, '{{{field}}}', {value})"
            branches.append(f"WHEN '{kind.value}' THEN {expression}")
        columns[column] = f"CASE {row}.kind {' '.join(branches)} ELSE '' END"
    return columns, params
