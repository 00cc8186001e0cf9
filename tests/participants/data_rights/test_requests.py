"""Requests: who may make and handle them, the deadline, the workflow, and that every move is audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from participants.models import DataRequest, Role, one_calendar_month_after
from participants.services.data_rights import (
    data_request_complete,
    data_request_make,
    data_request_record,
    data_request_refuse,
    data_request_start,
)

pytestmark = pytest.mark.django_db
Kind, Status = DataRequest.Kind, DataRequest.Status


def test_a_young_person_asks_and_the_deadline_is_one_calendar_month(member, django_capture_on_commit_callbacks):
    young = member(Role.YOUNG_PERSON)
    worker = member(Role.PARTICIPATION_WORKER)
    with django_capture_on_commit_callbacks(execute=True):
        request = data_request_make(actor=young, kind=Kind.ACCESS, details="Everything please")
    assert request.membership == young.membership and request.made_by_self
    assert request.due_on == one_calendar_month_after(timezone.localdate())
    event = AuditEvent.objects.get(event_type="datarequest.received")
    assert event.payload["due_on"] == request.due_on.isoformat()
    from django.core import mail

    assert [m.to for m in mail.outbox] == [[worker.email]]
    assert young.full_name not in mail.outbox[0].body  # staff are told a request came, not whose


def test_staff_record_a_request_received_earlier_and_the_deadline_runs_from_then(member):
    worker = member(Role.PARTICIPATION_WORKER)
    young = member(Role.YOUNG_PERSON)
    request = data_request_record(
        actor=worker, membership_id=young.membership.pk, kind=Kind.ERASURE, received_on=datetime.date(2026, 1, 31)
    )
    assert request.due_on == datetime.date(2026, 2, 28)
    assert request.is_overdue(datetime.date(2026, 3, 1)) and not request.is_overdue(datetime.date(2026, 2, 28))


def test_only_young_people_make_requests_and_only_workers_and_admins_handle_them(member):
    young = member(Role.YOUNG_PERSON)
    for role in (Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD, Role.SCRUTINY_LEAD):
        with pytest.raises(PermissionDenied):
            data_request_record(
                actor=member(role),
                membership_id=young.membership.pk,
                kind=Kind.ACCESS,
                received_on=timezone.localdate(),
            )
    with pytest.raises(PermissionDenied):
        data_request_make(actor=member(Role.PARTICIPATION_WORKER), kind=Kind.ACCESS)


def test_another_partnerships_person_or_request_is_a_404(member, other_partnership):
    worker = member(Role.PARTICIPATION_WORKER)
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    with pytest.raises(Http404):
        data_request_record(
            actor=worker, membership_id=stranger.membership.pk, kind=Kind.ACCESS, received_on=timezone.localdate()
        )
    theirs = data_request_make(actor=stranger, kind=Kind.ACCESS)
    with pytest.raises(Http404):
        data_request_start(actor=worker, request_id=theirs.pk)


def test_one_open_request_of_a_kind_at_a_time(member):
    young = member(Role.YOUNG_PERSON)
    data_request_make(actor=young, kind=Kind.ACCESS)
    with pytest.raises(ApplicationError):
        data_request_make(actor=young, kind=Kind.ACCESS)
    data_request_make(actor=young, kind=Kind.ERASURE)  # another kind is fine


def test_the_workflow_received_in_progress_completed(member, django_capture_on_commit_callbacks):
    young = member(Role.YOUNG_PERSON)
    worker = member(Role.PARTICIPATION_WORKER)
    request = data_request_make(actor=young, kind=Kind.ACCESS)
    with pytest.raises(ApplicationError):
        data_request_complete(actor=worker, request_id=request.pk, note="Sent")  # not started
    data_request_start(actor=worker, request_id=request.pk)
    with pytest.raises(ApplicationError) as error:
        data_request_complete(actor=worker, request_id=request.pk)  # must say what was done
    assert error.value.extra["field"] == "note"
    with django_capture_on_commit_callbacks(execute=True):
        done = data_request_complete(actor=worker, request_id=request.pk, note="Emailed you the file.")
    assert done.status == Status.COMPLETED and done.handled_by == worker and done.completed_at
    moves = AuditEvent.objects.filter(event_type="datarequest.status_changed").order_by("pk")
    assert [(e.payload["from"], e.payload["to"], e.actor_id) for e in moves] == [
        ("received", "in_progress", worker.pk),
        ("in_progress", "completed", worker.pk),
    ]
    from django.core import mail

    assert mail.outbox[-1].to == [young.email] and "Emailed you the file." in mail.outbox[-1].body
    with pytest.raises(ApplicationError):
        data_request_start(actor=worker, request_id=request.pk)  # completed is final


def test_refusal_needs_a_reason_that_the_person_is_told(member, django_capture_on_commit_callbacks):
    young = member(Role.YOUNG_PERSON)
    worker = member(Role.PARTICIPATION_WORKER)
    request = data_request_make(actor=young, kind=Kind.RECTIFICATION)
    with pytest.raises(ApplicationError):
        data_request_refuse(actor=worker, request_id=request.pk, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        data_request_refuse(actor=worker, request_id=request.pk, reason="What we wrote is what you told us.")
    request.refresh_from_db()
    assert request.status == Status.REFUSED
    from django.core import mail

    assert "What we wrote is what you told us." in mail.outbox[-1].body
    assert "ico.org.uk" in mail.outbox[-1].body


def test_the_audit_log_describes_the_events_without_names(member):
    from core.audit import audit_describe

    young = member(Role.YOUNG_PERSON)
    worker = member(Role.PARTICIPATION_WORKER)
    request = data_request_make(actor=young, kind=Kind.ACCESS)
    data_request_start(actor=worker, request_id=request.pk)
    words = [audit_describe(event) for event in AuditEvent.objects.order_by("pk")]
    assert words == [
        f"{young.full_name} recorded a request about someone's information (number {request.pk}).",
        f"{worker.full_name} moved a data request to “In progress” (number {request.pk}).",
    ]
