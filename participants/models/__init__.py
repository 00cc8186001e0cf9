"""People and partnerships (people.py), recruitment (recruitment.py) and onboarding (onboarding.py)."""

from participants.models.onboarding import OnboardingItem
from participants.models.people import STAFF_ROLES, Membership, Partnership, Role, User, UserManager, role_field
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

__all__ = [
    "STAFF_ROLES",
    "AnonymousOutcomeCount",
    "Application",
    "ApplicationEvent",
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
    "Referral",
    "Role",
    "RoundQuestion",
    "ScoringCriterion",
    "User",
    "UserManager",
    "YoungPersonProfile",
    "role_field",
]
