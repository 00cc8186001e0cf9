"""The facts the children's working-hours rules need: school terms and child employment permits (partnership
settings), and working_hours_gaps, which safeguarding's can_take_part calls."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.permissions import require
from engagements.models import ChildEmploymentPermit, Engagement, SchoolTerm
from participants.models import Membership, User


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
        .exclude(status=Engagement.Status.CANCELLED)
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
