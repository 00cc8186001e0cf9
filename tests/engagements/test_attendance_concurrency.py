"""An approval and an absence mark for the same person at the same moment: exactly one wins. Approval rests on the
person having been there, so they must never end up both approved and marked absent.

Each test holds one side inside its transaction, after its checks and before its commit, and starts the other
side then: with the locks the second waits for the first and sees what it did; without them both would win. Row
locks between connections are what this is about, so it runs on PostgreSQL only."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from core.exceptions import ApplicationError
from core.tenancy import act_in
from engagements.models import Attendance, WorkLog
from engagements.services import attendance as attendance_services
from engagements.services import work_logs as work_log_services
from engagements.services.attendance import attendance_mark
from engagements.services.work_logs import work_log_approve
from participants.models import Role
from tests.conftest import require_service
from tests.engagements.test_work_logs import submitted

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# How long the second side is given to finish on its own: without the locks it does (and wins); with them it waits.
GIVE_IT = 1.5


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "row locks between two connections are what this test is about")


class Held:
    """Wraps a function the first side calls after its checks: it says so, then waits to be let go."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.reached = threading.Event()
        self.release = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.reached.set()
        self.release.wait(timeout=20)
        return self.real(*args, **kwargs)


def _thread(call: Callable[[], object], outcomes: dict[str, str], name: str) -> threading.Thread:
    def run() -> None:
        try:
            call()
            outcomes[name] = "done"
        except (ApplicationError, ValidationError):
            outcomes[name] = "refused"
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _first_then_second(
    held: Held, first: Callable[[], object], second: Callable[[], object]
) -> tuple[dict[str, str], bool]:
    """Run `first` until it reaches `held`, then `second`; let `first` go once `second` has finished or waited
    GIVE_IT seconds. Returns the outcomes and whether `second` was still waiting when `first` was let go."""
    outcomes: dict[str, str] = {}
    one = _thread(first, outcomes, "first")
    assert held.reached.wait(timeout=20), "the first side never reached its commit"
    two = _thread(second, outcomes, "second")
    two.join(timeout=GIVE_IT)
    waited = two.is_alive()
    held.release.set()
    one.join(timeout=30)
    two.join(timeout=30)
    return outcomes, waited


@pytest.fixture
def sent(member):
    young = member(Role.YOUNG_PERSON)
    log = submitted(young)
    return young, log


def test_an_absence_marked_while_the_approval_is_being_saved_waits_and_is_refused(
    member, partnership, sent, monkeypatch
):
    young, log = sent
    approver, marker = member(Role.PARTICIPATION_WORKER), member(Role.PARTICIPATION_WORKER)
    held = Held(work_log_services.transition)
    monkeypatch.setattr(work_log_services, "transition", held)

    def approve() -> None:
        act_in(approver, partnership)
        work_log_approve(actor=approver, work_log_id=log.pk)

    def mark_absent() -> None:
        act_in(marker, partnership)
        attendance_mark(
            actor=marker, engagement_id=log.engagement_id, membership_id=young.membership.pk, status="absent"
        )

    outcomes, waited = _first_then_second(held, approve, mark_absent)

    assert waited, "the absence should wait for the approval's lock on the work log"
    assert outcomes == {"first": "done", "second": "refused"}
    assert WorkLog.objects.get().status == WorkLog.Status.APPROVED
    assert Attendance.objects.get().status == Attendance.Status.PRESENT


def test_an_approval_made_while_an_absence_is_being_saved_waits_and_is_refused(member, partnership, sent, monkeypatch):
    young, log = sent
    approver, marker = member(Role.PARTICIPATION_WORKER), member(Role.PARTICIPATION_WORKER)
    held = Held(attendance_services.audit_record)
    monkeypatch.setattr(attendance_services, "audit_record", held)

    def mark_absent() -> None:
        act_in(marker, partnership)
        attendance_mark(
            actor=marker, engagement_id=log.engagement_id, membership_id=young.membership.pk, status="absent"
        )

    def approve() -> None:
        act_in(approver, partnership)
        work_log_approve(actor=approver, work_log_id=log.pk)

    outcomes, waited = _first_then_second(held, mark_absent, approve)

    assert waited, "the approval should wait for the absence's locks"
    assert outcomes == {"first": "done", "second": "refused"}
    assert WorkLog.objects.get().status == WorkLog.Status.SUBMITTED
    assert Attendance.objects.get().status == Attendance.Status.ABSENT
