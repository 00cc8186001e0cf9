"""Scheduled safeguarding jobs (Celery beat). Each is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task
def consent_renewal() -> int:
    """Find young people who turned 16 or 18 and must be asked for consent again; tell their workers."""
    from safeguarding.services.consent import consent_renewal_run

    return consent_renewal_run(timezone.localdate())


@shared_task
def staff_check_reminders() -> int:
    """Remind staff and safeguarding leads 60, 30 and 7 days before a DBS check's renewal date."""
    from safeguarding.services.checks import staff_check_reminders_run

    return staff_check_reminders_run(timezone.localdate())
