"""Importing referrals from other agencies (CSV), with visible progress.

The pages sit under ``/court/imports`` but in a blueprint of their own, because the
import is a court clerk's job (role ``admin``) as much as a judge's, and the ``court``
blueprint admits judges only. Every import is scoped to the user's court.

Why a thread per import is acceptable here: an import is rare (a few files a week per
court), bounded (≤ 10 MB, ≤ 50,000 rows, a few seconds of work for thousands of rows),
and all-or-nothing in one transaction — if the worker process dies midway, nothing was
imported and the page reports the import as interrupted (``STALE_AFTER``). The request
answers at once and the browser polls ``progress.json``, which reads the counters the
worker commits to the database, so polling works across several web workers and hosts.
A job queue would add a moving part for no gain at this volume. For very large files,
``flask referrals import FILE`` runs the very same service in the foreground.
"""
from __future__ import annotations

import os
import tempfile
import threading
from datetime import datetime

from flask import (
    Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import SelectField

from app.access import Permission, can
from app.extensions import db
from app.models.referrals import AGENCIES
from app.models.types import utcnow
from app.services import referral_csv, referrals
from app.services.errors import NotFoundError, ServiceError
from app.web.forms import BaseForm
from mediation.messages import Msg

bp = Blueprint("referrals", __name__, url_prefix="/court/imports")

AGENCY_LABELS = {
    "housing_bureau": _l("Housing and urban-rural development bureau"),
    "petition_office": _l("Petition office"),
    "land_bureau": _l("Natural resources and planning bureau"),
    "police": _l("Public security bureau"),
    "law_enforcement": _l("Comprehensive law-enforcement bureau"),
    "justice_bureau": _l("Justice bureau"),
    "market_regulator": _l("Market regulation bureau"),
    "hotline_12345": _l("12345 government service hotline"),
}


def agency_label(code: str | None) -> str:
    return str(AGENCY_LABELS.get(code, code or "—"))


def agency_choices() -> list[tuple[str, str]]:
    return [(code, str(AGENCY_LABELS[code])) for code in AGENCIES]


def referral_column_header(name: str | None) -> str:
    """The Chinese header of a referral file's column (for the import report)."""
    return referral_csv.FIELD_HEADERS.get(name, name or "—")


@bp.before_request
def _only_court_staff():
    # app.auth already admits only logged-in judges and clerks (BLUEPRINT_ROLES); imports
    # are scoped to a court, so staff must belong to one.
    if current_user.court_id is None:
        abort(403)
    return None


class ReferralImportForm(BaseForm):
    agency = SelectField(_l("Referring agency"), choices=agency_choices)
    file = FileField(
        _l("CSV file"),
        description=_l("UTF-8 or GBK (as saved by Excel), at most 10 MB."),
        validators=[
            FileRequired(_l("Choose the CSV file to import.")),
            FileAllowed(["csv", "txt"], _l("Upload a .csv file (in Excel: Save as → CSV).")),
            FileSize(referrals.MAX_FILE_BYTES, min_size=1,
                     message=_l("The file must be between 1 byte and 10 MB.")),
        ],
    )


def _load(import_id: int):
    try:
        return referrals.get_import(import_id, actor=current_user)
    except NotFoundError:
        abort(404)


def _run_in_background(app, import_id: int, path: str, actor_id: int) -> threading.Thread:
    """Run the import in its own thread, app context and database session."""

    def work() -> None:
        with app.app_context():
            try:
                from app.models import User

                with open(path, "rb") as handle:
                    data = handle.read()
                actor = db.session.get(User, actor_id)
                referrals.run_referral_import(import_id, data, actor=actor, now=utcnow())
            except Exception:  # the import row must not stay "validating" after a bug
                app.logger.exception("referral import %s crashed", import_id)
                referrals.fail_import(
                    import_id, now=utcnow(),
                    message=Msg("导入时发生系统错误，未导入任何投诉，请稍后重试或联系管理员",
                                "The import failed on a system error; nothing was imported. "
                                "Try again later or ask the administrator"))
            finally:
                db.session.remove()
                try:
                    os.unlink(path)
                except OSError:
                    pass

    thread = threading.Thread(target=work, name=f"referral-import-{import_id}", daemon=True)
    thread.start()
    return thread


@bp.get("/")
def list_imports():
    return render_template("referrals/list.html", imports=referrals.list_imports(actor=current_user),
                           now=utcnow(), is_interrupted=referrals.is_interrupted)


@bp.route("/new", methods=["GET", "POST"])
def new_import():
    form = ReferralImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        fd, path = tempfile.mkstemp(prefix="referral-", suffix=".csv")
        with os.fdopen(fd, "wb") as handle:
            upload.save(handle)
        try:
            record = referrals.start_referral_import(
                filename=upload.filename, agency=form.agency.data, actor=current_user, now=utcnow())
        except ServiceError as error:
            os.unlink(path)
            getattr(form, error.field or "file", form.file).errors.append(error.message)
        else:
            _run_in_background(current_app._get_current_object(), record.id, path, current_user.id)
            flash(_("The file was received; it is being checked now."), "info")
            return redirect(url_for("referrals.show_import", import_id=record.id))
    return render_template("referrals/new.html", form=form, columns=referral_csv.COLUMNS,
                           max_rows=referral_csv.MAX_ROWS), (422 if form.errors else 200)


@bp.get("/template.csv")
def download_template():
    return Response(referral_csv.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=referrals_template.csv"})


def _triage_url(record) -> str | None:
    """The judge's triage list; clerks cannot open the court's pages, so they get no link."""
    return url_for("court.triage") if can(current_user, Permission.COMPLAINT_DECIDE, record) else None


@bp.get("/<int(max=2147483647):import_id>")
def show_import(import_id: int):
    record = _load(import_id)
    now = utcnow()
    return render_template(
        "referrals/show.html", record=record, errors=referrals.report_errors(record),
        notes=referrals.report_notes(record),
        complaints=referrals.imported_complaints(record) if record.status == "imported" else [],
        interrupted=referrals.is_interrupted(record, now), triage_url=_triage_url(record))


def progress_document(record, now: datetime) -> dict:
    finished = record.status != "validating"
    total, processed = record.total_rows or 0, record.processed_rows or 0
    if finished:
        phase = record.status
    elif total and processed >= total:
        phase = "writing"
    else:
        phase = "validating"
    return {
        "id": record.id, "status": record.status, "phase": phase, "finished": finished,
        "interrupted": referrals.is_interrupted(record, now),
        "total_rows": total, "processed_rows": processed,
        "imported_rows": record.imported_rows, "duplicate_rows": record.duplicate_rows,
        "error_count": len(referrals.report_errors(record)),
        "percent": 100 if finished else (int(processed * 100 / total) if total else 0),
    }


@bp.get("/<int(max=2147483647):import_id>/progress.json")
def import_progress(import_id: int):
    response = jsonify(progress_document(_load(import_id), utcnow()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int(max=2147483647):import_id>/report.csv")
def download_report(import_id: int):
    record = _load(import_id)
    name = f"import-{record.id}-report.csv"
    return Response(referral_csv.errors_csv(record.errors or []), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})

