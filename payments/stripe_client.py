"""The one way the payments code talks to Stripe: `stripe_client()`, an official `stripe.StripeClient` built from
settings.

- STRIPE_SECRET_KEY: the API key.
- STRIPE_API_BASE: https://api.stripe.com in production (production settings refuse anything else); the local
  Stripe test server (payments/stripe_server/, http://127.0.0.1:12111 under `make run`, a fresh port per test)
  otherwise. The SDK's default HTTP client (requests) talks plain http to it as it is: `verify_ssl_certs` only
  matters for https. When the base is not Stripe, every base address the SDK knows (api, connect, files,
  meter_events) points at it, so nothing from development or the tests can reach the real Stripe.
- STRIPE_MAX_NETWORK_RETRIES: how often the SDK retries a request that failed on the network, got a 409 or a 5xx
  (with exponential backoff from 0.5 s, at most 5 s), sending the same Idempotency-Key each time — a POST made
  without one gets a random key from the SDK, kept across its retries; pass
  `options={"idempotency_key": ...}` for a key that also survives our own retries.

One client is kept per (key, base, retries), so tests that change the settings get a client for their values.
The client is safe to share between threads (the SDK keeps one HTTP session per thread).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from stripe._base_address import BaseAddresses

STRIPE_API = "https://api.stripe.com"
# The SDK's default timeout is 80 s; a payout batch should not hang that long on one call.
TIMEOUT_SECONDS = 30


def stripe_client() -> stripe.StripeClient:
    api_key = settings.STRIPE_SECRET_KEY
    if not api_key:
        raise ImproperlyConfigured("STRIPE_SECRET_KEY is not set.")
    return _client(api_key, settings.STRIPE_API_BASE.rstrip("/"), int(settings.STRIPE_MAX_NETWORK_RETRIES))


@lru_cache(maxsize=8)
def _client(api_key: str, api_base: str, max_network_retries: int) -> stripe.StripeClient:
    base_addresses: BaseAddresses = {"api": api_base}
    if api_base != STRIPE_API:
        base_addresses.update({"connect": api_base, "files": api_base, "meter_events": api_base})
    return stripe.StripeClient(
        api_key,
        base_addresses=base_addresses,
        max_network_retries=max_network_retries,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )
