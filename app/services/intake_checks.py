"""The field checks of a filing, shared by single and group filing.

Each check appends ``{"field", "message"}`` to ``errors`` and returns the clean value (or
None), so a use-case runs them all and reports every invalid field at once
(``ServiceError.errors``) before it writes anything.
"""
from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.models import Project
from app.services.ids import parse_id
from mediation.amounts import MAX_CLAIM_FEN
from mediation.disputes import Channel, DisputeType
from mediation.identifiers import InvalidIdentifierError, validate_resident_id
from mediation.lifecycle import court_date
from mediation.messages import Msg

__all__ = [
    "CLAIM_KIND_MAX", "FACTS_MAX", "INVALID_INPUT", "MAX_CLAIMS", "NAME_MAX", "UNIT_MAX",
    "add_error", "check_amount", "check_channel", "check_claims", "check_dispute_type",
    "check_facts", "check_name", "check_project", "check_resident_id", "check_unit",
    "clean_text",
]

#: Limits of a filing. Facts: a few pages of typing on a phone is plenty; the form says so.
FACTS_MAX = 5000
UNIT_MAX = 64
CLAIM_KIND_MAX = 100
#: A complaint asks for a handful of things (damages, refund, repair, costs…).
MAX_CLAIMS = 10
NAME_MAX = 50

INVALID_INPUT = Msg("请修改标出的内容后再提交", "Correct the marked fields and submit again.")


def add_error(errors: list, field: str, message: str) -> None:
    errors.append({"field": field, "message": message})


def clean_text(value) -> str:
    return "" if value is None else str(value).strip()


def check_amount(errors: list, field: str, value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        add_error(errors, field, Msg("金额应为以分计的整数", "The amount is a whole number of fen"))
        return None
    if value < 0:
        add_error(errors, field, Msg("金额不能为负数", "The amount cannot be negative"))
        return None
    if value > MAX_CLAIM_FEN:
        add_error(errors, field, Msg("金额超出合理范围，请核对",
                                     "The amount is beyond a plausible range; please check it"))
        return None
    return value


def check_dispute_type(errors: list, value) -> str | None:
    code = clean_text(value)
    if not code:
        add_error(errors, "dispute_type", Msg("请选择纠纷类型", "Please choose the kind of dispute"))
        return None
    try:
        return DisputeType(code).value
    except ValueError:
        add_error(errors, "dispute_type", Msg("纠纷类型无效，请重新选择",
                                              "Invalid kind of dispute; please choose again"))
        return None


def check_facts(errors: list, value) -> str:
    # A browser sends a textarea's line breaks as CR LF but counts them as one character;
    # so does the limit here, and the text is kept with plain line feeds.
    facts = clean_text(value).replace("\r\n", "\n")
    if not facts:
        add_error(errors, "facts", Msg("请填写事实与理由", "Please give the facts and reasons"))
    elif len(facts) > FACTS_MAX:
        add_error(errors, "facts", Msg("事实与理由不能超过{facts_max}字（当前{facts}字）",
                                       "The facts and reasons have at most {facts_max} characters (now {facts})",
                                       facts_max=FACTS_MAX, facts=len(facts)))
    return facts


def check_unit(errors: list, value, field: str = "unit") -> str | None:
    unit = clean_text(value)
    if len(unit) > UNIT_MAX:
        add_error(errors, field, Msg("房号不能超过{unit_max}字",
                                     "The unit has at most {unit_max} characters",
                                     unit_max=UNIT_MAX))
    return unit or None


def check_project(errors: list, value, *, developer_id: int | None = None) -> Project | None:
    project_id = parse_id(value)
    project = db.session.get(Project, project_id) if project_id is not None else None
    if project is None:
        add_error(errors, "project_id", Msg("请选择楼盘项目",
                                            "Please choose the project") if clean_text(value) == "" else Msg("所选楼盘项目不存在，请重新选择",
                                                                                      "The chosen project does not exist; please choose again"))
        return None
    if developer_id is not None and project.developer_id != developer_id:
        add_error(errors, "project_id", Msg("只能就本企业开发的项目提出申请",
                                            "A developer can only file about its own projects"))
        return None
    return project


def check_claims(errors: list, claims) -> list[tuple[str, int]]:
    result: list[tuple[str, int]] = []
    if claims is None:
        claims = []
    if not isinstance(claims, (list, tuple)):
        add_error(errors, "claims", Msg("请求事项格式无效", "Invalid claims"))
        return result
    if not claims:
        add_error(errors, "claims", Msg("请至少填写一项请求事项", "Please give at least one claim"))
        return result
    if len(claims) > MAX_CLAIMS:
        add_error(errors, "claims", Msg("请求事项最多{max_claims}项",
                                        "At most {max_claims} claims", max_claims=MAX_CLAIMS))
        return result
    for index, claim in enumerate(claims):
        if not isinstance(claim, dict):
            add_error(errors, f"claims[{index}]", Msg("请求事项格式无效", "Invalid claim"))
            continue
        kind = clean_text(claim.get("kind"))
        if not kind:
            add_error(errors, f"claims[{index}].kind", Msg("请填写请求事项", "Please describe the claim"))
        elif len(kind) > CLAIM_KIND_MAX:
            add_error(errors, f"claims[{index}].kind", Msg("请求事项不能超过{claim_kind_max}字",
                                                           "A claim has at most {claim_kind_max} characters",
                                                           claim_kind_max=CLAIM_KIND_MAX))
        amount = check_amount(errors, f"claims[{index}].amount_fen", claim.get("amount_fen"))
        if kind and len(kind) <= CLAIM_KIND_MAX and amount is not None:
            result.append((kind, amount))
    return result


def check_channel(errors: list, value) -> str | None:
    try:
        return Channel(clean_text(value) or "online").value
    except ValueError:
        add_error(errors, "channel", Msg("受理渠道无效", "Unknown channel"))
        return None


def check_name(errors: list, field: str, value) -> str:
    name = clean_text(value)
    if not name:
        add_error(errors, field, Msg("请填写姓名", "Please enter the name"))
    elif len(name) > NAME_MAX:
        add_error(errors, field, Msg("姓名不能超过{name_max}字",
                                     "The name has at most {name_max} characters",
                                     name_max=NAME_MAX))
    return name


def check_resident_id(errors: list, field: str, value, now: datetime) -> str | None:
    try:
        return validate_resident_id(value, field=field, today=court_date(now))
    except InvalidIdentifierError as error:
        add_error(errors, field, error.message)
        return None
