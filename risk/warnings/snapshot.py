"""Read the JSON snapshot of the ``python -m risk.warnings`` contract into dataclasses.

Invalid input raises :class:`SnapshotError` naming the field (``inquiries[2].deadline``):
a date not written ``YYYY-MM-DD``, a negative count, more units delivered than built, an
unknown review, a duplicate id, an inquiry about a project the snapshot does not hold.
Developers need no list of their own: every id named as a project's developer, in a
milestone, commitment or guarantee, or in ``blacklisted`` is one. Unknown keys are ignored.
"""
from __future__ import annotations

import json
import re
from datetime import date

from risk.warnings.model import Commitment, Guarantee, Inquiry, Milestone, Project, Snapshot

REVIEWS = ("compliant", "rectify", "non_compliant")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SnapshotError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _date(value, field: str, *, optional: bool = False) -> date | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise SnapshotError(field, f"expected a date YYYY-MM-DD, got {json.dumps(value, ensure_ascii=False)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SnapshotError(field, f"no such date {value}") from None


def _id(value, field: str):
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise SnapshotError(field, f"expected an id (string), got {json.dumps(value, ensure_ascii=False)}")
    return value


def _count(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SnapshotError(field, f"expected a whole number >= 0, got {json.dumps(value, ensure_ascii=False)}")
    return value


def _list(data: dict, key: str) -> list:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise SnapshotError(key, "expected a list")
    return value


def _objects(data: dict, key: str):
    for i, item in enumerate(_list(data, key)):
        if not isinstance(item, dict):
            raise SnapshotError(f"{key}[{i}]", "expected an object")
        yield f"{key}[{i}]", item


def _unique(items, key: str, attr: str = "id") -> None:
    seen = set()
    for i, item in enumerate(items):
        value = getattr(item, attr)
        if value in seen:
            raise SnapshotError(f"{key}[{i}].{attr}", f"duplicate id {value}")
        seen.add(value)


def _project(where: str, item: dict) -> Project:
    units = _count(item.get("units"), f"{where}.units")
    delivered = _count(item.get("delivered_units", 0), f"{where}.delivered_units")
    if delivered > units:
        raise SnapshotError(f"{where}.delivered_units", f"{delivered} delivered of {units} units")
    complaints = item.get("complaints", [])
    if complaints is None:
        complaints = []
    if not isinstance(complaints, list):
        raise SnapshotError(f"{where}.complaints", "expected a list of dates")
    return Project(
        id=_id(item.get("id"), f"{where}.id"),
        developer_id=_id(item.get("developer_id"), f"{where}.developer_id"),
        units=units, delivered_units=delivered,
        promised_delivery=_date(item.get("promised_delivery"), f"{where}.promised_delivery", optional=True),
        complaints=tuple(_date(d, f"{where}.complaints[{k}]") for k, d in enumerate(complaints)))


def _inquiry(where: str, item: dict, projects: set) -> Inquiry:
    project_id = _id(item.get("project_id"), f"{where}.project_id")
    if project_id not in projects:
        raise SnapshotError(f"{where}.project_id", f"unknown project {project_id}")
    review = item.get("review")
    if review is not None and review not in REVIEWS:
        raise SnapshotError(f"{where}.review", f"expected one of {', '.join(REVIEWS)} or null, got {json.dumps(review, ensure_ascii=False)}")
    return Inquiry(
        id=_id(item.get("id"), f"{where}.id"), project_id=project_id,
        deadline=_date(item.get("deadline"), f"{where}.deadline"),
        answered_on=_date(item.get("answered_on"), f"{where}.answered_on", optional=True),
        review=review,
        rectify_by=_date(item.get("rectify_by"), f"{where}.rectify_by", optional=True),
        rectified_on=_date(item.get("rectified_on"), f"{where}.rectified_on", optional=True))


def read_snapshot(data) -> Snapshot:
    """Validate a decoded JSON snapshot and return it as a :class:`Snapshot`."""
    if not isinstance(data, dict):
        raise SnapshotError("snapshot", "expected a JSON object")
    today = _date(data.get("today"), "today")
    projects = tuple(_project(w, item) for w, item in _objects(data, "projects"))
    _unique(projects, "projects")
    project_ids = {p.id for p in projects}
    inquiries = tuple(_inquiry(w, item, project_ids) for w, item in _objects(data, "inquiries"))
    _unique(inquiries, "inquiries")
    milestones = tuple(
        Milestone(_id(item.get("id"), f"{w}.id"), _id(item.get("developer_id"), f"{w}.developer_id"),
                  _date(item.get("due"), f"{w}.due"),
                  _date(item.get("performed_on"), f"{w}.performed_on", optional=True))
        for w, item in _objects(data, "milestones"))
    _unique(milestones, "milestones")
    commitments = []
    for w, item in _objects(data, "commitments"):
        kept = item.get("kept")
        if kept is not None and not isinstance(kept, bool):
            raise SnapshotError(f"{w}.kept", f"expected true, false or null, got {json.dumps(kept, ensure_ascii=False)}")
        commitments.append(Commitment(_id(item.get("id"), f"{w}.id"),
                                      _id(item.get("developer_id"), f"{w}.developer_id"),
                                      _date(item.get("due"), f"{w}.due"), kept))
    _unique(commitments, "commitments")
    guarantees = tuple(
        Guarantee(_id(item.get("guarantor"), f"{w}.guarantor"), _id(item.get("debtor"), f"{w}.debtor"))
        for w, item in _objects(data, "guarantees"))
    blacklisted = tuple(dict.fromkeys(
        _id(dev, f"blacklisted[{i}]") for i, dev in enumerate(_list(data, "blacklisted"))))
    return Snapshot(today, projects, inquiries, milestones, tuple(commitments), guarantees, blacklisted)


def parse_snapshot(text: str) -> Snapshot:
    """Decode and validate a snapshot given as JSON text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SnapshotError("snapshot", f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
    except RecursionError:
        raise SnapshotError("snapshot", "nested too deeply to be a snapshot") from None
    except ValueError as error:  # a number of more than 4,300 digits (sys.int_info)
        raise SnapshotError("snapshot", f"not valid JSON ({error})") from None
    return read_snapshot(data)
