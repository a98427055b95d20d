"""ORM models, one module per entity group; importing this package registers them all."""
from app.models.accounts import LoginSession, Role, User
from app.models.cases import Case, CaseCounter, CaseEvent, Complaint, ComplaintClaim
from app.models.courts import Court, Town
from app.models.mediators import Mediator, MediatorConflict
from app.models.parties import Developer, Person, Project

__all__ = [
    "Case", "CaseCounter", "CaseEvent", "Complaint", "ComplaintClaim", "Court", "Developer",
    "LoginSession", "Mediator", "MediatorConflict", "Person", "Project", "Role", "Town", "User",
]
