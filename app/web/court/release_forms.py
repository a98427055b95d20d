"""Judges enter the release records of a developer: preservation orders and their frozen
assets, counter-guarantees and their review, obligations and their performance
(docs/release-in-the-app.md). Who may: ``Permission.RELEASE_RECORD`` — a judge whose court
holds a case against the developer; anyone else's developer, order or guarantee is 404."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import Permission, can
from app.extensions import db
from app.models import Case, Developer
from app.models.types import utcnow
from app.services import release_records as records
from app.services.errors import NotFoundError, ServiceError
from app.web.court import bp
from app.web.court.release_record_forms import (
    AssetForm, EditAssetForm, GuaranteeForm, MarkForm, ObligationForm, OrderForm, ReviewForm,
)
from app.web.forms import EmptyForm
from app.web.release_labels import release_labels
from mediation.amounts import fen_to_yuan_text

_ID = "int(max=2147483647)"


def _allowed(obj):
    """The object when the judge may record for its developer; else 404 (not disclosed)."""
    if obj is None or not can(current_user, Permission.RELEASE_RECORD, obj):
        abort(404)
    return obj


def _found(getter, *args):
    try:
        return _allowed(getter(*args))
    except NotFoundError:
        abort(404)


def _place(form, error: ServiceError) -> dict:
    """The service's messages next to their fields; those of no simple field (the rows of
    reductions) are returned for the template, by field name. A field the form already
    marked keeps only its own message."""
    loose: dict[str, list] = {}
    for item in error.raw_errors or [{"field": error.field, "message": error.raw_message}]:
        field = getattr(form, item["field"] or "", None)
        if field is not None and isinstance(getattr(field, "errors", None), list) and field.type != "FieldList":
            if not field.errors or field.errors is getattr(field, "_service_errors", None):
                field.errors = field._service_errors = [*(field.errors or []), item["message"]]
        else:
            loose.setdefault(item["field"] or "", []).append(item["message"])
    return loose


def _case_choices(developer_id: int):
    return [(c.id, f"{c.number}") for c in records.developer_cases(developer_id, current_user.court_id)]


def _number(text) -> int | None:
    """A chosen id, or None for an empty choice; a forged non-number is no case at all (-1)."""
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 10 else -1


def _back(developer_id: int):
    return redirect(url_for("court.release_records", developer_id=developer_id), 303)


def _run(form, call):
    """(saved record or None, messages of no single field). A valid form runs the use case;
    an invalid one asks it only to check (``check=True``, nothing written) so that the page
    shows every mistake at once, the form's and the service's. A conflict (409) is flashed."""
    if request.method != "POST":
        return None, {}
    valid = form.validate_on_submit()
    try:
        saved = call(check=not valid)
    except ServiceError as error:
        if error.status == 409:
            flash(error.message, "error")
            return None, {}
        return None, _place(form, error)
    return (saved if valid else None), {}


@bp.get(f"/developers/<{_ID}:developer_id>/release/records")
def release_records(developer_id: int):
    developer = _allowed(db.session.get(Developer, developer_id))
    data = records.records_of(developer_id)
    cases = {c.id: c for c in db.session.scalars(select(Case).where(Case.developer_id == developer_id))}
    refusals = {g.id: records.provider_refusal(g) for g in data.guarantees if g.status == "offered"}
    return render_template("court/release/records.html", developer=developer, records=data, cases=cases,
                           form=EmptyForm(), labels=release_labels(), refusals=refusals)


def _asset_data(form) -> dict:
    return {"kind": getattr(form, "kind", None) and form.kind.data, "label": form.label.data or "",
            "frozen_fen": getattr(form, "value_fen", None), "cases": form.cases.data or [],
            "disputed": form.disputed.data, "applicant_consented": form.applicant_consented.data}


@bp.route(f"/developers/<{_ID}:developer_id>/release/orders/new", methods=["GET", "POST"])
def new_preservation_order(developer_id: int):
    developer = _allowed(db.session.get(Developer, developer_id))
    form = OrderForm()
    form.cases.choices = _case_choices(developer_id)
    saved, loose = _run(form, lambda check: records.record_order(
        developer_id, court_id=current_user.court_id, ruling_no=form.ruling_no.data, ruled_on=form.ruled_on.data,
        expires_on=form.expires_on.data, asset=_asset_data(form), actor=current_user, now=utcnow(), check=check))
    if saved:
        flash(_("The preservation order was recorded."), "success")
        return _back(developer_id)
    status = 422 if request.method == "POST" else 200
    return render_template("court/release/order_form.html", developer=developer, form=form, loose=loose), status


@bp.route(f"/preservation-orders/<{_ID}:order_id>/assets/new", methods=["GET", "POST"])
def new_frozen_asset(order_id: int):
    order = _found(records.order_view, order_id)
    form = AssetForm()
    form.cases.choices = _case_choices(order.developer_id)
    saved, loose = _run(form, lambda check: records.add_asset(
        order.id, court_id=current_user.court_id, asset=_asset_data(form), actor=current_user, now=utcnow(),
        check=check))
    if saved:
        flash(_("The frozen asset was recorded."), "success")
        return _back(order.developer_id)
    status = 422 if request.method == "POST" else 200
    return render_template("court/release/asset_form.html", developer=order.developer, order=order, asset=None,
                           form=form, loose=loose), status


@bp.route(f"/frozen-assets/<{_ID}:asset_id>/edit", methods=["GET", "POST"])
def edit_frozen_asset(asset_id: int):
    asset = _found(records.asset_record, asset_id)
    if request.method == "GET":
        form = EditAssetForm(formdata=None, label=asset.label, value=fen_to_yuan_text(asset.frozen_fen),
                             cases=[c.id for c in asset.cases], disputed=asset.disputed,
                             applicant_consented=asset.applicant_consented)
    else:
        form = EditAssetForm()
    form.cases.choices = _case_choices(asset.developer_id)
    saved, loose = _run(form, lambda check: records.edit_asset(
        asset.id, court_id=current_user.court_id, label=form.label.data or "",
        frozen_fen=getattr(form, "value_fen", None), cases=form.cases.data or [], disputed=form.disputed.data,
        applicant_consented=form.applicant_consented.data, actor=current_user, now=utcnow(), check=check))
    if saved:
        flash(_("The frozen asset was corrected."), "success")
        return _back(asset.developer_id)
    status = 422 if request.method == "POST" else 200
    return render_template("court/release/asset_form.html", developer=asset.order.developer, order=asset.order,
                           asset=asset, form=form, loose=loose, labels=release_labels()), status


def _provider_choices(developer: Developer):
    """The developer itself and the other developers the judge's court has cases against."""
    others = db.session.scalars(select(Developer).where(Developer.id.in_(
        select(Case.developer_id).where(Case.court_id == current_user.court_id))).order_by(Developer.id)).all()
    listed = [developer] + [d for d in others if d.id != developer.id]
    return [("", _("None: a bank, insurer or other third party"))] + [(str(d.id), d.name) for d in listed]


