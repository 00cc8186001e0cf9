"""The library's reads: a partnership's unpublished examples never reach another partnership (a 404, exactly like a
missing one), a withdrawal takes an example out of every read at once, search filters, what a published example
shows (agreed names, outputs with media consent), and query counts that stay the same for 5 and 50 examples."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from library.models import Example, ExampleCredit, Method, Outcome
from library.selectors import (
    credit_get_for_actor,
    credits_for,
    example_get_for_actor,
    library_search,
    own_examples,
    public_outputs,
    question_get_for_actor,
    questions_for,
)
from library.services import example_withdraw
from participants.models import Role
from tests.engagements.test_outputs import young
from tests.factories import PartnershipFactory
from tests.factories.engagements import OutputFactory
from tests.factories.library import ExampleCreditFactory, ExampleFactory, ExampleQuestionFactory
from tests.library.test_services import publishable, published

pytestmark = pytest.mark.django_db

UNPUBLISHED = [Example.Status.DRAFT, Example.Status.SUBMITTED, Example.Status.WITHDRAWN]


@pytest.fixture
def ours(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def theirs(member, other_partnership):
    """Staff of another partnership (a finance officer: every staff role may browse the library)."""
    return member(Role.FINANCE_OFFICER, in_partnership=other_partnership)


# --- Nothing unpublished leaves the partnership -------------------------------------------------------------------


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_an_unpublished_example_never_appears_to_another_partnership(partnership, ours, theirs, status):
    example = publishable(partnership, status=status, title="Our unpublished example about stop and search")
    assert list(library_search(theirs)) == []
    assert list(library_search(theirs, text="stop and search")) == []
    with pytest.raises(Http404):
        example_get_for_actor(theirs, example.pk)
    # Its own partnership still sees it, among its own examples.
    assert example_get_for_actor(ours, example.pk) == example
    assert list(own_examples(ours)) == [example]
    assert list(own_examples(theirs)) == []


def test_a_published_example_appears_to_every_partnerships_staff(partnership, ours, theirs):
    example = published(partnership)
    assert list(library_search(theirs)) == [example]
    found = example_get_for_actor(theirs, example.pk)
    assert found == example and found.partnership.name == partnership.name
    assert list(library_search(ours)) == [example]


def test_an_unknown_example_is_the_same_404(theirs):
    with pytest.raises(Http404):
        example_get_for_actor(theirs, 987654)


@pytest.mark.parametrize("reader", ["young_person", "nobody"])
def test_young_people_and_people_in_no_partnership_cannot_read_the_library(partnership, member, reader):
    example = published(partnership)
    actor = member(Role.YOUNG_PERSON) if reader == "young_person" else member(Role.PARTICIPATION_WORKER)
    if reader == "nobody":
        actor._active_membership = None
    for read in (
        lambda: library_search(actor),
        lambda: example_get_for_actor(actor, example.pk),
        lambda: own_examples(actor),
    ):
        with pytest.raises(PermissionDenied):
            read()


def test_withdrawal_removes_an_example_from_every_read_at_once(partnership, member, theirs, other_partnership):
    example = published(partnership, title="Soon withdrawn")
    question = ExampleQuestionFactory(example=example, partnership=other_partnership, asked_by=theirs)
    lead = member(Role.SCRUTINY_LEAD)
    assert list(library_search(theirs, text="withdrawn")) == [example]
    assert example_get_for_actor(theirs, example.pk) == example
    assert list(questions_for(theirs)) == [question]
    example_withdraw(actor=lead, example_id=example.pk, reason="Out of date")
    assert list(library_search(theirs)) == []
    assert list(library_search(theirs, text="withdrawn")) == []
    with pytest.raises(Http404):
        example_get_for_actor(theirs, example.pk)
    assert list(questions_for(theirs)) == []
    with pytest.raises(Http404):
        question_get_for_actor(theirs, question.pk)
    # The publishing partnership keeps it (and the question) in its own records.
    assert list(own_examples(lead)) == [example] and list(questions_for(lead)) == [question]


# --- What a published example shows ------------------------------------------------------------------------------


def test_only_agreed_credits_are_loaded_for_showing(partnership, theirs):
    example = published(partnership)
    agreed = ExampleCreditFactory(example=example, status=ExampleCredit.Status.AGREED, credit_name="Sam")
    for status in (ExampleCredit.Status.ASKED, ExampleCredit.Status.DECLINED, ExampleCredit.Status.WITHDRAWN):
        ExampleCreditFactory(example=example, status=status, credit_name="Not shown")
    assert example_get_for_actor(theirs, example.pk).agreed_credits == [agreed]
    assert [found.agreed_credits for found in library_search(theirs)] == [[agreed]]


def test_only_outputs_not_hidden_and_with_every_makers_media_consent_are_shown(partnership):
    sam, no_consent = young(partnership), young(partnership, media=False)
    example = published(partnership, sam, no_consent)
    engagement = example.engagements.get()
    shown = OutputFactory(engagement=engagement, title="A film")
    shown.contributors.set([sam])
    without = OutputFactory(engagement=engagement, title="B poem")
    without.contributors.set([sam, no_consent])
    hidden = OutputFactory(engagement=engagement, title="C blog", is_hidden=True)
    hidden.contributors.set([sam])
    nobody = OutputFactory(engagement=engagement, title="D report")
    example.outputs.set([shown, without, hidden, nobody])
    other = published(partnership)
    assert public_outputs([example, other]) == {example.pk: [shown], other.pk: []}
    assert public_outputs([]) == {}


# --- Search --------------------------------------------------------------------------------------------------------


def test_search_filters_by_text_method_topic_age_and_outcome(partnership, other_partnership, theirs):
    police = published(
        partnership,
        title="Young people question the police",
        topic="Stop and search",
        recommended="Explain every stop.",
        changed="A card is given out.",
        method=Method.SECTION_11_PANEL,
        outcome=Outcome.PRACTICE_CHANGED,
        age_min=14,
        age_max=17,
    )
    health = published(
        other_partnership,
        title="A deep dive into waiting lists",
        topic="Mental health",
        recommended="Tell us how long we will wait.",
        changed="Waiting times are published monthly.",
        method=Method.DEEP_DIVE,
        outcome=Outcome.UNDER_WAY,
        age_min=16,
        age_max=24,
    )
    unknown_ages = published(
        partnership,
        title="No ages",
        topic="Online safety",
        recommended="Teach it in year 7.",
        changed="Schools teach it.",
        age_min=None,
        age_max=None,
    )
    assert set(library_search(theirs)) == {police, health, unknown_ages}
    assert list(library_search(theirs, text="POLICE")) == [police]  # the title, any case
    assert list(library_search(theirs, text="monthly waiting")) == [health]  # every word, from any field
    assert list(library_search(theirs, text="every stop")) == [police]  # what they recommended
    assert list(library_search(theirs, text="police monthly")) == []
    assert list(library_search(theirs, method=Method.DEEP_DIVE)) == [health]
    assert list(library_search(theirs, topic="search")) == [police]
    assert list(library_search(theirs, age=15)) == [police]
    assert set(library_search(theirs, age=16)) == {police, health}
    assert list(library_search(theirs, age=25)) == []
    assert list(library_search(theirs, outcome=Outcome.UNDER_WAY)) == [health]
    assert list(library_search(theirs, text="stop", method=Method.DEEP_DIVE)) == []


def test_newest_published_first(partnership, theirs):
    now = timezone.now()
    older = published(partnership, published_at=now - datetime.timedelta(days=3))
    newer = published(partnership, published_at=now - datetime.timedelta(days=1))
    oldest = published(partnership, published_at=now - datetime.timedelta(days=9))
    assert list(library_search(theirs)) == [newer, older, oldest]


def _library_with(count: int) -> None:
    """`count` published examples across several partnerships, each with two credits and an output."""
    partnerships = [PartnershipFactory() for _ in range(3)]
    for n in range(count):
        where = partnerships[n % 3]
        sam = young(where)
        example = published(where, sam)
        ExampleCreditFactory(example=example, membership=sam, status=ExampleCredit.Status.AGREED, credit_name="Sam")
        ExampleCreditFactory(example=example, status=ExampleCredit.Status.ASKED)
        output = OutputFactory(engagement=example.engagements.get())
        output.contributors.set([sam])
        example.outputs.set([output])


def _queries_to_show_the_library(actor) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        examples = list(library_search(actor))
        for example in examples:
            assert example.partnership.name and example.agreed_credits[0].credit_name
        shown = public_outputs(examples)
        assert all(shown[example.pk] for example in examples)
    return len(queries), len(examples)


def test_search_takes_the_same_number_of_queries_for_5_and_50_examples(theirs):
    _library_with(5)
    few, seen = _queries_to_show_the_library(theirs)
    assert seen == 5
    _library_with(45)
    many, seen = _queries_to_show_the_library(theirs)
    assert seen == 50
    assert many == few


def test_own_examples_take_the_same_number_of_queries_for_5_and_50(partnership, ours):
    def load() -> int:
        with CaptureQueriesContext(connection) as queries:
            for example in own_examples(ours):
                assert example.partnership.name and example.all_credits[0].membership.user.full_name
                assert example.created_by is not None
        return len(queries)

    def make(count: int) -> None:
        for _ in range(count):
            ExampleCreditFactory(example=publishable(partnership))

    make(5)
    few = load()
    make(45)
    assert load() == few


# --- Credits and questions -------------------------------------------------------------------------------------


def test_a_young_person_sees_only_their_own_requests_to_be_named(partnership, other_partnership):
    sam, ada = young(partnership), young(partnership)
    example = publishable(partnership, sam, ada)
    mine = ExampleCreditFactory(example=example, membership=sam)
    ExampleCreditFactory(example=example, membership=ada)
    removed = ExampleCreditFactory(example=publishable(partnership, sam), membership=sam, status="removed")
    assert list(credits_for(sam.user)) == [mine]
    assert credit_get_for_actor(sam.user, mine.pk) == mine
    for credit_id in (removed.pk, ExampleCreditFactory(example=publishable(other_partnership)).pk):
        with pytest.raises(Http404):
            credit_get_for_actor(sam.user, credit_id)


def test_staff_have_no_requests_to_be_named(ours):
    with pytest.raises(PermissionDenied):
        credits_for(ours)


def test_questions_are_seen_by_the_asking_and_the_publishing_partnership_only(
    partnership, other_partnership, ours, theirs, member
):
    example = published(partnership)
    asked = ExampleQuestionFactory(example=example, partnership=other_partnership, asked_by=theirs)
    about_theirs = ExampleQuestionFactory(example=published(other_partnership), partnership=partnership, asked_by=ours)
    third = member(Role.PARTICIPATION_WORKER, in_partnership=PartnershipFactory())
    assert set(questions_for(ours)) == {asked, about_theirs}
    assert set(questions_for(theirs)) == {asked, about_theirs}
    assert list(questions_for(third)) == []
    with pytest.raises(Http404):
        question_get_for_actor(third, asked.pk)
    assert question_get_for_actor(ours, asked.pk) == asked


def test_a_draft_never_has_questions_shown_to_another_partnership(partnership, other_partnership, theirs):
    example = ExampleFactory(partnership=partnership, status=Example.Status.DRAFT)
    question = ExampleQuestionFactory(example=example, partnership=other_partnership, asked_by=theirs)
    assert list(questions_for(theirs)) == []
    with pytest.raises(Http404):
        question_get_for_actor(theirs, question.pk)
