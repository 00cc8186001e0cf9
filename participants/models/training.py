"""Training: modules, sessions, bookings and completion records; which opportunity types need which modules."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from core.models import TenantModel


class TrainingModule(TenantModel):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE_LIVE = "online_live", "Online, live"
        SELF_PACED = "self_paced", "Online, at your own pace"

    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    delivery_mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    duration_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    validity_months = models.PositiveIntegerField(
        null=True, blank=True, help_text="How long a completion counts (empty: it does not expire)."
    )
    required_for = models.JSONField(
        default=list, blank=True, help_text="The opportunity types that need this module (OpportunityType values)."
    )
    onboarding_key = models.CharField(
        max_length=60, blank=True, help_text="The onboarding checklist item it ticks, e.g. training.safeguarding_basics"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title", "pk"]
        constraints = [models.UniqueConstraint(fields=["partnership", "title"], name="one_module_title")]

    def __str__(self) -> str:
        return self.title

    def is_required_for(self, opportunity_type: str) -> bool:
        return opportunity_type in (self.required_for or [])


class TrainingSession(TenantModel):
    module = models.ForeignKey(TrainingModule, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, help_text="A place, or 'Online'.")
    places = models.PositiveIntegerField(default=12, validators=[MinValueValidator(1)])
    trainer = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="training_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.module} on {timezone.localtime(self.starts_at):%-d %b %Y}"


class TrainingBooking(TenantModel):
    class Attendance(models.TextChoices):
        BOOKED = "booked", "Booked"
        ATTENDED = "attended", "Attended"
        ABSENT = "absent", "Did not attend"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Attendance.BOOKED: {Attendance.ATTENDED, Attendance.ABSENT, Attendance.CANCELLED},
        Attendance.ABSENT: {Attendance.ATTENDED},
        Attendance.ATTENDED: {Attendance.ABSENT},
        Attendance.CANCELLED: {Attendance.BOOKED},
    }

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="bookings")
    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.BOOKED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "membership"], name="one_booking_per_session")]


class TrainingRecord(TenantModel):
    """A completed module: when, until when it counts, who signed it off."""

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="training")
    module = models.ForeignKey(TrainingModule, on_delete=models.PROTECT, related_name="records")
    session = models.ForeignKey(TrainingSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "-pk"]
        indexes = [
            models.Index(fields=["membership", "module"]),
            # The partnership's records, newest first, a page at a time (the training records API).
            models.Index(fields=["partnership", "-completed_on", "-id"], name="training_partnership_newest"),
        ]

    def counts_on(self, day: datetime.date) -> bool:
        return self.completed_on <= day and (self.expires_on is None or day < self.expires_on)


class TrainingReminder(TenantModel):
    """One expiry reminder for one record at one lead time (the unique key makes the job safe to run twice)."""

    record = models.ForeignKey(TrainingRecord, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "days_before"], name="one_training_reminder")]
