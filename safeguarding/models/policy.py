from __future__ import annotations

from django.db import models

from core.models import TenantModel


class SafeguardingPolicy(TenantModel):
    """A partnership's safeguarding settings. One per partnership (created with defaults when first read)."""

    allow_competence_for_parent_consent = models.BooleanField(
        default=False,
        help_text=(
            "Whether a recorded competence (Gillick) judgement by a named worker can stand in for a parent or "
            "carer's consent for an under-16."
        ),
    )
    staff_check_renewal_years = models.PositiveIntegerField(default=3)
    concern_review_age = models.PositiveIntegerField(
        default=25, help_text="Concerns are kept until the young person reaches this age, then listed for review."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership"], name="one_policy_per_partnership")]