@bp.route(f"/developers/<{_ID}:developer_id>/release/guarantees/new", methods=["GET", "POST"])
def new_counter_guarantee(developer_id: int):
    developer = _allowed(db.session.get(Developer, developer_id))
    form = GuaranteeForm()
    form.cases.choices = _case_choices(developer_id)
    form.provider_developer.choices = _provider_choices(developer)
    form.backed_by.choices = [("", _("Nothing of the developer's (the provider's own credit)"))] + \
        records.backing_choices(developer_id)
    guarantee, loose = _run(form, lambda check: records.offer_guarantee(
        developer_id, court_id=current_user.court_id, provider=form.provider.data or "",
        provider_developer_id=_number(form.provider_developer.data), kind=form.kind.data,
        value_fen=getattr(form, "value_fen", None), cases=form.cases.data or [], valid_from=form.valid_from.data,
        valid_until=form.valid_until.data, backed_by=form.backed_by.data or None,
        files=request.files.getlist("files"), actor=current_user, now=utcnow(), check=check))
    if guarantee:
        flash(_("The counter-guarantee was recorded; it secures nothing until you accept it."), "success")
        if guarantee.backed_by_asset_id is not None:
            flash(_("It rests on frozen asset A%(id)s: the planner counts it as no security.",
                    id=guarantee.backed_by_asset_id), "warning")
        return _back(developer_id)
    status = 422 if request.method == "POST" else 200
    return render_template("court/release/guarantee_form.html", developer=developer, form=form, loose=loose), status


