"""The records a judge enters for staged release: preservation orders and their frozen
assets, counter-guarantees with their documents and adequacy review, and obligations
entered by hand (docs/release-in-the-app.md, "Entering the records").

Each use case checks everything first and reports every problem next to its field
(``ServiceError(errors=[…])``), then writes the record and a line on the timeline of
every case it concerns in one transaction (``@use_case`` rolls back on any failure).
With ``check=True`` a use case only reports the problems (the form found some of its
own, and the page shows all of them at once) and writes nothing. The cases named are
always the developer's cases in the judge's own court. What the
planner reads from these rows is ``app.services.release.build_scenario``: a record is in
the plan page as soon as it is saved.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Case, CaseEvent, Developer, User
from app.models.release import (
    ASSET_KINDS, GUARANTEE_KINDS, WHOLE_KINDS, CounterGuarantee, FrozenAsset, Obligation, ObligationReduction,
    PreservationOrder,
)
from app.models.release_files import CounterGuaranteeFile
from app.services import evidence
from app.services.case_records import event_reason
from app.services.errors import ConflictError, NotFoundError, ServiceError
from app.services.reminders import remind
from app.services.use_case import use_case
from mediation.amounts import format_yuan
from mediation.casenumber import CaseNumberError, format_case_number, parse_case_number
from mediation.messages import Msg

#: Case-type codes of preservation rulings (人民法院案件类型及其代字标准): 财保 for
#: preservation before or outside litigation, 执保 for preservation in enforcement.
PRESERVATION_TYPE_CODES = ("财保", "执保")
#: Documents filed with one counter-guarantee.
MAX_GUARANTEE_FILES = 10

_ALREADY = Msg("这份保全裁定已经登记过", "This preservation ruling is already recorded")
_CORRECT = Msg("请修改标出的内容后再提交", "Please correct the marked fields and submit again")


class _Problems:
    """Field errors gathered before anything is written."""

    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, field: str, message: Msg) -> None:
        self.items.append({"field": field, "message": message})

    def raise_any(self) -> None:
        if self.items:
            raise ServiceError(_CORRECT, errors=self.items)


def normalise_ruling_no(text: str | None) -> str:
    """A preservation ruling's number in the court's style, with full-width parentheses:
    ``(2026)琼9005财保12号`` → ``（2026）琼9005财保12号``; raises ServiceError on ``ruling_no``."""
    try:
        number = parse_case_number(text or "")
    except CaseNumberError as error:
        raise ServiceError(Msg("裁定书文号格式不正确，应如“（2026）琼9005财保12号”",
                               "The ruling number is malformed; it reads like （2026）琼9005财保12号"),
                           "ruling_no") from error
    if number.type_code not in PRESERVATION_TYPE_CODES:
        raise ServiceError(Msg("这不是财产保全裁定的文号（类型代字应为“财保”或“执保”）",
                               "This is not the number of a preservation ruling (its type code is 财保 or 执保)"),
                           "ruling_no")
    return format_case_number(number.year, number.court_code, number.seq, type_code=number.type_code)


def developer_cases(developer_id: int, court_id: int | None) -> list[Case]:
    """The developer's cases in the judge's court: the only cases a record may name."""
    return list(db.session.scalars(select(Case).where(
        Case.developer_id == developer_id, Case.court_id == court_id).order_by(Case.id)))


def _cases(developer_id: int, court_id: int | None, case_ids, problems: _Problems, field: str) -> list[Case]:
    ids = sorted({int(c) for c in case_ids or ()})
    if not ids:
        problems.add(field, Msg("请选择所涉案件", "Choose the cases concerned"))
        return []
    cases = {c.id: c for c in developer_cases(developer_id, court_id) if c.id in ids}
    if len(cases) != len(ids):
        problems.add(field, Msg("所选案件须是该开发商在本院的案件", "The cases must be this developer's cases in your court"))
        return []
    return [cases[i] for i in ids]


def _log(case_ids, message: Msg, actor: User | None, now: datetime) -> None:
    """One timeline line on each case (status unchanged)."""
    for case_id in sorted(set(case_ids)):
        case = db.session.get(Case, case_id)
        db.session.add(CaseEvent(case_id=case_id, at=now, actor_id=actor.id if actor else None,
                                 actor_role=actor.role if actor else None, from_status=case.status,
                                 to_status=case.status, **event_reason(message)))


def _asset_problems(item: dict, problems: _Problems) -> None:
    if item.get("kind") not in ASSET_KINDS:
        problems.add("kind", Msg("请选择财产类别", "Choose the kind of asset"))
    if not (item.get("label") or "").strip():
        problems.add("label", Msg("请填写财产名称或账号", "Describe the asset (name, account or unit number)"))
    if item.get("frozen_fen") is None or item["frozen_fen"] <= 0:
        problems.add("value", Msg("冻结金额必须大于零", "The frozen value must be above zero"))
    if item.get("applicant_consented") and not item.get("disputed"):
        problems.add("applicant_consented", Msg("只有争议房产才需要申请人同意解封",
                                                "Only a disputed property needs the applicant's consent"))


def _asset_row(order: PreservationOrder, item: dict, cases: list[Case]) -> FrozenAsset:
    asset = FrozenAsset(order=order, developer_id=order.developer_id, kind=item["kind"],
                        label=item["label"].strip(), frozen_fen=item["frozen_fen"], released_fen=0,
                        divisible=item["kind"] not in WHOLE_KINDS, disputed=bool(item.get("disputed")),
                        applicant_consented=bool(item.get("applicant_consented")))
    asset.cases = cases
    return asset


def _asset_logged(asset: FrozenAsset, verb: Msg, actor, now) -> None:
    _log([c.id for c in asset.cases],
         Msg("{verb}冻结财产“{label}”（{ruling}），冻结金额 {amount}",
             "{verb} frozen asset “{label}” ({ruling}), frozen value {amount}",
             verb=verb, label=asset.label, ruling=asset.order.ruling_no, amount=format_yuan(asset.frozen_fen)),
         actor, now)


@use_case
def record_order(developer_id: int, *, court_id: int | None, ruling_no: str, ruled_on: date | None,
                 expires_on: date | None, asset: dict, actor: User | None, now: datetime,
                 check: bool = False) -> PreservationOrder | None:
    """A preservation ruling and the first asset it froze (``{kind, label, frozen_fen, cases,
    disputed, applicant_consented}``); more assets are added with :func:`add_asset`."""
    if db.session.get(Developer, developer_id) is None:
        raise NotFoundError(Msg("没有这个开发商。", "No such developer."))
    problems = _Problems()
    number = None
    try:
        number = normalise_ruling_no(ruling_no)
    except ServiceError as error:
        problems.items.extend(error.raw_errors)
    if number and db.session.scalar(select(PreservationOrder.id).where(PreservationOrder.ruling_no == number)):
        problems.add("ruling_no", _ALREADY)
    if ruled_on is None:
        problems.add("ruled_on", Msg("请填写裁定日期", "Enter the day of the ruling"))
    if expires_on is None:
        problems.add("expires_on", Msg("请填写保全期限届满日", "Enter the day the preservation expires"))
    elif ruled_on is not None and expires_on < ruled_on:
        problems.add("expires_on", Msg("保全期限不能早于裁定日期", "The order cannot expire before it was made"))
    _asset_problems(asset, problems)
    cases = _cases(developer_id, court_id, asset.get("cases"), problems, "cases")
    problems.raise_any()
    if check:
        return None
    order = PreservationOrder(developer_id=developer_id, ruling_no=number, ruled_on=ruled_on, expires_on=expires_on,
                              created_by_id=actor.id if actor else None, created_at=now)
    db.session.add(order)
    frozen = _asset_row(order, asset, cases)
    db.session.add(frozen)
    _asset_logged(frozen, Msg("依保全裁定", "Recorded by the preservation ruling:"), actor, now)
    try:
        db.session.commit()
    except IntegrityError:  # the same ruling recorded by another judge a moment ago (the unique number)
        db.session.rollback()
        raise ServiceError(_CORRECT, errors=[{"field": "ruling_no", "message": _ALREADY}]) from None
    return order


def order_view(order_id: int) -> PreservationOrder:
    order = db.session.get(PreservationOrder, order_id)
    if order is None:
        raise NotFoundError(Msg("没有这份保全裁定。", "No such preservation order."))
    return order


@use_case
def add_asset(order_id: int, *, court_id: int | None, asset: dict, actor: User | None,
              now: datetime, check: bool = False) -> FrozenAsset | None:
    """Another asset frozen by the same ruling."""
    order = order_view(order_id)
    problems = _Problems()
    _asset_problems(asset, problems)
    cases = _cases(order.developer_id, court_id, asset.get("cases"), problems, "cases")
    problems.raise_any()
    if check:
        return None
    frozen = _asset_row(order, asset, cases)
    db.session.add(frozen)
    _asset_logged(frozen, Msg("依保全裁定", "Recorded by the preservation ruling:"), actor, now)
    db.session.commit()
    return frozen


@use_case
def edit_asset(asset_id: int, *, court_id: int | None, label: str, frozen_fen: int | None, cases,
               disputed: bool, applicant_consented: bool, actor: User | None, now: datetime,
               check: bool = False) -> FrozenAsset | None:
    """Correct an asset: its description, value, cases and the applicant's consent. Its kind
    stays; its value never goes below what has already been released from it."""
    frozen = db.session.get(FrozenAsset, asset_id)
    if frozen is None:
        raise NotFoundError(Msg("没有这项财产。", "No such asset."))
    problems = _Problems()
    _asset_problems({"kind": frozen.kind, "label": label, "frozen_fen": frozen_fen, "disputed": disputed,
                     "applicant_consented": applicant_consented}, problems)
    if frozen_fen is not None and 0 < frozen_fen < frozen.released_fen:
        problems.add("value", Msg("冻结金额不能低于已解封的{amount}", "The frozen value cannot go below the {amount} "
                                  "already released", amount=format_yuan(frozen.released_fen)))
    secures = _cases(frozen.developer_id, court_id, cases, problems, "cases")
    problems.raise_any()
    if check:
        return None
    before = {c.id for c in frozen.cases}
    # Conditional: a release committed since the read above is never undercut.
    changed = db.session.execute(update(FrozenAsset).where(
        FrozenAsset.id == frozen.id, FrozenAsset.released_fen <= frozen_fen).values(
        frozen_fen=frozen_fen, label=label.strip(), disputed=disputed, applicant_consented=applicant_consented)
        .execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise ConflictError(Msg("这项财产刚刚有部分解封，请刷新后重试。",
                                "Part of this asset was just released; reload and try again."))
    db.session.refresh(frozen)
    frozen.cases = secures
    _log(before | {c.id for c in secures},
         Msg("更正冻结财产“{label}”（{ruling}）：冻结金额 {amount}{consent}",
             "Frozen asset “{label}” ({ruling}) corrected: frozen value {amount}{consent}",
             label=frozen.label, ruling=frozen.order.ruling_no, amount=format_yuan(frozen.frozen_fen),
             consent=Msg("，申请人已同意解封", ", the applicant consents to its release")
             if disputed and applicant_consented else Msg("", "")), actor, now)
    db.session.commit()
    return frozen


def asset_record(asset_id: int) -> FrozenAsset:
    frozen = db.session.get(FrozenAsset, asset_id)
    if frozen is None:
        raise NotFoundError(Msg("没有这项财产。", "No such asset."))
    return frozen


def backing_choices(developer_id: int) -> list[tuple[str, str]]:
    """What a guarantee may rest on: the developer's frozen assets (``A<id>``) and its other
    guarantees (``G<id>``)."""
    assets = db.session.scalars(select(FrozenAsset).where(FrozenAsset.developer_id == developer_id)
                                .order_by(FrozenAsset.id)).all()
    guarantees = db.session.scalars(select(CounterGuarantee).where(CounterGuarantee.developer_id == developer_id)
                                    .order_by(CounterGuarantee.id)).all()
    return [(f"A{a.id}", f"A{a.id} {a.label}") for a in assets] + \
           [(f"G{g.id}", f"G{g.id} {g.provider}") for g in guarantees]


@use_case
def offer_guarantee(developer_id: int, *, court_id: int | None, provider: str, provider_developer_id: int | None,
                    kind: str, value_fen: int | None, cases, valid_from: date | None, valid_until: date | None,
                    backed_by: str | None, files=(), actor: User | None, now: datetime,
                    check: bool = False) -> CounterGuarantee | None:
    """A counter-guarantee offered for the developer's frozen assets, with its documents.
    It secures nothing until a judge accepts it (:func:`review_guarantee`)."""
    if db.session.get(Developer, developer_id) is None:
        raise NotFoundError(Msg("没有这个开发商。", "No such developer."))
    problems = _Problems()
    if not (provider or "").strip():
        problems.add("provider", Msg("请填写担保人", "Name the provider of the guarantee"))
    if provider_developer_id is not None and db.session.get(Developer, provider_developer_id) is None:
        problems.add("provider_developer", Msg("没有这个开发商", "No such developer"))
    if kind not in GUARANTEE_KINDS:
        problems.add("kind", Msg("请选择担保方式", "Choose the kind of guarantee"))
    if value_fen is None or value_fen <= 0:
        problems.add("value", Msg("担保金额必须大于零", "The value must be above zero"))
    if valid_from is None:
        problems.add("valid_from", Msg("请填写担保有效期的开始日", "Enter the first day of validity"))
    if valid_until is None:
        problems.add("valid_until", Msg("请填写担保有效期的结束日", "Enter the last day of validity"))
    elif valid_from is not None and valid_until < valid_from:
        problems.add("valid_until", Msg("担保有效期的结束日不能早于开始日", "The guarantee cannot end before it starts"))
    secures = _cases(developer_id, court_id, cases, problems, "cases")
    asset_id = guarantee_id = None
    if backed_by:
        if backed_by not in {key for key, _ in backing_choices(developer_id)}:
            problems.add("backed_by", Msg("担保物须是该开发商的冻结财产或其他反担保",
                                          "It can rest only on this developer's frozen assets or other guarantees"))
        elif backed_by.startswith("A"):
            asset_id = int(backed_by[1:])
        else:
            guarantee_id = int(backed_by[1:])
    prepared, file_errors = evidence.prepare_files(files, field="files", max_count=MAX_GUARANTEE_FILES)
    problems.items.extend(file_errors)
    problems.raise_any()
    if check:
        return None
    guarantee = CounterGuarantee(
        developer_id=developer_id, provider=provider.strip(), provider_developer_id=provider_developer_id, kind=kind,
        value_fen=value_fen, valid_from=valid_from, valid_until=valid_until, backed_by_asset_id=asset_id,
        backed_by_guarantee_id=guarantee_id, status="offered", created_at=now)
    guarantee.cases = secures
    db.session.add(guarantee)
    db.session.flush()
    for item in prepared:
        db.session.add(CounterGuaranteeFile(
            guarantee_id=guarantee.id, uploaded_by_id=actor.id if actor else None, original_name=item.original_name,
            stored_name=item.stored_name, content_type=item.content_type, size_bytes=item.size_bytes,
            sha256=item.sha256, created_at=now))
    _log([c.id for c in secures],
         Msg("{provider}提供反担保（G{id}），金额 {amount}，待审查",
             "Counter-guarantee G{id} offered by {provider}, value {amount}, awaiting review",
             provider=guarantee.provider, id=guarantee.id, amount=format_yuan(value_fen)),
         actor, now)
    with evidence.stored_files(prepared):
        db.session.commit()
    return guarantee


def guarantee_record(guarantee_id: int) -> CounterGuarantee:
    guarantee = db.session.get(CounterGuarantee, guarantee_id)
    if guarantee is None:
        raise NotFoundError(Msg("没有这项反担保。", "No such counter-guarantee."))
    return guarantee


def provider_refusal(guarantee: CounterGuarantee) -> Msg | None:
    """Why this guarantee cannot be accepted, or None: a provider developer on the judges'
    blacklist (a ``BlacklistDecision`` not lifted, or three broken commitments within 365
    days at the last evaluation: ``warning_notices.is_blacklisted``) gives no adequate
    security. Asked by the review form and again by :func:`review_guarantee`."""
    from app.services.warning_notices import is_blacklisted

    if guarantee.provider_developer_id is None or not is_blacklisted(guarantee.provider_developer_id):
        return None
    return Msg("提供人已被列入失信开发商名单，其担保不予接受。",
               "The provider is on the blacklist of developers; its guarantee is refused.")


@use_case
def review_guarantee(guarantee_id: int, *, accept: bool | None, reason: str, actor: User | None,
                     now: datetime) -> CounterGuarantee:
    """The judge's review of adequacy with its reason: accepted or refused (a blacklisted
    provider's guarantee is refused), on the timeline of every case it covers."""
    guarantee = guarantee_record(guarantee_id)
    if guarantee.status != "offered":
        raise ConflictError(Msg("这项反担保已经审查过。", "This counter-guarantee was already reviewed."))
    problems = _Problems()
    if accept is None:
        problems.add("decision", Msg("请选择接受或不予接受", "Choose to accept or refuse"))
    elif accept and (refusal := provider_refusal(guarantee)) is not None:
        problems.add("decision", refusal)
    if not (reason or "").strip():
        problems.add("reason", Msg("请写明审查理由", "Give the reason of the review"))
    problems.raise_any()
    taken = db.session.execute(update(CounterGuarantee).where(
        CounterGuarantee.id == guarantee.id, CounterGuarantee.status == "offered").values(
        status="accepted" if accept else "refused", review_reason=reason.strip(),
        reviewed_by_id=actor.id if actor else None, reviewed_at=now).execution_options(synchronize_session=False))
    if taken.rowcount != 1:  # another judge reviewed it between our read and this UPDATE
        raise ConflictError(Msg("这项反担保已经审查过。", "This counter-guarantee was already reviewed."))
    db.session.refresh(guarantee)
    verdict = Msg("接受", "accepted") if accept else Msg("不予接受", "refused")
    _log([c.id for c in guarantee.cases],
         Msg("反担保 G{id}（{provider}）经审查{verdict}：{reason}",
             "Counter-guarantee G{id} ({provider}) {verdict} on review: {reason}",
             id=guarantee.id, provider=guarantee.provider, verdict=verdict, reason=guarantee.review_reason), actor, now)
    db.session.commit()
    return guarantee


