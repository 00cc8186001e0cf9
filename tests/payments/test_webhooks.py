"""The Stripe webhook endpoint and what each event does: only signed, fresh events from the unguessable path are
kept; a repeat does nothing; each event moves payouts and accounts forward only; a payout.paid that arrives before
its transfer.created is not lost.

The helpers at the top (events shaped like Stripe's own examples, signed as Stripe signs them with the SDK's
helper) are shared by the other webhook, remittance and reconciliation test modules."""

from __future__ import annotations

import datetime
import itertools
import json
import logging
import time
from typing import Any

import pytest
import stripe
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from core.models import AuditEvent
from payments.models import Claim, ClaimLine, PayeeAccount, Payout, Rail, StripeEvent
from payments.services.webhooks import (
    WAITING,
    apply_all_waiting_events,
    apply_waiting_events_for_account,
    stripe_event_handle,
)
from tests.factories.payments import ClaimFactory, PayeeAccountFactory, PaymentBatchFactory, PayoutFactory

pytestmark = pytest.mark.django_db

_ids = itertools.count(1)


# --- Shared helpers -------------------------------------------------------------------------------------------------


def webhook_url(token: str | None = None) -> str:
    return f"/payments/stripe/webhook/{token or settings.STRIPE_WEBHOOK_PATH_TOKEN}/"


def new_id(prefix: str) -> str:
    return f"{prefix}_test{next(_ids):08d}{int(time.time() * 1000) % 100000:05d}"


def stripe_event(
    event_type: str, obj: dict[str, Any], *, account: str | None = None, created: int | None = None, **extra: Any
) -> dict[str, Any]:
    """An event shaped like Stripe's example event (fixtures3.json)."""
    event = {
        "id": new_id("evt"),
        "object": "event",
        "api_version": "2025-06-30.basil",
        "created": created if created is not None else int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        **extra,
    }
    if account:
        event["account"] = account
    return event


def transfer_object(payout: Payout, **overrides: Any) -> dict[str, Any]:
    account = payout.payee_account
    transfer = {
        "id": payout.stripe_transfer_id or new_id("tr"),
        "object": "transfer",
        "amount": payout.amount_pence,
        "amount_reversed": 0,
        "balance_transaction": new_id("txn"),
        "created": int(time.time()),
        "currency": "gbp",
        "description": None,
        "destination": account.stripe_account_id if account else None,
        "destination_payment": new_id("py"),
        "livemode": False,
        "metadata": {
            "payout": str(payout.pk),
            "claim": str(payout.claim_id),
            "partnership": str(payout.partnership_id),
        },
        "reversals": {"object": "list", "data": [], "has_more": False, "url": "/v1/transfers/x/reversals"},
        "reversed": False,
        "source_transaction": None,
        "source_type": "card",
        "transfer_group": None,
    }
    transfer.update(overrides)
    return transfer


