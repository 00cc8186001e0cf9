"""Two requests (or a request and the approval hook) claim the same approved work log at the same moment: exactly one
claim is made, and the log is claimed once. Row locks between connections are what this is about, so it runs on
PostgreSQL only."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection

from core.exceptions import ApplicationError
from core.models import AuditEvent
from core.tenancy import act_in
from engagements.models import WorkLog
from participants.models import Role
from payments.models import Claim, ClaimLine
from payments.services.claims import claim_create_from_work_log, claim_create_when_approved
from tests.conftest import require_service
from tests.payments.test_claims import approved_log, rate, young_aged

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "row locks between two connections are what this test is about")


def _race(*calls: Callable[[], object]) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            result = call()
            outcomes.append("done" if result is not None else "refused")
        except ApplicationError:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_two_finance_officers_claiming_one_log_at_once_make_one_claim(member, partnership):
    rate(partnership, 1000)
    log = approved_log(young_aged(member, 19).membership)
    first, second = member(Role.FINANCE_OFFICER), member(Role.FINANCE_OFFICER)

    def claim_as(user):  # type: ignore[no-untyped-def]
        def call() -> Claim:
            act_in(user, partnership)
            return claim_create_from_work_log(actor=user, work_log_id=log.pk)

        return call

    assert _race(claim_as(first), claim_as(second)) == ["done", "refused"]
    claim = Claim.objects.get()
    assert ClaimLine.objects.filter(claim=claim).count() == 1
    assert WorkLog.objects.get().status == WorkLog.Status.CLAIMED
    assert AuditEvent.objects.filter(event_type="claim.created").count() == 1
    assert AuditEvent.objects.filter(event_type="worklog.status_changed", payload__to="claimed").count() == 1


def test_a_finance_officer_and_the_approval_hook_at_once_make_one_claim(member, partnership):
    rate(partnership, 1000)
    log = approved_log(young_aged(member, 19).membership)
    officer = member(Role.FINANCE_OFFICER)

    def by_hand() -> Claim:
        act_in(officer, partnership)
        return claim_create_from_work_log(actor=officer, work_log_id=log.pk)

    def by_hook() -> Claim | None:
        return claim_create_when_approved(work_log_id=log.pk)

    assert _race(by_hand, by_hook) == ["done", "refused"]
    assert Claim.objects.count() == 1
