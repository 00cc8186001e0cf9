"""Reads for payment batches, payouts and bank files, scoped to the actor's partnership (another partnership's
record is a 404, like a missing one). Finance officers only; what they see is names, amounts and payment status.

Progress of a batch: `done` counts payouts no longer waiting or being sent (SENT, PAID, FAILED, REVERSED) out of all
the batch's payouts. Bank transfers wait for the bank file and vouchers for finance to record them, so `sending_now`
(Stripe payouts still PENDING or SENDING in a SUBMITTING batch) is what the page polls on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from core.permissions import require
from core.tenancy import scope
from participants.models import User
from payments.models import BankExport, Claim, PaymentBatch, Payout, Rail
from payments.selectors.accounts import PayeeRoute, payee_routes

VIEW_BATCH = "payments.view_paymentbatch"
VIEW_PAYOUT = "payments.view_payout"
WAITING = (Payout.Status.PENDING, Payout.Status.SENDING)
DONE = (Payout.Status.SENT, Payout.Status.PAID, Payout.Status.FAILED, Payout.Status.REVERSED)
LIVE = Q(payouts__status__in=Payout.LIVE)


def batches_visible_to(actor: User, *, status: str | None = None) -> QuerySet[PaymentBatch]:
    """The partnership's batches, newest first, each with its live payouts' count and total."""
    require(actor, VIEW_BATCH)
    batches = scope(PaymentBatch.objects.all(), actor).select_related("created_by", "approved_by")
    if status:
        batches = batches.filter(status=status)
    return batches.annotate(
        payout_count=Count("payouts", filter=LIVE),
        total_pence=Coalesce(Sum("payouts__amount_pence", filter=LIVE), Value(0), output_field=IntegerField()),
    ).order_by("-created_at", "-pk")


def batch_get_for_actor(actor: User, batch_id: int) -> PaymentBatch:
    return get_object_or_404(batches_visible_to(actor), pk=batch_id)


def pounds_text(pence: int) -> str:
    """1234567 -> "£12,345.67"."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


@dataclass(frozen=True)
class BatchProgress:
    total: int
    sent: int  # SENT or PAID
    failed: int  # FAILED or REVERSED
    waiting_bank: int
    waiting_voucher: int
    sending_now: int  # Stripe payouts PENDING or SENDING while the batch is being sent

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else (self.done * 100) // self.total

    @property
    def finished_sending(self) -> bool:
        return self.sending_now == 0


@dataclass(frozen=True)
class RailTotal:
    rail: str
    payouts: int
    total_pence: int

    @property
    def label(self) -> str:
        return Rail(self.rail).label

    @property
    def total_text(self) -> str:
        return pounds_text(self.total_pence)


@dataclass(frozen=True)
class PayeeTotal:
    membership_id: int
    payee_name: str
    rail: str
    payouts: int
    total_pence: int

    @property
    def rail_label(self) -> str:
        return Rail(self.rail).label

    @property
    def total_text(self) -> str:
        return pounds_text(self.total_pence)


@dataclass(frozen=True)
class BatchTotals:
    by_rail: list[RailTotal] = field(default_factory=list)
    by_payee: list[PayeeTotal] = field(default_factory=list)

    @property
    def payouts(self) -> int:
        return sum(row.payouts for row in self.by_rail)

    @property
    def total_pence(self) -> int:
        return sum(row.total_pence for row in self.by_rail)

    @property
    def total_text(self) -> str:
        return pounds_text(self.total_pence)


def batch_progress(batch: PaymentBatch) -> BatchProgress:
    """How far sending the batch has got (one query)."""
    counts: dict[tuple[str, str], int] = {
        (row["rail"], row["status"]): row["n"]
        for row in Payout.objects.filter(batch=batch).values("rail", "status").annotate(n=Count("pk")).order_by()
    }

    def count(statuses: tuple[str, ...], rails: tuple[str, ...] = tuple(Rail.values)) -> int:
        return sum(n for (rail, status), n in counts.items() if status in statuses and rail in rails)

    submitting = batch.status == PaymentBatch.Status.SUBMITTING
    return BatchProgress(
        total=sum(counts.values()),
        sent=count((Payout.Status.SENT, Payout.Status.PAID)),
        failed=count((Payout.Status.FAILED, Payout.Status.REVERSED)),
        waiting_bank=count(WAITING, (Rail.BANK,)),
        waiting_voucher=count(WAITING, (Rail.VOUCHER,)),
        sending_now=count(WAITING, (Rail.STRIPE,)) if submitting else 0,
    )