def payout_object(amount: int, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    payout = {
        "id": new_id("po"),
        "object": "payout",
        "amount": amount,
        "arrival_date": now,
        "automatic": True,
        "balance_transaction": new_id("txn"),
        "created": now,
        "currency": "gbp",
        "description": "STRIPE PAYOUT",
        "destination": new_id("ba"),
        "failure_balance_transaction": None,
        "failure_code": None,
        "failure_message": None,
        "livemode": False,
        "metadata": {},
        "method": "standard",
        "reconciliation_status": "completed",
        "source_type": "card",
        "statement_descriptor": None,
        "status": "paid",
        "type": "bank_account",
    }
    payout.update(overrides)
    return payout


def account_object(account_id: str, *, details: bool, payouts: bool) -> dict[str, Any]:
    return {
        "id": account_id,
        "object": "account",
        "type": "express",
        "country": "GB",
        "default_currency": "gbp",
        "details_submitted": details,
        "payouts_enabled": payouts,
        "charges_enabled": False,
        "capabilities": {"transfers": "active" if payouts else "inactive"},
        "requirements": {"currently_due": [] if details else ["external_account"], "disabled_reason": None},
        "metadata": {},
    }


def signed(event: dict[str, Any], *, secret: str | None = None, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body and Stripe-Signature header Stripe would send (signed with the SDK's own helper)."""
    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(
        body, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp=timestamp
    )
    return body.encode(), header


def deliver(client: Client, event: dict[str, Any], **kwargs: Any) -> Any:
    body, header = signed(event, **kwargs)
    return client.post(webhook_url(), data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def stripe_account(**kwargs: Any) -> PayeeAccount:
    defaults = {
        "rail": Rail.STRIPE,
        "stripe_account_id": new_id("acct"),
        "status": PayeeAccount.Status.ACTIVE,
        "details_submitted": True,
        "payouts_enabled": True,
    }
    return PayeeAccountFactory(**{**defaults, **kwargs})


def stripe_payout(
    account: PayeeAccount | None = None,
    *,
    status: str = Payout.Status.SENDING,
    amount: int = 2850,
    sent_at: datetime.datetime | None = None,
    **kwargs: Any,
) -> Payout:
    """A payout on the Stripe rail to `account` (a new connected account by default), its claim in a batch."""
    account = account or stripe_account()
    batch = PaymentBatchFactory(partnership=account.partnership)
    claim = ClaimFactory(
        membership=account.membership,
        status=Claim.Status.BATCHED,
        pay_pence=amount - 450,
        expenses_pence=450,
        batch=batch,
        created_by=batch.created_by,
    )
    ClaimLine.objects.create(
        partnership=claim.partnership,
        claim=claim,
        kind=ClaimLine.Kind.PAY,
        description="Session and preparation",
        explanation="2 hours at £12.00 an hour",
        amount_pence=amount - 450,
    )
    ClaimLine.objects.create(
        partnership=claim.partnership,
        claim=claim,
        kind=ClaimLine.Kind.EXPENSE,
        description="Bus fare",
        explanation="Receipted",
        amount_pence=450,
    )
    if status in (Payout.Status.SENT, Payout.Status.PAID) and sent_at is None:
        sent_at = timezone.now() - datetime.timedelta(minutes=5)
    if status in (Payout.Status.SENT, Payout.Status.PAID, Payout.Status.REVERSED):
        kwargs.setdefault("stripe_transfer_id", new_id("tr"))
    if status == Payout.Status.PAID:
        kwargs.setdefault("paid_at", timezone.now() - datetime.timedelta(minutes=1))
    return PayoutFactory(claim=claim, payee_account=account, rail=Rail.STRIPE, status=status, sent_at=sent_at, **kwargs)


def refreshed(obj: Any) -> Any:
    obj.refresh_from_db()
    return obj


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the services enqueue after commit (the Celery tasks run eagerly in tests)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def stripe_client_http() -> Client:
    """A client that enforces CSRF like a browser would not: Stripe sends no token, so the view must not need one."""
    return Client(enforce_csrf_checks=True)


# --- The endpoint: who gets in ----------------------------------------------------------------------------------


def _bad_requests(event: dict[str, Any]) -> dict[str, tuple[bytes, str | None]]:
    body, header = signed(event)
    tampered = body.replace(b'"amount": 2850', b'"amount": 9999')
    assert tampered != body
    return {
        "tampered body": (tampered, header),
        "wrong secret": signed(event, secret="whsec_not_the_right_one"),
        "stale timestamp": signed(event, timestamp=int(time.time()) - 301),
        "missing header": (body, None),
        "malformed header": (body, "v1=abc"),
        "not json": (b"\xff\xfe not json", signed(event)[1]),
    }


@pytest.mark.parametrize(
    "case", ["tampered body", "wrong secret", "stale timestamp", "missing header", "malformed header", "not json"]
)
def test_an_unsigned_tampered_or_stale_event_is_refused_and_nothing_changes(
    case, stripe_client_http, on_commit, caplog
):
    payout = stripe_payout(status=Payout.Status.SENT)
    event = stripe_event("payout.paid", payout_object(2850), account=payout.payee_account.stripe_account_id)
    body, header = _bad_requests(event)[case]
    headers = {"HTTP_STRIPE_SIGNATURE": header} if header is not None else {}
    with caplog.at_level(logging.WARNING, logger="payments.views"):
        response = on_commit(
            stripe_client_http.post, webhook_url(), data=body, content_type="application/json", **headers
        )
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0
    assert refreshed(payout).status == Payout.Status.SENT
    assert any("Refused a Stripe webhook" in r.getMessage() for r in caplog.records)
    logged = caplog.text
    assert settings.STRIPE_WEBHOOK_SECRET not in logged
    assert (header or "no-header-here") not in logged and "9999" not in logged


def test_a_timestamp_inside_the_tolerance_is_accepted(stripe_client_http, on_commit):
    event = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})
    body, header = signed(event, timestamp=int(time.time()) - 250)
    response = on_commit(
        stripe_client_http.post, webhook_url(), data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 200
    assert StripeEvent.objects.get().processed_at is not None


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_wrong_path_token_is_a_404_whatever_the_method(client, method):
    event = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})
    body, header = signed(event)
    response = client.generic(
        method.upper(),
        webhook_url("not-the-token"),
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 404
    assert StripeEvent.objects.count() == 0


def test_no_token_configured_means_no_endpoint(client, settings):
    settings.STRIPE_WEBHOOK_PATH_TOKEN = ""
    event = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})
    body, header = signed(event)
    response = client.post(
        "/payments/stripe/webhook/x/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 404


def test_only_post_is_allowed(client):
    assert client.get(webhook_url()).status_code == 405


def test_a_signed_event_is_kept_and_applied_without_sign_in_or_csrf_token(stripe_client_http, on_commit):
    payout = stripe_payout(status=Payout.Status.SENDING)
    event = stripe_event("transfer.created", transfer_object(payout))
    response = on_commit(deliver, stripe_client_http, event)
    assert response.status_code == 200
    row = StripeEvent.objects.get()
    assert (row.event_id, row.event_type, row.partnership_id) == (
        event["id"],
        "transfer.created",
        payout.partnership_id,
    )
    assert row.processed_at is not None and row.payload == event
    assert refreshed(payout).status == Payout.Status.SENT


def test_a_repeat_delivery_is_a_200_that_does_nothing_more(client, on_commit):
    payout = stripe_payout(status=Payout.Status.SENT)
    event = stripe_event(
        "payout.paid", payout_object(payout.amount_pence), account=payout.payee_account.stripe_account_id
    )
    assert on_commit(deliver, client, event).status_code == 200
    audit_rows = AuditEvent.objects.count()
    first = refreshed(payout)
    assert first.status == Payout.Status.PAID and len(mail.outbox) == 1

    assert on_commit(deliver, client, event).status_code == 200

    assert StripeEvent.objects.count() == 1
    assert AuditEvent.objects.count() == audit_rows
    assert refreshed(payout).paid_at == first.paid_at
    assert len(mail.outbox) == 1


def test_a_repeat_of_an_applied_event_enqueues_nothing(client, django_capture_on_commit_callbacks):
    event = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})
    with django_capture_on_commit_callbacks(execute=True) as first:
        deliver(client, event)
    with django_capture_on_commit_callbacks(execute=True) as second:
        deliver(client, event)
    assert len(first) == 1 and len(second) == 0


