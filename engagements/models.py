"""Engagements: the paid scrutiny work young people take part in.

This is the core of an engagement that safeguarding (consents, risk assessments, wellbeing) needs now. The
engagements issue adds opportunities, selection, attendance, work logs and recommendations around it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import TenantModel


class OpportunityType(models.TextChoices):
    SECTION_11_PANEL = "section_11_panel", "Section 11 challenge panel"
    SCRUTINY_EVENT = "scrutiny_event", "Scrutiny event"
    DEEP_DIVE = "deep_dive", "Deep dive"
    FOCUS_GROUP = "focus_group", "Focus group"
    YOUNG_INSPECTOR_VISIT = "young_inspector_visit", "Young inspector visit"
    ANNUAL_REPORT = "annual_report", "Annual report contribution"
    INTERVIEW_PANEL = "interview_panel", "Interview panel"
    MEDIA_PRODUCTION = "media_production", "Film or infographic production"
    TRAINING_DELIVERY = "training_delivery", "Training delivery"


class Engagement(TenantModel):
    title = models.CharField(max_length=200)
    opportunity_type = models.CharField(max_length=40, choices=OpportunityType.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    is_online = models.BooleanField(default=False)
    is_filmed = models.BooleanField(default=False, help_text="Photos or film will be taken.")
    staff_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendees = models.ManyToManyField("participants.Membership", blank=True, related_name="engagements")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="engagement_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class SchoolTerm(TenantModel):
    """A school term in the partnership's area (a partnership setting): the children's working-hours rules differ
    on school days, in term-time weeks and in the holidays."""

    name = models.CharField(max_length=100, help_text="For example 'Autumn term 2026'.")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="term_dates_ordered")
        ]

    def __str__(self) -> str:
        return self.name


class ChildEmploymentPermit(TenantModel):
    """The local authority's permit for employing a child below school leaving age."""

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="permits")
    reference = models.CharField(max_length=60)
    issued_by = models.CharField(max_length=150, help_text="The local authority that issued it.")
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_on", "-pk"]

    def counts_on(self, day: datetime.date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)
