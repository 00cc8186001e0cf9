"""training_gaps_many: each person's training gaps exactly as training_gaps gives them, in two queries for any number.

(can_take_part_many, which uses it, is tested with every other reason in tests/safeguarding/test_can_take_part_many.py.)
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import OpportunityType
from participants.models import Membership, Partnership, Role, TrainingModule, TrainingRecord
from participants.selectors.training import training_gaps, training_gaps_many
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PANEL = OpportunityType.SECTION_11_PANEL
TODAY = datetime.date(2026, 6, 10)


def module(partnership: Partnership, title: str, required: list[str], *, active: bool = True) -> TrainingModule:
    return TrainingModule.objects.create(
        partnership=partnership, title=title, duration_minutes=60, required_for=required, is_active=active
    )


def record(person: Membership, mod: TrainingModule, completed: int, expires: int | None = None) -> None:
    """Completed `completed` days before TODAY (negative: after), expiring `expires` days after TODAY."""
    TrainingRecord.objects.create(
        partnership=mod.partnership,
        membership=person,
        module=mod,
        completed_on=TODAY - datetime.timedelta(days=completed),
        expires_on=None if expires is None else TODAY + datetime.timedelta(days=expires),
        signed_off_by=person.user,
    )


@pytest.fixture
def people(partnership, other_partnership):
    basics = module(partnership, "Safeguarding basics", [PANEL])
    chairing = module(partnership, "Chairing a panel", [PANEL, "other"])
    module(partnership, "Interviewing", ["other"])
    module(partnership, "Old module", [PANEL], active=False)
    theirs = module(other_partnership, "Their basics", [PANEL])

    def young(where=partnership):
        return MembershipFactory(partnership=where, roles=[Role.YOUNG_PERSON])

    everything, nothing, expired, future, expired_and_current, on_the_day = [young() for _ in range(6)]
    stranger = young(other_partnership)
    for person in (everything, expired_and_current):
        record(person, basics, 30)
        record(person, chairing, 30, expires=100)
    record(expired, basics, 400, expires=-5)
    record(expired, basics, 800, expires=-300)  # the latest expiry is named
    record(future, basics, -3)
    record(expired_and_current, basics, 900, expires=-400)
    record(on_the_day, basics, 0, expires=0)  # expires on the day: no longer counts
    record(stranger, theirs, 10)
    return [everything, nothing, expired, future, expired_and_current, on_the_day, stranger]


def test_each_person_gets_exactly_the_single_answer(people):
    for opportunity_type in (PANEL, "other", "nothing_needed"):
        many = training_gaps_many(people, opportunity_type, on=TODAY)
        for person in people:
            assert many[person.pk] == training_gaps(person, opportunity_type, on=TODAY)


def test_the_gaps_name_each_module_and_the_latest_expiry(people):
    everything, nothing, expired, future, expired_and_current, on_the_day, stranger = people
    many = training_gaps_many(people, PANEL, on=TODAY)
    assert many[everything.pk] == many[expired_and_current.pk] == many[stranger.pk] == []
    assert many[nothing.pk] == ["Chairing a panel: not done", "Safeguarding basics: not done"]
    assert many[expired.pk] == ["Chairing a panel: not done", "Safeguarding basics: expired on 5 June 2026"]
    assert many[future.pk] == ["Chairing a panel: not done", "Safeguarding basics: not done"]
    assert many[on_the_day.pk] == ["Chairing a panel: not done", "Safeguarding basics: expired on 10 June 2026"]
    assert training_gaps_many(people, "nothing_needed", on=TODAY) == {p.pk: [] for p in people}


def test_two_queries_for_any_number_of_people(people, django_assert_num_queries):
    with CaptureQueriesContext(connection) as one:
        training_gaps_many(people[:1], PANEL, on=TODAY)
    with CaptureQueriesContext(connection) as all_of_them:
        training_gaps_many(people, PANEL, on=timezone.localdate())
    assert len(one) == len(all_of_them) == 2
    with django_assert_num_queries(1):  # no module is needed: the records are not read
        training_gaps_many(people, "nothing_needed", on=TODAY)
    with django_assert_num_queries(0):
        assert training_gaps_many([], PANEL, on=TODAY) == {}
