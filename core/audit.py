"""Writing the audit log. Call inside the transaction that makes the change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from core.models import AuditEvent

if TYPE_CHECKING:
    from participants.models import Partnership, User


def audit_record(
    *,
    actor: User | None,
    partnership: Partnership,
    subject: models.Model,
    event_type: str,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction that makes the change.")
    return AuditEvent.objects.create(
        partnership=partnership,
        actor=actor if actor is not None and actor.is_authenticated else None,
        event_type=event_type,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        payload=payload or {},
    )
