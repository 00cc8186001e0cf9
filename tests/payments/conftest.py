from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from payments.stripe_server import StripeTestServer


@pytest.fixture
def stripe_server(settings: Any) -> Iterator[StripeTestServer]:
    """A fresh local Stripe test server for this test, on a free port of 127.0.0.1, with the settings pointed at it
    (STRIPE_API_BASE = its url, STRIPE_SECRET_KEY = a new sk_test_ key it alone accepts, STRIPE_WEBHOOK_SECRET =
    a new whsec_ secret it signs with). Stopped afterwards. `payments.stripe_client.stripe_client()` talks to it.

    Webhooks: events are recorded (`.state.events`, `.events(type)`, GET /v1/events) but NOT delivered unless
    you call `.webhook_target(url)`; deliver them yourself with `.deliver(event, url)` -> (status, body), or
    build the request with `.signed(event, timestamp=None, secret=None)` -> (body_bytes, headers) and post it
    with the Django test client: `client.post(path, body, content_type="application/json", headers=headers)`.

    Attributes and controls (StripeTestServer, payments/stripe_server/server.py; docs/stripe-test-server.md):
      .url, .api_key, .webhook_secret
      .state                              accounts, transfers, reversals, payouts, balance_transactions, events,
                                          balances, idempotency, requests (one record per API request: method,
                                          path, status, idempotency_key, replayed, note), deliveries
      .complete_onboarding(account_id)    details_submitted, payouts_enabled, capabilities active; account.updated
      .restrict(account_id, reason="requirements.past_due")     payouts/transfers off; account.updated
      .fail_next(path_prefix, status=500 | "drop", times=1, *, method=None, after=False)
                                          after=True: done and saved, then the answer lost (replayed on retry)
      .pay_out(account_id, *, amount=None, paid=True)  payout of the balance; payout.created + payout.paid
      .fail_payout(account_id, failure_code="account_closed", *, payout_id=None)  payout.failed
      .webhook_target(url, secret=None)   deliver events from now on (background thread, signed, retried)
      .hold(*types) / .release(*order) -> events   hold deliveries, then release them in a chosen order
      .held, .events(type=None), .wait_for_webhooks(timeout=10)
      .set_balance(pence, account_id=None), .advance_clock(seconds)
    """
    token = secrets.token_hex(8)
    server = StripeTestServer(api_key=f"sk_test_{token}", webhook_secret=f"whsec_{token}").start()
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_SECRET_KEY = server.api_key
    settings.STRIPE_WEBHOOK_SECRET = server.webhook_secret
    try:
        yield server
    finally:
        server.stop()