def test_handling_twice_applies_once(on_commit):
    payout = stripe_payout(status=Payout.Status.SENDING)
    row = StripeEvent.objects.create(
        event_id="evt_direct",
        event_type="transfer.created",
        payload=stripe_event("transfer.created", transfer_object(payout)),
    )
    assert on_commit(stripe_event_handle, event_row_id=row.pk).result == "applied"
    assert on_commit(stripe_event_handle, event_row_id=row.pk).result == "already applied"
    moves = AuditEvent.objects.filter(event_type="payout.status_changed", subject_id=str(payout.pk))
    assert moves.count() == 1


# --- transfer.* -------------------------------------------------------------------------------------------------


def test_transfer_created_records_the_transfer_and_moves_sending_to_sent(client, on_commit):
    payout = stripe_payout(status=Payout.Status.SENDING)
    created = int(time.time()) - 30
    transfer = transfer_object(payout, created=created)
    on_commit(deliver, client, stripe_event("transfer.created", transfer))
    payout.refresh_from_db()
    assert payout.status == Payout.Status.SENT
    assert payout.stripe_transfer_id == transfer["id"]
    assert payout.sent_at == datetime.datetime.fromtimestamp(created, tz=datetime.UTC)
    move = AuditEvent.objects.get(event_type="payout.status_changed", subject_id=str(payout.pk))
    assert move.actor_id is None and move.payload["to"] == "sent" and move.payload["transfer"] == transfer["id"]


