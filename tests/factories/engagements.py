"""Factories for opportunities, interests, attendance, work logs and outputs."""

from __future__ import annotations

from decimal import Decimal

import factory

from engagements.models import (
    Attendance,
    Engagement,
    Expense,
    Interest,
    OpportunityType,
    OpportunityTypeSetting,
    Output,
    WorkLog,
)
from participants.models import Role
from tests.factories import MembershipFactory, PartnershipFactory
from tests.factories.safeguarding import EngagementFactory


class OpportunityFactory(EngagementFactory):
    """A published opportunity."""

    status = Engagement.Status.PUBLISHED
    description = "We will read what agencies say they do to keep children safe, and ask them questions."
    places = 4


class OpportunityTypeSettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpportunityTypeSetting

    partnership = factory.SubFactory(PartnershipFactory)
    opportunity_type = OpportunityType.FOCUS_GROUP
    pay_note = "Paid by the hour"


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interest

    engagement = factory.SubFactory(OpportunityFactory)
    membership = factory.SubFactory(
        MembershipFactory, roles=[Role.YOUNG_PERSON], partnership=factory.SelfAttribute("..engagement.partnership")
    )
    partnership = factory.SelfAttribute("engagement.partnership")
    note = "I would like to take part."


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    engagement = factory.SubFactory(EngagementFactory)
    membership = factory.SubFactory(
        MembershipFactory, roles=[Role.YOUNG_PERSON], partnership=factory.SelfAttribute("..engagement.partnership")
    )
    partnership = factory.SelfAttribute("engagement.partnership")
    status = Attendance.Status.PRESENT


class WorkLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkLog

    membership = factory.SubFactory(MembershipFactory, roles=[Role.YOUNG_PERSON])
    engagement = factory.SubFactory(EngagementFactory, partnership=factory.SelfAttribute("..membership.partnership"))
    partnership = factory.SelfAttribute("membership.partnership")
    preparation_minutes = 30
    session_minutes = 120
    travel_minutes = 40


class ExpenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expense

    work_log = factory.SubFactory(WorkLogFactory)
    partnership = factory.SelfAttribute("work_log.partnership")
    kind = Expense.Kind.TRAVEL
    description = "Bus fare"
    amount = Decimal("4.50")


class OutputFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Output

    engagement = factory.SubFactory(EngagementFactory)
    partnership = factory.SelfAttribute("engagement.partnership")
    title = factory.Sequence(lambda n: f"What we found {n}")
    kind = Output.Kind.BLOG
    summary = "A blog about the panel."
