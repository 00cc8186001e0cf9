"""Factories for the shared library: examples, credits and questions."""

from __future__ import annotations

import factory

from library.models import Example, ExampleCredit, ExampleQuestion, Method, Outcome
from participants.models import Role
from tests.factories import MembershipFactory, PartnershipFactory


class ExampleFactory(factory.django.DjangoModelFactory):
    """A draft example with no engagements (add them with `engagements=[...]`)."""

    class Meta:
        model = Example
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Young people question the police about stop and search ({n})")
    method = Method.SECTION_11_PANEL
    topic = "Stop and search"
    recruitment = "We asked our young scrutineers' group and two youth clubs."
    support = "Two training sessions on section 11 and a debrief after the panel."
    recommended = "Explain to young people why they were stopped, every time."
    changed = "The police added a card that explains stop and search to every stop of a young person."
    outcome = Outcome.PRACTICE_CHANGED
    age_min = 14
    age_max = 19

    @factory.post_generation
    def engagements(self, create, extracted, **kwargs):
        if create and extracted:
            self.engagements.set(extracted)


class ExampleCreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExampleCredit

    example = factory.SubFactory(ExampleFactory)
    partnership = factory.SelfAttribute("example.partnership")
    membership = factory.SubFactory(
        MembershipFactory, roles=[Role.YOUNG_PERSON], partnership=factory.SelfAttribute("..example.partnership")
    )


class ExampleQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExampleQuestion

    example = factory.SubFactory(ExampleFactory, status=Example.Status.PUBLISHED)
    partnership = factory.SubFactory(PartnershipFactory)
    text = "How did you get the police to come to the panel?"