def test_transfer_created_found_by_transfer_id_without_metadata(client, on_commit):
    payout = stripe_payout(status=Payout.Status.SENDING, stripe_transfer_id=new_id("tr"))
    on_commit(deliver, client, stripe_event("transfer.created", transfer_object(payout, metadata={})))
    assert refreshed(payout).status == Payout.Status.SENT


@pytest.mark.parametrize("status", [Payout.Status.PAID, Payout.Status.REVERSED])
def test_transfer_created_after_a_later_state_moves_nothing_back(client, on_commit, status):
    payout = stripe_payout(status=status)
    before = refreshed(payout)
    on_commit(deliver, client, stripe_event("transfer.created", transfer_object(payout)))
    after = refreshed(payout)
    assert (after.status, after.sent_at, after.paid_at) == (before.status, before.sent_at, before.paid_at)
    assert StripeEvent.objects.get().processed_at is not None


def test_transfer_created_for_a_failed_payout_is_recorded_not_applied(client, on_commit, caplog):
    payout = stripe_payout(status=Payout.Status.FAILED, failure_reason="Stripe could not be reached")
    transfer = transfer_object(payout)
    with caplog.at_level(logging.WARNING):
        on_commit(deliver, client, stripe_event("transfer.created", transfer))
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED
    assert payout.stripe_transfer_id == transfer["id"]  # the truth is kept for reconciliation and the retry
    assert AuditEvent.objects.filter(event_type="payout.stripe_event_ignored", subject_id=str(payout.pk)).exists()
    assert "marked failed" in caplog.text


def test_transfer_created_to_another_account_is_not_applied(client, on_commit):
    payout = stripe_payout(status=Payout.Status.SENDING)
    on_commit(
        deliver, client, stripe_event("transfer.created", transfer_object(payout, destination="acct_someone_else"))
    )
    payout.refresh_from_db()
    assert payout.status == Payout.Status.SENDING and not payout.stripe_transfer_id


def test_transfer_created_for_no_payout_here_is_kept_and_ignored(client, on_commit):
    payout = stripe_payout(status=Payout.Status.SENDING)
    transfer = transfer_object(payout, metadata={}, id=new_id("tr"))
    on_commit(deliver, client, stripe_event("transfer.created", transfer))
    assert refreshed(payout).status == Payout.Status.SENDING
    assert StripeEvent.objects.get().processed_at is not None


def test_transfer_reversed_reverses_the_payout_and_returns_the_claim_to_finance(client, on_commit):
    payout = stripe_payout(status=Payout.Status.SENT)
    transfer = transfer_object(payout, reversed=True, amount_reversed=payout.amount_pence)
    on_commit(deliver, client, stripe_event("transfer.reversed", transfer))
    payout.refresh_from_db()
    assert payout.status == Payout.Status.REVERSED
    assert payout.failure_reason == "The Stripe transfer was reversed."
    assert refreshed(payout.claim).status == Claim.Status.FAILED
    assert mail.outbox == []


def test_a_partial_reversal_changes_nothing(client, on_commit):
    payout = stripe_payout(status=Payout.Status.SENT)
    transfer = transfer_object(payout, reversed=False, amount_reversed=100)
    on_commit(deliver, client, stripe_event("transfer.reversed", transfer))
    assert refreshed(payout).status == Payout.Status.SENT


# --- payout.* (from the connected account) ------------------------------------------------------------------------


