"""Requests a person makes about their own data (UK GDPR articles 15 to 17): to see everything held about them,
to have it deleted, or to have it corrected. Each has a deadline of one calendar month from the day it was
received (the ICO's rule, computed by `one_calendar_month_after`)."""

from __future__ import annotations

import calendar
import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import TenantModel


def one_calendar_month_after(received_on: datetime.date) -> datetime.date:
    """The ICO's one month: the same day of the next month; when the next month has no such day (31 January),
    the last day of that month (28 or 29 February)."""
    year, month = (received_on.year + 1, 1) if received_on.month == 12 else (received_on.year, received_on.month + 1)
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(received_on.day, last_day))


class DataRequest(TenantModel):
    class Kind(models.TextChoices):
        ACCESS = "access", "See everything held about them"
        ERASURE = "erasure", "Delete their information"
        RECTIFICATION = "rectification", "Correct their information"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        REFUSED = "refused", "Refused"

    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Status.RECEIVED: {Status.IN_PROGRESS, Status.REFUSED},
        Status.IN_PROGRESS: {Status.COMPLETED, Status.REFUSED},
        Status.COMPLETED: set(),
        Status.REFUSED: set(),
    }
    OPEN: ClassVar[set[str]] = {Status.RECEIVED, Status.IN_PROGRESS}

    membership = models.ForeignKey("participants.Membership", on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    received_on = models.DateField(default=timezone.localdate)
    due_on = models.DateField(help_text="One calendar month after it was received.")
    details = models.TextField(blank=True, help_text="What the person asked for, in their words.")
    made_by_self = models.BooleanField(default=False, help_text="Made by the person from their own account.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, help_text="What was done, or why it was refused (told to the person).")
    outcome = models.JSONField(default=dict, blank=True, help_text="For an erasure: what was erased and what was kept.")
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["partnership", "status", "due_on"], name="datarequest_open_by_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and (today or timezone.localdate()) > self.due_on
