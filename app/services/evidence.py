"""Evidence files: checked by content, stored outside ``static/`` under random names.

A file is accepted only when its content says it is a JPEG, PNG, WebP image or a PDF
(``filetype`` reads the magic bytes) — the name and the browser's Content-Type are the
uploader's claims, not facts (an HTML page renamed ``photo.jpg`` would otherwise be served
back as a page). Each file is stored under ``UPLOAD_DIR`` with a random name ending in the
extension of the DETECTED type, and is downloaded under the uploader's name with that
extension in place of theirs (:func:`download_name`): a JPEG named ``poly.html`` is
``poly.jpg``, ``image/jpeg``, an attachment. The SHA-256 is recorded so a file shown in mediation can be proven unchanged.

Files reach the disk only after the whole filing has been validated, and are removed again
if the database refuses the transaction (:func:`stored_files`), so nothing is half-saved.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import filetype
from flask import current_app
from sqlalchemy import func, select

from app.access import Permission, can
from app.extensions import db
from app.models import Attachment, Complaint, User
from app.models.intake import ATTACHMENT_TYPES
from app.services.errors import NotFoundError, ServiceError
from app.services.use_case import use_case
from mediation.messages import Msg

#: Evidence files on one complaint: enough for a contract, receipts and photos of defects;
#: a cap keeps a single filing from filling the disk.
MAX_FILES_PER_COMPLAINT = 20
#: Files attached to one developer response.
MAX_FILES_PER_RESPONSE = 10

_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
               "application/pdf": ".pdf"}
_STORED_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png|webp|pdf)")
#: How much of a file the type detection reads (filetype looks at most at the first 8 KB).
_SNIFF_BYTES = 8192
_KIND_LABEL = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP",
               "application/pdf": "PDF"}


def detect_content_type(head: bytes) -> str | None:
    """The evidence type the content's magic bytes show, or None for any type not allowed."""
    kind = filetype.guess(bytes(head[:_SNIFF_BYTES]))
    if kind is None or kind.mime not in _EXTENSIONS:
        return None
    return kind.mime


def download_name(original_name: str, content_type: str) -> str:
    """The uploader's name with the detected type's extension instead of theirs."""
    stem, dot, _ext = (original_name or "").rpartition(".")
    stem = (stem if dot else original_name).strip() or "file"
    return stem + _EXTENSIONS.get(content_type, ".bin")


