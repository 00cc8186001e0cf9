"""The facts the children's working-hours rules need: school terms and child employment permits (partnership
settings), and working_hours_gaps (for many people at once: working_hours_gaps_many, which safeguarding's
can_take_part_many calls)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping

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
    if the partnership does not employ its young people, or they are past school leaving age). The rule is
    `working_hours_gaps_many`'s, for one person."""
    return working_hours_gaps_many([membership], engagement)[membership.pk]


def working_hours_gaps_many(
    memberships: Iterable[Membership],
    engagement: Engagement,
    *,
    dates_of_birth: Mapping[int, datetime.date | None] | None = None,
) -> dict[int, list[str]]:
    """`working_hours_gaps` for many young people at once, by membership id: four queries however many there are
    (none when the partnership does not employ its young people): their profiles, their other confirmed places
    that week, the partnership's school terms and their permits. Reads the records every time. A caller that has
    just read their profiles passes their dates of birth (None, or missing, for someone without a profile), which
    saves the first query."""
    from engagements.employment_law import Shift, working_hours_problems
    from participants.models import YoungPersonProfile

    people = {membership.pk: membership for membership in memberships}
    if not people or not engagement.partnership.employs_young_people:
        return {pk: [] for pk in people}
    ids = list(people)
    if dates_of_birth is None:
        births = dict(
            YoungPersonProfile.objects.filter(membership_id__in=ids).values_list("membership_id", "date_of_birth")
        )
    else:
        births = {pk: born for pk in ids if (born := dates_of_birth.get(pk)) is not None}

    def local(starts_at: datetime.datetime, ends_at: datetime.datetime) -> Shift:
        start = timezone.localtime(starts_at).replace(tzinfo=None)
        end = timezone.localtime(ends_at).replace(tzinfo=None)
        return Shift(start, end)

    day = timezone.localtime(engagement.starts_at).date()
    monday = day - datetime.timedelta(days=day.weekday())
    others: dict[int, list[Shift]] = defaultdict(list)
    places = (
        Engagement.attendees.through.objects.filter(
            membership_id__in=[pk for pk in ids if pk in births],
            engagement__starts_at__date__gte=monday - datetime.timedelta(days=1),
            engagement__starts_at__date__lte=monday + datetime.timedelta(days=7),
        )
        .exclude(engagement_id=engagement.pk)
        .exclude(engagement__status=Engagement.Status.CANCELLED)
        .values_list("membership_id", "engagement__starts_at", "engagement__ends_at")
    )
    for membership_id, starts_at, ends_at in places:
        others[membership_id].append(local(starts_at, ends_at))
    terms = list(SchoolTerm.objects.filter(partnership=engagement.partnership).values_list("starts_on", "ends_on"))
    permitted = {
        permit.membership_id
        for permit in ChildEmploymentPermit.objects.filter(membership_id__in=list(births))
        if permit.counts_on(day)
    }
    shift = local(engagement.starts_at, engagement.ends_at)
    gaps: dict[int, list[str]] = {}
    for pk in ids:
        born = births.get(pk)
        if born is None:
            gaps[pk] = []  # consent_gaps already says the date of birth is missing
            continue
        gaps[pk] = working_hours_problems(
            date_of_birth=born,
            shift=shift,
            other_shifts=others.get(pk, []),
            terms=terms,
            has_permit=pk in permitted,
        )
    return gaps
