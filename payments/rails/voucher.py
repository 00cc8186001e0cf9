"""The voucher rail: finance buys a gift voucher and records it (supplier, value, code, issue date); recording it
marks the payout PAID (payments.services.payouts.voucher_issue). The code is encrypted at rest (Voucher.code)."""

from __future__ import annotations

from typing import ClassVar

from payments.models import Payout, Rail
from payments.rails.base import RailResult

SUPPLIER_MAX = 100
CODE_MAX = 200


class VoucherRail:
    rail: ClassVar[str] = Rail.VOUCHER
    sends_in_task: ClassVar[bool] = False

    def send(self, payout: Payout) -> RailResult:
        return RailResult.waiting()  # paid when finance records the voucher

    def already_sent(self, payout: Payout) -> RailResult | None:
        return None
