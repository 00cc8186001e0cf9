"""Webhooks as the local Stripe test server sends them (its own events, signed as Stripe signs them), over real
HTTP through the official SDK: onboarding makes the account active; a payout.paid delivered before its
transfer.created still pays; a failed bank payout returns to finance; and, delivered by the server itself to a
running Django, a batch's money ends PAID."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from payments.models import Claim, PayeeAccount, Payout, StripeEvent
from payments.stripe_client import stripe_client
from tests.payments.test_webhooks import refreshed, stripe_account, stripe_payout, webhook_url

pytestmark = pytest.mark.django_db


def connected_account(stripe_server: Any, **fields: Any) -> PayeeAccount:
    created = stripe_client().v1.accounts.create(
        params={"type": "express", "country": "GB", "capabilities": {"transfers": {"requested": True}}}
    )
    fields.setdefault("status", PayeeAccount.Status.PENDING)
    fields.setdefault("details_submitted", False)
    fields.setdefault("payouts_enabled", False)
    return stripe_account(stripe_account_id=created.id, **fields)


def make_transfer(payout: Payout) -> str:
    """The transfer as the Stripe rail makes it (same metadata), through the SDK."""
    assert payout.payee_account is not None
    made = stripe_client().v1.transfers.create(
        params={
            "amount": payout.amount_pence,
            "currency": "gbp",
            "destination": str(payout.payee_account.stripe_account_id),
            "metadata": {
                "payout": str(payout.pk),
                "claim": str(payout.claim_id),
                "partnership": str(payout.partnership_id),
            },
        },
        options={"idempotency_key": payout.idempotency_key},
    )
    return str(made.id)


def post_event(client: Any, stripe_server: Any, event: dict[str, Any]) -> int:
    body, headers = stripe_server.signed(event)
    response = client.post(
        webhook_url(),
        data=body,
        content_type=headers["Content-Type"],
        HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
    )
    return int(response.status_code)


def only(events: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(events) == 1, [e["type"] for e in events]
    return events[0]


def test_finishing_onboarding_at_stripe_makes_the_account_active(
    stripe_server, client, django_capture_on_commit_callbacks
):
    account = connected_account(stripe_server)
    stripe_server.complete_onboarding(account.stripe_account_id)
    event = stripe_server.events("account.updated")[-1]
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, stripe_server, event) == 200
    account.refresh_from_db()
    assert (account.status, account.details_submitted, account.payouts_enabled) == ("active", True, True)


def test_payout_paid_before_transfer_created_still_pays(stripe_server, client, django_capture_on_commit_callbacks):
    account = connected_account(stripe_server)
    stripe_server.complete_onboarding(account.stripe_account_id)
    payout = stripe_payout(account, status=Payout.Status.SENDING)
    transfer_id = make_transfer(payout)
    stripe_server.pay_out(str(account.stripe_account_id))
    transfer_created = only(stripe_server.events("transfer.created"))
    payout_paid = only(stripe_server.events("payout.paid"))

    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, stripe_server, payout_paid) == 200
    assert refreshed(payout).status == Payout.Status.SENDING
    assert StripeEvent.objects.get(event_id=payout_paid["id"]).processed_at is None

    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, stripe_server, transfer_created) == 200

    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert payout.stripe_transfer_id == transfer_id
    assert payout.stripe_payout_id == payout_paid["data"]["object"]["id"]
    assert refreshed(payout.claim).status == Claim.Status.PAID
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0
    assert len(mail.outbox) == 1


def test_a_bank_payout_stripe_could_not_make_returns_to_finance(
    stripe_server, client, django_capture_on_commit_callbacks
):
    account = connected_account(stripe_server)
    stripe_server.complete_onboarding(account.stripe_account_id)
    payout = stripe_payout(account, status=Payout.Status.SENDING)
    make_transfer(payout)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, stripe_server, only(stripe_server.events("transfer.created"))) == 200
    assert refreshed(payout).status == Payout.Status.SENT

    stripe_server.fail_payout(str(account.stripe_account_id), "account_closed")
    failed = only(stripe_server.events("payout.failed"))
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, stripe_server, failed) == 200

    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED
    message = failed["data"]["object"]["failure_message"]
    assert message and message in payout.failure_reason
    assert refreshed(payout.claim).status == Claim.Status.FAILED
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_server_delivers_to_a_running_django_and_the_money_ends_paid(stripe_server, live_server):
    """Real HTTP both ways: Django calls the server through the SDK; the server POSTs its signed events to Django
    (in the order it made them, from its own thread)."""
    account = connected_account(stripe_server)
    stripe_server.webhook_target(live_server.url + webhook_url())
    stripe_server.complete_onboarding(account.stripe_account_id)
    payout = stripe_payout(account, status=Payout.Status.SENDING)
    make_transfer(payout)
    stripe_server.pay_out(str(account.stripe_account_id))
    assert stripe_server.wait_for_webhooks(timeout=30)

    assert refreshed(account).status == PayeeAccount.Status.ACTIVE
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID and payout.remittance_sent_at is not None
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0
    assert {d["status"] for d in stripe_server.state.deliveries} == {200}
