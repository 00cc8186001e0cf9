"""Training: modules, sessions, bookings, attendance, completion records and expiry reminders.

Completing a module (by attending a session or a worker recording it) ticks the module's onboarding item
(`onboarding_item_record`). `training_reminders_run` is the scheduled job that emails young people 30 and 7 days
before a record expires; `TrainingReminder`'s unique key makes it safe to run twice.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.tasks import send_email_message
from core.workflows import transition
from engagements.models import OpportunityType
from participants.models import (
    Membership,
    TrainingBooking,
    TrainingModule,
    TrainingRecord,
    TrainingReminder,
    TrainingSession,
    User,
)
from participants.services.onboarding import onboarding_item_record

Attendance = TrainingBooking.Attendance
REMINDER_DAYS: tuple[int, ...] = (30, 7)

# --- Modules -----------------------------------------------------------------------------------------------------

MODULE_FIELDS = {
    "title", "description", "delivery_mode", "duration_minutes", "validity_months", "required_for",
    "onboarding_key", "is_active",
}  # fmt: skip


def _check_module(module: TrainingModule) -> None:
    unknown = [value for value in module.required_for or [] if value not in OpportunityType.values]
    if not isinstance(module.required_for, list) or unknown:
        raise ValidationError({"required_for": "Choose opportunity types from the list."})
    module.required_for = sorted(set(module.required_for))
    if module.validity_months is not None and module.validity_months < 1:
        raise ValidationError({"validity_months": "Validity must be at least 1 month, or empty if it does not expire."})
    if module.required_for and not module.validity_months:
        # Training that people must have to take part has to be refreshed: it cannot count for ever.
        raise ValidationError(
            {"validity_months": "Training that an opportunity type needs must have a validity period, in months."}
        )
    if module.onboarding_key and not module.onboarding_key.startswith("training."):
        raise ValidationError({"onboarding_key": "An onboarding key for training starts with 'training.'."})
    clash = TrainingModule.objects.filter(partnership_id=module.partnership_id, title__iexact=module.title)
    if clash.exclude(pk=module.pk).exists():
        raise ValidationError({"title": "There is already a module with this title."})


@transaction.atomic
def module_create(
    *,
    actor: User,
    title: str,
    duration_minutes: int,
    description: str = "",
    delivery_mode: str = TrainingModule.Mode.IN_PERSON,
    validity_months: int | None = None,
    required_for: Iterable[str] = (),
    onboarding_key: str = "",
    is_active: bool = True,
) -> TrainingModule:
    require(actor, "participants.change_trainingmodule")
    module = TrainingModule(
        partnership=actor.partnership,
        title=title.strip(),
        description=description,
        delivery_mode=delivery_mode,
        duration_minutes=duration_minutes,
        validity_months=validity_months,
        required_for=list(required_for),
        onboarding_key=onboarding_key.strip(),
        is_active=is_active,
    )
    _check_module(module)
    module.full_clean()
    module.save()
    audit_record(actor=actor, partnership=module.partnership, subject=module, event_type="training.module_created")
    return module


@transaction.atomic
def module_update(*, actor: User, module_id: int, **changes: Any) -> TrainingModule:
    require(actor, "participants.change_trainingmodule")
    module = get_object_or_404(
        TrainingModule.objects.select_for_update().filter(partnership=actor.partnership), pk=module_id
    )
    if unknown := set(changes) - MODULE_FIELDS:
        raise ApplicationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(module, name, list(value) if name == "required_for" else value)
    _check_module(module)
    module.full_clean()
    module.save()
    audit_record(
        actor=actor,
        partnership=module.partnership,
        subject=module,
        event_type="training.module_updated",
        payload={"fields": sorted(changes)},
    )
    return module


# --- Sessions and bookings ---------------------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *,
    actor: User,
    module_id: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    location: str,
    places: int = 12,
    trainer: str = "",
) -> TrainingSession:
    require(actor, "participants.change_trainingmodule")
    module = get_object_or_404(TrainingModule.objects.filter(partnership=actor.partnership), pk=module_id)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end time must be after the start time."})
    session = TrainingSession(
        partnership=module.partnership,
        module=module,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        places=places,
        trainer=trainer,
    )
    session.full_clean()
    session.save()
    audit_record(actor=actor, partnership=session.partnership, subject=session, event_type="training.session_created")
    return session


@transaction.atomic
def booking_create(*, actor: User, session_id: int) -> TrainingBooking:
    """A young person books a place on an upcoming session of an active module (or rebooks after cancelling)."""
    require(actor, "participants.book_training")
    session = get_object_or_404(
        TrainingSession.objects.select_for_update().select_related("module").filter(partnership=actor.partnership),
        pk=session_id,
    )
    if not session.module.is_active or session.starts_at <= timezone.now():
        raise ApplicationError("This session can no longer be booked.", extra={"field": "session"})
    membership = actor.membership
    assert membership is not None  # noqa: S101 - require() above needs one
    taken = session.bookings.exclude(status=Attendance.CANCELLED).exclude(membership=membership).count()
    if taken >= session.places:
        raise ApplicationError("This session is full. Choose another date.", extra={"field": "session"})
    booking = TrainingBooking.objects.select_for_update().filter(session=session, membership=membership).first()
    if booking is not None:
        if booking.status == Attendance.CANCELLED:
            transition(booking, to=Attendance.BOOKED, actor=actor)
            return booking
        raise ApplicationError("You have already booked a place on this session.", extra={"field": "session"})
    booking = TrainingBooking(partnership=session.partnership, session=session, membership=membership)
    booking.full_clean()
    booking.save()
    audit_record(actor=actor, partnership=booking.partnership, subject=booking, event_type="training.booked")
    return booking


@transaction.atomic
def booking_cancel(*, actor: User, booking_id: int) -> TrainingBooking:
    require(actor, "participants.book_training")
    booking = get_object_or_404(
        TrainingBooking.objects.select_for_update().filter(partnership=actor.partnership, membership=actor.membership),
        pk=booking_id,
    )
    transition(booking, to=Attendance.CANCELLED, actor=actor)
    return booking


# --- Completion records -----------------------------------------------------------------------------------------


def expiry_for(module: TrainingModule, completed_on: datetime.date) -> datetime.date | None:
    if not module.validity_months:
        return None
    return add_months(completed_on, module.validity_months)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; 31 January + 1 month is the last day of February."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def _make_record(
    *,
    actor: User,
    membership: Membership,
    module: TrainingModule,
    completed_on: datetime.date,
    session: TrainingSession | None,
) -> TrainingRecord:
    record = TrainingRecord(
        partnership=membership.partnership,
        membership=membership,
        module=module,
        session=session,
        completed_on=completed_on,
        expires_on=expiry_for(module, completed_on),
        signed_off_by=actor,
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        partnership=record.partnership,
        subject=record,
        event_type="training.record_created",
        payload={"module": module.title, "completed_on": completed_on.isoformat(), "membership": membership.pk},
    )
    if module.onboarding_key:
        onboarding_item_record(membership=membership, key=module.onboarding_key, by=actor)
    return record


@transaction.atomic
def record_create(
    *,
    actor: User,
    membership_id: int,
    module_id: int,
    completed_on: datetime.date,
    session_id: int | None = None,
    today: datetime.date | None = None,
) -> TrainingRecord:
    """A worker records a completion directly (for training done elsewhere, or a self-paced module)."""
    require(actor, "participants.change_trainingrecord")
    today = today or timezone.localdate()
    membership = get_object_or_404(
        Membership.objects.filter(partnership=actor.partnership, is_young_person=True), pk=membership_id
    )
    module = get_object_or_404(TrainingModule.objects.filter(partnership=actor.partnership), pk=module_id)
    session = None
    if session_id is not None:
        session = get_object_or_404(TrainingSession.objects.filter(partnership=actor.partnership), pk=session_id)
        if session.module_id != module.pk:
            raise ValidationError({"session": "This session is for a different module."})
    if completed_on > today:
        raise ValidationError({"completed_on": "The completion date must be today or in the past."})
    if session is not None and completed_on < timezone.localtime(session.starts_at).date():
        raise ValidationError({"completed_on": "The completion date must be on or after the session date."})
    return _make_record(actor=actor, membership=membership, module=module, completed_on=completed_on, session=session)


@transaction.atomic
def attendance_mark(*, actor: User, session_id: int, marks: Mapping[int, str]) -> list[TrainingBooking]:
    """Mark many bookings at once: {booking id: attended or absent}. Attended makes a completion record dated the
    session day (and ticks onboarding); attended changed to absent removes that session's record. All or nothing."""
    require(actor, "participants.change_trainingrecord")
    session = get_object_or_404(
        TrainingSession.objects.select_related("module", "partnership").filter(partnership=actor.partnership),
        pk=session_id,
    )
    session_day = timezone.localtime(session.starts_at).date()
    if session_day > timezone.localdate():
        raise ApplicationError("Attendance can be marked on or after the day of the session.", extra={"field": "marks"})
    bad = {value for value in marks.values() if value not in (Attendance.ATTENDED, Attendance.ABSENT)}
    if bad:
        raise ApplicationError("Choose attended or did not attend for each person.", extra={"field": "marks"})
    bookings = {
        b.pk: b
        for b in TrainingBooking.objects.select_for_update()
        .select_related("membership__partnership")
        .filter(session=session, pk__in=list(marks))
    }
    if missing := set(marks) - set(bookings):
        raise ApplicationError(
            "Some of these people are not booked on this session.", extra={"field": "marks", "ids": sorted(missing)}
        )
    changed = []
    for booking_id, status in marks.items():
        booking = bookings[booking_id]
        if booking.status == status:
            continue
        transition(booking, to=status, actor=actor)
        if status == Attendance.ATTENDED:
            _make_record(
                actor=actor, membership=booking.membership, module=session.module, completed_on=session_day,
                session=session,
            )  # fmt: skip
        else:
            for record in TrainingRecord.objects.filter(session=session, membership=booking.membership):
                audit_record(
                    actor=actor,
                    partnership=record.partnership,
                    subject=record,
                    event_type="training.record_removed",
                    payload={"reason": "marked as not attending", "module": session.module.title},
                )
                record.delete()
        changed.append(booking)
    return changed


