"""The support log's services and selectors: who may record and read sessions, notes encrypted at rest and kept
out of the audit log and emails, follow-ups done and reopened, and overdue reminders once a day."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from participants.models import Role, SupportFollowUp, SupportSession
from participants.selectors.support import (
    support_follow_ups_open,
    support_session_get_for_actor,
    support_sessions_for_self,
    support_sessions_visible_to,
)
from participants.services.support import (
    FollowUpInput,
    support_follow_up_add,
    support_follow_up_complete,
    support_follow_up_reminders_run,
    support_follow_up_reopen,
    support_session_create,
)

pytestmark = pytest.mark.django_db

NOTES = "Talked about feeling anxious before the panel interview"
TODAY = timezone.localdate()
Status = SupportFollowUp.Status


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def young(member):
    return member(Role.YOUNG_PERSON)


def record(actor, young, **kwargs):
    values = {
        "actor": actor,
        "membership_id": young.membership.pk,
        "kind": SupportSession.Kind.ONE_TO_ONE,
        "held_on": TODAY,
        "restricted_notes": NOTES,
        "agreed": "Meet again before the next panel",
    }
    values.update(kwargs)
    return support_session_create(**values)


def test_a_worker_records_a_session_with_a_follow_up(worker, young):
    session = record(
        worker, young, follow_ups=[FollowUpInput("Book a quiet room", worker.pk, TODAY + datetime.timedelta(days=7))]
    )
    assert session.staff == worker and session.partnership == young.partnership
    follow_up = session.follow_ups.get()
    assert (follow_up.owner, follow_up.status) == (worker, Status.OPEN)


def test_a_safeguarding_lead_may_record_and_read(member, young):
    lead = member(Role.SAFEGUARDING_LEAD)
    session = record(lead, young)
    assert support_session_get_for_actor(lead, session.pk).restricted_notes == NOTES


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN, Role.YOUNG_PERSON])
def test_other_roles_can_neither_record_nor_read_notes(member, young, worker, role):
    someone = member(role)
    with pytest.raises(PermissionDenied):
        record(someone, young)
    with pytest.raises(PermissionDenied):
        support_sessions_visible_to(someone)
    session = record(worker, young)
    with pytest.raises((PermissionDenied, Http404)):
        support_session_get_for_actor(someone, session.pk)


def test_the_notes_are_encrypted_at_rest(worker, young):
    session = record(worker, young)
    with connection.cursor() as cursor:
        cursor.execute("SELECT restricted_notes FROM participants_supportsession WHERE id = %s", [session.pk])
        (raw,) = cursor.fetchone()
    assert raw and NOTES not in raw and "anxious" not in raw
    assert SupportSession.objects.get(pk=session.pk).restricted_notes == NOTES


def test_the_audit_row_has_no_note_text(worker, young):
    session = record(worker, young)
    event = AuditEvent.objects.get(event_type="supportsession.created", subject_id=str(session.pk))
    assert event.actor == worker
    assert NOTES not in str(event.payload) and "Meet again" not in str(event.payload)


def test_a_session_cannot_be_in_the_future(worker, young):
    with pytest.raises(ValidationError) as caught:
        record(worker, young, held_on=TODAY + datetime.timedelta(days=1))
    assert "held_on" in caught.value.message_dict
    assert not SupportSession.objects.exists()


def test_a_follow_up_owner_must_be_a_worker_or_lead_here(member, worker, young, other_partnership):
    finance = member(Role.FINANCE_OFFICER)
    outsider = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    for owner in (finance, outsider, young):
        with pytest.raises(ValidationError) as caught:
            record(worker, young, follow_ups=[FollowUpInput("Call", owner.pk, TODAY)])
        assert "follow_ups" in caught.value.message_dict
    assert not SupportSession.objects.exists()  # nothing saved half-way


def test_another_partnerships_young_person_is_404(member, worker, other_partnership):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    with pytest.raises(Http404):
        record(worker, stranger)


def test_another_partnerships_session_is_404(member, young, other_partnership):
    their_worker = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    their_young = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    session = record(their_worker, their_young)
    worker = member(Role.PARTICIPATION_WORKER)
    with pytest.raises(Http404):
        support_session_get_for_actor(worker, session.pk)
    assert list(support_sessions_visible_to(worker)) == []


def test_a_follow_up_is_done_then_reopened_with_audit(worker, young):
    session = record(worker, young)
    follow_up = support_follow_up_add(
        actor=worker, session_id=session.pk, description="Send the bus pass", owner_id=worker.pk, due_on=TODAY
    )
    done = support_follow_up_complete(actor=worker, follow_up_id=follow_up.pk)
    assert done.status == Status.DONE and done.done_at is not None
    with pytest.raises(ApplicationError):
        support_follow_up_complete(actor=worker, follow_up_id=follow_up.pk)
    reopened = support_follow_up_reopen(actor=worker, follow_up_id=follow_up.pk)
    assert reopened.status == Status.OPEN and reopened.done_at is None
    moves = AuditEvent.objects.filter(event_type="supportfollowup.status_changed").order_by("pk")
    assert [e.payload["to"] for e in moves] == ["done", "open"]


def test_a_young_person_cannot_mark_a_follow_up_done(worker, young):
    session = record(worker, young, follow_ups=[FollowUpInput("Call", worker.pk, TODAY)])
    with pytest.raises(PermissionDenied):
        support_follow_up_complete(actor=young, follow_up_id=session.follow_ups.get().pk)


def test_open_follow_ups_list_overdue_first(worker, young):
    session = record(worker, young, held_on=TODAY - datetime.timedelta(days=30))
    later = support_follow_up_add(
        actor=worker, session_id=session.pk, description="Later", owner_id=worker.pk, due_on=TODAY
    )
    overdue = support_follow_up_add(
        actor=worker,
        session_id=session.pk,
        description="Overdue",
        owner_id=worker.pk,
        due_on=TODAY - datetime.timedelta(days=2),
    )
    done = support_follow_up_add(
        actor=worker, session_id=session.pk, description="Done", owner_id=worker.pk, due_on=TODAY
    )
    support_follow_up_complete(actor=worker, follow_up_id=done.pk)
    rows = list(support_follow_ups_open(worker))
    assert [f.pk for f in rows] == [overdue.pk, later.pk]
    assert [f.is_overdue for f in rows] == [True, False]


def test_a_young_person_reads_their_own_sessions_without_the_notes(member, worker, young):
    mine = record(worker, young)
    record(worker, member(Role.YOUNG_PERSON))
    sessions = list(support_sessions_for_self(young))
    assert [s.pk for s in sessions] == [mine.pk]
    assert "restricted_notes" in sessions[0].get_deferred_fields()


def test_reminders_email_each_owner_once_a_day_without_notes(
    member, worker, young, mailoutbox, django_capture_on_commit_callbacks
):
    lead = member(Role.SAFEGUARDING_LEAD)
    long_ago = TODAY - datetime.timedelta(days=20)
    record(
        worker,
        young,
        held_on=long_ago,
        follow_ups=[
            FollowUpInput("Ring the college", worker.pk, TODAY - datetime.timedelta(days=3)),
            FollowUpInput("Check the bus pass", worker.pk, TODAY - datetime.timedelta(days=1)),
            FollowUpInput("Not yet due", worker.pk, TODAY),
            FollowUpInput("Lead's task", lead.pk, TODAY - datetime.timedelta(days=1)),
        ],
    )
    finished = record(worker, young, held_on=long_ago, follow_ups=[FollowUpInput("Done", worker.pk, long_ago)])
    support_follow_up_complete(actor=worker, follow_up_id=finished.follow_ups.get().pk)

    with django_capture_on_commit_callbacks(execute=True):
        assert support_follow_up_reminders_run(TODAY) == 2
    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert set(by_recipient) == {worker.email, lead.email}
    body = by_recipient[worker.email].body
    assert "Ring the college" in body and "Check the bus pass" in body
    assert "Not yet due" not in body and "Done" not in body.replace("mark them done", "")
    assert all(NOTES not in m.body and "anxious" not in m.body for m in mailoutbox)

    with django_capture_on_commit_callbacks(execute=True):
        assert support_follow_up_reminders_run(TODAY) == 0  # once per follow-up per day
    assert len(mailoutbox) == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert support_follow_up_reminders_run(TODAY + datetime.timedelta(days=1)) == 2  # and again tomorrow
    assert len(mailoutbox) == 4
