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


# --- The feedback loop (engagements/services/notifications.py) ----------------------------------------------------


@shared_task(name="engagements.send_feedback_notification", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_feedback_notification(notification_id: int) -> bool:
    """Email one notification now (enqueued after the change commits). Emails nothing twice: emailed_at."""
    from engagements.services.notifications import notification_send_email

    return notification_send_email(notification_id)


@shared_task(name="engagements.send_feedback_digests")
def send_feedback_digests() -> int:
    """Every day at 5pm: one email per young person with every change they chose to hear about in the digest."""
    from engagements.services.notifications import digests_send

    return digests_send(timezone.now())


@shared_task(name="engagements.escalate_overdue_responses")
def escalate_overdue_responses() -> int:
    """Every morning: list each response newly past its due date to the scrutiny lead (in the product)."""
    from engagements.services.notifications import overdue_escalate

    return len(overdue_escalate(timezone.localdate()))


@shared_task(name="engagements.send_weekly_overdue_summary")
def send_weekly_overdue_summary() -> int:
    """Monday mornings: email each scrutiny lead one summary of every overdue response in their partnership."""
    from engagements.services.notifications import overdue_weekly_summaries_send

    return overdue_weekly_summaries_send(timezone.localdate())


# --- Updating responses from a spreadsheet (engagements/services/response_import.py) ------------------------------


@shared_task(name="engagements.commit_response_import", acks_late=True)
def commit_response_import(import_id: int, actor_id: int | None) -> str | None:
    """Save every row of an import being committed, all or nothing (minutes for 10,000 rows). Safe to run twice, or
    again after a worker was killed part-way (the rows were rolled back): only an import still COMMITTING is applied.
    Returns the import's status afterwards (None when there was nothing to do)."""
    from engagements.services.response_import import response_import_apply

    response_import = response_import_apply(import_id=import_id, actor_id=actor_id)
    return response_import.status if response_import is not None else None


@shared_task(name="engagements.resume_stalled_response_imports")
def resume_stalled_response_imports() -> int:
    """Every 10 minutes: an import still COMMITTING 15 minutes after the commit was asked for lost its task; send it
    again (engagements/services/response_import.py response_imports_resume_stalled). Returns how many were sent."""
    from engagements.services.response_import import response_imports_resume_stalled

    return response_imports_resume_stalled(now=timezone.now())