def test_payout_paid_marks_the_sent_payouts_it_covers_paid(client, on_commit):
    account = stripe_account()
    first = stripe_payout(account, status=Payout.Status.SENT, amount=2000)
    second = stripe_payout(account, status=Payout.Status.SENT, amount=1500)
    arrival = int(time.time()) - 60
    stripe_po = payout_object(3500, arrival_date=arrival)
    on_commit(deliver, client, stripe_event("payout.paid", stripe_po, account=account.stripe_account_id))
    for payout in (first, second):
        payout.refresh_from_db()
        assert payout.status == Payout.Status.PAID
        assert payout.stripe_payout_id == stripe_po["id"]
        assert payout.paid_at == datetime.datetime.fromtimestamp(arrival, tz=datetime.UTC)
        assert refreshed(payout.claim).status == Claim.Status.PAID
    assert len(mail.outbox) == 2


def test_payout_paid_covers_only_what_fits_in_its_amount(client, on_commit):
    account = stripe_account()
    older = stripe_payout(
        account, status=Payout.Status.SENT, amount=2000, sent_at=timezone.now() - datetime.timedelta(hours=2)
    )
    newer = stripe_payout(
        account, status=Payout.Status.SENT, amount=1500, sent_at=timezone.now() - datetime.timedelta(hours=1)
    )
    on_commit(deliver, client, stripe_event("payout.paid", payout_object(2000), account=account.stripe_account_id))
    assert refreshed(older).status == Payout.Status.PAID
    assert refreshed(newer).status == Payout.Status.SENT


def test_payout_paid_does_not_cover_a_transfer_sent_after_it(client, on_commit):
    account = stripe_account()
    later = stripe_payout(account, status=Payout.Status.SENT, sent_at=timezone.now())
    created = int(time.time()) - 3600
    on_commit(
        deliver,
        client,
        stripe_event(
            "payout.paid", payout_object(later.amount_pence, created=created), account=account.stripe_account_id
        ),
    )
    assert refreshed(later).status == Payout.Status.SENT


def test_payout_paid_only_touches_its_own_connected_account(client, on_commit):
    mine = stripe_payout(status=Payout.Status.SENT)
    someone_else = stripe_payout(status=Payout.Status.SENT)
    on_commit(
        deliver,
        client,
        stripe_event("payout.paid", payout_object(mine.amount_pence), account=mine.payee_account.stripe_account_id),
    )
    assert refreshed(mine).status == Payout.Status.PAID
    assert refreshed(someone_else).status == Payout.Status.SENT


def test_payout_failed_returns_the_claim_to_finance_with_stripes_reason_and_tells_the_young_person_nothing(
    client, on_commit
):
    payout = stripe_payout(status=Payout.Status.SENT)
    failed = payout_object(
        payout.amount_pence,
        status="failed",
        failure_code="account_closed",
        failure_message="The bank account has been closed.",
    )
    on_commit(deliver, client, stripe_event("payout.failed", failed, account=payout.payee_account.stripe_account_id))
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED
    assert "The bank account has been closed." in payout.failure_reason
    assert payout.failed_at is not None
    claim = refreshed(payout.claim)
    assert claim.status == Claim.Status.FAILED
    assert AuditEvent.objects.filter(
        event_type="claim.status_changed", subject_id=str(claim.pk), payload__to="failed"
    ).exists()
    assert mail.outbox == []


def test_payout_failed_after_the_same_payout_was_paid_is_ignored(client, on_commit):
    payout = stripe_payout(status=Payout.Status.SENT)
    account_id = payout.payee_account.stripe_account_id
    paid = payout_object(payout.amount_pence)
    on_commit(deliver, client, stripe_event("payout.paid", paid, account=account_id))
    assert refreshed(payout).status == Payout.Status.PAID

    failed = {**paid, "status": "failed", "failure_message": "Returned by the bank"}
    on_commit(deliver, client, stripe_event("payout.failed", failed, account=account_id))

    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID and payout.failure_reason == ""
    assert refreshed(payout.claim).status == Claim.Status.PAID
    assert AuditEvent.objects.filter(event_type="payout.stripe_event_ignored", subject_id=str(payout.pk)).exists()
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0


def test_payout_paid_for_a_failed_payout_does_not_revive_it(client, on_commit):
    payout = stripe_payout(status=Payout.Status.FAILED)
    on_commit(
        deliver,
        client,
        stripe_event("payout.paid", payout_object(payout.amount_pence), account=payout.payee_account.stripe_account_id),
    )
    assert refreshed(payout).status == Payout.Status.FAILED
    assert StripeEvent.objects.get().processed_at is not None