# --- Reminders before expiry ------------------------------------------------------------------------------------


def training_reminders_run(*, today: datetime.date | None = None) -> int:
    """Email each young person 30 and 7 days before a training record expires, once per record and lead time.
    Safe to run twice a day or to miss a day: anything due within the lead time and not yet sent is sent.
    Returns how many reminders were sent. Schedule it daily (see the report in the commit)."""
    today = today or timezone.localdate()
    sent = 0
    for days in sorted(REMINDER_DAYS):
        due = (
            TrainingRecord.objects.filter(
                expires_on__gt=today,
                expires_on__lte=today + datetime.timedelta(days=days),
                membership__status=Membership.Status.ACTIVE,
            )
            .exclude(reminders__days_before__lte=days)
            .select_related("membership__user", "module", "partnership")
        )
        for record in due:
            if _remind(record, days=days, today=today):
                sent += 1
    return sent


@transaction.atomic
def _remind(record: TrainingRecord, *, days: int, today: datetime.date) -> bool:
    try:
        with transaction.atomic():
            TrainingReminder.objects.create(partnership=record.partnership, record=record, days_before=days)
    except IntegrityError:
        return False
    assert record.expires_on is not None  # noqa: S101 - filtered above
    left = (record.expires_on - today).days
    user = record.membership.user
    subject = f"Your {record.module.title} training runs out on {record.expires_on:%-d %B %Y}"
    body = (
        f"Hello {user.full_name},\n\n"
        f"Your {record.module.title} training counts until {record.expires_on:%-d %B %Y} "
        f"({left} day{'s' if left != 1 else ''} from now). "
        "After that you cannot take part in activities that need it.\n\n"
        f"Book a refresher on your training page, or ask your participation worker.\n\n"
        f"{record.partnership.name}"
    )
    transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=[user.email]))
    audit_record(
        actor=None,
        partnership=record.partnership,
        subject=record,
        event_type="training.reminder_sent",
        payload={"days_before": days},
    )
    return True
