"""Wellbeing check-ins, follow-ups for a named worker, debriefs, and their pages."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from participants.models import Membership, Role
from safeguarding.models import FollowUpTask, WellbeingCheckIn
from safeguarding.services.wellbeing import checkin_create, debrief_record, followup_complete
from tests.factories import MembershipFactory
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db

COMMENT = "The bit about county lines brought back stuff from last year."


@pytest.fixture
def young(member):
    return member(Role.YOUNG_PERSON, user__full_name="Yara Young")


@pytest.fixture
def staff_lead(member):
    return member(Role.PARTICIPATION_WORKER, user__full_name="Sam Staff-Lead")


@pytest.fixture
def session(partnership, young, staff_lead):
    """A session that finished an hour ago, led by `staff_lead`, attended by `young`."""
    starts = timezone.now() - datetime.timedelta(hours=3)
    engagement = EngagementFactory(
        partnership=partnership, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), staff_lead=staff_lead
    )
    engagement.attendees.add(young.membership)
    return engagement


@pytest.mark.parametrize(("score", "wants_to_talk"), [(1, False), (2, False), (4, True)])
def test_a_low_score_or_a_request_creates_a_follow_up_for_the_staff_lead_within_24_hours(
    young, staff_lead, session, score, wants_to_talk, django_capture_on_commit_callbacks
):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        checkin = checkin_create(
            actor=young, score=score, wants_to_talk=wants_to_talk, comment=COMMENT, engagement_id=session.pk
        )
    task = FollowUpTask.objects.get(checkin=checkin)
    assert task.assigned_to == staff_lead and task.membership == young.membership
    assert task.status == FollowUpTask.Status.OPEN
    assert before < task.due_at <= timezone.now() + datetime.timedelta(hours=24)
    assert [message.to for message in mail.outbox] == [[staff_lead.email]]
    email = mail.outbox[0]
    assert "county lines" not in email.body and COMMENT not in email.body
    assert young.full_name not in email.body + email.subject
    assert f"/staff/follow-ups/{task.pk}/" in email.body


@pytest.mark.parametrize("score", [3, 4, 5])
def test_an_ok_score_without_a_request_creates_no_follow_up(young, session, score, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        checkin_create(actor=young, score=score, engagement_id=session.pk)
    assert not FollowUpTask.objects.exists()
    assert mail.outbox == []


def test_without_a_session_it_goes_to_the_first_participation_worker_by_name(member, young):
    member(Role.PARTICIPATION_WORKER, user__full_name="Zara Zed")
    alex = member(Role.PARTICIPATION_WORKER, user__full_name="Alex Able")
    member(Role.SAFEGUARDING_LEAD, user__full_name="Aaron Aardvark")
    checkin = checkin_create(actor=young, score=1)
    assert FollowUpTask.objects.get(checkin=checkin).assigned_to == alex


def test_a_staff_lead_who_has_left_is_passed_over(member, young, staff_lead, session):
    Membership.objects.filter(pk=staff_lead.membership.pk).update(status=Membership.Status.SUSPENDED)
    other = member(Role.PARTICIPATION_WORKER, user__full_name="Tom Other")
    checkin = checkin_create(actor=young, score=2, engagement_id=session.pk)
    assert FollowUpTask.objects.get(checkin=checkin).assigned_to == other


def test_the_comment_is_encrypted_in_the_database(young, session):
    checkin = checkin_create(actor=young, score=2, comment=COMMENT, engagement_id=session.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT comment FROM safeguarding_wellbeingcheckin WHERE id = %s", [checkin.pk])
        raw = cursor.fetchone()[0]
    assert "county" not in raw
    assert WellbeingCheckIn.objects.get().comment == COMMENT


def test_a_session_they_did_not_attend_is_refused_naming_the_field(member, partnership, young):
    elsewhere = EngagementFactory(partnership=partnership, starts_at=timezone.now() - datetime.timedelta(hours=3))
    with pytest.raises(ApplicationError) as refused:
        checkin_create(actor=young, score=2, engagement_id=elsewhere.pk)
    assert refused.value.extra["field"] == "engagement_id"
    assert not WellbeingCheckIn.objects.exists()


def test_a_session_that_has_not_started_is_refused(partnership, young):
    later = EngagementFactory(partnership=partnership)
    later.attendees.add(young.membership)
    with pytest.raises(ApplicationError) as refused:
        checkin_create(actor=young, score=2, engagement_id=later.pk)
    assert refused.value.extra["field"] == "engagement_id"


@pytest.mark.parametrize("score", [0, 6])
def test_a_score_outside_1_to_5_is_refused(young, score):
    with pytest.raises(ApplicationError) as refused:
        checkin_create(actor=young, score=score)
    assert refused.value.extra["field"] == "score"


def test_staff_do_not_check_in(staff_lead):
    with pytest.raises(PermissionDenied):
        checkin_create(actor=staff_lead, score=3)


def test_the_audit_rows_hold_nothing_the_young_person_wrote(young, session):
    checkin_create(actor=young, score=1, wants_to_talk=True, comment=COMMENT, engagement_id=session.pk)
    for event in AuditEvent.objects.all():
        assert "county" not in str(event.payload)


# --- Follow-ups -------------------------------------------------------------------------------------------------


def test_marking_done_needs_a_note_which_is_encrypted(young, staff_lead, session):
    task = FollowUpTask.objects.get(checkin=checkin_create(actor=young, score=1, engagement_id=session.pk))
    with pytest.raises(ApplicationError) as refused:
        followup_complete(actor=staff_lead, task_id=task.pk, note=" ")
    assert refused.value.extra["field"] == "note"
    followup_complete(actor=staff_lead, task_id=task.pk, note="Called them; they are OK and have a plan.")
    task.refresh_from_db()
    assert task.status == FollowUpTask.Status.DONE and task.done_at is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM safeguarding_followuptask WHERE id = %s", [task.pk])
        assert "plan" not in cursor.fetchone()[0]
    with pytest.raises(ApplicationError):
        followup_complete(actor=staff_lead, task_id=task.pk, note="Again")


def test_another_partnerships_follow_up_is_404(member, other_partnership, staff_lead):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    task = FollowUpTask.objects.get(checkin=checkin_create(actor=stranger, score=1))
    with pytest.raises(Http404):
        followup_complete(actor=staff_lead, task_id=task.pk, note="x")


def test_a_debrief_is_a_done_follow_up_that_can_be_flagged_sensitive(young, staff_lead, session):
    task = debrief_record(
        actor=staff_lead,
        engagement_id=session.pk,
        membership_id=young.membership.pk,
        note="Disclosed X.",
        sensitive=True,
    )
    assert task.status == FollowUpTask.Status.DONE and task.sensitive and task.assigned_to == staff_lead
    assert session.title in task.reason
    event = AuditEvent.objects.get(event_type="followuptask.debrief_recorded")
    assert event.payload == {"engagement": session.pk, "membership": young.membership.pk, "sensitive": True}


def test_a_debrief_is_only_with_someone_who_attended(member, staff_lead, session):
    other = member(Role.YOUNG_PERSON)
    with pytest.raises(ApplicationError) as refused:
        debrief_record(actor=staff_lead, engagement_id=session.pk, membership_id=other.membership.pk, note="x")
    assert refused.value.extra["field"] == "membership_id"


# --- Pages ------------------------------------------------------------------------------------------------------


def test_the_check_in_page_has_words_and_numbers_and_a_request_to_talk(young, session, login):
    body = login(young).get("/me/check-in/").content.decode()
    for words in ("Really good (5)", "OK (3)", "Really bad (1)", session.title):
        assert words in body
    assert "d like to talk to someone" in body
    assert 'type="radio"' in body


def test_checking_in_on_the_page_says_who_will_get_in_touch(young, session, login):
    response = login(young).post(
        "/me/check-in/", {"engagement_id": session.pk, "score": "2", "comment": "Hard day"}, follow=True
    )
    assert "Sam will get in touch with you" in response.content.decode()
    assert FollowUpTask.objects.exists()


def test_the_check_in_page_names_a_missing_answer(young, login):
    body = login(young).post("/me/check-in/", {"comment": "keep me"}).content.decode()
    assert "Choose how you are feeling" in body and "keep me" in body


def test_the_follow_up_list_puts_overdue_first(member, young, staff_lead, login):
    member(Role.PARTICIPATION_WORKER)
    long_ago = timezone.now() - datetime.timedelta(days=2)
    checkin_create(actor=young, score=2)
    other_young = member(Role.YOUNG_PERSON, user__full_name="Olive Overdue")
    checkin_create(actor=other_young, score=1, now=long_ago)
    body = login(staff_lead).get("/staff/follow-ups/").content.decode()
    assert "Overdue" in body
    assert body.index("Olive Overdue") < body.index("Yara Young")


def test_the_comment_is_for_the_assigned_worker_and_leads_only(member, young, staff_lead, session, login):
    task = FollowUpTask.objects.get(
        checkin=checkin_create(actor=young, score=1, comment=COMMENT, engagement_id=session.pk)
    )
    url = f"/staff/follow-ups/{task.pk}/"
    assert "county lines" in login(staff_lead).get(url).content.decode()
    assert "county lines" in login(member(Role.SAFEGUARDING_LEAD)).get(url).content.decode()
    assert "county lines" not in login(member(Role.PARTICIPATION_WORKER)).get(url).content.decode()


def test_a_sensitive_note_is_hidden_from_other_workers(member, young, staff_lead, session, login):
    task = debrief_record(
        actor=staff_lead,
        engagement_id=session.pk,
        membership_id=young.membership.pk,
        note="Told me about X.",
        sensitive=True,
    )
    url = f"/staff/follow-ups/{task.pk}/"
    assert "Told me about X." in login(staff_lead).get(url).content.decode()
    assert "Told me about X." in login(member(Role.SAFEGUARDING_LEAD)).get(url).content.decode()
    body = login(member(Role.PARTICIPATION_WORKER)).get(url).content.decode()
    assert "Told me about X." not in body and "marked sensitive" in body


def test_marking_done_on_the_page(young, staff_lead, session, login):
    task = FollowUpTask.objects.get(checkin=checkin_create(actor=young, score=1, engagement_id=session.pk))
    url = f"/staff/follow-ups/{task.pk}/"
    client = login(staff_lead)
    assert "There is a problem" in client.post(url, {"note": ""}).content.decode()
    client.post(url, {"note": "Spoke on the phone.", "sensitive": "on"})
    task.refresh_from_db()
    assert task.status == FollowUpTask.Status.DONE and task.sensitive


def test_writing_a_debrief_on_the_page(young, staff_lead, session, login):
    url = f"/staff/engagements/{session.pk}/debrief/"
    client = login(staff_lead)
    assert young.full_name in client.get(url).content.decode()
    client.post(url, {"membership_id": young.membership.pk, "note": "Went well."})
    assert FollowUpTask.objects.get().note == "Went well."


def test_follow_up_pages_of_another_partnership_are_404(member, other_partnership, login):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    task = FollowUpTask.objects.get(checkin=checkin_create(actor=stranger, score=1))
    theirs = EngagementFactory(partnership=other_partnership)
    client = login(member(Role.PARTICIPATION_WORKER))
    assert client.get(f"/staff/follow-ups/{task.pk}/").status_code == 404
    assert client.post(f"/staff/follow-ups/{task.pk}/", {"note": "x"}).status_code == 404
    assert client.get(f"/staff/engagements/{theirs.pk}/debrief/").status_code == 404


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN, Role.YOUNG_PERSON])
def test_other_roles_cannot_see_follow_ups(member, login, role):
    assert login(member(role)).get("/staff/follow-ups/").status_code == 403


def test_young_people_only_check_in_for_themselves(staff_lead, login):
    assert login(staff_lead).get("/me/check-in/").status_code == 403


def test_the_follow_up_list_query_count_does_not_grow(member, partnership, staff_lead, login):
    client = login(staff_lead)

    def grow(n):
        for _ in range(n):
            person = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON]).user
            from core.tenancy import act_in

            act_in(person, partnership)
            engagement = EngagementFactory(
                partnership=partnership, starts_at=timezone.now() - datetime.timedelta(hours=3), staff_lead=staff_lead
            )
            engagement.attendees.add(person.membership)
            checkin_create(actor=person, score=1, engagement_id=engagement.pk)

    grow(5)
    client.get("/staff/follow-ups/")
    with CaptureQueriesContext(connection) as small:
        client.get("/staff/follow-ups/")
    grow(45)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/staff/follow-ups/").status_code == 200
    assert len(large) == len(small)
