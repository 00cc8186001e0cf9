"""Safeguarding: consent (consent.py), checks on adults (checks.py), risk assessments (risk.py), concerns
(concerns.py), wellbeing (wellbeing.py) and the partnership's policy (policy.py)."""

from safeguarding.models.checks import StaffCheck, StaffCheckReminder
from safeguarding.models.concerns import Concern, ConcernCategory, ConcernEntry, ConcernView
from safeguarding.models.consent import CompetenceAssessment, Consent, ConsentMethod, ConsentRequest, ConsentType
from safeguarding.models.policy import SafeguardingPolicy
from safeguarding.models.risk import Hazard, RiskAssessment, RiskAssessmentTemplate
from safeguarding.models.wellbeing import FollowUpTask, WellbeingCheckIn

__all__ = [
    "CompetenceAssessment",
    "Concern",
    "ConcernCategory",
    "ConcernEntry",
    "ConcernView",
    "Consent",
    "ConsentMethod",
    "ConsentRequest",
    "ConsentType",
    "FollowUpTask",
    "Hazard",
    "RiskAssessment",
    "RiskAssessmentTemplate",
    "SafeguardingPolicy",
    "StaffCheck",
    "StaffCheckReminder",
    "WellbeingCheckIn",
]
