"""Care details (access needs, health information, emergency contacts): encrypted at rest, read by the young
person themselves, and by an engagement's staff lead for the people attending it, only from two days before the
engagement to one day after it. Nobody else, and never in exports or emails."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.permissions import require
from core.tenancy import scope
from engagements.models import Engagement
from participants.models import Membership, User, YoungPersonProfile
from safeguarding.selectors.checks import staff_check_current

DAYS_BEFORE = 2
DAYS_AFTER = 1


@dataclass(frozen=True)
class CareDetails:
    membership_id: int
    name: str
    pronouns: str
    access_needs: str
    health_information: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    has_profile: bool

    @property
    def has_emergency_contact(self) -> bool:
        return bool(self.emergency_contact_name and self.emergency_contact_phone)


@dataclass(frozen=True)
class CareSheet:
    engagement: Engagement
    people: list[CareDetails]
    visible_from: datetime.date
    visible_until: datetime.date


def care_window(engagement: Engagement) -> tuple[datetime.date, datetime.date]:
    """The days the staff lead may read the care details: from 2 days before the engagement to 1 day after."""
    first = timezone.localdate(engagement.starts_at) - datetime.timedelta(days=DAYS_BEFORE)
    last = timezone.localdate(engagement.ends_at) + datetime.timedelta(days=DAYS_AFTER)
    return first, last


def _details(membership: Membership, profile: YoungPersonProfile | None) -> CareDetails:
    return CareDetails(
        membership_id=membership.pk,
        name=membership.user.full_name,
        pronouns=profile.pronouns if profile else "",
        access_needs=profile.access_needs if profile else "",
        health_information=profile.health_information if profile else "",
        emergency_contact_name=profile.emergency_contact_name if profile else "",
        emergency_contact_relationship=profile.emergency_contact_relationship if profile else "",
        emergency_contact_phone=profile.emergency_contact_phone if profile else "",
        has_profile=profile is not None,
    )


def care_details_for_engagement(actor: User, engagement_id: int, today: datetime.date) -> CareSheet:
    """The attendees' care details, for the engagement's staff lead, from 2 days before to 1 day after it.
    Anything else (not the staff lead, outside those days, another partnership's engagement) is a 404, so the
    page does not even confirm there is something to see."""
    engagement = get_object_or_404(scope(Engagement.objects.all(), actor), pk=engagement_id)
    if engagement.staff_lead_id is None or engagement.staff_lead_id != actor.pk:
        raise Http404("No care details here.")
    # Checked at the moment of reading: still a worker or safeguarding lead, with a DBS check that counts today.
    if not actor.has_perm("safeguarding.view_care_details", engagement) or actor.membership is None:
        raise Http404("No care details here.")
    if not staff_check_current(actor.membership, today):
        raise Http404("No care details here.")
    first, last = care_window(engagement)
    if not first <= today <= last:
        raise Http404("No care details here.")
    attendees = (
        engagement.attendees.filter(partnership=engagement.partnership, status=Membership.Status.ACTIVE)
        .select_related("user", "profile")
        .order_by("user__full_name", "pk")
    )
    people = [_details(m, getattr(m, "profile", None)) for m in attendees]
    return CareSheet(engagement=engagement, people=people, visible_from=first, visible_until=last)


def care_details_for_self(actor: User) -> YoungPersonProfile | None:
    """The young person's own profile (None if they have none yet)."""
    # There is no "own care details" permission yet; being a young person is what the young person's pages ask.
    require(actor, "participants.view_young_person_home")
    return YoungPersonProfile.objects.filter(membership=actor.membership).first()
