"""Filing a complaint from a phone: project search, the form, the receipt, the calculators,
and group filings for neighbours with their confirmation."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import limiter
from app.models.types import utcnow
from app.services import group_filing, intake
from app.services.errors import ServiceError
from app.services.ids import parse_id
from app.web.homeowner import bp
from app.web.intake_forms import (
    AreaDifferenceForm, ComplaintForm, ConfirmCodeForm, GroupFilingForm, LateDeliveryForm,
    TitleDelayForm, apply_errors, dispute_choices, file_from_form, members_from_form,
    project_choices,
)
from app.web.loading import complaint_or_404
from mediation import damages
from mediation.amounts import InvalidAmountError, fen_to_yuan_text, parse_yuan
from mediation.lifecycle import court_date

_CODES_KEY = "group_codes"


@bp.get("/projects.json")
def search_projects():
    """Projects matching ``q`` for the filing form's search box (small JS, no-JS fallback)."""
    return jsonify(items=intake.search_projects(request.args.get("q", ""), limit=20))


@bp.route("/complaints/new", methods=["GET", "POST"])
def file_complaint():
    form = ComplaintForm()
    q = request.args.get("q", "")
    form.dispute_type.choices = dispute_choices()
    unplaced: dict = {}
    if request.method == "GET":
        _prefill(form)
    elif form.validate_on_submit():
        complaint, unplaced = file_from_form(
            form, intake.file_complaint, actor=current_user, now=utcnow(), channel="online")
        if complaint is not None:
            return redirect(url_for("homeowner.show_receipt", complaint_id=complaint.id))
    form.project_id.choices = project_choices(q, selected=form.project_id.data)
    status = 422 if request.method == "POST" else 200
    return render_template("homeowner/file_complaint.html", form=form, q=q,
                           unplaced=unplaced), status


def _prefill(form) -> None:
    """Values carried over from a calculator result or a project search."""
    args = request.args
    if parse_id(args.get("project_id")) is not None:
        form.project_id.data = args["project_id"]
    if args.get("dispute_type"):
        form.dispute_type.data = args["dispute_type"]
    if args.get("claim_kind") or args.get("claim_amount"):
        row = form.claims.entries[0].form
        row.kind.data = args.get("claim_kind", "")[:100]
        row.amount.data = args.get("claim_amount", "")[:20]


@bp.get("/complaints/<int(max=2147483647):complaint_id>/receipt")
def show_receipt(complaint_id: int):
    complaint = complaint_or_404(complaint_id)
    return render_template("homeowner/receipt.html", complaint=complaint)


# --- damages calculators ---------------------------------------------------------------

_CALCULATORS = {"late_delivery": LateDeliveryForm, "title_delay": TitleDelayForm,
                "area": AreaDifferenceForm}


@bp.get("/calculators")
def calculate_damages():
    """The three calculators of docs/court-rules.md §6; a result explains itself and can fill a claim."""
    chosen = request.args.get("calc", "")
    forms = {name: cls(request.args if name == chosen else None, prefix=name)
             for name, cls in _CALCULATORS.items()}
    result = prefill = None
    status = 200
    if chosen in forms:
        form = forms[chosen]
        if form.validate():
            try:
                result, prefill = _calculate(chosen, form)
            except damages.DamagesInputError as error:
                _field_error(form, error.field, error.message)
        if result is None:
            status = 422
    return render_template("homeowner/calculators.html", forms=forms, chosen=chosen,
                           result=result, prefill=prefill), status


_DAMAGES_FIELDS = {"price_fen": "price", "paid_fen": "paid", "monthly_rent_fen": "monthly_rent",
                   "loss_fen": "loss", "contract_area_m2": "contract_area",
                   "measured_area_m2": "measured_area", "annual_rate_bp": "annual_rate"}


def _field_error(form, name: str, message: str) -> None:
    field = getattr(form, _DAMAGES_FIELDS.get(name, name), None)
    if field is None:
        field = next(iter(form))
    field.errors = list(field.errors or []) + [message]


class _Invalid(Exception):
    pass


def _fen(form, name: str, *, required: bool = True) -> int | None:
    text = (getattr(form, name).data or "").strip()
    if not text and not required:
        return None
    try:
        return parse_yuan(text)
    except InvalidAmountError as error:
        _field_error(form, name, error.message)
        raise _Invalid from None


