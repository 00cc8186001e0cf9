"""Shared test helpers for engagements.

`make_eligible(membership, engagement)` gives a young person everything can_take_part asks for the engagement
(a date of birth, consents, the training its type needs) and the engagement an approved risk assessment, so a
test can start from "they may be confirmed" and take one thing away.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from engagements.models import Engagement
from participants.models import Membership, TrainingModule, TrainingRecord, YoungPersonProfile
from safeguarding.models import Consent, ConsentType, RiskAssessment
from tests.factories.safeguarding import ConsentFactory, RiskAssessmentFactory

PARENT = {"relationship": "Mother", "given_by_name": "Jo Parent", "method": "signed_link"}


def give_profile(membership: Membership, years: int = 17) -> YoungPersonProfile:
    """A date of birth making them `years` old today (unless they already have one)."""
    today = timezone.localdate()
    profile, _ = YoungPersonProfile.objects.get_or_create(
        membership=membership,
        defaults={
            "partnership": membership.partnership,
            "date_of_birth": today - datetime.timedelta(days=years * 365 + 60),
        },
    )
    return profile


def approve_risk_assessment(engagement: Engagement, young_people: int | None = None) -> RiskAssessment:
    """An approved risk assessment covering `young_people` (by default the engagement's places)."""
    count = young_people or engagement.places
    assessment = RiskAssessment.objects.filter(engagement=engagement).first()
    if assessment is None:
        return RiskAssessmentFactory(
            engagement=engagement, status=RiskAssessment.Status.APPROVED, young_people_count=count
        )
    assessment.status = RiskAssessment.Status.APPROVED
    assessment.young_people_count = max(assessment.young_people_count, count)
    assessment.save(update_fields=["status", "young_people_count"])
    return assessment


def make_eligible(membership: Membership, engagement: Engagement) -> Membership:
    """Everything can_take_part needs: a date of birth (17 unless already set), consent to take part, to emergency
    medical treatment and to photos and film (from a parent or carer too when they are under 16), every training
    module the opportunity type needs, and an approved risk assessment for the engagement."""
    profile = give_profile(membership)
    given_at = timezone.now() - datetime.timedelta(days=1)
    under_16 = profile.age_on(timezone.localdate(engagement.starts_at)) < 16
    who = PARENT if under_16 else {}
    kinds = [ConsentType.TAKING_PART, ConsentType.EMERGENCY_MEDICAL, ConsentType.MEDIA]
    for kind in kinds:
        if not Consent.objects.filter(membership=membership, consent_type=kind).exists():
            ConsentFactory(membership=membership, consent_type=kind, given_at=given_at, **who)
    if under_16 and not Consent.objects.filter(membership=membership, consent_type=ConsentType.PARENT_CARER).exists():
        ConsentFactory(membership=membership, consent_type=ConsentType.PARENT_CARER, given_at=given_at, **PARENT)
    today = timezone.localdate()
    for module in TrainingModule.objects.filter(partnership_id=membership.partnership_id, is_active=True):
        if module.is_required_for(engagement.opportunity_type):
            TrainingRecord.objects.get_or_create(
                membership=membership,
                module=module,
                defaults={
                    "partnership": membership.partnership,
                    "completed_on": today - datetime.timedelta(days=30),
                    "signed_off_by": membership.user,
                },
            )
    approve_risk_assessment(engagement)
    return membership


def young_person(member, engagement: Engagement, *, eligible: bool = True, **kwargs):  # type: ignore[no-untyped-def]
    """A young person of the engagement's partnership (a User acting there), eligible for it unless told not."""
    from participants.models import Role

    user = member(Role.YOUNG_PERSON, in_partnership=engagement.partnership, **kwargs)
    if eligible:
        make_eligible(user.membership, engagement)
    return user
