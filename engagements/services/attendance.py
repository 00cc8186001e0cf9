"""Writes for attendance: the staff lead (or a participation worker) marks who came, on the day, from a phone.

The rules:
- Only a participation worker or the engagement's staff lead marks attendance (engagements.mark_attendance).
- Only the young people confirmed for the engagement (Engagement.attendees) can be marked.
- Marking opens an hour before the start (never for a future engagement) and is closed for a cancelled one.
- One mark per person per engagement: marking again changes it (nothing happens when nothing changed), and each
  change is audited with what it was and what it became.
- Once a person's time for the engagement is approved (or claimed for payment), they cannot be marked absent:
  the approval rested on their being there. Their work logs are locked before that is checked (and approval locks
  their attendance row), so an approval and an absence at the same moment cannot both win.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from engagements.models import Attendance, Engagement, WorkLog
from engagements.selectors.attendance import MARK_ATTENDANCE, marking_opens_at
from participants.models import Membership, User

NOTE_MAX = 300
PAID_STATUSES = (WorkLog.Status.APPROVED, WorkLog.Status.CLAIMED)
_CHECKED_RELATIONS = ["partnership", "engagement", "membership", "recorded_by"]


def _lock_engagement(actor: User, engagement_id: int) -> Engagement:
    """Lock the engagement (marks for one engagement are made one at a time); another partnership's is a 404."""
    locked = Engagement.objects.select_for_update().filter(partnership=actor.partnership)
    return get_object_or_404(locked, pk=engagement_id)


def _check_open(engagement: Engagement) -> None:
    if engagement.status == Engagement.Status.CANCELLED:
        raise ApplicationError(
            "This engagement was cancelled, so there is no attendance to mark.", extra={"field": "engagement"}
        )
    opens = marking_opens_at(engagement)
    if timezone.now() < opens:
        when = timezone.localtime(opens).strftime("%-I:%M%p on %-d %B %Y").replace("AM", "am").replace("PM", "pm")
        raise ApplicationError(
            f"Attendance can be marked from an hour before the start: from {when}.",
            extra={"field": "engagement", "opens_at": opens.isoformat()},
        )


def _clean(status: str, note: str, membership_id: int) -> tuple[str, str]:
    if status not in Attendance.Status.values:
        raise ApplicationError(
            "Choose present, late, left early or absent.", extra={"field": "status", "membership": membership_id}
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(
            f"The note must be {NOTE_MAX} characters or fewer.", extra={"field": "note", "membership": membership_id}
        )
    return status, note


def _apply_marks(
    *, actor: User, engagement: Engagement, marks: Mapping[int, str], notes: Mapping[int, str]
) -> list[Attendance]:
    """Validate every mark first, then write the ones that change anything (all or nothing: one transaction)."""
    require(actor, MARK_ATTENDANCE, engagement)
    _check_open(engagement)
    wanted = {int(k): _clean(status, notes.get(k, ""), int(k)) for k, status in marks.items()}
    confirmed: dict[int, Membership] = {
        m.pk: m for m in engagement.attendees.filter(pk__in=list(wanted)).select_related("user")
    }
    for membership_id in wanted:
        if membership_id not in confirmed:
            raise ApplicationError(
                "Only young people confirmed for this engagement can be marked.",
                extra={"field": "membership", "membership": membership_id},
            )
    # Lock their work logs before reading their status (and before their attendance rows: approval locks the log,
    # then the attendance row, and the same order here means neither waits on the other in a circle). An approval
    # at the same moment either finished first (and is seen here) or waits for this mark (and sees it).
    logs = list(
        WorkLog.objects.select_for_update()
        .filter(engagement=engagement, membership_id__in=list(wanted))
        .order_by("pk")
        .only("pk", "membership_id", "status")
    )
    paid = {log.membership_id for log in logs if log.status in PAID_STATUSES}
    existing = {
        a.membership_id: a
        for a in Attendance.objects.select_for_update().filter(engagement=engagement, membership_id__in=list(wanted))
    }
    now = timezone.now()
    saved: list[Attendance] = []
    for membership_id, (status, note) in wanted.items():
        row = existing.get(membership_id)
        before = row.status if row is not None else None
        if row is not None and row.status == status and row.note == note:
            saved.append(row)
            continue
        if membership_id in paid and status not in Attendance.ATTENDED:
            name = confirmed[membership_id].user.full_name
            raise ApplicationError(
                f"{name}'s time for this engagement is already approved, so they cannot be marked absent.",
                extra={"field": "status", "membership": membership_id},
            )
        if row is None:
            row = Attendance(partnership=engagement.partnership, engagement=engagement, membership_id=membership_id)
        row.status = status
        row.note = note
        row.recorded_by = actor
        row.recorded_at = now
        # The related rows were checked above, and the engagement's lock makes the row one per person: clean the rest.
        row.full_clean(exclude=_CHECKED_RELATIONS, validate_constraints=False)
        row.save()
        audit_record(
            actor=actor,
            partnership=engagement.partnership,
            subject=row,
            event_type="attendance.marked",
            payload={
                "engagement": engagement.pk,
                "membership": membership_id,
                "from": before,
                "to": status,
            },
        )
        saved.append(row)
    return saved


@transaction.atomic
def attendance_mark(*, actor: User, engagement_id: int, membership_id: int, status: str, note: str = "") -> Attendance:
    """Mark one confirmed young person present, late, left early or absent (or change their mark)."""
    engagement = _lock_engagement(actor, engagement_id)
    return _apply_marks(actor=actor, engagement=engagement, marks={membership_id: status}, notes={membership_id: note})[
        0
    ]


@transaction.atomic
def attendance_mark_many(
    *,
    actor: User,
    engagement_id: int,
    marks: Mapping[int, str],
    notes: Mapping[int, str] | None = None,
) -> list[Attendance]:
    """The attendance page's one Save: a mark (and a note) for each person chosen; all are saved or none."""
    engagement = _lock_engagement(actor, engagement_id)
    if not marks:
        require(actor, MARK_ATTENDANCE, engagement)
        raise ApplicationError("Choose a mark for at least one young person.", extra={"field": "status"})
    return _apply_marks(actor=actor, engagement=engagement, marks=marks, notes=notes or {})
