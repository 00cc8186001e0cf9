"""A Celery worker killed (SIGKILL) in the middle of a task: the message, never acknowledged (acks_late), is delivered
again to a new worker, which finishes the work without doing any of it twice.

The task is `payments.submit_batch` sending a batch of three Stripe payouts over real HTTP to the local Stripe test
server. The test holds the server's answer to the second transfer request (the transfer is made, the answer not yet
sent), kills the worker while it waits for that answer, and starts a new one. With Redis, an unacknowledged message
comes back after the visibility timeout (CELERY_VISIBILITY_TIMEOUT, 2 s here, 1 hour by default). The new worker
finds the second payout SENDING, asks Stripe for its transfer instead of making another (payments/services/payouts.py),
sends the third, and finishes the batch: three transfers, one per payout. The second test kills only the pool's
child process: the worker rejects the message back to the queue (CELERY_TASK_REJECT_ON_WORKER_LOST) and runs it again.
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
from typing import Any

import pytest

from payments.models import PaymentBatch, Payout
from payments.services.batches import batch_submit
from payments.stripe_server import StripeTestServer
from tests.faults.conftest import (
    Worker,
    celery_pointed_at,
    database_url,
    new_queue,
    require_postgresql_tests_database,
    wait_until,
    worker_env,
)
from tests.payments.test_batches_helpers import approved_batch, officers, open_claim, stripe_payee, transfers

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class HeldAnswer:
    """Wraps the Stripe test server's API: the `nth` transfer request is carried out, then its answer is held until
    `release` is set (so the worker is waiting on Stripe, mid-task, when it is killed)."""

    def __init__(self, server: StripeTestServer, nth: int) -> None:
        self.handle = server.api.handle
        self.nth = nth
        self.seen = 0
        self.lock = threading.Lock()
        self.arrived = threading.Event()
        self.release = threading.Event()
        server.api.handle = self  # type: ignore[method-assign]

    def __call__(self, method: str, path: str, query: str, body: bytes, headers: Any) -> Any:
        answer = self.handle(method, path, query, body, headers)
        if method == "POST" and path == "/v1/transfers":
            with self.lock:
                self.seen += 1
                hold = self.seen == self.nth
            if hold:
                self.arrived.set()
                self.release.wait(timeout=60)
        return answer


@pytest.fixture
def stripe_server(settings: Any):
    token = secrets.token_hex(8)
    server = StripeTestServer(api_key=f"sk_test_{token}", webhook_secret=f"whsec_{token}").start()
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_SECRET_KEY = server.api_key
    settings.STRIPE_WEBHOOK_SECRET = server.webhook_secret
    try:
        yield server
    finally:
        server.stop()


def _batch_of_three(member: Any, partnership: Any, stripe_server: StripeTestServer) -> tuple[Any, PaymentBatch]:
    maker, approver = officers(member)
    claims = [open_claim(stripe_payee(partnership, stripe_server).membership, pay=1000 + n) for n in range(3)]
    return maker, approved_batch(maker, approver, claims)


def _env(redis_url: str, queue: str, stripe_server: StripeTestServer, visibility_timeout: int) -> dict[str, str]:
    return worker_env(
        broker=redis_url,
        queue=queue,
        database=database_url(),
        CELERY_VISIBILITY_TIMEOUT=str(visibility_timeout),
        STRIPE_API_BASE=stripe_server.url,
        STRIPE_SECRET_KEY=stripe_server.api_key,
        STRIPE_WEBHOOK_SECRET=stripe_server.webhook_secret,
        STRIPE_MAX_NETWORK_RETRIES="0",
    )


def _assert_each_payout_sent_once(stripe_server: StripeTestServer) -> None:
    made = transfers(stripe_server)
    payouts = list(Payout.objects.order_by("pk"))
    assert len(made) == 3
    assert sorted(int(t["metadata"]["payout"]) for t in made) == [p.pk for p in payouts]
    for payout in payouts:
        assert payout.status == Payout.Status.SENT
        assert payout.stripe_transfer_id in {t["id"] for t in made}
    assert [p.attempts for p in payouts] == [1, 2, 1]  # the second was resumed: looked up, not sent again


def _wait_mid_task(held: HeldAnswer, worker: Worker, stripe_server: StripeTestServer) -> None:
    """Mid-task: the first payout sent, the second SENDING and its transfer made at Stripe, the answer held."""
    wait_until(held.arrived.is_set, "the worker asks Stripe for the second transfer", process=worker.process)
    statuses = list(Payout.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [Payout.Status.SENT, Payout.Status.SENDING, Payout.Status.PENDING]
    assert len(transfers(stripe_server)) == 2


def test_a_worker_killed_mid_batch_is_replaced_and_each_payout_is_sent_once(
    private_redis, workers, stripe_server, member, partnership, tmp_path
):
    """The whole worker dies (its machine, say): Redis delivers the message again after the visibility timeout."""
    require_postgresql_tests_database()
    maker, batch = _batch_of_three(member, partnership, stripe_server)
    held = HeldAnswer(stripe_server, nth=2)
    queue = new_queue()
    env = _env(private_redis.url, queue, stripe_server, visibility_timeout=2)
    try:
        with celery_pointed_at(private_redis.url, queue):
            first = Worker(tmp_path / "worker-1.log", env, queue)
            workers.append(first)
            batch_submit(actor=maker, batch_id=batch.pk)  # enqueues payments.submit_batch on commit

            _wait_mid_task(held, first, stripe_server)
            first.kill()
            held.release.set()  # the answer goes nowhere: the worker is gone

            second = Worker(tmp_path / "worker-2.log", env, queue)
            workers.append(second)
            wait_until(
                lambda: PaymentBatch.objects.get(pk=batch.pk).status == PaymentBatch.Status.SUBMITTED,
                "the new worker finishes the batch",
                process=second.process,
                # A new worker starts (many seconds on a busy 2-core CI machine), and kombu puts unacknowledged
                # messages back only every 10 s once their visibility timeout has passed: a wide deadline, not a sleep.
                timeout=120,
            )
    finally:
        held.release.set()

    _assert_each_payout_sent_once(stripe_server)
    assert "payments.submit_batch" in second.log()


def test_a_pool_process_killed_mid_batch_is_retried_by_its_worker_and_each_payout_is_sent_once(
    private_redis, workers, stripe_server, member, partnership, tmp_path
):
    """Only the pool's child process dies (out of memory, say): with CELERY_TASK_REJECT_ON_WORKER_LOST the worker
    puts the message back at once; the visibility timeout is left at an hour to show it is not what brings it back."""
    require_postgresql_tests_database()
    maker, batch = _batch_of_three(member, partnership, stripe_server)
    held = HeldAnswer(stripe_server, nth=2)
    queue = new_queue()
    env = _env(private_redis.url, queue, stripe_server, visibility_timeout=3600)
    try:
        with celery_pointed_at(private_redis.url, queue):
            worker = Worker(tmp_path / "worker.log", env, queue, pool="prefork")
            workers.append(worker)
            batch_submit(actor=maker, batch_id=batch.pk)
            _wait_mid_task(held, worker, stripe_server)
            children = worker.children()
            assert len(children) == 1
            os.kill(children[0], signal.SIGKILL)
            held.release.set()
            wait_until(
                lambda: PaymentBatch.objects.get(pk=batch.pk).status == PaymentBatch.Status.SUBMITTED,
                "the worker's new pool process finishes the batch",
                process=worker.process,
                timeout=120,  # the worker starts a new pool process first: slow on a busy CI machine
            )
    finally:
        held.release.set()

    _assert_each_payout_sent_once(stripe_server)
    assert "WorkerLostError" in worker.log()
