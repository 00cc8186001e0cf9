"""Reads for attendance, scoped to the actor's partnership: another partnership's record is a 404.

The attendance sheet is the engagement's confirmed young people (Engagement.attendees) with their current mark,
read in two queries however many there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.permissions import require
from core.tenancy import scope
from engagements.models import Attendance, Engagement
from participants.models import Membership, User

MARK_ATTENDANCE = "engagements.mark_attendance"
# Attendance can be marked from this long before the start (people arrive early), never for a future engagement.
MARKING_OPENS_BEFORE_START = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class AttendanceRow:
    membership: Membership
    attendance: Attendance | None

    @property
    def status(self) -> str | None:
        return self.attendance.status if self.attendance is not None else None

    @property
    def note(self) -> str:
        return self.attendance.note if self.attendance is not None else ""

    @property
    def is_marked(self) -> bool:
        return self.attendance is not None


def marking_opens_at(engagement: Engagement) -> datetime.datetime:
    return engagement.starts_at - MARKING_OPENS_BEFORE_START


def marking_is_open(engagement: Engagement, now: datetime.datetime | None = None) -> bool:
    """Whether attendance can be marked now: not cancelled, and from an hour before the start."""
    now = now or timezone.now()
    return engagement.status != Engagement.Status.CANCELLED and now >= marking_opens_at(engagement)


def engagement_get_for_attendance(actor: User, engagement_id: int) -> Engagement:
    """The engagement whose attendance the actor may mark: a participation worker, or its staff lead. 404 for
    another partnership's engagement, PermissionDenied for someone of the partnership who may not mark."""
    engagement = get_object_or_404(scope(Engagement.objects.select_related("staff_lead"), actor), pk=engagement_id)
    require(actor, MARK_ATTENDANCE, engagement)
    return engagement


def attendance_sheet(actor: User, engagement: Engagement) -> list[AttendanceRow]:
    """The confirmed young people, by name, each with their current mark (None when not marked yet)."""
    require(actor, MARK_ATTENDANCE, engagement)
    people = list(
        engagement.attendees.filter(partnership_id=engagement.partnership_id)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    marks = {
        a.membership_id: a
        for a in Attendance.objects.filter(engagement=engagement, membership__in=[m.pk for m in people])
    }
    return [AttendanceRow(membership=m, attendance=marks.get(m.pk)) for m in people]


def attended(membership_id: int, engagement_id: int) -> bool:
    """Whether the person is marked present, late or left early (the work-log rules ask this)."""
    return Attendance.objects.filter(
        engagement_id=engagement_id, membership_id=membership_id, status__in=Attendance.ATTENDED
    ).exists()
