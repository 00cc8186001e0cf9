"""Two workers confirm different people for the last place at the same moment: exactly one is confirmed.

Also: one person confirmed for two overlapping engagements at the same moment ends with one place, and a consent
withdrawn while a worker confirms never leaves a place behind.

Row locks between two database connections are what this is about, so it runs on PostgreSQL (SQLite has no
row locks: it is skipped there locally, and fails in CI where REQUIRE_SERVICES=1 says PostgreSQL must be there).
"""

import datetime
import threading

import pytest
from django.db import close_old_connections, connection

from core.exceptions import ApplicationError
from core.tenancy import act_in
from engagements.models import Interest
from engagements.services.selection import interest_withdraw, place_confirm
from participants.models import Role
from safeguarding.models import Consent, ConsentType
from safeguarding.services.consent import consent_withdraw
from tests.conftest import require_service
from tests.engagements.helpers import approve_risk_assessment, make_eligible, young_person
from tests.factories.engagements import InterestFactory, OpportunityFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "row locks between two connections are what this test is about")


def _race(*calls):
    """Run each call in its own thread (each with its own connection), all released at once by a barrier."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes.append("done")
        except ApplicationError as refused:
            outcomes.append(refused.extra.get("reason", "refused"))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_two_workers_confirming_different_people_for_the_last_place_confirm_one(member, partnership):
    engagement = OpportunityFactory(partnership=partnership, places=1)
    approve_risk_assessment(engagement)
    workers = [member(Role.PARTICIPATION_WORKER) for _ in range(2)]
    interests = [
        InterestFactory(engagement=engagement, membership=young_person(member, engagement).membership) for _ in range(2)
    ]

    def confirm(worker, interest):
        def call():
            act_in(worker, partnership)
            place_confirm(actor=worker, interest_id=interest.pk)

        return call

    outcomes = _race(*(confirm(w, i) for w, i in zip(workers, interests, strict=True)))

    assert outcomes == ["done", "full"]
    assert Interest.objects.filter(engagement=engagement, status=Interest.Status.CONFIRMED).count() == 1
    assert engagement.attendees.count() == 1


def test_a_freed_place_and_a_worker_confirming_at_once_never_overfill(member, partnership):
    """A young person gives up their place (the waiting list takes it) while a worker confirms someone else."""
    engagement = OpportunityFactory(partnership=partnership, places=1)
    approve_risk_assessment(engagement)
    worker = member(Role.PARTICIPATION_WORKER)
    leaving = young_person(member, engagement)
    place = InterestFactory(engagement=engagement, membership=leaving.membership)
    place_confirm(actor=worker, interest_id=place.pk)
    waiting = InterestFactory(
        engagement=engagement, membership=young_person(member, engagement).membership, status=Interest.Status.WAITING
    )
    other = InterestFactory(engagement=engagement, membership=young_person(member, engagement).membership)

    def give_up():
        act_in(leaving, partnership)
        interest_withdraw(actor=leaving, interest_id=place.pk)

    def confirm_other():
        act_in(worker, partnership)
        place_confirm(actor=worker, interest_id=other.pk)

    _race(give_up, confirm_other)

    confirmed = set(
        Interest.objects.filter(engagement=engagement, status=Interest.Status.CONFIRMED).values_list("pk", flat=True)
    )
    assert len(confirmed) == 1 and confirmed <= {waiting.pk, other.pk}
    assert engagement.attendees.count() == 1


def test_one_person_confirmed_for_two_overlapping_engagements_at_once_gets_one_place(member, partnership):
    """The gate locks the person's row after the engagement's, so the second confirmation sees the first place."""
    first = OpportunityFactory(partnership=partnership, places=3)
    second = OpportunityFactory(
        partnership=partnership,
        places=3,
        starts_at=first.starts_at + datetime.timedelta(minutes=30),
        ends_at=first.ends_at + datetime.timedelta(minutes=30),
    )
    for engagement in (first, second):
        approve_risk_assessment(engagement)
    person = young_person(member, first)
    make_eligible(person.membership, second)
    workers = [member(Role.PARTICIPATION_WORKER) for _ in range(2)]
    interests = [InterestFactory(engagement=e, membership=person.membership) for e in (first, second)]

    def confirm(worker, interest):
        def call():
            act_in(worker, partnership)
            place_confirm(actor=worker, interest_id=interest.pk)

        return call

    outcomes = _race(*(confirm(w, i) for w, i in zip(workers, interests, strict=True)))

    assert outcomes == ["done", "overlap"]
    assert Interest.objects.filter(membership=person.membership, status=Interest.Status.CONFIRMED).count() == 1
    assert first.attendees.count() + second.attendees.count() == 1


def test_a_consent_withdrawn_while_a_worker_confirms_never_leaves_a_place(member, partnership):
    """Whichever goes first, the person ends without a confirmed place: the withdrawal cancels a place confirmed just
    before it, and a confirmation just after it sees the withdrawn consent."""
    engagement = OpportunityFactory(partnership=partnership, places=3)
    approve_risk_assessment(engagement)
    worker = member(Role.PARTICIPATION_WORKER)
    person = young_person(member, engagement)
    interest = InterestFactory(engagement=engagement, membership=person.membership)
    consent = Consent.objects.get(membership=person.membership, consent_type=ConsentType.TAKING_PART)

    def confirm():
        act_in(worker, partnership)
        place_confirm(actor=worker, interest_id=interest.pk)

    def withdraw():
        act_in(person, partnership)
        consent_withdraw(actor=person, consent_id=consent.pk)

    _race(confirm, withdraw)

    interest.refresh_from_db()
    assert interest.status != Interest.Status.CONFIRMED
    assert engagement.attendees.count() == 0
