"""Writes for opportunities: create, edit, publish, cancel and complete an engagement; name its staff lead;
the partnership's defaults per type of opportunity.

A member of staff whose enhanced DBS check is lapsed or missing on the engagement's dates cannot be its named
staff lead (safeguarding.selectors.checks.staff_check_current).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from engagements.models import Engagement, OpportunityType
from participants.models import Membership, Role, User
from safeguarding.selectors.checks import staff_check_current

# Creating and staffing an engagement: participation workers and partnership admins (engagements/rules.py).
CHANGE_ENGAGEMENT = "engagements.change_engagement"


def _dates(starts_at: datetime.datetime, ends_at: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    return timezone.localdate(starts_at), timezone.localdate(ends_at)


def _check_staff_lead(
    engagement_partnership_id: int, staff_lead_id: int, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> User:
    """The staff lead must be an active member of staff of the partnership with a check that counts on every
    day of the engagement. Anyone else (including another partnership's people) gets the same refusal."""
    membership = (
        Membership.objects.select_related("user")
        .filter(
            Membership.with_role(Role.PARTICIPATION_WORKER) | Membership.with_role(Role.SAFEGUARDING_LEAD),
            partnership_id=engagement_partnership_id,
            user_id=staff_lead_id,
            status=Membership.Status.ACTIVE,
            user__is_active=True,
        )
        .first()
    )
    if membership is None:
        raise ApplicationError(
            "Choose a participation worker or safeguarding lead in this partnership as the staff lead.",
            extra={"field": "staff_lead"},
        )
    first_day, last_day = _dates(starts_at, ends_at)
    for day in sorted({first_day, last_day}):
        if not staff_check_current(membership, day):
            raise ApplicationError(
                f"{membership.user.full_name} cannot be the staff lead: they have no current enhanced DBS check "
                f"on {day.strftime('%-d %B %Y')}. A safeguarding lead can record their check.",
                extra={"field": "staff_lead", "reason": "check_not_current", "on": day.isoformat()},
            )
    return membership.user


@transaction.atomic
def engagement_create(
    *,
    actor: User,
    title: str,
    opportunity_type: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    location: str = "",
    is_online: bool = False,
    is_filmed: bool = False,
    staff_lead_id: int | None = None,
) -> Engagement:
    require(actor, CHANGE_ENGAGEMENT)
    title = title.strip()
    location = location.strip()
    if not title:
        raise ApplicationError("Enter a title.", extra={"field": "title"})
    if opportunity_type not in OpportunityType.values:
        raise ApplicationError("Choose a type of opportunity.", extra={"field": "opportunity_type"})
    if ends_at <= starts_at:
        raise ApplicationError("The end must be after the start.", extra={"field": "ends_at"})
    if not location and not is_online:
        raise ApplicationError("Enter where it takes place, or say it is online.", extra={"field": "location"})
    partnership = actor.partnership
    staff_lead = _check_staff_lead(partnership.pk, staff_lead_id, starts_at, ends_at) if staff_lead_id else None
    engagement = Engagement(
        partnership=partnership,
        title=title,
        opportunity_type=opportunity_type,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        is_online=is_online,
        is_filmed=is_filmed,
        staff_lead=staff_lead,
    )
    engagement.full_clean()
    engagement.save()
    audit_record(
        actor=actor,
        partnership=partnership,
        subject=engagement,
        event_type="engagement.created",
        payload={"opportunity_type": opportunity_type, "staff_lead": staff_lead.pk if staff_lead else None},
    )
    return engagement


def _lock_engagement(actor: User, engagement_id: int) -> Engagement:
    """Lock the row; another partnership's engagement is a 404, exactly like a missing one."""
    locked = Engagement.objects.select_for_update().filter(partnership=actor.partnership)
    return get_object_or_404(locked, pk=engagement_id)


@transaction.atomic
def engagement_set_staff_lead(*, actor: User, engagement_id: int, staff_lead_id: int | None) -> Engagement:
    """Name (or clear, with None) the staff lead. Refused, naming the field, when their check is not current on
    the engagement's dates."""
    require(actor, CHANGE_ENGAGEMENT)
    engagement = _lock_engagement(actor, engagement_id)
    require(actor, CHANGE_ENGAGEMENT, engagement)
    previous = engagement.staff_lead_id
    staff_lead = (
        _check_staff_lead(engagement.partnership_id, staff_lead_id, engagement.starts_at, engagement.ends_at)
        if staff_lead_id
        else None
    )
    if previous == (staff_lead.pk if staff_lead else None):
        return engagement
    engagement.staff_lead = staff_lead
    engagement.full_clean()
    engagement.save(update_fields=["staff_lead"])
    audit_record(
        actor=actor,
        partnership=engagement.partnership,
        subject=engagement,
        event_type="engagement.staff_lead_changed",
        payload={"from": previous, "to": engagement.staff_lead_id},
    )
    return engagement
