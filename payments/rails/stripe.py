"""The Stripe Connect rail: a transfer in GBP from the platform's balance to the payee's Express connected account.

Every transfer is created with `idempotency_key=payout.idempotency_key` ("young-scrutineers-payout-<id>"), so a
retried HTTP call (the SDK retries dropped connections and 5xx answers up to STRIPE_MAX_NETWORK_RETRIES times), a
task run twice or resumed after a worker was killed re-sends the same request and Stripe answers with the same
transfer: never a second one. When the tries run out the payout fails with the reason.

The transfer carries `metadata` {payout, claim, partnership} and `transfer_group` "YS-<partnership id>-<batch
reference>" (batch references are only unique within a partnership, and every partnership shares the platform's
Stripe account). Before a failed payout is tried again, `transfer_for_claim` asks Stripe whether a transfer for the
claim exists after all (a request whose answer was lost may have succeeded): if it does it is recorded, not sent
again.
"""

from __future__ import annotations

from typing import Any, ClassVar

import stripe
from django.conf import settings

from payments.models import PaymentBatch, Payout, Rail
from payments.rails.base import RailResult
from payments.stripe_client import stripe_client

CURRENCY = "gbp"


def transfer_group(batch: PaymentBatch) -> str:
    return f"YS-{batch.partnership_id}-{batch.reference}"


def describe_stripe_error(error: stripe.StripeError) -> str:
    """Stripe's reason in words finance can act on (never the request's secret parts)."""
    message = error.user_message or "no reason given"
    tries = int(settings.STRIPE_MAX_NETWORK_RETRIES) + 1
    if isinstance(error, stripe.APIConnectionError):
        return (
            f"Stripe could not be reached after {tries} tries ({message}). Trying again first checks with Stripe, "
            "so the claim cannot be paid twice."
        )
    if isinstance(error, stripe.RateLimitError):
        return f"Stripe was too busy to take the payment ({message}). Try again later."
    if isinstance(error, stripe.APIError):
        return (
            f"Stripe had a problem after {tries} tries ({message}). Trying again first checks with Stripe, so the "
            "claim cannot be paid twice."
        )
    code = f" ({error.code})" if error.code else ""
    return f"Stripe refused the payment: {message}{code}"


class StripeRail:
    rail: ClassVar[str] = Rail.STRIPE
    sends_in_task: ClassVar[bool] = True

    def send(self, payout: Payout) -> RailResult:
        account = payout.payee_account
        destination = account.stripe_account_id if account is not None else None
        if not destination:
            return RailResult.failed("The payee has no Stripe account.")
        params: Any = {
            "amount": payout.amount_pence,
            "currency": CURRENCY,
            "destination": destination,
            "transfer_group": transfer_group(payout.batch),
            "description": f"Young Scrutineers: payment for claim {payout.claim_id} ({payout.batch.reference})",
            "metadata": {
                "payout": str(payout.pk),
                "claim": str(payout.claim_id),
                "partnership": str(payout.partnership_id),
            },
        }
        try:
            transfer = stripe_client().v1.transfers.create(params, {"idempotency_key": payout.idempotency_key})
        except stripe.StripeError as error:
            return RailResult.failed(describe_stripe_error(error))
        return RailResult.sent(str(transfer.id))

    def already_sent(self, payout: Payout) -> RailResult | None:
        """A transfer Stripe already holds for the payout's claim (None if none, or if Stripe cannot be asked: then
        sending again with the same idempotency key is still safe within the key's 24 hours)."""
        try:
            found = self.transfer_for_claim(payout)
        except stripe.StripeError:
            return None
        return RailResult.sent(found) if found else None

    def transfer_for_claim(self, payout: Payout) -> str | None:
        """The id of a transfer Stripe holds for this payout's claim that has not been reversed, if any (raises
        stripe.StripeError when Stripe cannot be asked: then nothing may be sent)."""
        account = payout.payee_account
        destination = account.stripe_account_id if account is not None else None
        if not destination:
            return None
        listing = stripe_client().v1.transfers.list(
            {"destination": destination, "transfer_group": transfer_group(payout.batch), "limit": 100}
        )
        for found in listing.auto_paging_iter():
            transfer: dict[str, Any] = found.to_dict()  # a StripeObject is not a dict
            metadata = transfer.get("metadata") or {}
            if transfer.get("destination") not in (None, destination):
                continue
            if str(metadata.get("claim", "")) != str(payout.claim_id):
                continue
            if transfer.get("reversed") or int(transfer.get("amount_reversed") or 0) >= int(
                transfer.get("amount") or 0
            ):
                continue
            return str(transfer["id"])
        return None

    def reverse(self, payout: Payout, reason: str) -> str:
        """Reverse the payout's whole transfer (idempotent: the key is the payout's key + "-reversal"). Returns the
        reversal's id; raises stripe.StripeError."""
        reversal = stripe_client().v1.transfers.reversals.create(
            str(payout.stripe_transfer_id),
            {"metadata": {"payout": str(payout.pk), "claim": str(payout.claim_id), "reason": reason[:500]}},
            {"idempotency_key": f"{payout.idempotency_key}-reversal"},
        )
        return str(reversal.id)
