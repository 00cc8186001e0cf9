"""The audit log: an append-only record of every state change, written in the same transaction as the change."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from core.fields import EncryptedJSONField


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit row."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are never updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events are never deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are never updated.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("update_conflicts") or kwargs.get("ignore_conflicts"):
            raise AppendOnlyError("Audit events are only ever inserted.")
        return super().bulk_create(objs, *args, **kwargs)

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are never updated.")


class AuditEvent(models.Model):
    """Who did what to which record, when. Rows are never updated or deleted (ORM, admin, and on PostgreSQL
    a trigger enforces it in the database too)."""

    partnership = models.ForeignKey("participants.Partnership", on_delete=models.PROTECT, related_name="+")
    # The actor's row may later be erased under retention rules; the event must survive, so no DB constraint.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    event_type = models.CharField(max_length=80)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["partnership", "-created_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} on {self.subject_type.model} {self.subject_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("Audit events are never updated.")
        # Always an INSERT: a new instance given an existing pk fails instead of overwriting that row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are never deleted.")


class TenantModel(models.Model):
    """Base for every record that belongs to a partnership: a non-null, indexed foreign key."""

    partnership = models.ForeignKey("participants.Partnership", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class OutboxMessage(models.Model):
    """A task the broker did not take (core/outbox.py): kept here until a drain publishes it again."""

    task_name = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64)
    # Arguments and options as kombu's JSON would carry them (see core.outbox._to_json). The arguments can hold
    # personal data (an email's recipients and body), so they are encrypted at rest like every sensitive field.
    args = EncryptedJSONField(default=list, blank=True)
    kwargs = EncryptedJSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["created_at"], name="outbox_pending_idx", condition=models.Q(sent_at__isnull=True)),
            models.Index(fields=["sent_at"], name="outbox_sent_idx", condition=models.Q(sent_at__isnull=False)),
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else "waiting"
        return f"{self.task_name} ({state})"
