"""Attendance: who may mark it, for whom, from when, and that marking again changes the one mark (audited)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import Attendance, Engagement, WorkLog
from engagements.selectors.attendance import attendance_sheet, engagement_get_for_attendance
from engagements.services.attendance import attendance_mark, attendance_mark_many
from participants.models import Role
from tests.engagements.test_work_logs import confirmed_engagement
from tests.factories.engagements import WorkLogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def young(member):
    return member(Role.YOUNG_PERSON)


def test_a_worker_marks_a_confirmed_young_person_and_marking_again_changes_the_one_mark(worker, young):
    engagement = confirmed_engagement(young.membership)

    attendance_mark(actor=worker, engagement_id=engagement.pk, membership_id=young.membership.pk, status="present")
    attendance_mark(actor=worker, engagement_id=engagement.pk, membership_id=young.membership.pk, status="present")
    mark = attendance_mark(
        actor=worker, engagement_id=engagement.pk, membership_id=young.membership.pk, status="late", note="Bus late"
    )

    assert Attendance.objects.get() == mark
    assert (mark.status, mark.note, mark.recorded_by) == ("late", "Bus late", worker)
    events = AuditEvent.objects.filter(event_type="attendance.marked").order_by("pk")
    assert [(e.payload["from"], e.payload["to"]) for e in events] == [(None, "present"), ("present", "late")]


def test_the_staff_lead_may_mark_even_when_not_a_participation_worker(member, young):
    lead = member(Role.SAFEGUARDING_LEAD)
    engagement = confirmed_engagement(young.membership, staff_lead=lead)
    attendance_mark(actor=lead, engagement_id=engagement.pk, membership_id=young.membership.pk, status="absent")
    assert Attendance.objects.get().status == "absent"


@pytest.mark.parametrize("role", [Role.SAFEGUARDING_LEAD, Role.FINANCE_OFFICER, Role.YOUNG_PERSON])
def test_anyone_else_in_the_partnership_may_not_mark(member, young, role):
    engagement = confirmed_engagement(young.membership)
    with pytest.raises(PermissionDenied):
        attendance_mark(
            actor=member(role), engagement_id=engagement.pk, membership_id=young.membership.pk, status="present"
        )
    assert not Attendance.objects.exists()


def test_another_partnerships_engagement_is_a_404(member, young, other_partnership):
    engagement = confirmed_engagement(young.membership)
    stranger = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    with pytest.raises(Http404):
        attendance_mark(actor=stranger, engagement_id=engagement.pk, membership_id=young.membership.pk, status="late")
    with pytest.raises(Http404):
        engagement_get_for_attendance(stranger, engagement.pk)


def test_only_confirmed_young_people_can_be_marked(worker, young, member):
    engagement = confirmed_engagement(young.membership)
    not_confirmed = member(Role.YOUNG_PERSON)
    with pytest.raises(ApplicationError) as refused:
        attendance_mark(
            actor=worker, engagement_id=engagement.pk, membership_id=not_confirmed.membership.pk, status="present"
        )
    assert refused.value.extra["field"] == "membership"
    assert not Attendance.objects.exists()


def test_marking_opens_an_hour_before_the_start_and_not_before(worker, young):
    soon = timezone.now() + datetime.timedelta(minutes=59)
    later = timezone.now() + datetime.timedelta(minutes=61)
    open_one = confirmed_engagement(young.membership, starts_at=soon)
    future = confirmed_engagement(young.membership, starts_at=later)

    attendance_mark(actor=worker, engagement_id=open_one.pk, membership_id=young.membership.pk, status="present")
    with pytest.raises(ApplicationError) as refused:
        attendance_mark(actor=worker, engagement_id=future.pk, membership_id=young.membership.pk, status="present")

    assert "from an hour before the start" in refused.value.message
    assert list(Attendance.objects.values_list("engagement_id", flat=True)) == [open_one.pk]


def test_a_cancelled_engagement_has_no_attendance_to_mark(worker, young):
    engagement = confirmed_engagement(young.membership)
    Engagement.objects.filter(pk=engagement.pk).update(status=Engagement.Status.CANCELLED)
    with pytest.raises(ApplicationError) as refused:
        attendance_mark(actor=worker, engagement_id=engagement.pk, membership_id=young.membership.pk, status="present")
    assert "cancelled" in refused.value.message


def test_a_mark_that_is_not_one_of_the_four_names_the_field(worker, young):
    engagement = confirmed_engagement(young.membership)
    with pytest.raises(ApplicationError) as refused:
        attendance_mark(actor=worker, engagement_id=engagement.pk, membership_id=young.membership.pk, status="asleep")
    assert refused.value.extra["field"] == "status"


def test_many_marks_are_saved_together_or_not_at_all(worker, member):
    people = [member(Role.YOUNG_PERSON).membership for _ in range(3)]
    engagement = confirmed_engagement(*people)
    outsider = member(Role.YOUNG_PERSON).membership

    with pytest.raises(ApplicationError):
        attendance_mark_many(
            actor=worker,
            engagement_id=engagement.pk,
            marks={people[0].pk: "present", outsider.pk: "present"},
        )
    assert not Attendance.objects.exists()

    attendance_mark_many(
        actor=worker,
        engagement_id=engagement.pk,
        marks={people[0].pk: "present", people[1].pk: "left_early"},
        notes={people[1].pk: "Left at 5pm"},
    )
    sheet = attendance_sheet(worker, engagement)
    assert {row.membership.pk: (row.status, row.note) for row in sheet} == {
        people[0].pk: ("present", ""),
        people[1].pk: ("left_early", "Left at 5pm"),
        people[2].pk: (None, ""),
    }


def test_once_their_time_is_approved_a_person_cannot_be_marked_absent(worker, young):
    engagement = confirmed_engagement(young.membership)
    attendance_mark(actor=worker, engagement_id=engagement.pk, membership_id=young.membership.pk, status="present")
    WorkLogFactory(membership=young.membership, engagement=engagement, status=WorkLog.Status.APPROVED)

    with pytest.raises(ApplicationError) as refused:
        attendance_mark(actor=worker, engagement_id=engagement.pk, membership_id=young.membership.pk, status="absent")

    assert "already approved" in refused.value.message
    assert Attendance.objects.get().status == "present"
    attendance_mark(actor=worker, engagement_id=engagement.pk, membership_id=young.membership.pk, status="late")