def _calculate(kind: str, form):
    today = court_date(utcnow())
    try:
        if kind == "late_delivery":
            price = _fen(form, "price")
            rent = _fen(form, "monthly_rent", required=False)
            loss = _fen(form, "loss", required=False)
            rate = (form.daily_rate_permille.data or "").strip() or None
            result = damages.late_delivery_damages(
                price, form.promised_on.data, form.delivered_on.data,
                daily_rate_permille=rate, monthly_rent_fen=rent, loss_fen=loss, today=today)
            return result, _prefill_args(kind, "逾期交房违约金", result.amount_fen)
        if kind == "title_delay":
            paid = _fen(form, "paid")
            result = damages.title_delay_damages(
                paid, form.delivered_on.data, form.obtained_on.data, _basis_points(form),
                agreed_deadline=form.agreed_deadline.data, today=today)
            return result, _prefill_args(kind, "逾期办证违约金", result.amount_fen)
        price = _fen(form, "price")
        result = damages.area_difference_settlement(
            price, (form.contract_area.data or "").strip(), (form.measured_area.data or "").strip())
        return result, _prefill_args(kind, "面积差价款（出卖人返还）", result.seller_refunds_fen)
    except _Invalid:
        return None, None


def _basis_points(form) -> int:
    from decimal import Decimal, InvalidOperation

    text = (form.annual_rate.data or "").strip().removesuffix("%")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or rate < 0 or rate > 100 \
            or (rate * 100) != (rate * 100).to_integral_value():
        _field_error(form, "annual_rate", _("Enter the rate in percent with at most two decimals, e.g. 3.85."))
        raise _Invalid
    return int(rate * 100)


def _prefill_args(kind: str, claim_kind: str, amount_fen: int) -> dict | None:
    if amount_fen <= 0:
        return None
    return {"dispute_type": kind, "claim_kind": claim_kind,
            "claim_amount": fen_to_yuan_text(amount_fen)}


# --- group filing ------------------------------------------------------------------------


@bp.route("/complaints/group/new", methods=["GET", "POST"])
def file_group_complaint():
    form = GroupFilingForm()
    q = request.args.get("q", "")
    form.dispute_type.choices = dispute_choices()
    unplaced: dict = {}
    if request.method == "GET":
        if parse_id(request.args.get("project_id")) is not None:
            form.project_id.data = request.args["project_id"]
    elif form.validate_on_submit():
        members, rows, errors = members_from_form(form)
        own_amount = 0
        if (form.claim_amount.data or "").strip():
            try:
                own_amount = parse_yuan(form.claim_amount.data)
            except InvalidAmountError as error:
                errors.append({"field": form.claim_amount, "message": error.message})
        arguments = dict(actor=current_user, now=utcnow(), project_id=form.project_id.data,
                         dispute_type=form.dispute_type.data, facts=form.facts.data,
                         members=members, unit=form.unit.data, claim_amount_fen=own_amount)
        if errors:  # typed amounts unreadable: list every other problem too, save nothing
            errors += group_filing.group_filing_errors(**arguments)
            unplaced = apply_errors(form, errors, rows={"members": rows})
        else:
            try:
                filing = group_filing.file_group_complaint(**arguments)
            except ServiceError as error:
                unplaced = apply_errors(
                    form, error.errors or [{"field": None, "message": error.message}],
                    rows={"members": rows})
            else:
                session[_CODES_KEY] = {"filing": filing.id, "codes": {
                    str(member.id): code for member, code in filing.issued_codes}}
                return redirect(url_for("homeowner.show_group_filing", filing_id=filing.id))
    form.project_id.choices = project_choices(q, selected=form.project_id.data)
    status = 422 if request.method == "POST" else 200
    return render_template("homeowner/group_new.html", form=form, q=q, unplaced=unplaced), status


@bp.get("/complaints/group/<int(max=2147483647):filing_id>")
def show_group_filing(filing_id: int):
    try:
        filing = group_filing.group_filing_for(current_user, filing_id)
    except ServiceError:
        abort(404)
    codes = {}
    stored = session.get(_CODES_KEY)
    if stored and stored.get("filing") == filing.id:
        codes = session.pop(_CODES_KEY)["codes"]
    return render_template("homeowner/group_filing.html", filing=filing, codes=codes)


@bp.route("/group/confirm", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def confirm_group_membership():
    """A neighbour enters the code; sees what they join; confirms or declines."""
    form = ConfirmCodeForm()
    member = None
    status = 200
    if form.validate_on_submit():
        action = request.form.get("action", "preview")
        try:
            if action == "confirm":
                complaint = group_filing.confirm_group_membership(
                    actor=current_user, now=utcnow(), code=form.code.data)
                flash(_("You have joined the group filing. Your complaint has been submitted."),
                      "success")
                return redirect(url_for("homeowner.show_receipt", complaint_id=complaint.id))
            if action == "decline":
                group_filing.decline_group_membership(actor=current_user, now=utcnow(),
                                                code=form.code.data)
                flash(_("You have declined; no complaint was filed in your name."), "info")
                return redirect(url_for("homeowner.home"))
            member = group_filing.preview_group_membership(actor=current_user, code=form.code.data)
        except ServiceError as error:
            apply_errors(form, error.errors or [{"field": "code", "message": error.message}])
            status = 422
    elif request.method == "POST":
        status = 422
    return render_template("homeowner/group_confirm.html", form=form, member=member), status

