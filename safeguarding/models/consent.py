"""Consent records, a parent or carer's consent by signed link, and competence (Gillick) judgements."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.fields import EncryptedTextField
from core.models import TenantModel


class ConsentType(models.TextChoices):
    TAKING_PART = "taking_part", "Taking part"
    PARENT_CARER = "parent_carer", "Parent or carer's consent to take part"
    MEDIA = "media", "Photos, film and media"
    DATA_SHARING = "data_sharing", "Sharing data"
    EMERGENCY_MEDICAL = "emergency_medical", "Emergency medical treatment"


class ConsentMethod(models.TextChoices):
    IN_ACCOUNT = "in_account", "Given in their own account"
    SIGNED_LINK = "signed_link", "Signed link"
    PAPER_FORM = "paper_form", "Uploaded paper form"
    VERBAL_WITNESSED = "verbal_witnessed", "Verbal, with a witness"


class Consent(TenantModel):
    """One decision about one kind of consent for one young person. A new decision is a new row; withdrawal is
    a transition of the row it withdraws."""

    class Status(models.TextChoices):
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Status.GIVEN: {Status.WITHDRAWN},
        Status.REFUSED: set(),
        Status.WITHDRAWN: set(),
    }

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="consents")
    consent_type = models.CharField(max_length=30, choices=ConsentType.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    given_by_name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=60, help_text="'Self' for the young person's own consent.")
    method = models.CharField(max_length=30, choices=ConsentMethod.choices)
    witness_name = models.CharField(max_length=150, blank=True)
    document = models.FileField(upload_to="consent-forms/%Y/%m/", blank=True)
    scope = models.TextField(blank=True, help_text="What the consent covers, in plain words.")
    given_at = models.DateTimeField(default=timezone.now)
    age_when_given = models.PositiveIntegerField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-given_at", "-pk"]
        indexes = [
            models.Index(fields=["membership", "consent_type", "status"]),
            # The partnership's consents, newest first, a page at a time (the consents API).
            models.Index(fields=["partnership", "-given_at", "-id"], name="consent_partnership_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_consent_type_display()}: {self.get_status_display()}"


class ConsentRequest(TenantModel):
    """A signed, single-purpose link sent to a parent or carer. Used once; expires."""

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="+")
    consent_type = models.CharField(max_length=30, choices=ConsentType.choices, default=ConsentType.PARENT_CARER)
    parent_name = models.CharField(max_length=150)
    parent_email = models.EmailField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]


class CompetenceAssessment(TenantModel):
    """A named worker's recorded judgement that an under-16 is competent to consent for themselves (Gillick)."""

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="+")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(default=timezone.localdate)
    is_competent = models.BooleanField()
    reasoning = EncryptedTextField()
    review_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
