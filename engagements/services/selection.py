"""Writes for selection: expressions of interest, confirming places (through the gate), the waiting list,
withdrawal and cancellation, fair pick, and the day-before reminders."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from engagements.models import Engagement
from engagements.services.opportunities import CHANGE_ENGAGEMENT, _lock_engagement
from participants.models import Membership, Role, User


@transaction.atomic
def engagement_add_attendee(*, actor: User, engagement_id: int, membership_id: int) -> Engagement:
    """Confirm a young scrutineer for an engagement. Safe to call twice. Nobody is confirmed unless
    safeguarding's can_take_part says yes, and never beyond the number of young people the approved risk
    assessment covers."""
    require(actor, CHANGE_ENGAGEMENT)
    engagement = _lock_engagement(actor, engagement_id)
    require(actor, CHANGE_ENGAGEMENT, engagement)
    membership = get_object_or_404(
        Membership.objects.select_related("user").filter(partnership=engagement.partnership), pk=membership_id
    )
    if Role.YOUNG_PERSON not in membership.roles or not membership.is_active:
        raise ApplicationError(
            "Only an active young scrutineer can attend an engagement.", extra={"field": "membership_id"}
        )
    if engagement.attendees.filter(pk=membership.pk).exists():
        return engagement
    from safeguarding.services.eligibility import can_take_part

    decision = can_take_part(membership, engagement)
    if not decision.allowed:
        raise ApplicationError(
            f"{membership.user.full_name} cannot take part yet: " + " ".join(decision.reasons),
            extra={"field": "membership_id", "reasons": decision.reasons},
        )
    assessment = getattr(engagement, "risk_assessment", None)
    if assessment is not None and engagement.attendees.count() + 1 > assessment.young_people_count:
        raise ApplicationError(
            f"The risk assessment covers {assessment.young_people_count} young people. Update it (and have it "
            "approved again) before adding more.",
            extra={"field": "membership_id", "reason": "ratio"},
        )
    engagement.attendees.add(membership)
    audit_record(
        actor=actor,
        partnership=engagement.partnership,
        subject=engagement,
        event_type="engagement.attendee_added",
        payload={"membership": membership.pk},
    )
    return engagement
