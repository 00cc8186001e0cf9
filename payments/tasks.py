"""Celery tasks for payments. Each takes ids, calls a service and is safe to run twice; services enqueue them with
`transaction.on_commit`. Celery's autodiscovery imports this module, so tasks kept in other modules of the app are
imported at the bottom (see the webhooks section).

Sending a batch (`payments.submit_batch`): acks_late with reject-on-worker-lost (config/settings/base.py), so a task
whose worker is killed is delivered again; the service resumes from the payouts still PENDING or SENDING, and the
Stripe idempotency key of each payout makes a repeated transfer request return the transfer already made.
`payments.resume_stalled_batches` (to be scheduled with Celery beat, e.g. every 10 minutes) re-enqueues a batch that
has been SUBMITTING with nothing recorded for a while, in case a task was lost altogether.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

STALLED_AFTER = datetime.timedelta(minutes=10)


# === Batches and payouts (the batches helper) ===================================================================


@shared_task(name="payments.submit_batch", acks_late=True)
def submit_batch(batch_id: int) -> int:
    """Send a submitted batch's payouts; finishes the batch when nothing is left waiting."""
    from payments.services.batches import batch_send

    return batch_send(batch_id=batch_id)


@shared_task(name="payments.send_payout", acks_late=True)
def send_payout(payout_id: int) -> None:
    """Send one payout (a failed payment tried again by finance)."""
    from payments.models import Payout
    from payments.services.batches import batch_finish_if_done
    from payments.services.payouts import payout_send
    from payments.services.webhooks import apply_waiting_events_for_account

    payout = payout_send(payout_id=payout_id)
    if payout is not None:
        batch_finish_if_done(batch_id=payout.batch_id)
        if payout.status == Payout.Status.SENT and payout.payee_account_id is not None:
            apply_waiting_events_for_account(payout.payee_account_id)


@shared_task(name="payments.resume_stalled_batches")
def resume_stalled_batches() -> int:
    """Re-enqueue batches stuck in SUBMITTING: Stripe payouts still waiting and nothing recorded for STALLED_AFTER.
    Returns how many were re-enqueued (running one twice is harmless)."""
    from payments.models import PaymentBatch, Payout, Rail

    cutoff = timezone.now() - STALLED_AFTER
    payouts = Payout.objects.filter(batch=OuterRef("pk"))
    waiting = payouts.filter(rail=Rail.STRIPE, status__in=(Payout.Status.PENDING, Payout.Status.SENDING))
    recent = payouts.filter(Q(sent_at__gte=cutoff) | Q(failed_at__gte=cutoff))
    stalled = (
        PaymentBatch.objects.filter(status=PaymentBatch.Status.SUBMITTING, submitted_at__lt=cutoff)
        .filter(Exists(waiting))
        .exclude(Exists(recent))
        .values_list("pk", flat=True)
    )
    count = 0
    for batch_id in stalled:
        submit_batch.delay(batch_id)
        count += 1
    return count


# === Webhooks, reconciliation and remittance (kept by their helpers in payments/webhook_tasks.py) ====================
# Imported here so Celery's autodiscovery (which imports payments.tasks) registers them. Ask the batches helper (owner
# of this file) to add or change a line in this section.

import payments.webhook_tasks  # noqa: E402,F401

# --- Claims ---------------------------------------------------------------------------------------------------------


@shared_task(name="payments.create_claim_for_work_log")
def create_claim_for_work_log(work_log_id: int) -> int | None:
    """Make the claim for a work log a worker has just approved (enqueued on commit by
    engagements.services.work_logs.work_log_approve). Safe to run twice; when the claim cannot be made yet (no
    rate, no date of birth) the log stays approved and the finance page says why."""
    from payments.services.claims import claim_create_when_approved

    claim = claim_create_when_approved(work_log_id=work_log_id)
    return claim.pk if claim is not None else None
