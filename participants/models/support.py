"""The support log: 1:1s, supervision, mentoring, debriefs, emotional support, reasonable adjustments.

Every free-text field here is encrypted at rest (restricted notes, what was agreed, follow-up descriptions):
they are what a young person said or needs after a hard session."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from core.fields import EncryptedTextField
from core.models import TenantModel


class SupportSession(TenantModel):
    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "1:1"
        SUPERVISION = "supervision", "Supervision"
        MENTORING = "mentoring", "Mentoring"
        DEBRIEF = "debrief", "Debrief"
        EMOTIONAL_SUPPORT = "emotional_support", "Emotional support"
        REASONABLE_ADJUSTMENT = "reasonable_adjustment", "Reasonable adjustments"

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="support")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    held_on = models.DateField(default=timezone.localdate)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    restricted_notes = EncryptedTextField(
        blank=True, help_text="What was discussed. Only participation workers and safeguarding leads see this."
    )
    agreed = EncryptedTextField(blank=True, help_text="What was agreed. The young person sees this.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]


class SupportFollowUp(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"

    TRANSITIONS: ClassVar[dict[str, set[str]]] = {Status.OPEN: {Status.DONE}, Status.DONE: {Status.OPEN}}

    session = models.ForeignKey(SupportSession, on_delete=models.CASCADE, related_name="follow_ups")
    description = EncryptedTextField(max_length=300, validators=[MaxLengthValidator(300)])
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due_on", "pk"]
