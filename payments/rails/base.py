"""The one interface every payout rail implements.

A rail is asked to `send(payout)` and answers with a `RailResult`: SENT (with the rail's reference, e.g. the Stripe
transfer id), PAID, FAILED (with the reason, in words finance can act on), or WAITING when the rail does not send
by itself: bank transfers go out when finance generates the batch's bank file, vouchers when finance records the
voucher. `sends_in_task` says whether the submission task calls `send` (only Stripe does).

`send` is called outside any database transaction (no row lock is held while a network call is in flight) and must
be safe to call again for the same payout: the Stripe rail uses the payout's idempotency key. A payout found half-sent
after a crash is first checked with `already_sent` (Stripe keeps idempotency keys for 24 hours only, so a batch
resumed later than that must not rely on the key alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from payments.models import Payout, Rail

WAITING = "waiting"


@dataclass(frozen=True)
class RailResult:
    status: str  # Payout.Status.SENT, PAID or FAILED, or WAITING
    reference: str = ""
    failure_reason: str = ""

    @classmethod
    def sent(cls, reference: str) -> RailResult:
        return cls(status=Payout.Status.SENT, reference=reference)

    @classmethod
    def failed(cls, reason: str) -> RailResult:
        return cls(status=Payout.Status.FAILED, failure_reason=reason)

    @classmethod
    def waiting(cls) -> RailResult:
        return cls(status=WAITING)


class PayoutRail(Protocol):
    rail: ClassVar[str]
    sends_in_task: ClassVar[bool]

    def send(self, payout: Payout) -> RailResult: ...

    def already_sent(self, payout: Payout) -> RailResult | None:
        """Before sending a payout again after a crash: what the rail already holds for its claim, if anything."""
        ...


def rail_for(rail: str) -> PayoutRail:
    from payments.rails.bank import BankRail
    from payments.rails.stripe import StripeRail
    from payments.rails.voucher import VoucherRail

    rails: dict[str, PayoutRail] = {Rail.STRIPE: StripeRail(), Rail.BANK: BankRail(), Rail.VOUCHER: VoucherRail()}
    try:
        return rails[rail]
    except KeyError:
        raise ValueError(f"Unknown rail {rail!r}") from None
