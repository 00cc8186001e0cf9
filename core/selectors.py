"""Reads of the audit log, scoped to the actor's partnership."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from core.audit import with_subjects
from core.models import AuditEvent
from core.permissions import require
from core.tenancy import scope

if TYPE_CHECKING:
    from participants.models import User


def audit_events_visible_to(actor: User, *, event_type: str | None = None) -> QuerySet[AuditEvent]:
    require(actor, "core.view_auditevent")
    events = with_subjects(scope(AuditEvent.objects.select_related("actor", "subject_type"), actor))
    if event_type:
        events = events.filter(event_type=event_type)
    return events


def audit_events_for_subject(actor: User, subject: Model) -> QuerySet[AuditEvent]:
    """The history of one record the caller has already fetched through its own scoped selector."""
    require(actor, "core.view_auditevent")
    return with_subjects(scope(AuditEvent.objects.select_related("actor"), actor)).filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk)
    )