def test_payout_of_the_platforms_own_balance_is_ignored(client, on_commit):
    on_commit(deliver, client, stripe_event("payout.paid", payout_object(1000)))
    assert StripeEvent.objects.get().processed_at is not None


# --- Out of order -------------------------------------------------------------------------------------------------


def test_payout_paid_before_transfer_created_is_not_lost(client, on_commit):
    payout = stripe_payout(status=Payout.Status.SENDING)
    account_id = payout.payee_account.stripe_account_id
    transfer = transfer_object(payout, created=int(time.time()) - 5)
    paid = stripe_event("payout.paid", payout_object(payout.amount_pence), account=account_id)

    on_commit(deliver, client, paid)
    waiting = StripeEvent.objects.get(event_id=paid["id"])
    assert waiting.processed_at is None and waiting.partnership_id == payout.partnership_id
    assert refreshed(payout).status == Payout.Status.SENDING

    on_commit(deliver, client, stripe_event("transfer.created", transfer))

    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert payout.stripe_transfer_id == transfer["id"]
    assert refreshed(waiting).processed_at is not None
    assert refreshed(payout.claim).status == Claim.Status.PAID
    assert len(mail.outbox) == 1


def test_a_waiting_event_is_applied_when_the_submission_marks_the_payout_sent(client, on_commit):
    """The batch submission records SENT itself (from Stripe's answer), then calls
    apply_waiting_events_for_account."""
    payout = stripe_payout(status=Payout.Status.SENDING)
    on_commit(
        deliver,
        client,
        stripe_event("payout.paid", payout_object(payout.amount_pence), account=payout.payee_account.stripe_account_id),
    )
    Payout.objects.filter(pk=payout.pk).update(
        status=Payout.Status.SENT,
        stripe_transfer_id=new_id("tr"),
        sent_at=timezone.now() - datetime.timedelta(seconds=5),
    )
    assert on_commit(apply_waiting_events_for_account, payout.payee_account_id) == 1
    assert refreshed(payout).status == Payout.Status.PAID


def test_inside_a_transaction_waiting_events_wait_for_the_commit(on_commit):
    from django.db import transaction

    payout = stripe_payout(status=Payout.Status.SENDING)
    on_commit(
        deliver,
        Client(),
        stripe_event("payout.paid", payout_object(payout.amount_pence), account=payout.payee_account.stripe_account_id),
    )

    def submit_marks_sent() -> int:
        with transaction.atomic():
            Payout.objects.filter(pk=payout.pk).update(
                status=Payout.Status.SENT,
                stripe_transfer_id=new_id("tr"),
                sent_at=timezone.now() - datetime.timedelta(seconds=5),
            )
            applied = apply_waiting_events_for_account(payout.payee_account_id)
            assert refreshed(payout).status == Payout.Status.SENT  # nothing applied inside the transaction
            return applied

    assert on_commit(submit_marks_sent) == 0
    assert refreshed(payout).status == Payout.Status.PAID


def test_the_beat_task_applies_lost_events_and_leaves_fresh_ones_to_their_task(on_commit):
    payout = stripe_payout(status=Payout.Status.SENDING)
    lost = stripe_event("transfer.created", transfer_object(payout))
    StripeEvent.objects.create(
        event_id=lost["id"],
        event_type="transfer.created",
        payload=lost,
        received_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    fresh = stripe_event("customer.created", {"id": "cus_2", "object": "customer"})
    StripeEvent.objects.create(event_id=fresh["id"], event_type="customer.created", payload=fresh)

    assert on_commit(apply_all_waiting_events) == 1

    assert refreshed(payout).status == Payout.Status.SENT
    assert StripeEvent.objects.get(event_id=fresh["id"]).processed_at is None


def test_handling_refuses_to_run_inside_another_transaction():
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError):
        stripe_event_handle(event_row_id=1)
    with transaction.atomic(), pytest.raises(RuntimeError):
        apply_all_waiting_events()


