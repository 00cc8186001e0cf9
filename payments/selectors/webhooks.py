"""Reads of kept Stripe events, for finance: those of the partnership not applied yet (a payout event waiting for
its transfer, or one whose handling has not run), shown on the reconciliation page."""

from __future__ import annotations

from django.db.models import QuerySet

from core.permissions import require
from participants.models import User
from payments.models import StripeEvent

VIEW_RECONCILIATION = "payments.view_reconciliation"


def stripe_events_waiting(actor: User) -> QuerySet[StripeEvent]:
    require(actor, VIEW_RECONCILIATION)
    return (
        StripeEvent.objects.filter(partnership=actor.partnership, processed_at__isnull=True)
        .only("pk", "event_id", "event_type", "account", "received_at")
        .order_by("received_at", "pk")
    )
