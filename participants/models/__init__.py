"""People and partnerships (people.py), recruitment (recruitment.py) and onboarding (onboarding.py)."""

from participants.models.data_rights import DataRequest, one_calendar_month_after
from participants.models.onboarding import OnboardingItem
from participants.models.people import STAFF_ROLES, Membership, Partnership, Role, User, UserManager, role_field
from participants.models.portfolio import ReferenceLetter, Skill, SkillClaim
from participants.models.profile import YoungPersonProfile
from participants.models.recruitment import (
    AnonymousOutcomeCount,
    Application,
    ApplicationEvent,
    EmailTemplate,
    EqualityResponse,
    InterviewSlot,
    OutreachChannel,
    OutreachLink,
    PanelScore,
    RecruitmentRound,
    Referral,
    RoundQuestion,
    ScoringCriterion,
)
from participants.models.support import SupportFollowUp, SupportSession
from participants.models.training import (
    TrainingBooking,
    TrainingModule,
    TrainingRecord,
    TrainingReminder,
    TrainingSession,
)

__all__ = [
    "STAFF_ROLES",
    "AnonymousOutcomeCount",
    "Application",
    "ApplicationEvent",
    "DataRequest",
    "EmailTemplate",
    "EqualityResponse",
    "InterviewSlot",
    "Membership",
    "OnboardingItem",
    "OutreachChannel",
    "OutreachLink",
    "PanelScore",
    "Partnership",
    "RecruitmentRound",
    "ReferenceLetter",
    "Referral",
    "Role",
    "RoundQuestion",
    "ScoringCriterion",
    "Skill",
    "SkillClaim",
    "SupportFollowUp",
    "SupportSession",
    "TrainingBooking",
    "TrainingModule",
    "TrainingRecord",
    "TrainingReminder",
    "TrainingSession",
    "User",
    "UserManager",
    "YoungPersonProfile",
    "one_calendar_month_after",
    "role_field",
]
