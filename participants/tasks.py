"""Scheduled jobs for participants. Each is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from participants.services.recruitment import applications_remove_expired


@shared_task
def training_reminders() -> int:
    """Remind young people 30 and 7 days before a training record expires (once per lead time)."""
    from participants.services.training import training_reminders_run

    return training_reminders_run()


@shared_task
def support_follow_up_reminders() -> int:
    """Remind owners of overdue support follow-ups (at most once a day each)."""
    from participants.services.support import support_follow_up_reminders_run

    return support_follow_up_reminders_run()


@shared_task
def remove_expired_applications() -> int:
    """Delete withdrawn, declined and unsuccessful applications past each partnership's retention period."""
    return applications_remove_expired()


@shared_task
def apply_retention() -> dict[str, int]:
    """Each partnership's retention rules (participants.services.retention), including the closed applications
    above: leavers reduced to what must be kept, concerns past the 25th birthday counted for review."""
    from participants.services.retention import retention_run

    results = retention_run(dry_run=False)
    return {
        "leavers": sum(len(result.leavers) for result in results),
        "applications_removed": sum(result.applications_removed for result in results),
        "concerns_due_for_review": sum(result.concerns_due_for_review for result in results),
    }
