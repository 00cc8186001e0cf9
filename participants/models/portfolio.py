"""The young person's portfolio: skills (from the partnership's list, confirmed by a worker) and reference letters."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import TenantModel


class Skill(TenantModel):
    """A skill on the partnership's list (for example 'Chairing a meeting', 'Questioning senior leaders')."""

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="one_skill_name")]

    def __str__(self) -> str:
        return self.name


class SkillClaim(TenantModel):
    """A young person says they have shown a skill; a worker confirms it (only confirmed skills count)."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Waiting for a worker"
        CONFIRMED = "confirmed", "Confirmed"
        NOT_CONFIRMED = "not_confirmed", "Not confirmed"

    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Status.CLAIMED: {Status.CONFIRMED, Status.NOT_CONFIRMED},
        Status.NOT_CONFIRMED: {Status.CONFIRMED},
        Status.CONFIRMED: set(),
    }

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="claims")
    example = models.TextField(help_text="When they showed it, in their words.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CLAIMED)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "skill"], name="one_claim_per_skill")]


class ReferenceLetter(TenantModel):
    """A reference letter from confirmed records. Drafted, then signed off by a worker; only signed-off letters can
    be downloaded. The text is kept as signed off, so the letter does not change later."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Waiting for sign-off"
        SIGNED_OFF = "signed_off", "Signed off"

    TRANSITIONS: ClassVar[dict[str, set[str]]] = {Status.DRAFT: {Status.SIGNED_OFF}, Status.SIGNED_OFF: set()}

    membership = models.ForeignKey("participants.Membership", on_delete=models.CASCADE, related_name="references")
    addressed_to = models.CharField(max_length=200, default="To whom it may concern")
    body = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    requested_at = models.DateTimeField(default=timezone.now)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