def guarantee_file(guarantee_id: int, file_id: int) -> tuple[CounterGuaranteeFile, object]:
    """A document of the guarantee and its path on disk (404 when it is not this guarantee's)."""
    item = db.session.get(CounterGuaranteeFile, file_id)
    if item is None or item.guarantee_id != guarantee_id:
        raise NotFoundError(Msg("文件不存在", "No such file"))
    return item, evidence.path_of(item)


def open_obligations(developer_id: int) -> list[Obligation]:
    return list(db.session.scalars(select(Obligation).where(
        Obligation.developer_id == developer_id, Obligation.status != "confirmed").order_by(Obligation.id)))


@use_case
def add_obligation(developer_id: int, *, court_id: int | None, description: str, cost_fen: int | None,
                   due_on: date | None, after_id: int | None, reduces: list[tuple[int | None, int | None]],
                   actor: User | None, now: datetime, check: bool = False) -> Obligation | None:
    """An obligation of the developer entered by hand: what it costs, when it is due, what
    it must wait for, and how much it settles of each case (``reduces``: (case, fen) rows;
    empty rows are skipped)."""
    if db.session.get(Developer, developer_id) is None:
        raise NotFoundError(Msg("没有这个开发商。", "No such developer."))
    problems = _Problems()
    if not (description or "").strip():
        problems.add("description", Msg("请写明应履行的义务", "Say what must be performed"))
    if cost_fen is None:
        problems.add("cost", Msg("请填写履行所需金额（无需支出填 0）", "Enter what performing it costs (0 if nothing)"))
    if after_id is not None and after_id not in {o.id for o in open_obligations(developer_id)}:
        problems.add("after", Msg("前序义务须是该开发商尚未确认履行的义务",
                                  "The obligation before must be one of this developer's not yet confirmed"))
    rows = [(c, a) for c, a in reduces if c is not None or a is not None]
    if any(c is None or a is None or a <= 0 for c, a in rows):
        problems.add("reductions", Msg("每一行须选择案件并填写大于零的金额", "Each row needs a case and an amount above zero"))
    elif len({c for c, _ in rows}) != len(rows):
        problems.add("reductions", Msg("同一案件只能填写一行", "Name each case once"))
    elif not rows:
        problems.add("reductions", Msg("请至少填写一个案件及其减少的金额", "Name at least one case and what it settles"))
    else:
        _cases(developer_id, court_id, [c for c, _ in rows], problems, "reductions")
    problems.raise_any()
    if check:
        return None
    obligation = Obligation(developer_id=developer_id, description=description.strip(), cost_fen=cost_fen,
                            after_id=after_id, due_on=due_on, status="open", created_at=now)
    obligation.reductions = [ObligationReduction(case_id=c, amount_fen=a) for c, a in sorted(rows)]
    db.session.add(obligation)
    db.session.flush()
    _log([c for c, _ in rows], Msg("登记开发商应履行义务 O{id}：{what}", "Obligation O{id} of the developer recorded: {what}",
                                   id=obligation.id, what=obligation.description), actor, now)
    db.session.commit()
    return obligation


