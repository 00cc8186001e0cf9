"""Writes for the engagement core: create an engagement, name its staff lead, add an attendee.

The engagements issue builds opportunities, selection and attendance around these. The rule that lives here
now: a member of staff whose enhanced DBS check is lapsed or missing on the engagement's dates cannot be its
named staff lead (safeguarding.selectors.checks.staff_check_current).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from engagements.models import ChildEmploymentPermit, Engagement, OpportunityType, SchoolTerm
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


# --- The facts the children's working-hours rules need -----------------------------------------------------------


@transaction.atomic
def school_term_add(*, actor: User, name: str, starts_on: datetime.date, ends_on: datetime.date) -> SchoolTerm:
    """A partnership setting: a school term in its area."""
    require(actor, "engagements.change_schoolterm")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The last day of term must be on or after the first day."})
    overlapping = SchoolTerm.objects.filter(
        partnership=actor.partnership, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if overlapping is not None:
        raise ValidationError({"starts_on": f"These dates overlap {overlapping.name}."})
    term = SchoolTerm(partnership=actor.partnership, name=name.strip(), starts_on=starts_on, ends_on=ends_on)
    term.full_clean()
    term.save()
    audit_record(actor=actor, partnership=term.partnership, subject=term, event_type="schoolterm.added")
    return term


@transaction.atomic
def permit_record(
    *,
    actor: User,
    membership_id: int,
    reference: str,
    issued_by: str,
    issued_on: datetime.date,
    expires_on: datetime.date | None = None,
) -> ChildEmploymentPermit:
    """Record the local authority's child employment permit for a young person."""
    require(actor, "engagements.record_permit")
    membership = get_object_or_404(
        Membership.objects.filter(partnership=actor.partnership, is_young_person=True), pk=membership_id
    )
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": "The permit's issue date cannot be in the future."})
    if expires_on is not None and expires_on < issued_on:
        raise ValidationError({"expires_on": "The permit cannot expire before it was issued."})
    permit = ChildEmploymentPermit(
        partnership=membership.partnership,
        membership=membership,
        reference=reference.strip(),
        issued_by=issued_by.strip(),
        issued_on=issued_on,
        expires_on=expires_on,
        recorded_by=actor,
    )
    permit.full_clean()
    permit.save()
    audit_record(actor=actor, partnership=permit.partnership, subject=permit, event_type="permit.recorded")
    return permit


def working_hours_gaps(membership: Membership, engagement: Engagement) -> list[str]:
    """The children's working-hours reasons an engagement cannot go ahead for this young person ([] if none, or
    if the partnership does not employ its young people, or they are past school leaving age)."""
    from engagements.employment_law import Shift, working_hours_problems
    from participants.models import YoungPersonProfile

    if not engagement.partnership.employs_young_people:
        return []
    profile = YoungPersonProfile.objects.filter(membership=membership).first()
    if profile is None:
        return []  # consent_gaps already says the date of birth is missing

    def local(shift_engagement: Engagement) -> Shift:
        start = timezone.localtime(shift_engagement.starts_at).replace(tzinfo=None)
        end = timezone.localtime(shift_engagement.ends_at).replace(tzinfo=None)
        return Shift(start, end)

    day = timezone.localtime(engagement.starts_at).date()
    monday = day - datetime.timedelta(days=day.weekday())
    others = (
        Engagement.objects.filter(attendees=membership, starts_at__date__gte=monday - datetime.timedelta(days=1))
        .filter(starts_at__date__lte=monday + datetime.timedelta(days=7))
        .exclude(pk=engagement.pk)
    )
    terms = list(SchoolTerm.objects.filter(partnership=engagement.partnership).values_list("starts_on", "ends_on"))
    has_permit = any(permit.counts_on(day) for permit in ChildEmploymentPermit.objects.filter(membership=membership))
    return working_hours_problems(
        date_of_birth=profile.date_of_birth,
        shift=local(engagement),
        other_shifts=[local(other) for other in others],
        terms=terms,
        has_permit=has_permit,
    )
