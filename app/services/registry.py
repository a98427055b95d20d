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
from app.services.account_admin import FieldErrors, row_id
from app.services.account_links import clean_text, label
from app.services.case_search import refresh_case_search
from app.services.errors import NotFoundError, ServiceError
from app.services.use_case import use_case
from mediation.identifiers import InvalidIdentifierError, validate_phone, validate_uscc
from mediation.messages import Msg

LIST_LIMIT = 100
#: Units of one project: the largest estates have a few thousand; more is a typing error.
MAX_UNITS = 100_000
ADDRESS = label("地址", "Address")


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
    if row_id(developer_id):
        where.append(Project.developer_id == row_id(developer_id))
    total = db.session.scalar(select(func.count()).select_from(Project).where(*where))
    rows = db.session.scalars(
        select(Project).options(joinedload(Project.developer), joinedload(Project.town))
        .where(*where).order_by(Project.name, Project.id).limit(limit)).all()
    return list(rows), total


def get_developer(developer_id) -> Developer:
    developer = db.session.get(Developer, row_id(developer_id)) if row_id(developer_id) else None
    if developer is None:
        raise NotFoundError(Msg("开发企业不存在", "No such developer."))
    return developer


def get_project(project_id) -> Project:
    project = db.session.get(Project, row_id(project_id)) if row_id(project_id) else None
    if project is None:
        raise NotFoundError(Msg("项目不存在", "No such project."))
    return project


def _uscc(value, *, developer_id: int | None) -> str:
    try:
        code = validate_uscc(value)
    except InvalidIdentifierError as error:
        raise ServiceError(error.message, "uscc") from None
    other = db.session.scalar(select(Developer.id).where(Developer.uscc == code))
    if other is not None and other != developer_id:
        raise ServiceError(Msg("该统一社会信用代码已登记为另一家开发企业",
                               "Another developer is registered with this code."), "uscc")
    return code


def _optional_phone(value) -> str | None:
    if not str(value or "").strip():
        return None
    try:
        return validate_phone(value)
    except InvalidIdentifierError as error:
        raise ServiceError(error.message, "phone") from None


@use_case
def save_developer(*, actor: User, now: datetime, developer_id=None, name, uscc,
                   legal_representative=None, phone=None, address=None) -> Developer:
    """Create a developer (``developer_id`` None) or correct one."""
    developer = get_developer(developer_id) if developer_id is not None else None
    errors = FieldErrors()
    values = {
        "name": errors.check(clean_text, name, field="name", label=label("企业名称", "Company name"),
                             max_length=120),
        "uscc": errors.check(_uscc, uscc, developer_id=developer.id if developer else None),
        "legal_representative": errors.check(
            clean_text, legal_representative, field="legal_representative",
            label=label("法定代表人", "Legal representative"), max_length=50, required=False) or None,
        "phone": errors.check(_optional_phone, phone),
        "address": errors.check(clean_text, address, field="address", label=ADDRESS,
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
    row = db.session.get(model, row_id(value)) if row_id(value) else None
    if row is None:
        raise ServiceError(Msg(f"请选择{label}", f"Choose the {label.en.lower()}."), field)
    return row


def _coordinate(value, *, field: str, label: str, limit: float) -> float | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        example = "19.6" if limit == 90 else "110.8"
        raise ServiceError(Msg(f"{label}应为数字，如 {example}",
                               f"The {label.en.lower()} is a number, such as {example}."),
                           field) from None
    if not -limit <= number <= limit:
        raise ServiceError(Msg(f"{label}应在-{limit:g}至{limit:g}之间",
                               f"The {label.en.lower()} lies between -{limit:g} and {limit:g}."),
                           field)
    return round(number, 6)


def _count(value, *, field: str, label: str) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) > MAX_UNITS:
        raise ServiceError(Msg(f"{label}应为0至{MAX_UNITS}的整数",
                               f"{label.en}: a whole number from 0 to {MAX_UNITS}."), field)
    return int(text)


@use_case
def save_project(*, actor: User, now: datetime, project_id=None, name, developer_id, court_id,
                 town_id, address=None, latitude=None, longitude=None, presale_permit=None,
                 units_total=None, units_delivered=None,
                 promised_delivery_on: date | None = None) -> Project:
    """Create a project (``project_id`` None) or correct one."""
    project = get_project(project_id) if project_id is not None else None
    errors = FieldErrors()
    values = {
        "name": errors.check(clean_text, name, field="name", label=label("项目名称", "Project name"),
                            max_length=100),
        "developer": errors.check(_pick, Developer, developer_id, field="developer_id",
                                  label=label("开发企业", "Developer")),
        "court": errors.check(_pick, Court, court_id, field="court_id", label=label("管辖法院", "Court")),
        "town": errors.check(_pick, Town, town_id, field="town_id", label=label("所在镇", "Town")),
        "address": errors.check(clean_text, address, field="address", label=ADDRESS,
                                max_length=200, required=False) or None,
        "latitude": errors.check(_coordinate, latitude, field="latitude", label=label("纬度", "Latitude"),
                                 limit=90),
        "longitude": errors.check(_coordinate, longitude, field="longitude", label=label("经度", "Longitude"),
                                  limit=180),
        "presale_permit": errors.check(clean_text, presale_permit, field="presale_permit",
                                       label=label("预售许可证号", "Pre-sale permit"), max_length=64,
                                       required=False) or None,
        "units_total": errors.check(_count, units_total, field="units_total", label=label("总套数", "Units")),
        "units_delivered": errors.check(_count, units_delivered, field="units_delivered",
                                        label=label("已交付套数", "Units delivered")),
        "promised_delivery_on": promised_delivery_on,
    }
    if (values["latitude"] is None) != (values["longitude"] is None) and not errors.items:
        errors.add("longitude" if values["longitude"] is None else "latitude",
                   Msg("经纬度须同时填写或同时留空",
                       "Give both coordinates or neither."))
    if (values["units_total"] is not None and values["units_delivered"] is not None
            and values["units_delivered"] > values["units_total"]):
        errors.add("units_delivered", Msg("已交付套数不能多于总套数",
                                          "More units delivered than units."))
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
