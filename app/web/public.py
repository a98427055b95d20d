"""Public pages: the landing page, about, a health check, and document verification."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user

from app.auth import home_endpoint

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    return render_template("public/index.html")


@bp.get("/about")
def about():
    return render_template("public/about.html")


@bp.get("/healthz")
def health():
    return jsonify(status="ok")


@bp.get("/verify/<code>")
def verify_document(code: str):
    """Anyone may check a printed verification code: title, case number, date, SHA-256."""
    from app.services.documents import verification

    document = verification(code)
    return render_template("public/verify.html", document=document), 200 if document else 404
