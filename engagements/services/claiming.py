"""The one way payments changes a work log: marking an approved log as claimed for payment.

`work_log_mark_claimed` is called by payments.services.claims.claim_create_from_work_log inside its own transaction,
after it has checked the actor may make claims and has locked the log (so the lock here is already held and this is
the same row). It moves the log APPROVED -> CLAIMED through core.workflows.transition, which records who did it (the
finance officer, or the system when a task makes the claim) in the audit log. A claimed log can never be changed or
claimed again.
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.workflows import transition
from engagements.models import WorkLog
from participants.models import User


@transaction.atomic
def work_log_mark_claimed(*, work_log_id: int, actor: User | None) -> WorkLog:
    """Move an approved log to claimed. With an actor, only a log of the partnership they act in (404 otherwise);
    with none (a background task), any. Refused for a log that is not approved (or already claimed)."""
    logs = WorkLog.objects.select_for_update()
    if actor is not None:
        logs = logs.filter(partnership_id=actor.partnership.pk)
    log = get_object_or_404(logs, pk=work_log_id)
    if log.status != WorkLog.Status.APPROVED:
        raise ApplicationError(
            "This work log has already been claimed."
            if log.status == WorkLog.Status.CLAIMED
            else f"Only an approved work log can be claimed: this one is {log.get_status_display().lower()}.",
            extra={"field": "work_log", "reason": "not_approved", "status": log.status},
        )
    log.updated_at = timezone.now()
    transition(
        log, to=WorkLog.Status.CLAIMED, actor=actor, payload={"by": "payments"}, extra_update_fields=["updated_at"]
    )
    return log
