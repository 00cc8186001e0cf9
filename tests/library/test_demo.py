"""The demo shows the library to a newcomer, made through the real services: Riverside City's published example is
found by North Shire's staff, with only what may leave Riverside; North Shire has a draft waiting for review."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from core.tenancy import act_in
from library.models import Example, ExampleCredit, ExampleQuestion
from library.selectors import library_search, public_outputs
from library.services import publication_problems, unreviewed_fields
from participants.models import Membership, User

pytestmark = pytest.mark.django_db


def staff(email: str, slug: str) -> User:
    user = User.objects.get(email=email)
    act_in(user, Membership.objects.get(user=user, partnership__slug=slug).partnership)
    return user


def test_riverside_publishes_an_example_that_north_shire_staff_find_and_north_shire_has_a_draft_to_review():
    call_command("seed_demo", stdout=StringIO())
    sam = staff("sam.patel@north-shire.example", "north-shire")

    # North Shire's participation worker finds Riverside's example by searching the library.
    [found] = library_search(sam, text="emergency department", method="young_inspectors")
    assert found.partnership.slug == "riverside-city" and found.status == Example.Status.PUBLISHED
    assert found.approved_by.email == "ruth.green@riverside.example"
    assert found.submitted_by.email == "chris.evans@riverside.example"
    assert [credit.credit_name for credit in found.agreed_credits] == ["Jordan"]
    assert found.young_people_count is None and (found.age_min, found.age_max) == (16, 20)
    assert not unreviewed_fields(found) and not publication_problems(found)
    assert [output.title for output in public_outputs([found])[found.pk]] == [
        "Our visit to the children's emergency department"
    ]
    # Sam asked Riverside a question and Chris answered it.
    question = ExampleQuestion.objects.get(example=found)
    assert question.partnership.slug == "north-shire" and question.answer

    # Riverside's own example is not the only one: North Shire has a draft from its deep dive, nothing reviewed yet,
    # which nobody outside North Shire can find.
    draft = Example.objects.get(partnership__slug="north-shire")
    assert draft.status == Example.Status.DRAFT and draft.engagements.get().title == "Deep dive: school exclusions"
    assert unreviewed_fields(draft) == list(Example.TEXT_FIELDS)
    credit = ExampleCredit.objects.get(example=draft)
    assert credit.status == ExampleCredit.Status.ASKED and credit.membership.user.email == "amara@north-shire.example"
    chris = staff("chris.evans@riverside.example", "riverside-city")
    assert draft.pk not in {example.pk for example in library_search(chris)}