def batch_totals(batch: PaymentBatch) -> BatchTotals:
    """Totals of the batch's live payouts per rail and per payee (two queries)."""
    live = Payout.objects.filter(batch=batch, status__in=Payout.LIVE)
    by_rail = [
        RailTotal(rail=row["rail"], payouts=row["n"], total_pence=row["total"] or 0)
        for row in live.values("rail").annotate(n=Count("pk"), total=Sum("amount_pence")).order_by("rail")
    ]
    by_payee = [
        PayeeTotal(
            membership_id=row["claim__membership_id"],
            payee_name=row["payee_name"],
            rail=row["rail"],
            payouts=row["n"],
            total_pence=row["total"] or 0,
        )
        for row in live.values("claim__membership_id", "payee_name", "rail")
        .annotate(n=Count("pk"), total=Sum("amount_pence"))
        .order_by("payee_name", "rail", "claim__membership_id")
    ]
    return BatchTotals(by_rail=by_rail, by_payee=by_payee)


def batch_payouts(batch: PaymentBatch) -> QuerySet[Payout]:
    """The batch's payouts with their claims (for the batch page), in order."""
    return (
        Payout.objects.filter(batch=batch)
        .select_related("claim__engagement")
        .only(
            "id", "status", "rail", "payee_name", "amount_pence", "failure_reason", "claim_id", "batch_id",
            "claim__id", "claim__work_date", "claim__engagement__title",
        )
        .order_by("payee_name", "pk")
    )  # fmt: skip


def claims_for_batching(
    actor: User, *, limit: int = 500
) -> tuple[list[tuple[Claim, PayeeRoute]], int, list[tuple[Claim, PayeeRoute]]]:
    """OPEN claims of the partnership: those ready to be paid (at most `limit`, oldest work first), how many are
    ready in all, and those "waiting for payment details" (with the reason)."""
    require(actor, VIEW_BATCH)
    claims = list(
        scope(Claim.objects.filter(status=Claim.Status.OPEN), actor)
        .select_related("membership__user", "engagement")
        .only(
            "id", "status", "choice", "total_pence", "work_date", "membership_id", "partnership_id",
            "membership__user__full_name", "engagement__title",
        )
        .order_by("work_date", "pk")
    )  # fmt: skip
    routes = payee_routes(claims)
    ready = [(claim, routes[claim.pk]) for claim in claims if routes[claim.pk].ready and claim.total_pence > 0]
    waiting = [(claim, routes[claim.pk]) for claim in claims if not routes[claim.pk].ready]
    return ready[:limit], len(ready), waiting


def payouts_visible_to(
    actor: User, *, status: str | None = None, rail: str | None = None, batch_id: int | None = None
) -> QuerySet[Payout]:
    """The partnership's payouts (finance officers), newest batch first."""
    require(actor, VIEW_PAYOUT)
    payouts = scope(Payout.objects.all(), actor).select_related("batch")
    if status:
        payouts = payouts.filter(status=status)
    if rail:
        payouts = payouts.filter(rail=rail)
    if batch_id is not None:
        payouts = payouts.filter(batch_id=batch_id)
    return payouts.order_by("-batch__created_at", "-batch_id", "payee_name", "pk")


def payout_get_for_actor(actor: User, payout_id: int) -> Payout:
    return get_object_or_404(payouts_visible_to(actor), pk=payout_id)


def bank_exports_for(batch: PaymentBatch) -> QuerySet[BankExport]:
    return batch.bank_exports.select_related("created_by").defer("content").order_by("pk")


def bank_export_get_for_actor(actor: User, export_id: int) -> BankExport:
    require(actor, VIEW_BATCH)
    return get_object_or_404(scope(BankExport.objects.select_related("batch"), actor), pk=export_id)
