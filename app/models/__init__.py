"""ORM models, one module per entity group; importing this package registers them all."""
from app.models.accounts import LoginSession, Role, User
from app.models.agreements import Agreement, AgreementSignature, SettlementConsent
from app.models.cases import (
    Case, CaseCounter, CaseEvent, CaseRepresentative, Complaint, ComplaintClaim,
)
from app.models.courts import Court, Town
from app.models.documents import Document
from app.models.holidays import HolidayDay, HolidayDayKind, HolidayYear
from app.models.intake import Attachment, ComplaintResponse, GroupFiling, GroupFilingMember
from app.models.mediators import Mediator, MediatorConflict, MediatorLeave
from app.models.visits import Visit, VisitCase
from app.models.onsite import (
    CaseTypeCounter, ConfirmationApplicant, ConfirmationApplication, FollowUp, MediationSession, Rating,
    SessionConfirmation,
)
from app.models.notices import Notice, NoticeChannel, NoticeKind, NoticePreference, NoticeStatus
from app.models.parties import Developer, Person, Project
from app.models.phone_codes import CodePurpose, PhoneCode
from app.models.referrals import AgencyTask, ReferralImport
from app.models.reminders import (
    QueuedJob, QueuedJobStatus, Reminder, ReminderChannel, ReminderStatus, SchedulerLease,
)
from app.models.release import (
    AssetRelease, CounterGuarantee, CounterGuaranteeCase, FrozenAsset, FrozenAssetCase, Obligation,
    ObligationReduction, PreservationOrder, ReleasePlan, ReleaseStage, ReleaseSuggestion,
)
from app.models.release_files import CounterGuaranteeFile
from app.models.risk import (
    BlacklistDecision, Commitment, CommitmentStatus, ComplianceInquiry, DeveloperGuarantee,
    InquiryQuestion, InquiryReview, LetterType, RiskLevel, RiskLevelChange, RiskLevelRow, RiskSubject,
    WarningNotice,
)
from app.models.tallies import CaseTally
from app.models.versions import DataVersion

__all__ = [
    "AgencyTask", "Agreement", "AgreementSignature", "Attachment", "Case", "CaseCounter", "CaseEvent", "CaseRepresentative",
    "CodePurpose", "Complaint", "ComplaintClaim", "ComplaintResponse", "Court", "DataVersion",
    "Developer", "Document", "GroupFiling", "GroupFilingMember", "HolidayDay",
    "HolidayDayKind", "HolidayYear", "LoginSession", "Mediator", "MediatorConflict", "MediatorLeave", "Notice",
    "NoticeChannel", "NoticeKind", "NoticePreference", "NoticeStatus", "Person", "PhoneCode", "Project",
    "ReferralImport", "Role", "SettlementConsent", "Town", "User", "Visit", "VisitCase",
    "AssetRelease", "CounterGuarantee", "CounterGuaranteeCase", "CounterGuaranteeFile", "FrozenAsset", "FrozenAssetCase",
    "Obligation", "ObligationReduction", "PreservationOrder", "ReleasePlan", "ReleaseStage", "ReleaseSuggestion",
    "BlacklistDecision", "Commitment", "CommitmentStatus", "ComplianceInquiry", "DeveloperGuarantee",
    "InquiryQuestion", "InquiryReview", "LetterType", "RiskLevel", "RiskLevelChange", "RiskLevelRow",
    "RiskSubject", "QueuedJob", "QueuedJobStatus", "Reminder", "ReminderChannel", "ReminderStatus",
    "SchedulerLease", "WarningNotice", "MediationSession", "SessionConfirmation",
    "CaseTally", "CaseTypeCounter", "ConfirmationApplicant", "ConfirmationApplication", "FollowUp", "Rating",
]