def test_a_still_waiting_event_stays_waiting():
    payout = stripe_payout(status=Payout.Status.SENDING)
    event = stripe_event(
        "payout.paid", payout_object(payout.amount_pence), account=payout.payee_account.stripe_account_id
    )
    row = StripeEvent.objects.create(
        event_id=event["id"], event_type="payout.paid", account=event["account"], payload=event
    )
    assert stripe_event_handle(event_row_id=row.pk).result == WAITING
    assert apply_waiting_events_for_account(payout.payee_account_id) == 0
    assert refreshed(row).processed_at is None


def test_a_payout_that_failed_to_send_releases_a_waiting_event(on_commit):
    payout = stripe_payout(status=Payout.Status.SENDING)
    event = stripe_event(
        "payout.paid", payout_object(payout.amount_pence), account=payout.payee_account.stripe_account_id
    )
    row = StripeEvent.objects.create(
        event_id=event["id"], event_type="payout.paid", account=event["account"], payload=event
    )
    assert on_commit(stripe_event_handle, event_row_id=row.pk).result == WAITING
    Payout.objects.filter(pk=payout.pk).update(status=Payout.Status.FAILED)
    assert on_commit(stripe_event_handle, event_row_id=row.pk).result == "ignored"
    assert refreshed(row).processed_at is not None


# --- account.updated ----------------------------------------------------------------------------------------------


def test_account_updated_makes_the_account_active(client, on_commit):
    account = stripe_account(status=PayeeAccount.Status.PENDING, details_submitted=False, payouts_enabled=False)
    obj = account_object(account.stripe_account_id, details=True, payouts=True)
    on_commit(deliver, client, stripe_event("account.updated", obj, account=account.stripe_account_id))
    account.refresh_from_db()
    assert (account.status, account.details_submitted, account.payouts_enabled) == ("active", True, True)
    assert StripeEvent.objects.get().partnership_id == account.partnership_id
    assert AuditEvent.objects.filter(subject_id=str(account.pk), event_type__startswith="payeeaccount.").exists()


def test_account_updated_restricts_an_account_stripe_stopped_paying(client, on_commit):
    account = stripe_account()
    obj = account_object(account.stripe_account_id, details=True, payouts=False)
    on_commit(deliver, client, stripe_event("account.updated", obj))
    assert refreshed(account).status == PayeeAccount.Status.RESTRICTED


def test_an_older_account_updated_after_a_newer_one_is_ignored(client, on_commit):
    account = stripe_account(status=PayeeAccount.Status.PENDING, details_submitted=False, payouts_enabled=False)
    now = int(time.time())
    newer = stripe_event(
        "account.updated", account_object(account.stripe_account_id, details=True, payouts=True), created=now
    )
    older = stripe_event(
        "account.updated", account_object(account.stripe_account_id, details=True, payouts=False), created=now - 60
    )
    on_commit(deliver, client, newer)
    on_commit(deliver, client, older)
    assert refreshed(account).status == PayeeAccount.Status.ACTIVE
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0


def test_an_event_type_we_do_not_act_on_is_kept_and_marked_applied(client, on_commit):
    on_commit(deliver, client, stripe_event("balance.available", {"object": "balance", "available": []}))
    assert StripeEvent.objects.get().processed_at is not None


def test_a_signed_body_that_is_not_an_event_is_refused(client, on_commit):
    body, header = signed({"id": "evt_x", "object": "event", "type": "payout.paid", "data": "nope"})
    response = on_commit(
        client.post, webhook_url(), data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_the_beat_entries_name_registered_tasks():
    from config.celery_app import app

    app.loader.import_default_modules()
    for name in ("payments-apply-waiting-stripe-events", "payments-reconcile-stripe"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] in app.tasks
    assert {"payments.handle_stripe_event", "payments.send_remittance"} <= set(app.tasks)


def test_receiving_an_event_takes_a_few_queries_and_defers_the_work(client, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    payout = stripe_payout(status=Payout.Status.SENT)
    event = stripe_event(
        "payout.paid", payout_object(payout.amount_pence), account=payout.payee_account.stripe_account_id
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks, CaptureQueriesContext(connection) as queries:
        assert deliver(client, event).status_code == 200
    assert len(queries) <= 6
    assert len(callbacks) == 1  # the handling task, after commit
    assert refreshed(payout).status == Payout.Status.SENT