def clean_filename(name: str | None) -> str:
    """The uploader's file name for display: no directories, no control characters.

    ``../../etc/passwd`` becomes ``passwd``; the result is never used on disk.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").split("/")[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = text.strip().lstrip(".").strip()
    if len(text) > 120:
        stem, dot, ext = text.rpartition(".")
        text = (stem[:110] + dot + ext[:9]) if dot and len(ext) <= 9 else text[:120]
    return text or "file"


@dataclass
class PreparedFile:
    """A validated upload, in memory, not yet on disk."""

    original_name: str
    content_type: str
    data: bytes
    sha256: str
    stored_name: str

    @property
    def size_bytes(self) -> int:
        return len(self.data)


def max_upload_bytes() -> int:
    """The per-file limit (settings.max_upload_bytes; tests may override MAX_UPLOAD_BYTES)."""
    override = current_app.config.get("MAX_UPLOAD_BYTES")
    if override:
        return int(override)
    return int(current_app.config["APP_SETTINGS"].max_upload_bytes)


def _read(upload, limit: int) -> tuple[str, bytes] | None:
    """(name, up to limit+1 bytes) of a (filename, bytes) pair or a werkzeug FileStorage."""
    if isinstance(upload, tuple):
        name, data = upload
        data = bytes(data or b"")
        return str(name or ""), data[: limit + 1]
    name = getattr(upload, "filename", None) or ""
    stream = getattr(upload, "stream", upload)
    try:
        stream.seek(0)
    except (AttributeError, OSError):
        pass
    data = stream.read(limit + 1)
    if not name and not data:
        return None  # an empty <input type=file> sends an empty part
    return name, data


def prepare_files(files: Iterable, *, field: str = "files", existing: int = 0,
                  max_count: int = MAX_FILES_PER_COMPLAINT,
                  per: Msg | None = None) -> tuple[list[PreparedFile], list[dict]]:
    """Read and check uploads; return the accepted files and every error found (``per``
    names what the count limit is for in its message: a complaint unless told)."""
    limit = max_upload_bytes()
    prepared: list[PreparedFile] = []
    errors: list[dict] = []
    uploads = [u for u in (_read(f, limit) for f in (files or ())) if u is not None]
    if existing + len(uploads) > max_count:
        errors.append({"field": field, "message":
                       Msg("{per}最多上传{max_count}个文件（已有{existing}个，本次{uploads}个）",
                           "At most {max_count} files {per} ({existing} already, {uploads} now)",
                           per=per or Msg("每件投诉", "per complaint"),
                           max_count=max_count, existing=existing, uploads=len(uploads))})
        return [], errors
    for name, data in uploads:
        shown = clean_filename(name)
        if not data:
            errors.append({"field": field, "message": Msg("文件“{shown}”是空文件",
                                                          "The file “{shown}” is empty",
                                                          shown=shown)})
            continue
        if len(data) > limit:
            errors.append({"field": field, "message":
                           Msg("文件“{shown}”超过{limit}MB的大小上限",
                               "The file “{shown}” is over the {limit} MB limit",
                               shown=shown, limit=limit // (1024 * 1024))})
            continue
        content_type = detect_content_type(data[:_SNIFF_BYTES])
        if content_type is None:
            errors.append({"field": field, "message":
                           Msg("文件“{shown}”不是JPEG、PNG、WebP图片或PDF文件（按文件内容判断）",
                               "The file “{shown}” is not a JPEG, PNG or WebP image nor a PDF (judged by its content)",
                               shown=shown)})
            continue
        prepared.append(PreparedFile(
            original_name=shown, content_type=content_type, data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            stored_name=secrets.token_hex(16) + _EXTENSIONS[content_type]))
    return prepared, errors


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def path_of(attachment: Attachment) -> Path:
    """Where an attachment lives on disk (its stored name is ours, never the user's)."""
    if not _STORED_NAME.fullmatch(attachment.stored_name or ""):
        raise NotFoundError(Msg("文件不存在", "No such file"))
    return upload_dir() / attachment.stored_name


@contextmanager
def stored_files(prepared: list[PreparedFile]) -> Iterator[None]:
    """Write the files for the transaction inside the block; remove them if it fails."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for item in prepared:
            target = directory / item.stored_name
            with open(target, "xb") as handle:  # never overwrite: names are random
                handle.write(item.data)
                handle.flush()
                os.fsync(handle.fileno())
            written.append(target)
        yield
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def attachment_rows(prepared: list[PreparedFile], *, uploaded_by: User, now: datetime) -> list[Attachment]:
    """Attachment rows for prepared files (attach them to a complaint or a response)."""
    return [Attachment(original_name=item.original_name, stored_name=item.stored_name,
                       content_type=item.content_type, size_bytes=item.size_bytes,
                       sha256=item.sha256, uploaded_by_id=uploaded_by.id, created_at=now)
            for item in prepared]


def kind_label(content_type: str) -> str:
    return _KIND_LABEL.get(content_type, content_type)


@use_case
def add_evidence(*, actor: User, now: datetime, complaint_id: int, files=()) -> list[Attachment]:
    """Add evidence files to a complaint the actor filed (or claims in), while it is open."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or not can(actor, Permission.COMPLAINT_ADD_EVIDENCE, complaint):
        raise NotFoundError(Msg("投诉不存在", "No such complaint"))
    if complaint.status in _CLOSED:
        raise ServiceError(Msg("该投诉已处理完毕，不能再补充证据",
                               "This complaint has been dealt with; no more evidence can be added"), "files")
    existing = db.session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.complaint_id == complaint.id))
    prepared, errors = prepare_files(files, existing=existing)
    if not prepared and not errors:
        errors = [{"field": "files", "message": Msg("请选择要上传的文件", "Choose the files to upload")}]
    if errors:
        raise ServiceError(Msg("请修改标出的内容后再提交",
                               "Please correct the marked fields and submit again"), errors=errors)
    rows = attachment_rows(prepared, uploaded_by=actor, now=now)
    with stored_files(prepared):
        complaint.attachments.extend(rows)
        db.session.commit()
    return rows


#: Complaints whose file is closed to new evidence.
_CLOSED = ("rejected", "merged")


def may_add_evidence(actor: User, complaint: Complaint) -> bool:
    """Whether ``actor`` may add evidence to ``complaint`` now (pages offer the form then)."""
    return can(actor, Permission.COMPLAINT_ADD_EVIDENCE, complaint) and complaint.status not in _CLOSED


__all__ = ["ATTACHMENT_TYPES", "MAX_FILES_PER_COMPLAINT", "MAX_FILES_PER_RESPONSE",
           "PreparedFile", "add_evidence", "attachment_rows", "clean_filename",
           "detect_content_type", "download_name", "kind_label", "max_upload_bytes", "may_add_evidence", "path_of",
           "prepare_files", "stored_files"]
