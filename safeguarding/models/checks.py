"""Checks on adults who work with young people: enhanced DBS with the barred list."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.fields import EncryptedTextField
from core.models import TenantModel


class StaffCheck(TenantModel):
    class Kind(models.TextChoices):
        ENHANCED_DBS_BARRED = "enhanced_dbs_barred", "Enhanced DBS with barred list"

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="staff_checks")
    kind = models.CharField(max_length=40, choices=Kind.choices, default=Kind.ENHANCED_DBS_BARRED)
    certificate_number = EncryptedTextField()
    issued_on = models.DateField()
    update_service = models.BooleanField(default=False, help_text="Subscribed to the DBS update service.")
    last_status_check_on = models.DateField(null=True, blank=True)
    renewal_due_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["renewal_due_on", "pk"]

    def is_current_on(self, day: datetime.date) -> bool:
        return self.issued_on <= day < self.renewal_due_on


class StaffCheckReminder(TenantModel):
    """One reminder sent for one check at one lead time; the unique key makes the job safe to run twice."""

    staff_check = models.ForeignKey(StaffCheck, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff_check", "days_before"], name="one_reminder_per_lead_time")
        ]
