"""Writes for payment batches: one finance officer gathers ready claims into a batch, a different finance officer
approves it, and submitting it sends the payouts in a Celery task whose progress the batch page shows live.

The rules:
- A batch's reference is PB-<year>-<number>, numbered from 0001 each year within the partnership (the partnership row
  is locked while the number is chosen, so two batches made at once never share one).
- Only OPEN claims of the partnership are added, and only when their payee is ready to be paid (see
  payments.selectors.accounts): a claim "waiting for payment details" is refused with its reason, and so is the whole
  request (nothing is added unless everything can be). Each claim moves OPEN -> BATCHED and gets one Payout on the
  rail it will be paid by (vouchers; an ACTIVE Stripe account; saved bank details), with the payee's name and the
  claim's total.
- Claims can be added and removed only while the batch is a DRAFT: approval locks it.
- Approval needs payments.approve_paymentbatch and a DIFFERENT finance officer from the one who made the batch (the
  database refuses it too). Two officers approving at the same moment make one approval: the batch row is locked
  and the second finds it already approved. An empty batch cannot be approved. The page sends the total it showed,
  and approval is refused if the batch changed since.
- Submitting moves APPROVED -> SUBMITTING and enqueues `payments.submit_batch` after the commit; submitting again is
  refused (so a double click enqueues once; the task is safe to run twice anyway).
- The task (`batch_send`) sends the batch's PENDING and SENDING Stripe payouts in order, one transaction per step
  (payments.services.payouts.payout_send), then moves the batch SUBMITTING -> SUBMITTED when no payout is still
  waiting (bank transfers wait for the bank file, vouchers for finance to record them).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.tenancy import scope
from core.workflows import transition
from participants.models import Partnership, User
from payments.models import Claim, PaymentBatch, Payout, Rail
from payments.rails.base import rail_for
from payments.selectors.accounts import payee_routes
from payments.tasks import submit_batch

CHANGE = "payments.change_paymentbatch"
APPROVE = "payments.approve_paymentbatch"
SUBMIT = "payments.submit_paymentbatch"

Status = PaymentBatch.Status
WAITING_STATUSES = (Payout.Status.PENDING, Payout.Status.SENDING)
MAX_CLAIMS_PER_REQUEST = 10_000


def _lock_batch(actor: User, batch_id: int) -> PaymentBatch:
    return get_object_or_404(scope(PaymentBatch.objects.select_for_update(), actor), pk=batch_id)


def _refuse_if_locked(batch: PaymentBatch) -> None:
    if batch.status != Status.DRAFT:
        raise ApplicationError(
            "This batch has been approved, so it is locked: claims cannot be added or removed. Make a new batch.",
            extra={"field": "status", "status": batch.status},
        )


def _next_reference(partnership: Partnership, today: datetime.date) -> str:
    prefix = f"PB-{today.year}-"
    numbers = [
        int(reference.rsplit("-", 1)[1])
        for reference in PaymentBatch.objects.filter(partnership=partnership, reference__startswith=prefix)
        .values_list("reference", flat=True)
        .iterator()
        if reference.rsplit("-", 1)[1].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


@transaction.atomic
def batch_create(*, actor: User) -> PaymentBatch:
    require(actor, CHANGE)
    partnership = Partnership.objects.select_for_update().get(pk=actor.partnership.pk)  # one number at a time
    batch = PaymentBatch(
        partnership=partnership, reference=_next_reference(partnership, timezone.localdate()), created_by=actor
    )
    batch.full_clean()
    batch.save()
    audit_record(
        actor=actor,
        partnership=partnership,
        subject=batch,
        event_type="paymentbatch.created",
        payload={"reference": batch.reference},
    )
    return batch


def _claim_ids(claim_ids: Iterable[int]) -> list[int]:
    ids = sorted({int(claim_id) for claim_id in claim_ids})
    if not ids:
        raise ApplicationError("Choose at least one claim to add.", extra={"field": "claim_ids"})
    if len(ids) > MAX_CLAIMS_PER_REQUEST:
        raise ApplicationError(
            f"Add at most {MAX_CLAIMS_PER_REQUEST:,} claims at a time.", extra={"field": "claim_ids"}
        )
    return ids


@transaction.atomic
def batch_add_claims(*, actor: User, batch_id: int, claim_ids: Iterable[int]) -> PaymentBatch:
    """Add ready OPEN claims to a draft batch (all of them, or none with every refusal and its reason)."""
    require(actor, CHANGE)
    ids = _claim_ids(claim_ids)
    batch = _lock_batch(actor, batch_id)
    _refuse_if_locked(batch)
    claims = list(
        scope(Claim.objects.select_for_update(of=("self",)), actor)
        .select_related("membership__user")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    found = {claim.pk for claim in claims}
    missing = [claim_id for claim_id in ids if claim_id not in found]
    if missing:
        listed = ", ".join(str(claim_id) for claim_id in missing[:20])
        raise ApplicationError(
            f"No claim was found with the number {listed}."
            if len(missing) == 1
            else f"No claims were found with the numbers {listed}.",
            extra={"field": "claim_ids", "missing": missing},
        )
    routes = payee_routes(claims)
    refused: dict[int, str] = {}
    for claim in claims:
        route = routes[claim.pk]
        if claim.status != Claim.Status.OPEN:
            refused[claim.pk] = f"it is not ready to pay ({claim.get_status_display().lower()})."
        elif claim.total_pence <= 0:
            refused[claim.pk] = "there is nothing to pay."
        elif not route.ready:
            refused[claim.pk] = route.reason
    if refused:
        names = {claim.pk: claim.membership.user.full_name for claim in claims}
        first = next(iter(refused))
        more = f" ({len(refused) - 1} more claims were refused too.)" if len(refused) > 1 else ""
        raise ApplicationError(
            f"Nothing was added. Claim {first} for {names[first]} cannot be paid: {refused[first]}{more}",
            extra={"field": "claim_ids", "refused": {str(claim_id): reason for claim_id, reason in refused.items()}},
        )
    payouts = []
    for claim in claims:
        route = routes[claim.pk]
        claim.batch = batch
        transition(
            claim,
            to=Claim.Status.BATCHED,
            actor=actor,
            payload={"batch": batch.reference, "rail": route.rail},
            extra_update_fields=["batch"],
        )
        payout = Payout(
            partnership_id=batch.partnership_id,
            batch=batch,
            claim=claim,
            rail=route.rail,
            payee_account=route.account,
            payee_name=route.payee_name[:150],
            amount_pence=claim.total_pence,
        )
        # Field checks only: the foreign keys were just loaded, and the database checks the constraints
        # (one live payout per claim, above zero) on insert.
        payout.clean_fields(exclude=["batch", "claim", "payee_account", "partnership"])
        payouts.append(payout)
    Payout.objects.bulk_create(payouts)
    audit_record(
        actor=actor,
        partnership=batch.partnership,
        subject=batch,
        event_type="paymentbatch.claims_added",
        payload={"claims": ids[:1000], "count": len(ids), "total_pence": sum(p.amount_pence for p in payouts)},
    )
    return batch


@transaction.atomic
def batch_remove_claim(*, actor: User, batch_id: int, claim_id: int) -> PaymentBatch:
    """Take a claim out of a draft batch: its payout (never sent) is deleted and the claim is OPEN again."""
    require(actor, CHANGE)
    batch = _lock_batch(actor, batch_id)
    _refuse_if_locked(batch)
    claim = Claim.objects.select_for_update().filter(pk=claim_id, batch=batch, partnership=batch.partnership).first()
    if claim is None:
        raise ApplicationError("That claim is not in this batch.", extra={"field": "claim_id"})
    Payout.objects.filter(batch=batch, claim=claim, status=Payout.Status.PENDING).delete()
    claim.batch = None
    transition(
        claim,
        to=Claim.Status.OPEN,
        actor=actor,
        payload={"removed_from": batch.reference},
        extra_update_fields=["batch"],
    )
    audit_record(
        actor=actor,
        partnership=batch.partnership,
        subject=batch,
        event_type="paymentbatch.claim_removed",
        payload={"claim": claim.pk},
    )
    return batch


def batch_total_pence(batch: PaymentBatch) -> int:
    live = batch.payouts.filter(status__in=Payout.LIVE)
    return int(live.aggregate(total=Sum("amount_pence"))["total"] or 0)


@transaction.atomic
def batch_approve(*, actor: User, batch_id: int, expected_total_pence: int | None = None) -> PaymentBatch:
    """Approve a draft batch: a different finance officer from its maker. `expected_total_pence` (what the approver
    was shown) makes the approval fail if the batch changed since."""
    require(actor, APPROVE)
    batch = _lock_batch(actor, batch_id)
    require(actor, APPROVE, batch)
    if batch.created_by_id == actor.pk:
        raise ApplicationError(
            "A batch must be approved by a different finance officer from the one who made it.",
            extra={"field": "approved_by"},
        )
    if batch.status != Status.DRAFT:
        who = batch.approved_by.full_name if batch.approved_by is not None else "someone else"
        raise ApplicationError(f"This batch has already been approved by {who}.", extra={"field": "status"})
    count = batch.payouts.count()
    if not count:
        raise ApplicationError("This batch has no claims in it. Add claims before it is approved.")
    total = batch_total_pence(batch)
    if expected_total_pence is not None and expected_total_pence != total:
        raise ApplicationError(
            "This batch changed after you opened it. Check it again before you approve it.",
            extra={"field": "expected_total_pence", "total_pence": total},
        )
    batch.approved_by = actor
    batch.approved_at = timezone.now()
    transition(
        batch,
        to=Status.APPROVED,
        actor=actor,
        payload={"payouts": count, "total_pence": total},
        extra_update_fields=["approved_by", "approved_at"],
    )
    return batch


@transaction.atomic
def batch_submit(*, actor: User, batch_id: int) -> PaymentBatch:
    """Send an approved batch: APPROVED -> SUBMITTING now, the payouts in a Celery task after the commit."""
    require(actor, SUBMIT)
    batch = _lock_batch(actor, batch_id)
    require(actor, SUBMIT, batch)
    if batch.status in (Status.SUBMITTING, Status.SUBMITTED):
        raise ApplicationError("This batch has already been sent.", extra={"field": "status"})
    if batch.status != Status.APPROVED:
        raise ApplicationError(
            "This batch must be approved by a second finance officer before it is sent.", extra={"field": "status"}
        )
    batch.submitted_at = timezone.now()
    transition(batch, to=Status.SUBMITTING, actor=actor, extra_update_fields=["submitted_at"])
    transaction.on_commit(partial(submit_batch.delay, batch.pk))
    return batch


def _finish_locked(batch: PaymentBatch, actor: User | None) -> bool:
    if batch.status != Status.SUBMITTING:
        return False
    if batch.payouts.filter(status__in=WAITING_STATUSES).exists():
        return False
    batch.finished_at = timezone.now()
    transition(batch, to=Status.SUBMITTED, actor=actor, extra_update_fields=["finished_at"])
    return True


@transaction.atomic
def batch_finish_if_done(*, batch_id: int, actor: User | None = None) -> bool:
    """SUBMITTING -> SUBMITTED once no payout of the batch is waiting or being sent. True if it moved."""
    batch = PaymentBatch.objects.select_for_update().filter(pk=batch_id).first()
    return batch is not None and _finish_locked(batch, actor)


def batch_send(*, batch_id: int) -> int:
    """The body of the `payments.submit_batch` task: send every PENDING or SENDING payout of a SUBMITTING batch on a
    rail that sends by itself (Stripe), in order, each in its own transactions; then finish the batch if nothing is
    left waiting. Safe to run twice, or again after a worker was killed part-way (see payout_send). Returns the
    number of payouts it tried."""
    from payments.services.payouts import payout_send
    from payments.services.webhooks import apply_waiting_events_for_account

    status = PaymentBatch.objects.filter(pk=batch_id).values_list("status", flat=True).first()
    if status != Status.SUBMITTING:
        return 0
    sending_rails = [rail for rail in Rail.values if rail_for(rail).sends_in_task]
    ids = list(
        Payout.objects.filter(batch_id=batch_id, status__in=WAITING_STATUSES, rail__in=sending_rails)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent_to: set[int] = set()
    for payout_id in ids:
        payout = payout_send(payout_id=payout_id)
        if payout is not None and payout.status == Payout.Status.SENT and payout.payee_account_id is not None:
            sent_to.add(payout.payee_account_id)
    batch_finish_if_done(batch_id=batch_id)
    for payee_account_id in sorted(sent_to):  # Stripe payout events that arrived before their transfer was recorded
        apply_waiting_events_for_account(payee_account_id)
    return len(ids)
