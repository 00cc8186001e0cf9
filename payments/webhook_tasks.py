"""Celery tasks for Stripe webhooks, reconciliation and remittance advice. Each takes ids, calls a service and is
safe to run twice (the services lock and check). payments/tasks.py imports this module so the worker finds them.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(name="payments.handle_stripe_event", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def handle_stripe_event(event_row_id: int) -> str:
    """Apply one kept Stripe event (a repeat, or one already applied, does nothing)."""
    from payments.services.webhooks import stripe_event_handle

    return stripe_event_handle(event_row_id=event_row_id).result


@shared_task(name="payments.apply_waiting_stripe_events")
def apply_waiting_stripe_events(payee_account_id: int | None = None) -> int:
    """With an account: its payout events that were waiting for a transfer. Without (beat): every event not yet
    applied a couple of minutes after it arrived."""
    from payments.services.webhooks import apply_all_waiting_events, apply_waiting_events_for_account

    if payee_account_id is None:
        return apply_all_waiting_events()
    return apply_waiting_events_for_account(payee_account_id)


@shared_task(name="payments.send_remittance", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_remittance(payout_id: int) -> bool:
    """Email the remittance advice for a paid payout, once."""
    from payments.services.statements import remittance_send_for

    return remittance_send_for(payout_id)


@shared_task(name="payments.reconcile_stripe")
def reconcile_stripe(partnership_id: int | None = None) -> int:
    """Compare our Stripe payouts with the transfers Stripe lists (one partnership, or all: the daily beat run).
    Returns how many mismatches were found."""
    from payments.services.reconciliation import reconciliation_run

    runs = reconciliation_run(partnership_ids=[partnership_id] if partnership_id is not None else None)
    return sum(len(run.mismatches) for run in runs)
