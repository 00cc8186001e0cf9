"""Writing the audit log. Call inside the transaction that makes the change."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
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


# --- Describing events in plain words ------------------------------------------------------------------------
# Each app registers how to describe its own event types (participants/audit.py), and the queryset its subjects
# are loaded with, so a page of events loads every subject in one query per kind (no N+1).

Describer = Callable[[AuditEvent], str]
_describers: dict[str, Describer] = {}
_subject_querysets: list[models.QuerySet[Any]] = []


def describes(event_type: str) -> Callable[[Describer], Describer]:
    def register(describer: Describer) -> Describer:
        _describers[event_type] = describer
        return describer

    return register


def register_subject_queryset(queryset: models.QuerySet[Any]) -> None:
    _subject_querysets.append(queryset)


def with_subjects(events: models.QuerySet[AuditEvent]) -> models.QuerySet[AuditEvent]:
    """Prefetch each event's subject, with whatever its app said it needs to be described."""
    return events.prefetch_related(GenericPrefetch("subject", list(_subject_querysets)))


def actor_name(event: AuditEvent) -> str:
    return event.actor.full_name if event.actor_id and event.actor else "The system"


def describe_in_words(words_by_type: dict[str, str]) -> None:
    """Register "<who> <words> (number <id>)." for each event type: the wording most apps' events need."""

    def describer(words: str) -> Describer:
        def describe(event: AuditEvent) -> str:
            return f"{actor_name(event)} {words} (number {event.subject_id})."

        return describe

    for event_type, words in words_by_type.items():
        describes(event_type)(describer(words))


def describe_status_moves(moves: dict[str, tuple[str, dict[str, str]]]) -> None:
    """Register "<who> <words> “<new status label>” (number <id>)." for each workflow's status_changed event
    (`moves`: event type to the words and the status labels)."""

    def describer(words: str, labels: dict[str, str]) -> Describer:
        def describe(event: AuditEvent) -> str:
            to = str(event.payload.get("to", ""))
            return f"{actor_name(event)} {words} “{labels.get(to, to)}” (number {event.subject_id})."

        return describe

    for event_type, (words, labels) in moves.items():
        describes(event_type)(describer(words, labels))


def audit_describe(event: AuditEvent) -> str:
    describer = _describers.get(event.event_type)
    if describer is not None and (event.subject is not None or event.event_type.endswith("deleted_after_review")):
        return describer(event)
    return f"{actor_name(event)}: {event.event_type.replace('_', ' ').replace('.', ': ')}"
