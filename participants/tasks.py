"""Scheduled jobs for participants. Each is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from participants.services.recruitment import applications_remove_expired


@shared_task
def remove_expired_applications() -> int:
    """Delete withdrawn, declined and unsuccessful applications past each partnership's retention period."""
    return applications_remove_expired()
