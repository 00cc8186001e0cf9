"""Wellbeing check-ins after sessions, and the follow-up tasks a low score or a request to talk creates."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.fields import EncryptedTextField
from core.models import TenantModel


class WellbeingCheckIn(TenantModel):
    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="checkins")
    engagement = models.ForeignKey(
        "engagements.Engagement", null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins"
    )
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    wants_to_talk = models.BooleanField(default=False)
    comment = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The partnership's check-ins, newest first, a page at a time (the wellbeing check-ins API).
        indexes = [models.Index(fields=["partnership", "-created_at", "-id"], name="checkin_partnership_newest")]


class FollowUpTask(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"

    TRANSITIONS: ClassVar[dict[str, set[str]]] = {Status.OPEN: {Status.DONE}, Status.DONE: set()}

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="+")
    checkin = models.OneToOneField(
        WellbeingCheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_up"
    )
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    note = EncryptedTextField(blank=True)
    sensitive = models.BooleanField(default=False, help_text="Debrief notes flagged sensitive.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["status", "due_at", "pk"]
