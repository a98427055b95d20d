"""Importing referrals from other agencies (CSV), with visible progress.

The pages sit under ``/court/imports`` but in a blueprint of their own, because the
import is a court clerk's job (role ``admin``) as much as a judge's, and the ``court``
blueprint admits judges only. Every import is scoped to the user's court.

No web view starts a thread: the upload is stored under ``UPLOAD_DIR/imports`` and the
import queued (``queued_jobs``) in the transaction that records it; the scheduler's
``queued`` job runs it within seconds (``app.services.queued_jobs``). The import is
all-or-nothing in one transaction — if the scheduler dies midway, nothing was imported
and the page reports the import as interrupted (``STALE_AFTER``). The request answers at
once and the browser polls ``progress.json``, which reads the job's status and the
counters the job commits, so polling works across several web workers and hosts. For very
large files, ``flask referrals import FILE`` runs the very same service in the foreground.
"""
from __future__ import annotations

import os
import tempfile
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
from app.services import queued_jobs, referral_csv, referrals
from app.services.errors import NotFoundError, ServiceError
from app.web.forms import BaseForm

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


JOB_LABELS = {
    "queued": _l("Queued: the scheduler takes it within seconds"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
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


def _store_upload(upload) -> str:
    """Keep the uploaded file where the scheduler process can read it (UPLOAD_DIR/imports)."""
    folder = os.path.join(current_app.config["UPLOAD_DIR"], "imports")
    os.makedirs(folder, exist_ok=True)
    fd, path = tempfile.mkstemp(prefix="referral-", suffix=".csv", dir=folder)
    with os.fdopen(fd, "wb") as handle:
        upload.save(handle)
    return path


@bp.get("/")
def list_imports():
    return render_template("referrals/list.html", imports=referrals.list_imports(actor=current_user),
                           now=utcnow(), is_interrupted=referrals.is_interrupted)


@bp.route("/new", methods=["GET", "POST"])
def new_import():
    form = ReferralImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        path = _store_upload(upload)
        try:
            record = referrals.start_referral_import(
                filename=upload.filename, agency=form.agency.data, actor=current_user, now=utcnow(),
                queue_file=path)
        except ServiceError as error:
            os.unlink(path)
            getattr(form, error.field or "file", form.file).errors.append(error.message)
        else:  # the scheduler runs it (app.services.queued_jobs); no thread here
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
        interrupted=referrals.is_interrupted(record, now), triage_url=_triage_url(record),
        job=queued_jobs.job_for_import(record.id), job_labels=JOB_LABELS)


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
        "job": getattr(queued_jobs.job_for_import(record.id), "status", None),
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

