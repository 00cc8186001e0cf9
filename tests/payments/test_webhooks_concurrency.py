"""A webhook delivered twice at the same moment (two requests on two connections) is applied once: one event row,
one move of each payout, one remittance email. Row locks between connections are what this is about, so it runs on
PostgreSQL only."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import close_old_connections, connection
from django.test import Client

from core.models import AuditEvent
from payments.models import Claim, Payout, StripeEvent
from payments.services.statements import remittance_send_for
from payments.services.webhooks import stripe_event_handle
from tests.conftest import require_service
from tests.payments.test_webhooks import (
    payout_object,
    signed,
    stripe_account,
    stripe_event,
    stripe_payout,
    transfer_object,
    webhook_url,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "row locks between two connections are what this test is about")


def _race(*calls: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def _post(body: bytes, header: str) -> Callable[[], int]:
    def send() -> int:
        return (
            Client()
            .post(webhook_url(), data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
            .status_code
        )

    return send


def test_a_payout_paid_delivered_twice_at_once_pays_once():
    account = stripe_account()
    payouts = [stripe_payout(account, status=Payout.Status.SENT, amount=amount) for amount in (2000, 1500)]
    event = stripe_event("payout.paid", payout_object(3500), account=account.stripe_account_id)
    body, header = signed(event)

    assert _race(_post(body, header), _post(body, header), _post(body, header)) == [200, 200, 200]

    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1
    for payout in payouts:
        payout.refresh_from_db()
        assert payout.status == Payout.Status.PAID
        moves = AuditEvent.objects.filter(
            event_type="payout.status_changed", subject_id=str(payout.pk), payload__to="paid"
        )
        assert moves.count() == 1
        assert Claim.objects.get(pk=payout.claim_id).status == Claim.Status.PAID
    assert len(mail.outbox) == 2  # one remittance advice per payout


def test_a_transfer_created_delivered_twice_at_once_moves_the_payout_once():
    payout = stripe_payout(status=Payout.Status.SENDING)
    event = stripe_event("transfer.created", transfer_object(payout))
    body, header = signed(event)

    assert _race(_post(body, header), _post(body, header)) == [200, 200]

    payout.refresh_from_db()
    assert payout.status == Payout.Status.SENT
    assert AuditEvent.objects.filter(event_type="payout.status_changed", subject_id=str(payout.pk)).count() == 1


def test_one_event_handled_by_two_workers_at_once_is_applied_once():
    payout = stripe_payout(status=Payout.Status.SENT)
    event = stripe_event(
        "payout.paid", payout_object(payout.amount_pence), account=payout.payee_account.stripe_account_id
    )
    row = StripeEvent.objects.create(
        event_id=event["id"], event_type="payout.paid", account=event["account"], payload=event
    )

    results = _race(*(lambda: stripe_event_handle(event_row_id=row.pk).result for _ in range(3)))

    assert sorted(results) == ["already applied", "already applied", "applied"]
    assert AuditEvent.objects.filter(event_type="payout.status_changed", subject_id=str(payout.pk)).count() == 1


def test_remittance_asked_for_twice_at_once_is_sent_once():
    payout = stripe_payout(status=Payout.Status.PAID)

    results = _race(*(lambda: remittance_send_for(payout.pk) for _ in range(4)))

    assert sorted(results) == [False, False, False, True]
    assert len(mail.outbox) == 1
