"""Issue, keep, list and verify the court's PDF documents.

A document is rendered from plain data (``app.documents``), written under
``UPLOAD_DIR/documents/`` with a random name, read back, and its SHA-256 computed on the
bytes as stored — the hash the verification page shows and a party can recompute on the
copy it holds. The verification code printed on every page is random (16 characters of an
alphabet without 0/O, 1/I/L: about 79 bits, so codes cannot be guessed one by one).

Who sees which copy: a party sees the copies made for it (its own data in full, the others'
ID numbers and phones masked); the court's judges and the case's mediator see every copy,
including the court's file copy, which masks nothing. Everyone else gets 404 — the same
answer as for a document that does not exist. Files reach the disk inside the use-case and
are removed again if its transaction fails, so nothing is half-saved.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app, has_request_context, url_for
from sqlalchemy import or_, select

from app.access import Permission, can
from app.documents.agreement import AgreementData, render_agreement
from app.documents.fonts import cjk_font
from app.extensions import db
from app.models import Case, Document, User, VisitCase
from app.services.errors import NotFoundError, ServiceError
from app.services.use_case import use_case
from mediation.messages import Msg

#: Unambiguous characters for codes read from paper: no 0/O, 1/I/L.
VERIFY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERIFY_LENGTH = 16
_STORED = re.compile(r"documents/[0-9a-f]{32}\.pdf")


@dataclass(frozen=True)
class Copy:
    """Who a rendered copy is for: a person, a developer, or nobody (the court's file copy)."""

    key: str | None  # the party key of app.documents.agreement, None for the court's copy
    person_id: int | None = None
    developer_id: int | None = None


def new_verify_code() -> str:
    return "".join(secrets.choice(VERIFY_ALPHABET) for _ in range(VERIFY_LENGTH))


def normalise_code(code: str) -> str:
    """What a reader types (lower case, dashes, spaces) as the stored code."""
    return re.sub(r"[\s\-]", "", str(code or "")).upper()


def verify_url(code: str) -> str:
    """The address printed on the page: absolute when serving a request, else the path."""
    if has_request_context():
        return url_for("public.verify_document", code=code, _external=True)
    return f"/verify/{code}"


def documents_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "documents"


def path_of(document: Document) -> Path:
    """Where a document lives (its stored path is ours, checked, never a user's)."""
    if not _STORED.fullmatch(document.stored_path or ""):
        raise NotFoundError(Msg("文件不存在", "No such file"))
    return Path(current_app.config["UPLOAD_DIR"]) / document.stored_path


@use_case
def issue_agreement(case_id: int, data: AgreementData, *, actor: User, now: datetime,
                    copies: list[Copy]) -> list[Document]:
    """Render the agreement once per copy, store the files, record them, commit once."""
    case = db.session.get(Case, case_id)
    if case is None or not can(actor, Permission.CASE_VIEW, case) \
            or not can(actor, Permission.DOCUMENT_ISSUE, case):
        raise NotFoundError(Msg("案件不存在", "No such case"))
    if data.case_number != case.number:
        raise ServiceError(Msg("协议书的案号与案件不符",
                               "The agreement's case number does not match the case"), "case_number")
    return store_agreement(case, data, actor=actor, now=now, copies=copies)


@use_case
def store_agreement(case: Case, data: AgreementData, *, actor: User, now: datetime,
                    copies: list[Copy]) -> list[Document]:
    """Render, store and record the copies, then commit: the last step of a use-case that
    has checked access (issuing here, or the last signature in ``app.services.agreements``)."""
    keys = {p.key for p in data.parties}
    unknown = [c.key for c in copies if c.key is not None and c.key not in keys]
    if unknown:
        raise ServiceError(Msg("没有这一方当事人：{unknown}",
                               "No such party: {unknown}", unknown=unknown[0]), "copies")
    font = cjk_font(current_app.config.get("PDF_CJK_FONT") or None).name
    rendered = []
    for copy in copies:
        code = new_verify_code()
        pdf = render_agreement(data, font=font, verify_code=code, verify_url=verify_url(code), copy_for=copy.key)
        title = data.title if copy.key is None else f"{data.title}（{_party_name(data, copy.key)}收执）"
        rendered.append((copy, code, title, pdf))
    documents = []
    with _stored([pdf for *_, pdf in rendered]) as stored:
        for (copy, code, title, _), (relative, digest, size) in zip(rendered, stored):
            document = Document(
                case_id=case.id, kind="agreement", title=title, sha256=digest, verify_code=code,
                stored_path=relative, size_bytes=size, party_person_id=copy.person_id,
                party_developer_id=copy.developer_id, created_by_id=actor.id, created_at=now)
            db.session.add(document)
            documents.append(document)
        db.session.commit()
    return documents


@use_case
def store_prevention_document(*, kind: str, title: str, render, developer_id: int, now: datetime,
                              actor_id: int | None = None, inquiry_id: int | None = None,
                              warning_notice_id: int | None = None) -> Document:
    """Render (``render(font=, verify_code=, verify_url=)``), store, record and commit a
    document about an inquiry or a warning notice: the last step of the use-case that made
    the inquiry or notice (the developer's copy: its staff and the court see it)."""
    font = cjk_font(current_app.config.get("PDF_CJK_FONT") or None).name
    code = new_verify_code()
    pdf = render(font=font, verify_code=code, verify_url=verify_url(code))
    with _stored([pdf]) as stored:
        relative, digest, size = stored[0]
        document = Document(
            kind=kind, title=title, sha256=digest, verify_code=code, stored_path=relative,
            size_bytes=size, inquiry_id=inquiry_id, warning_notice_id=warning_notice_id,
            party_developer_id=developer_id, created_by_id=actor_id, created_at=now)
        db.session.add(document)
        db.session.commit()
    return document


@use_case
def store_release_ruling(case_id: int, data, *, developer_id: int, actor_id: int | None,
                         now: datetime, before_commit=None) -> Document:
    """Render, store, record and commit a release ruling (``app.documents.release``) in the
    file of ``case_id``, as the developer's copy (its staff and the court see it): the last
    step of ``app.services.release.approve_stage``, so the release and its ruling commit together.
    ``before_commit(document)`` adds what must name the ruling (the housing bureau's task) to
    the same transaction."""
    from app.documents.release import render_release_ruling

    code = new_verify_code()
    pdf = render_release_ruling(data, font=pdf_font(), verify_code=code, verify_url=verify_url(code))
    with _stored([pdf]) as stored:
        relative, digest, size = stored[0]
        document = Document(
            case_id=case_id, kind="release_ruling", title=f"{data.title}（第{data.stage}阶段）", sha256=digest,
            verify_code=code, stored_path=relative, size_bytes=size, party_developer_id=developer_id,
            created_by_id=actor_id, created_at=now)
        db.session.add(document)
        if before_commit is not None:
            db.session.flush()
            before_commit(document)
        db.session.commit()
    return document


@use_case
def store_pdf(case: Case, *, kind: str, title: str, render, actor: User, now: datetime,
              visit_id: int | None = None, party_person_id: int | None = None,
              party_developer_id: int | None = None) -> Document:
    """Render one document (``render(verify_code, verify_url) -> bytes``), store, record and
    commit it: the last step of a use-case that has checked access (visit sheets, session
    records, confirmation rulings)."""
    code = new_verify_code()
    pdf = render(code, verify_url(code))
    with _stored([pdf]) as stored:
        (relative, digest, size), = stored
        document = Document(
            case_id=case.id, kind=kind, title=title, sha256=digest, verify_code=code,
            stored_path=relative, size_bytes=size, party_person_id=party_person_id,
            party_developer_id=party_developer_id, visit_id=visit_id, created_by_id=actor.id,
            created_at=now)
        db.session.add(document)
        db.session.commit()
    return document


@use_case
def store_copies(case: Case, *, kind: str, title: str, render, copies: list[Copy], names: dict[str, str],
                 actor: User, now: datetime) -> list[Document]:
    """Render one PDF per copy (``render(copy_key, verify_code, verify_url) -> bytes``;
    ``copy_key`` None for the court's file copy), store, record and commit them together."""
    rendered = []
    for copy in copies:
        code = new_verify_code()
        pdf = render(copy.key, code, verify_url(code))
        rendered.append((copy, code, title if copy.key is None else f"{title}（{names[copy.key]}收执）", pdf))
    documents = []
    with _stored([pdf for *_, pdf in rendered]) as stored:
        for (copy, code, copy_title, _), (relative, digest, size) in zip(rendered, stored):
            document = Document(
                case_id=case.id, kind=kind, title=copy_title, sha256=digest, verify_code=code,
                stored_path=relative, size_bytes=size, party_person_id=copy.person_id,
                party_developer_id=copy.developer_id, created_by_id=actor.id, created_at=now)
            db.session.add(document)
            documents.append(document)
        db.session.commit()
    return documents


def pdf_font() -> str:
    """The registered name of the font documents are drawn in (docs/documents.md)."""
    return cjk_font(current_app.config.get("PDF_CJK_FONT") or None).name


def _party_name(data: AgreementData, key: str) -> str:
    return next(p.name for p in data.parties if p.key == key)


class _stored:
    """Write the PDFs for the transaction inside the block; remove them if it fails.

    Yields (path relative to UPLOAD_DIR, SHA-256 of the bytes read back from disk, size).
    """

    def __init__(self, pdfs: list[bytes]):
        self.pdfs, self.written = pdfs, []

    def __enter__(self):
        directory = documents_dir()
        directory.mkdir(parents=True, exist_ok=True)
        result = []
        try:
            for pdf in self.pdfs:
                name = secrets.token_hex(16) + ".pdf"
                target = directory / name
                with open(target, "xb") as handle:  # never overwrite: names are random
                    handle.write(pdf)
                    handle.flush()
                    os.fsync(handle.fileno())
                self.written.append(target)
                stored = target.read_bytes()
                result.append((f"documents/{name}", hashlib.sha256(stored).hexdigest(), len(stored)))
        except BaseException:
            self._remove()
            raise
        return result

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            db.session.rollback()
            self._remove()
        return False

    def _remove(self):
        for path in self.written:
            path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- reading


def may_see_document(user: User, document: Document, case: Case) -> bool:
    """A party sees its own copies; the court's side (judges, the case's mediator) sees all
    (``app.access``: ``Permission.DOCUMENT_VIEW``)."""
    return document.case_id == case.id and can(user, Permission.DOCUMENT_VIEW, document)


def case_documents(user: User, case_id: int) -> list[Document]:
    """The documents of a case that ``user`` may see, oldest first; 404 for a case it may not see."""
    case = db.session.get(Case, case_id)
    if case is None or not can(user, Permission.CASE_VIEW, case):
        raise NotFoundError(Msg("案件不存在", "No such case"))
    # A visit sheet is filed under its visit's first case and listed with every case it serves.
    served = select(VisitCase.visit_id).where(VisitCase.case_id == case.id)
    rows = db.session.scalars(select(Document).where(
        or_(Document.case_id == case.id, Document.visit_id.in_(served)))
        .order_by(Document.created_at, Document.id))
    return [d for d in rows if may_see_document(user, d, d.case)]


def document_file(user: User, document_id: int) -> tuple[Document, Path]:
    """A document ``user`` may download and where its file is; 404 otherwise."""
    document = db.session.get(Document, document_id)
    if document is None or not can(user, Permission.DOCUMENT_VIEW, document):
        raise NotFoundError(Msg("文书不存在", "No such document"))
    path = path_of(document)
    if not path.is_file():
        raise NotFoundError(Msg("文书不存在", "No such document"))
    return document, path


def verification(code: str) -> Document | None:
    """The document a printed verification code names, for anyone to check."""
    code = normalise_code(code)
    if len(code) != VERIFY_LENGTH:
        return None
    return db.session.scalar(select(Document).where(Document.verify_code == code))
