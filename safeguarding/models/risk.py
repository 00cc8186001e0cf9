"""Risk assessments for engagements, from a template per opportunity type, approved by a safeguarding lead."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import TenantModel
from engagements.models import OpportunityType


class RiskAssessmentTemplate(TenantModel):
    opportunity_type = models.CharField(max_length=40, choices=OpportunityType.choices)
    hazards = models.JSONField(default=list, help_text='A list of {"hazard": ..., "control": ...}.')
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "opportunity_type"], name="one_template_per_type")
        ]


class RiskAssessment(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for approval"
        APPROVED = "approved", "Approved"

    class Sensitivity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.APPROVED, Status.DRAFT},
        Status.APPROVED: {Status.DRAFT},
    }

    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="risk_assessment"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    venue = models.TextField(blank=True)
    travel = models.TextField(blank=True)
    online = models.TextField(blank=True, help_text="Online safety, if any of it happens online.")
    topic_sensitivity = models.CharField(max_length=10, choices=Sensitivity.choices, default=Sensitivity.LOW)
    content_warning = models.TextField(blank=True)
    staff_count = models.PositiveIntegerField(default=1)
    young_people_count = models.PositiveIntegerField(default=1)
    lone_working = models.BooleanField(default=False)
    lone_working_plan = models.TextField(blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)


class Hazard(TenantModel):
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="hazards")
    hazard = models.CharField(max_length=300)
    control = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["assessment", "order", "pk"]
