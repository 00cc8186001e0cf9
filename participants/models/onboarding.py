"""The onboarding checklist: what is left before a young person can take part.

Acceptance creates the rows; other apps tick them off through participants.services.onboarding
(consents from safeguarding, training records, payment set-up).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import TenantModel


class OnboardingItem(TenantModel):
    class Kind(models.TextChoices):
        CONSENT = "consent", "Consent"
        SAFEGUARDING = "safeguarding", "Safeguarding"
        TRAINING = "training", "Training"
        PAYMENT = "payment", "Payment"

    class Status(models.TextChoices):
        TO_DO = "to_do", "To do"
        DONE = "done", "Done"
        NOT_NEEDED = "not_needed", "Not needed"

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="onboarding")
    key = models.CharField(max_length=60, help_text="Stable name other apps use, e.g. consent.parent_carer")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(max_length=150)
    hint = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.TO_DO)
    order = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["membership", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["membership", "key"], name="one_item_per_key")]

    def __str__(self) -> str:
        return self.label

    @property
    def is_done(self) -> bool:
        return self.status != self.Status.TO_DO
