"""Factories for recruitment: rounds (open today by default), applications, slots, templates."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from faker import Faker

from participants.models import (
    Application,
    EmailTemplate,
    InterviewSlot,
    OutreachChannel,
    OutreachLink,
    RecruitmentRound,
    RoundQuestion,
    ScoringCriterion,
)
from tests.factories import PartnershipFactory


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecruitmentRound

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Young Scrutineers intake {2026 + n}")
    description = "Help us check how well children and young people are kept safe. Paid, flexible, fun."
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=21))
    places = 10
    is_published = True


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoundQuestion

    round = factory.SubFactory(RoundFactory)
    partnership = factory.SelfAttribute("round.partnership")
    text = factory.Sequence(lambda n: f"Why do you want to be a young scrutineer? ({n})")
    kind = RoundQuestion.Kind.LONG_TEXT
    required = True


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringCriterion

    round = factory.SubFactory(RoundFactory)
    partnership = factory.SelfAttribute("round.partnership")
    label = factory.Sequence(lambda n: f"Criterion {n}")
    max_score = 5


class OutreachLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutreachLink

    round = factory.SubFactory(RoundFactory)
    partnership = factory.SelfAttribute("round.partnership")
    channel = OutreachChannel.YOUTH_COUNCIL
    label = "Youth council newsletter"
    code = factory.Sequence(lambda n: f"code{n}")


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterviewSlot

    round = factory.SubFactory(RoundFactory)
    partnership = factory.SelfAttribute("round.partnership")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=30))
    location = "Youth centre, room 2"
    capacity = 1


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A sent application (status submitted) by a 17-year-old unless told otherwise."""

    class Meta:
        model = Application

    round = factory.SubFactory(RoundFactory)
    partnership = factory.SelfAttribute("round.partnership")
    status = Application.Status.SUBMITTED
    full_name = factory.LazyFunction(lambda: Faker("en_GB").name().replace("'", ""))
    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    date_of_birth = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=17 * 365 + 30))
    submitted_at = factory.LazyFunction(timezone.now)


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailTemplate

    partnership = factory.SubFactory(PartnershipFactory)
    key = EmailTemplate.Key.OFFER
    subject = "An offer for {name}"
    body = "Hi {name}, accept here: {offer_link}"
