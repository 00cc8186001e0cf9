"""Scheduled engagements jobs (Celery beat; the schedule is in config/settings/base.py). Each is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="engagements.send_engagement_reminders")
def send_engagement_reminders() -> int:
    """The day before: remind everyone confirmed for a published engagement starting tomorrow (Europe/London), and
    its staff lead, once for each start time."""
    from engagements.services.selection import engagement_reminders_run

    return engagement_reminders_run(timezone.localdate())
