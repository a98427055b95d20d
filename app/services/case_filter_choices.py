"""The choices a case list's filter offers (towns, mediators, projects, developers) and the
names its chips show: what the filter form needs, apart from the list itself
(app/services/case_lists.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, exists, func, select

from app.extensions import db
from app.models import Developer, Mediator, Project, Role, Town, User
from app.services.case_lists import CaseFilters
from mediation.roles import COURT_STAFF

#: Above this many projects (or developers) the filter is a removable chip set from a row's
#: link instead of a select of every name.
OPTION_LIMIT = 100


@dataclass
class FilterOptions:
    towns: list[tuple[int, str]] = field(default_factory=list)
    mediators: list[tuple[int, str]] = field(default_factory=list)
    projects: list[tuple[int, str]] = field(default_factory=list)
    developers: list[tuple[int, str]] = field(default_factory=list)


def _listed(count_query: Select, query: Select) -> list[tuple[int, str]]:
    """The rows of ``query`` when ``count_query`` says there are few enough to list."""
    if db.session.scalar(count_query) > OPTION_LIMIT:
        return []
    return [tuple(r) for r in db.session.execute(query)]


def filter_options(user: User) -> FilterOptions:
    """The choices of the filter selects for ``user``'s list."""
    options = FilterOptions()
    if user.role in COURT_STAFF:
        court = user.court_id
        options.towns = [tuple(r) for r in db.session.execute(
            select(Town.id, Town.name).where(exists().where(
                Project.town_id == Town.id, Project.court_id == court)).order_by(Town.id))]
        if user.role == Role.JUDGE:
            options.mediators = [tuple(r) for r in db.session.execute(
                select(Mediator.id, User.name).join(User, User.id == Mediator.user_id)
                .where(Mediator.court_id == court).order_by(User.name, Mediator.id))]
        options.projects = _listed(
            select(func.count()).select_from(Project).where(Project.court_id == court),
            select(Project.id, Project.name).where(Project.court_id == court)
            .order_by(Project.name, Project.id))
        options.developers = _listed(
            select(func.count(Project.developer_id.distinct())).where(Project.court_id == court),
            select(Developer.id, Developer.name).where(Developer.id.in_(
                select(Project.developer_id).where(Project.court_id == court)))
            .order_by(Developer.name, Developer.id))
    elif user.role == Role.DEVELOPER:
        mine = Project.developer_id == user.developer_id
        options.projects = _listed(select(func.count()).select_from(Project).where(mine),
                                   select(Project.id, Project.name).where(mine)
                                   .order_by(Project.name, Project.id))
    return options


def filter_labels(filters: CaseFilters) -> dict[str, str]:
    """Names of the chosen project and developer, for the chips that show them."""
    labels = {}
    if filters.project_id:
        name = db.session.scalar(select(Project.name).where(Project.id == filters.project_id))
        labels["project_id"] = name or f"#{filters.project_id}"
    if filters.developer_id:
        name = db.session.scalar(select(Developer.name).where(Developer.id == filters.developer_id))
        labels["developer_id"] = name or f"#{filters.developer_id}"
    return labels