def obligation_record(obligation_id: int) -> Obligation:
    obligation = db.session.get(Obligation, obligation_id)
    if obligation is None:
        raise NotFoundError(Msg("没有这项义务。", "No such obligation."))
    return obligation


#: The moves of an obligation a judge records: open → performed → confirmed (or straight to confirmed).
_MOVES = {"performed": ("open",), "confirmed": ("open", "performed")}


@use_case
def mark_obligation(obligation_id: int, *, status: str, actor: User | None, now: datetime) -> Obligation:
    """Record that the obligor — the developer, or a homeowner under a confirmed agreement —
    performed an obligation, or that the court confirms it was performed (later stages may
    then be released; a homeowner's never enter a release plan). Once only: a second click
    is a 409. A confirmation ends its milestone's reminders (``obligation_performed``), in
    the same transaction as the status and the timeline line."""
    obligation = obligation_record(obligation_id)
    if status not in _MOVES:
        raise ServiceError(Msg("未知的履行状态", "Unknown status"), "status")
    values = {"status": status, **({"confirmed_at": now} if status == "confirmed" else {}),
              # confirmed straight from open: performed now too (the early warning reads it)
              "performed_at": func.coalesce(Obligation.performed_at, literal(now, Obligation.performed_at.type))}
    moved = db.session.execute(update(Obligation).where(
        Obligation.id == obligation.id, Obligation.status.in_(_MOVES[status])).values(**values)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise ConflictError(Msg("这项义务的状态已经变更。", "This obligation has already moved on."))
    db.session.refresh(obligation)
    what = Msg("已履行", "performed") if status == "performed" else Msg("经法院确认已履行", "confirmed by the court as performed")
    # An obligation from a confirmed agreement may settle no amount: its own case still hears of it.
    _log([r.case_id for r in obligation.reductions] + ([obligation.case_id] if obligation.case_id else []),
         Msg("义务 O{id}（{desc}）{what}", "Obligation O{id} ({desc}) {what}", id=obligation.id,
             desc=obligation.description, what=what), actor, now)
    if status == "confirmed":
        remind("obligation_performed", obligation, now=now)
    db.session.commit()
    return obligation


@dataclass(frozen=True)
class Records:
    orders: list
    guarantees: list
    obligations: list
    files: dict


def records_of(developer_id: int) -> Records:
    """Everything entered for the developer, for the judge's records page and the
    developer's own (read-only) page."""
    orders = db.session.scalars(select(PreservationOrder).where(PreservationOrder.developer_id == developer_id)
                                .options(selectinload(PreservationOrder.assets).selectinload(FrozenAsset.cases))
                                .order_by(PreservationOrder.id)).all()
    guarantees = db.session.scalars(select(CounterGuarantee).where(CounterGuarantee.developer_id == developer_id)
                                    .options(selectinload(CounterGuarantee.cases)).order_by(CounterGuarantee.id)).all()
    obligations = db.session.scalars(select(Obligation).where(Obligation.developer_id == developer_id)
                                     .options(selectinload(Obligation.reductions)).order_by(Obligation.id)).all()
    files: dict[int, list] = {}
    if guarantees:
        for item in db.session.scalars(select(CounterGuaranteeFile).where(
                CounterGuaranteeFile.guarantee_id.in_([g.id for g in guarantees])).order_by(CounterGuaranteeFile.id)):
            files.setdefault(item.guarantee_id, []).append(item)
    return Records(list(orders), list(guarantees), list(obligations), files)