@bp.route(f"/counter-guarantees/<{_ID}:guarantee_id>/review", methods=["GET", "POST"])
def review_counter_guarantee(guarantee_id: int):
    guarantee = _found(records.guarantee_record, guarantee_id)
    form = ReviewForm()
    loose = {}
    if form.validate_on_submit():  # a second review is refused by the service (409, flashed)
        decision = {"accept": True, "refuse": False}.get(form.decision.data)
        try:
            records.review_guarantee(guarantee.id, accept=decision, reason=form.reason.data or "",
                                     actor=current_user, now=utcnow())
        except ServiceError as error:
            if error.status == 409:
                flash(error.message, "error")
            loose = _place(form, error) if error.status != 409 else {}
        else:
            flash(_("The review was recorded."), "success")
            return _back(guarantee.developer_id)
    status = 422 if request.method == "POST" else 200
    developer = db.session.get(Developer, guarantee.developer_id)
    return render_template("court/release/review_form.html", developer=developer, guarantee=guarantee, form=form,
                           labels=release_labels(),
                           refusal=records.provider_refusal(guarantee), files=records.records_of(
                               guarantee.developer_id).files.get(guarantee.id, []), loose=loose), status


@bp.get(f"/counter-guarantees/<{_ID}:guarantee_id>/files/<{_ID}:file_id>")
def counter_guarantee_file(guarantee_id: int, file_id: int):
    _found(records.guarantee_record, guarantee_id)
    try:
        item, path = records.guarantee_file(guarantee_id, file_id)
    except NotFoundError:
        abort(404)
    from app.services.evidence import download_name

    return send_file(path, mimetype=item.content_type, as_attachment=True,
                     download_name=download_name(item.original_name, item.content_type))


@bp.route(f"/developers/<{_ID}:developer_id>/release/obligations/new", methods=["GET", "POST"])
def new_obligation(developer_id: int):
    developer = _allowed(db.session.get(Developer, developer_id))
    form = ObligationForm()
    form.after.choices = [("", _("Nothing before it"))] + [
        (str(o.id), f"O{o.id} {o.description}") for o in records.open_obligations(developer_id)]
    choices = [("", "—")] + [(str(i), label) for i, label in _case_choices(developer_id)]
    for row in form.reductions:
        row.form.case.choices = choices
    saved, loose = _run(form, lambda check: records.add_obligation(
        developer_id, court_id=current_user.court_id, description=form.description.data or "",
        cost_fen=getattr(form, "cost_fen", None), due_on=form.due_on.data, after_id=_number(form.after.data),
        reduces=[(_number(r.form.case.data), getattr(r.form, "amount_fen", None)) for r in form.reductions],
        actor=current_user, now=utcnow(), check=check))
    if saved:
        flash(_("The obligation was recorded."), "success")
        return _back(developer_id)
    status = 422 if request.method == "POST" else 200
    return render_template("court/release/obligation_form.html", developer=developer, form=form,
                           loose=loose), status


@bp.post(f"/obligations/<{_ID}:obligation_id>/mark")
def mark_obligation(obligation_id: int):
    obligation = _found(records.obligation_record, obligation_id)
    form = MarkForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        records.mark_obligation(obligation.id, status=form.status.data, actor=current_user, now=utcnow())
        flash(_("The obligation's performance was recorded."), "success")
    except ServiceError as error:
        flash(error.message, "error")
    return _back(obligation.developer_id)
