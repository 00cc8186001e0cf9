"""Factories for the feedback loop: recommendations, their contributors, responses, timeline entries and ratings."""

from __future__ import annotations

import factory

from engagements.models import (
    FeedbackPreference,
    Recommendation,
    RecommendationContributor,
    RecommendationResponse,
    ResponseRating,
    Result,
    TimelineEntry,
)
from participants.models import Role
from tests.factories import MembershipFactory, PartnershipFactory
from tests.factories.safeguarding import EngagementFactory


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Young people are listened to {n}")


class RecommendationFactory(factory.django.DjangoModelFactory):
    """A recommendation with no contributors: add them with RecommendationContributorFactory."""

    class Meta:
        model = Recommendation

    engagement = factory.SubFactory(EngagementFactory)
    partnership = factory.SelfAttribute("engagement.partnership")
    text = factory.Sequence(lambda n: f"Ask young people what they think before changing a service ({n}).")
    theme = "Being listened to"
    agency = "Children's social care"


class RecommendationContributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendationContributor

    recommendation = factory.SubFactory(RecommendationFactory)
    partnership = factory.SelfAttribute("recommendation.partnership")
    membership = factory.SubFactory(
        MembershipFactory,
        roles=[Role.YOUNG_PERSON],
        partnership=factory.SelfAttribute("..recommendation.partnership"),
    )


class RecommendationResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendationResponse

    recommendation = factory.SubFactory(RecommendationFactory)
    partnership = factory.SelfAttribute("recommendation.partnership")
    owner_agency = "Children's social care"
    owner_name = "Priya Shah"
    owner_email = "priya.shah@agency.example"


class TimelineEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEntry

    response = factory.SubFactory(RecommendationResponseFactory)
    partnership = factory.SelfAttribute("response.partnership")
    kind = TimelineEntry.Kind.UPDATE
    text = "We met the team leaders to plan the change."


class ResponseRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponseRating

    response = factory.SubFactory(RecommendationResponseFactory)
    partnership = factory.SelfAttribute("response.partnership")
    membership = factory.SubFactory(
        MembershipFactory, roles=[Role.YOUNG_PERSON], partnership=factory.SelfAttribute("..response.partnership")
    )
    score = 4


class FeedbackPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackPreference

    membership = factory.SubFactory(MembershipFactory, roles=[Role.YOUNG_PERSON])
    partnership = factory.SelfAttribute("membership.partnership")
