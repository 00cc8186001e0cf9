"""Nothing is sent twice under real concurrency (PostgreSQL row locks between connections, real threads and a real
worker process killed part-way): two officers approving at once, a double-clicked submit, the task running twice
at the same moment, two finance officers retrying the same failed payout, and a worker killed mid-batch then
resumed. Stripe is the local test server over real HTTP."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction

from core.exceptions import ApplicationError
from core.models import AuditEvent
from core.tenancy import act_in
from payments.models import Claim, PaymentBatch, Payout
from payments.services.batches import batch_add_claims, batch_approve, batch_create, batch_send, batch_submit
from payments.services.payouts import payout_retry
from tests.conftest import require_service
from tests.payments.test_batches_helpers import (
    approved_batch,
    officers,
    open_claim,
    stripe_payee,
    submitted_batch,
    transfer_requests,
    transfers,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


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
        thread.join(timeout=120)
    return sorted(outcomes)


def _each_payout_one_transfer(server) -> None:
    per_payout = collections.Counter(t["metadata"]["payout"] for t in transfers(server))
    assert per_payout and set(per_payout.values()) == {1}
    per_claim = collections.Counter(t["metadata"]["claim"] for t in transfers(server))
    assert set(per_claim.values()) == {1}


def _submitted_without_running_the_task(maker, approver, claims) -> PaymentBatch:
    """Submitted, with the enqueued task dropped: the test runs the "workers" itself."""
    batch = approved_batch(maker, approver, claims)
    with transaction.atomic():
        batch_submit(actor=maker, batch_id=batch.pk)
        transaction.get_connection().run_on_commit = []
    return batch


def test_two_officers_approving_at_once_make_one_approval(member, partnership, stripe_server):
    maker, first = officers(member)
    _, second = officers(member)
    batch = batch_create(actor=maker)
    claim = open_claim(stripe_payee(partnership, stripe_server).membership)
    batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[claim.pk])

    def approve(user):
        def call() -> None:
            act_in(user, partnership)
            batch_approve(actor=user, batch_id=batch.pk)

        return call

    assert _race(approve(first), approve(second)) == ["done", "refused"]
    assert AuditEvent.objects.filter(event_type="paymentbatch.status_changed", payload__to="approved").count() == 1
    assert PaymentBatch.objects.get().approved_by in (first, second)


def test_a_double_clicked_submit_sends_once(member, partnership, stripe_server):
    maker, approver = officers(member)
    claims = [open_claim(stripe_payee(partnership, stripe_server).membership) for _ in range(3)]
    batch = approved_batch(maker, approver, claims)

    def submit() -> None:
        act_in(maker, partnership)
        batch_submit(actor=maker, batch_id=batch.pk)  # Celery runs eagerly after the commit

    assert _race(submit, submit) == ["done", "refused"]
    assert len(transfers(stripe_server)) == 3
    _each_payout_one_transfer(stripe_server)
    assert PaymentBatch.objects.get().status == PaymentBatch.Status.SUBMITTED


def test_the_task_running_twice_at_once_sends_each_payout_once(member, partnership, stripe_server):
    maker, approver = officers(member)
    claims = [open_claim(stripe_payee(partnership, stripe_server).membership) for _ in range(12)]
    batch = _submitted_without_running_the_task(maker, approver, claims)
    assert _race(lambda: batch_send(batch_id=batch.pk), lambda: batch_send(batch_id=batch.pk)) == ["done", "done"]
    assert len(transfers(stripe_server)) == 12
    _each_payout_one_transfer(stripe_server)
    assert set(Payout.objects.values_list("status", flat=True)) == {Payout.Status.SENT}


def test_two_officers_retrying_one_failed_payout_make_one_new_payout(
    member, partnership, stripe_server, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    stripe_server.fail_next("/v1/transfers", status=400, method="POST")
    submitted_batch(
        maker,
        approver,
        [open_claim(stripe_payee(partnership, stripe_server).membership)],
        django_capture_on_commit_callbacks,
    )
    failed = Payout.objects.get()
    assert failed.status == Payout.Status.FAILED

    def retry(user):
        def call() -> None:
            act_in(user, partnership)
            payout_retry(actor=user, payout_id=failed.pk)

        return call

    assert _race(retry(maker), retry(approver)) == ["done", "refused"]
    assert Payout.objects.count() == 2
    assert len(transfers(stripe_server)) == 1
    assert Claim.objects.get().status == Claim.Status.BATCHED


def test_a_worker_killed_mid_batch_and_resumed_sends_each_payout_once(member, partnership, stripe_server):
    """A real worker process sends the batch; it is killed (SIGKILL) part-way; the batch is sent again."""
    maker, approver = officers(member)
    claims = [open_claim(stripe_payee(partnership, stripe_server).membership) for _ in range(120)]
    batch = _submitted_without_running_the_task(maker, approver, claims)
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "STRIPE_API_BASE": stripe_server.url,
        "STRIPE_SECRET_KEY": stripe_server.api_key,
    }
    code = (
        "import django; django.setup(); from payments.services.batches import batch_send; "
        f"batch_send(batch_id={batch.pk})"
    )
    worker = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while len(stripe_server.state.transfers) < 15 and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker finished before it could be killed"
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    sent_before = len(stripe_server.state.transfers)
    assert 15 <= sent_before < 120
    assert Payout.objects.filter(status=Payout.Status.PENDING).exists()
    batch_send(batch_id=batch.pk)  # the task delivered again
    assert len(transfers(stripe_server)) == 120
    _each_payout_one_transfer(stripe_server)
    assert set(Payout.objects.values_list("status", flat=True)) == {Payout.Status.SENT}
    assert PaymentBatch.objects.get().status == PaymentBatch.Status.SUBMITTED
    keys = collections.Counter(r["idempotency_key"] for r in transfer_requests(stripe_server) if not r["replayed"])
    assert set(keys.values()) == {1}  # Stripe carried out each payout's transfer request once
