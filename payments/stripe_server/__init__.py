"""A local Stripe test server for the tests and `make run`: Stripe's wire format for the endpoints the payments
code uses (Connect Express accounts, account links, transfers and reversals, payouts, balance, events), in
memory, on 127.0.0.1, with test controls and signed webhooks. Standard library only; written for this project.

    python -m payments.stripe_server --port 12111 --webhook-url URL --webhook-secret whsec_...

See docs/stripe-test-server.md. Never used in production: production settings refuse a non-Stripe API base.
"""

from .server import StripeTestServer
from .state import State
from .webhooks import signature_header

__all__ = ["State", "StripeTestServer", "signature_header"]
