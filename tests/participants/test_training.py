"""Training services and selectors: modules, bookings, attendance, completions, gaps, reminders."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import OpportunityType
from participants.models import OnboardingItem, Role, TrainingBooking, TrainingRecord, TrainingReminder
from participants.selectors.training import CellStatus, cell_for, training_gaps
from participants.services.onboarding import onboarding_create_for
from participants.services.training import (
    attendance_mark,
    booking_create,
    module_create,
    module_update,
    record_create,
    session_create,
    training_reminders_run,
)

pytestmark = pytest.mark.django_db
Attendance = TrainingBooking.Attendance
TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def young(member):
    person = member(Role.YOUNG_PERSON)
    onboarding_create_for(membership=person.membership, under_16=False)
    return person


@pytest.fixture
def module(worker):
    return module_create(
        actor=worker,
        title="Safeguarding basics",
        duration_minutes=90,
        validity_months=24,
        required_for=[OpportunityType.SECTION_11_PANEL],
        onboarding_key="training.safeguarding_basics",
    )


def a_session(worker, module, *, days=-1):
    starts = timezone.now() + datetime.timedelta(days=days)
    return session_create(
        actor=worker, module_id=module.pk, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
        location="Youth centre", places=2,
    )  # fmt: skip


def test_module_create_records_an_audit_row_and_rejects_unknown_opportunity_types(worker, module):
    assert AuditEvent.objects.filter(event_type="training.module_created", subject_id=str(module.pk)).exists()
    with pytest.raises(ValidationError) as error:
        module_create(actor=worker, title="X", duration_minutes=10, required_for=["juggling"])
    assert "required_for" in error.value.message_dict


def test_module_update_changes_validity(worker, module):
    module_update(actor=worker, module_id=module.pk, validity_months=12)
    module.refresh_from_db()
    assert module.validity_months == 12


def test_admins_may_create_modules_but_finance_officers_may_not(member):
    admin = member(Role.PARTNERSHIP_ADMIN)
    assert module_create(actor=admin, title="Confidentiality", duration_minutes=30).pk
    with pytest.raises(PermissionDenied):
        module_create(actor=member(Role.FINANCE_OFFICER), title="Media", duration_minutes=30)


def test_another_partnerships_module_is_404(worker, member, other_partnership):
    stranger = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    theirs = module_create(actor=stranger, title="Theirs", duration_minutes=30)
    with pytest.raises(Http404):
        module_update(actor=worker, module_id=theirs.pk, title="Mine now")
    with pytest.raises(Http404):
        session_create(
            actor=worker, module_id=theirs.pk, starts_at=timezone.now(),
            ends_at=timezone.now() + datetime.timedelta(hours=1), location="x",
        )  # fmt: skip


def test_a_young_person_books_a_place_once_and_a_full_session_is_refused(worker, module, young, member):
    session = a_session(worker, module, days=5)
    booking = booking_create(actor=young, session_id=session.pk)
    assert booking.status == Attendance.BOOKED
    with pytest.raises(ApplicationError, match="already booked"):
        booking_create(actor=young, session_id=session.pk)
    booking_create(actor=member(Role.YOUNG_PERSON), session_id=session.pk)
    with pytest.raises(ApplicationError, match="full"):
        booking_create(actor=member(Role.YOUNG_PERSON), session_id=session.pk)


def test_a_past_session_cannot_be_booked(worker, module, young):
    with pytest.raises(ApplicationError, match="no longer"):
        booking_create(actor=young, session_id=a_session(worker, module, days=-1).pk)


def test_workers_cannot_book(worker, module):
    with pytest.raises(PermissionDenied):
        booking_create(actor=worker, session_id=a_session(worker, module, days=3).pk)


def _booked(session, person):
    return TrainingBooking.objects.create(
        partnership=session.partnership, session=session, membership=person.membership
    )


def test_marking_attended_creates_a_record_and_ticks_onboarding(worker, module, young, member):
    session = a_session(worker, module, days=-1)
    other = member(Role.YOUNG_PERSON)
    first, second = _booked(session, young), _booked(session, other)

    attendance_mark(actor=worker, session_id=session.pk, marks={first.pk: "attended", second.pk: "absent"})

    record = TrainingRecord.objects.get(membership=young.membership)
    day = timezone.localtime(session.starts_at).date()
    assert record.completed_on == day
    assert record.expires_on == day.replace(year=day.year + 2)
    assert record.signed_off_by == worker and record.session == session
    assert not TrainingRecord.objects.filter(membership=other.membership).exists()
    item = OnboardingItem.objects.get(membership=young.membership, key="training.safeguarding_basics")
    assert item.status == OnboardingItem.Status.DONE
    second.refresh_from_db()
    assert second.status == Attendance.ABSENT


def test_attended_changed_to_absent_removes_the_record(worker, module, young):
    session = a_session(worker, module, days=-1)
    booking = _booked(session, young)
    attendance_mark(actor=worker, session_id=session.pk, marks={booking.pk: "attended"})
    attendance_mark(actor=worker, session_id=session.pk, marks={booking.pk: "absent"})
    assert not TrainingRecord.objects.exists()


def test_attendance_is_all_or_nothing(worker, module, young, member):
    session = a_session(worker, module, days=-1)
    booking = _booked(session, young)
    with pytest.raises(ApplicationError):
        attendance_mark(actor=worker, session_id=session.pk, marks={booking.pk: "attended", 999999: "attended"})
    booking.refresh_from_db()
    assert booking.status == Attendance.BOOKED and not TrainingRecord.objects.exists()


def test_only_participation_workers_mark_attendance(worker, module, young, member):
    session = a_session(worker, module, days=-1)
    booking = _booked(session, young)
    for role in (Role.FINANCE_OFFICER, Role.YOUNG_PERSON):
        with pytest.raises(PermissionDenied):
            attendance_mark(actor=member(role), session_id=session.pk, marks={booking.pk: "attended"})


def test_a_completion_date_in_the_future_is_refused_naming_the_field(worker, module, young):
    with pytest.raises(ValidationError) as error:
        record_create(
            actor=worker, membership_id=young.membership.pk, module_id=module.pk,
            completed_on=TODAY + datetime.timedelta(days=1), today=TODAY,
        )  # fmt: skip
    assert "completed_on" in error.value.message_dict
    assert not TrainingRecord.objects.exists()


def test_a_completion_before_the_session_is_refused(worker, module, young):
    session = a_session(worker, module, days=-1)
    day = timezone.localtime(session.starts_at).date()
    with pytest.raises(ValidationError) as error:
        record_create(
            actor=worker, membership_id=young.membership.pk, module_id=module.pk,
            completed_on=day - datetime.timedelta(days=1), session_id=session.pk,
        )  # fmt: skip
    assert "session date" in error.value.message_dict["completed_on"][0]
    assert not TrainingRecord.objects.exists()
    assert not AuditEvent.objects.filter(event_type="training.record_created").exists()


def test_a_direct_completion_sets_expiry_and_ticks_onboarding(worker, module, young):
    record = record_create(
        actor=worker, membership_id=young.membership.pk, module_id=module.pk, completed_on=TODAY, today=TODAY
    )
    assert record.expires_on == datetime.date(2028, 3, 10)
    assert OnboardingItem.objects.get(membership=young.membership, key=module.onboarding_key).is_done


def test_recording_for_another_partnerships_person_is_404(worker, module, member, other_partnership):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    with pytest.raises(Http404):
        record_create(actor=worker, membership_id=stranger.membership.pk, module_id=module.pk, completed_on=TODAY)


def test_expiry_moves_a_person_from_eligible_to_not_eligible(worker, module, young):
    section_11 = OpportunityType.SECTION_11_PANEL
    assert training_gaps(young.membership, section_11, TODAY) == ["Safeguarding basics: not done"]
    record_create(
        actor=worker, membership_id=young.membership.pk, module_id=module.pk,
        completed_on=datetime.date(2024, 3, 3), today=TODAY,
    )  # fmt: skip
    assert training_gaps(young.membership, section_11, datetime.date(2026, 3, 2)) == []
    assert training_gaps(young.membership, section_11, datetime.date(2026, 3, 3)) == [
        "Safeguarding basics: expired on 3 March 2026"
    ]
    assert training_gaps(young.membership, OpportunityType.FOCUS_GROUP, TODAY) == []


def test_matrix_cells_say_done_due_soon_expired_and_missing(worker, module, young):
    assert cell_for([], module, TODAY).status == CellStatus.MISSING
    record = TrainingRecord(module=module, completed_on=TODAY, expires_on=TODAY + datetime.timedelta(days=61))
    assert cell_for([record], module, TODAY).status == CellStatus.DONE
    record.expires_on = TODAY + datetime.timedelta(days=60)
    assert cell_for([record], module, TODAY).status == CellStatus.DUE_SOON
    record.expires_on = TODAY
    assert cell_for([record], module, TODAY).status == CellStatus.EXPIRED


def test_reminders_go_30_and_7_days_before_expiry_once_each(worker, module, young, django_capture_on_commit_callbacks):
    record = record_create(
        actor=worker, membership_id=young.membership.pk, module_id=module.pk,
        completed_on=datetime.date(2024, 3, 10), today=TODAY,
    )  # fmt: skip
    expires = record.expires_on
    assert expires == datetime.date(2026, 3, 10)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert training_reminders_run(today=expires - datetime.timedelta(days=31)) == 0
        assert training_reminders_run(today=expires - datetime.timedelta(days=30)) == 1
        assert training_reminders_run(today=expires - datetime.timedelta(days=29)) == 0
        assert training_reminders_run(today=expires - datetime.timedelta(days=7)) == 1
        assert training_reminders_run(today=expires - datetime.timedelta(days=7)) == 0
    assert len(mail.outbox) == 2
    assert mail.outbox[0].to == [young.email] and "Safeguarding basics" in mail.outbox[0].subject
    assert set(TrainingReminder.objects.values_list("days_before", flat=True)) == {30, 7}


def test_a_module_an_opportunity_type_needs_must_have_a_validity_period(member):
    from django.core.exceptions import ValidationError

    from participants.models import Role, TrainingModule
    from participants.services.training import module_create

    worker = member(Role.PARTICIPATION_WORKER)
    with pytest.raises(ValidationError) as refused:
        module_create(
            actor=worker,
            title="Safeguarding basics",
            delivery_mode="in_person",
            duration_minutes=120,
            validity_months=None,
            required_for=["section_11_panel"],
        )
    assert "validity_months" in refused.value.message_dict
    assert not TrainingModule.objects.exists()
