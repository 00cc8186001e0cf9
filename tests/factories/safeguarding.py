"""Factories for safeguarding and the engagement core it needs."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from engagements.models import Engagement, OpportunityType
from participants.models import Role
from safeguarding.models import (
    Concern,
    ConcernCategory,
    Consent,
    ConsentMethod,
    ConsentType,
    RiskAssessment,
    StaffCheck,
)
from tests.factories import MembershipFactory, PartnershipFactory


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Section 11 challenge panel {n}")
    opportunity_type = OpportunityType.SECTION_11_PANEL
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    location = "Council offices, committee room 3"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    membership = factory.SubFactory(MembershipFactory, roles=[Role.YOUNG_PERSON])
    partnership = factory.SelfAttribute("membership.partnership")
    consent_type = ConsentType.TAKING_PART
    status = Consent.Status.GIVEN
    given_by_name = factory.SelfAttribute("membership.user.full_name")
    relationship = "Self"
    method = ConsentMethod.IN_ACCOUNT


class StaffCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffCheck

    membership = factory.SubFactory(MembershipFactory, roles=[Role.PARTICIPATION_WORKER])
    partnership = factory.SelfAttribute("membership.partnership")
    certificate_number = factory.Sequence(lambda n: f"{n:012d}")
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=200))
    renewal_due_on = factory.LazyAttribute(lambda o: o.issued_on + datetime.timedelta(days=3 * 365))


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    engagement = factory.SubFactory(EngagementFactory)
    partnership = factory.SelfAttribute("engagement.partnership")
    venue = "Accessible meeting room, ground floor"


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concern

    membership = factory.SubFactory(MembershipFactory, roles=[Role.YOUNG_PERSON])
    partnership = factory.SelfAttribute("membership.partnership")
    raised_by = factory.SubFactory("tests.factories.UserFactory")
    category = ConcernCategory.ONLINE
    young_persons_words = "Someone keeps messaging me and I don't like it."
