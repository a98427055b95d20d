"""The clerk's register of developers and their projects: list, search, create, edit.

A developer is identified by its 统一社会信用代码 (GB 32100-2015, with its check
character; ``mediation.identifiers.validate_uscc``). A project has its town, address,
coordinates, pre-sale permit, units and promised delivery date — the facts the early
warnings and the on-site visits read. Each use-case checks every field, reports them all
at once, and commits once.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Case, Court, Developer, Project, Town, User
from app.models.types import contains_pattern
from app.services.account_admin import FieldErrors
from app.services.account_links import clean_text
from app.services.case_lists import refresh_case_search
from app.services.errors import NotFoundError, ServiceError
from mediation.identifiers import InvalidIdentifierError, validate_phone, validate_uscc

LIST_LIMIT = 100
#: Units of one project: the largest estates have a few thousand; more is a typing error.
MAX_UNITS = 100_000


def _like(q: str, *columns):
    pattern = contains_pattern(q.strip())
    return or_(*(c.ilike(pattern, escape="\\") for c in columns))


def search_developers(q: str = "", *, limit: int = LIST_LIMIT) -> tuple[list[Developer], int]:
    where = [_like(q, Developer.name, Developer.uscc)] if (q or "").strip() else []
    total = db.session.scalar(select(func.count()).select_from(Developer).where(*where))
    rows = db.session.scalars(select(Developer).where(*where)
                              .order_by(Developer.name, Developer.id).limit(limit)).all()
    return list(rows), total


def search_projects(q: str = "", *, developer_id=None,
                    limit: int = LIST_LIMIT) -> tuple[list[Project], int]:
    where = []
    if (q or "").strip():
        where.append(_like(q, Project.name, Project.address, Project.presale_permit))
    if str(developer_id or "").isdigit():
        where.append(Project.developer_id == int(developer_id))
    total = db.session.scalar(select(func.count()).select_from(Project).where(*where))
    rows = db.session.scalars(
        select(Project).options(joinedload(Project.developer), joinedload(Project.town))
        .where(*where).order_by(Project.name, Project.id).limit(limit)).all()
    return list(rows), total


def get_developer(developer_id) -> Developer:
    developer = db.session.get(Developer, developer_id)
    if developer is None:
        raise NotFoundError("开发企业不存在")
    return developer


def get_project(project_id) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFoundError("项目不存在")
    return project


def _uscc(value, *, developer_id: int | None) -> str:
    try:
        code = validate_uscc(value)
    except InvalidIdentifierError as error:
        raise ServiceError(error.message, "uscc") from None
    other = db.session.scalar(select(Developer.id).where(Developer.uscc == code))
    if other is not None and other != developer_id:
        raise ServiceError("该统一社会信用代码已登记为另一家开发企业", "uscc")
    return code


def _optional_phone(value) -> str | None:
    if not str(value or "").strip():
        return None
    try:
        return validate_phone(value)
    except InvalidIdentifierError as error:
        raise ServiceError(error.message, "phone") from None


def save_developer(*, actor: User, now: datetime, developer_id=None, name, uscc,
                   legal_representative=None, phone=None, address=None) -> Developer:
    """Create a developer (``developer_id`` None) or correct one."""
    developer = get_developer(developer_id) if developer_id is not None else None
    errors = FieldErrors()
    values = {
        "name": errors.check(clean_text, name, field="name", label="企业名称", max_length=120),
        "uscc": errors.check(_uscc, uscc, developer_id=developer.id if developer else None),
        "legal_representative": errors.check(
            clean_text, legal_representative, field="legal_representative",
            label="法定代表人", max_length=50, required=False) or None,
        "phone": errors.check(_optional_phone, phone),
        "address": errors.check(clean_text, address, field="address", label="地址",
                                max_length=200, required=False) or None,
    }
    errors.raise_any()
    renamed = developer is not None and developer.name != values["name"]
    if developer is None:
        developer = Developer(created_at=now)
        db.session.add(developer)
    for key, value in values.items():
        setattr(developer, key, value)
    if renamed:  # the case search finds cases by their developer's name
        db.session.flush()
        refresh_case_search(db.session.scalars(
            select(Case.id).where(Case.developer_id == developer.id)))
    db.session.commit()
    return developer


def _pick(model, value, *, field: str, label: str):
    row = db.session.get(model, int(value)) if str(value or "").isdigit() else None
    if row is None:
        raise ServiceError(f"请选择{label}", field)
    return row


def _coordinate(value, *, field: str, label: str, limit: float) -> float | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ServiceError(f"{label}应为数字，如 {'19.6' if limit == 90 else '110.8'}", field) from None
    if not -limit <= number <= limit:
        raise ServiceError(f"{label}应在-{limit:g}至{limit:g}之间", field)
    return round(number, 6)


def _count(value, *, field: str, label: str) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) > MAX_UNITS:
        raise ServiceError(f"{label}应为0至{MAX_UNITS}的整数", field)
    return int(text)


def save_project(*, actor: User, now: datetime, project_id=None, name, developer_id, court_id,
                 town_id, address=None, latitude=None, longitude=None, presale_permit=None,
                 units_total=None, units_delivered=None,
                 promised_delivery_on: date | None = None) -> Project:
    """Create a project (``project_id`` None) or correct one."""
    project = get_project(project_id) if project_id is not None else None
    errors = FieldErrors()
    values = {
        "name": errors.check(clean_text, name, field="name", label="项目名称", max_length=100),
        "developer": errors.check(_pick, Developer, developer_id, field="developer_id",
                                  label="开发企业"),
        "court": errors.check(_pick, Court, court_id, field="court_id", label="管辖法院"),
        "town": errors.check(_pick, Town, town_id, field="town_id", label="所在镇"),
        "address": errors.check(clean_text, address, field="address", label="地址",
                                max_length=200, required=False) or None,
        "latitude": errors.check(_coordinate, latitude, field="latitude", label="纬度", limit=90),
        "longitude": errors.check(_coordinate, longitude, field="longitude", label="经度",
                                  limit=180),
        "presale_permit": errors.check(clean_text, presale_permit, field="presale_permit",
                                       label="预售许可证号", max_length=64,
                                       required=False) or None,
        "units_total": errors.check(_count, units_total, field="units_total", label="总套数"),
        "units_delivered": errors.check(_count, units_delivered, field="units_delivered",
                                        label="已交付套数"),
        "promised_delivery_on": promised_delivery_on,
    }
    if (values["latitude"] is None) != (values["longitude"] is None) and not errors.items:
        errors.add("longitude" if values["longitude"] is None else "latitude",
                   "经纬度须同时填写或同时留空")
    if (values["units_total"] is not None and values["units_delivered"] is not None
            and values["units_delivered"] > values["units_total"]):
        errors.add("units_delivered", "已交付套数不能多于总套数")
    errors.raise_any()
    renamed = project is not None and project.name != values["name"]
    if project is None:
        project = Project(created_at=now)
        db.session.add(project)
    for key, value in values.items():
        setattr(project, key, value)
    if renamed:  # the case search finds cases by their project's name
        db.session.flush()
        refresh_case_search(db.session.scalars(select(Case.id).where(Case.project_id == project.id)))
    db.session.commit()
    return project


def reference_lists() -> dict:
    """The choices of the project form."""
    return {
        "developers": db.session.scalars(select(Developer).order_by(Developer.name)).all(),
        "courts": db.session.scalars(select(Court).order_by(Court.name)).all(),
        "towns": db.session.scalars(select(Town).order_by(Town.county, Town.id)).all(),
    }
