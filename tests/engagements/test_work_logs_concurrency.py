"""Two workers decide the same log at the same moment: exactly one decision counts. A double-clicked first save
makes one log, and a double-tapped expense one line. Row locks between connections are what this is about, so it
runs on PostgreSQL only."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from core.exceptions import ApplicationError
from core.models import AuditEvent
from core.tenancy import act_in
from engagements.models import Expense, WorkLog
from engagements.services.work_logs import expense_add, work_log_approve, work_log_reject, work_log_save_draft
from participants.models import Role
from tests.conftest import require_service
from tests.engagements.test_work_logs import attended_engagement, submitted

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
            call()
            outcomes.append("done")
        except (ApplicationError, ValidationError):
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


def test_an_approval_and_a_rejection_at_once_make_one_decision(member, partnership):
    young = member(Role.YOUNG_PERSON)
    log = submitted(young)
    approver, rejecter = member(Role.PARTICIPATION_WORKER), member(Role.PARTICIPATION_WORKER)

    def approve() -> None:
        act_in(approver, partnership)
        work_log_approve(actor=approver, work_log_id=log.pk)

    def reject() -> None:
        act_in(rejecter, partnership)
        work_log_reject(actor=rejecter, work_log_id=log.pk, reason="Add a receipt")

    assert _race(approve, reject) == ["done", "refused"]
    decided = WorkLog.objects.get()
    assert decided.status in ("approved", "rejected")
    decisions = AuditEvent.objects.filter(event_type="worklog.status_changed", payload__from="submitted")
    assert decisions.count() == 1


def test_a_double_clicked_first_save_makes_one_log(member, partnership):
    young = member(Role.YOUNG_PERSON)
    engagement = attended_engagement(young.membership)

    def save() -> None:
        act_in(young, partnership)
        work_log_save_draft(
            actor=young, engagement_id=engagement.pk, preparation_minutes=0, session_minutes=60, travel_minutes=0
        )

    assert _race(save, save) == ["done", "done"]
    assert WorkLog.objects.count() == 1


def test_the_same_expense_sent_twice_at_once_with_the_same_key_is_added_once(member, partnership):
    young = member(Role.YOUNG_PERSON)
    engagement = attended_engagement(young.membership)
    log = work_log_save_draft(
        actor=young, engagement_id=engagement.pk, preparation_minutes=0, session_minutes=60, travel_minutes=0
    )

    def add() -> None:
        act_in(young, partnership)
        expense_add(
            actor=young,
            work_log_id=log.pk,
            kind="travel",
            description="Bus fare",
            amount="2.40",
            idempotency_key="0f6b3c1d2e4a5b6c7d8e9f0a1b2c3d4e",
        )

    assert _race(add, add) == ["done", "done"]
    assert Expense.objects.count() == 1
