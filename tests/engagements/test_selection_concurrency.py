"""Two workers confirm different people for the last place at the same moment: exactly one is confirmed.

Row locks between two database connections are what this is about, so it runs on PostgreSQL (SQLite has no
row locks: it is skipped there locally, and fails in CI where REQUIRE_SERVICES=1 says PostgreSQL must be there).
"""

import threading

import pytest
from django.db import close_old_connections, connection

from core.exceptions import ApplicationError
from core.tenancy import act_in
from engagements.models import Interest
from engagements.services.selection import interest_withdraw, place_confirm
from participants.models import Role
from tests.conftest import require_service
from tests.engagements.helpers import approve_risk_assessment, young_person
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
