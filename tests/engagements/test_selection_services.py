"""Selection services: interest, withdrawal, the gate on confirming, the waiting list, decline, cancel, invite."""

import datetime
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import Attendance, Engagement, Interest
from engagements.services.selection import (
    engagement_add_attendee,
    interest_express,
    interest_withdraw,
    place_cancel,
    place_confirm,
    place_decline,
    place_invite,
    place_waitlist,
)
from participants.models import Role, TrainingModule
from safeguarding.models import Consent, ConsentType
from tests.engagements.helpers import approve_risk_assessment, make_eligible, young_person
from tests.factories.engagements import OpportunityFactory

pytestmark = pytest.mark.django_db
Status = Interest.Status


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service and then its on-commit callbacks (the emails), as a real commit would."""

    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER, user__full_name="Wren Worker")


@pytest.fixture
def engagement(partnership, worker):
    engagement = OpportunityFactory(partnership=partnership, places=2, staff_lead=worker)
    approve_risk_assessment(engagement)
    return engagement


def interested(member, engagement, **kwargs):
    """A young person (eligible unless eligible=False) who has said they are interested: (user, interest)."""
    user = young_person(member, engagement, **kwargs)
    return user, interest_express(actor=user, engagement_id=engagement.pk, note="I'd love to.")


def past_place(membership, *, days_ago, hours=2, status=Engagement.Status.COMPLETED, **kwargs):
    starts = timezone.now() - datetime.timedelta(days=days_ago)
    engagement = OpportunityFactory(
        partnership=membership.partnership,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        status=status,
        **kwargs,
    )
    engagement.attendees.add(membership)
    return engagement


# --- Expressing interest ------------------------------------------------------------------------------------------


def test_a_young_person_expresses_interest_with_a_note(member, engagement):
    user = young_person(member, engagement)
    interest = interest_express(actor=user, engagement_id=engagement.pk, note="  I care about this.  ")
    assert interest.status == Status.INTERESTED
    assert interest.note == "I care about this."
    assert interest.membership == user.membership
    assert AuditEvent.objects.filter(event_type="interest.expressed", subject_id=str(interest.pk)).exists()


def test_expressing_interest_again_while_open_changes_nothing(member, engagement):
    user, first = interested(member, engagement)
    again = interest_express(actor=user, engagement_id=engagement.pk, note="Something else")
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.note == "I'd love to."
    assert Interest.objects.filter(engagement=engagement).count() == 1


def test_after_withdrawing_expressing_interest_reopens_it_with_the_new_note(member, engagement):
    user, interest = interested(member, engagement)
    interest_withdraw(actor=user, interest_id=interest.pk, reason="Exams")
    reopened = interest_express(actor=user, engagement_id=engagement.pk, note="Exams moved")
    assert reopened.pk == interest.pk
    reopened.refresh_from_db()
    assert (reopened.status, reopened.note, reopened.reason) == (Status.INTERESTED, "Exams moved", "")


def test_a_long_note_is_refused_with_a_clear_message(member, engagement):
    user = young_person(member, engagement)
    with pytest.raises(ApplicationError) as refused:
        interest_express(actor=user, engagement_id=engagement.pk, note="x" * 1001)
    assert refused.value.extra["field"] == "note"
    assert "1000 characters or fewer" in refused.value.message
    assert not Interest.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"status": Engagement.Status.CANCELLED},
        {"status": Engagement.Status.COMPLETED},
        {"starts_at_offset": -1},
    ],
)
def test_a_closed_opportunity_takes_no_interest(member, engagement, change):
    user = young_person(member, engagement)
    if "status" in change:
        engagement.status = change["status"]
    else:
        engagement.starts_at = timezone.now() - datetime.timedelta(minutes=1)
    engagement.save()
    with pytest.raises(ApplicationError) as refused:
        interest_express(actor=user, engagement_id=engagement.pk)
    assert refused.value.extra["reason"] == "closed"


def test_a_draft_or_another_partnerships_opportunity_is_a_404(member, partnership, other_partnership):
    user = member(Role.YOUNG_PERSON)
    draft = OpportunityFactory(partnership=partnership, status=Engagement.Status.DRAFT)
    theirs = OpportunityFactory(partnership=other_partnership)
    for engagement in (draft, theirs):
        with pytest.raises(Http404):
            interest_express(actor=user, engagement_id=engagement.pk)


def test_staff_cannot_express_interest(worker, engagement):
    with pytest.raises(PermissionDenied):
        interest_express(actor=worker, engagement_id=engagement.pk)


# --- Withdrawing --------------------------------------------------------------------------------------------------


def test_a_young_person_withdraws_their_interest_with_a_reason(member, engagement):
    user, interest = interested(member, engagement)
    interest_withdraw(actor=user, interest_id=interest.pk, reason="Exams that week")
    interest.refresh_from_db()
    assert (interest.status, interest.reason) == (Status.WITHDRAWN, "Exams that week")


def test_nobody_withdraws_someone_elses_interest(member, engagement, other_partnership, worker):
    _, interest = interested(member, engagement)
    classmate = young_person(member, engagement)
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    for who in (classmate, stranger):
        with pytest.raises(Http404):
            interest_withdraw(actor=who, interest_id=interest.pk)
    with pytest.raises(PermissionDenied):
        interest_withdraw(actor=worker, interest_id=interest.pk)
    interest.refresh_from_db()
    assert interest.status == Status.INTERESTED


def test_giving_up_a_place_removes_them_tells_the_staff_lead_and_fills_it_from_the_waiting_list(
    member, engagement, worker, run
):
    leaving, place = interested(member, engagement)
    place_confirm(actor=worker, interest_id=place.pk)
    _, other = interested(member, engagement)
    place_confirm(actor=worker, interest_id=other.pk)
    _not_ready, first_waiting = interested(member, engagement, eligible=False)
    next_user, second_waiting = interested(member, engagement)
    place_waitlist(actor=worker, interest_id=first_waiting.pk)
    place_waitlist(actor=worker, interest_id=second_waiting.pk)
    mail.outbox.clear()

    run(interest_withdraw, actor=leaving, interest_id=place.pk, reason="I am ill")

    assert not engagement.attendees.filter(pk=leaving.membership.pk).exists()
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == Status.WAITING  # cannot take part yet: stays waiting
    assert second_waiting.status == Status.CONFIRMED
    assert second_waiting.decided_by is None  # confirmed by the waiting list, not a person
    assert engagement.attendees.filter(pk=next_user.membership.pk).exists()
    to = {tuple(m.to): m for m in mail.outbox}
    assert "has given up their place" in to[(worker.email,)].body
    assert "I am ill" not in to[(worker.email,)].body  # the young person's reason stays in the system
    assert "A place has come up, and it is yours" in to[(next_user.email,)].body
    event = (
        AuditEvent.objects.filter(event_type="interest.status_changed", subject_id=str(second_waiting.pk))
        .order_by("pk")
        .last()
    )
    assert event.payload["from_waiting_list"] is True and event.actor is None


def test_the_waiting_list_is_first_come_first_served(member, engagement, worker):
    user, place = interested(member, engagement)
    place_confirm(actor=worker, interest_id=place.pk)
    _, full = interested(member, engagement)
    place_confirm(actor=worker, interest_id=full.pk)
    waiting = [interested(member, engagement)[1] for _ in range(2)]
    for interest in reversed(waiting):  # put on the list in the other order: when they said it is what counts
        place_waitlist(actor=worker, interest_id=interest.pk)
    interest_withdraw(actor=user, interest_id=place.pk)
    statuses = [Interest.objects.get(pk=i.pk).status for i in waiting]
    assert statuses == [Status.CONFIRMED, Status.WAITING]


def test_a_waiting_person_who_would_pass_the_load_limit_stays_waiting(member, engagement, worker, partnership):
    partnership.load_limit_engagements = 1
    partnership.save()
    user, place = interested(member, engagement)
    place_confirm(actor=worker, interest_id=place.pk)
    _, other = interested(member, engagement)
    place_confirm(actor=worker, interest_id=other.pk)
    busy_user, busy = interested(member, engagement)
    past_place(busy_user.membership, days_ago=10)
    place_waitlist(actor=worker, interest_id=busy.pk)
    interest_withdraw(actor=user, interest_id=place.pk)
    busy.refresh_from_db()
    assert busy.status == Status.WAITING
    assert engagement.attendees.count() == 1


def test_a_place_cannot_be_given_up_once_it_has_started(member, engagement, worker):
    user, place = interested(member, engagement)
    place_confirm(actor=worker, interest_id=place.pk)
    Engagement.objects.filter(pk=engagement.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    with pytest.raises(ApplicationError) as refused:
        interest_withdraw(actor=user, interest_id=place.pk)
    assert refused.value.extra["reason"] == "started"


# --- The gate -----------------------------------------------------------------------------------------------------


def test_confirming_adds_them_emails_them_the_details_and_records_who_decided(member, partnership, worker, run):
    engagement = OpportunityFactory(
        partnership=partnership,
        is_online=True,
        online_link="https://meet.example/panel",
        content_warning="We will talk about online harm.",
        staff_lead=worker,
    )
    approve_risk_assessment(engagement)
    user, interest = interested(member, engagement)
    run(place_confirm, actor=worker, interest_id=interest.pk)
    interest.refresh_from_db()
    assert interest.status == Status.CONFIRMED
    assert interest.decided_by == worker and interest.decided_at is not None
    assert list(engagement.attendees.all()) == [user.membership]
    (email,) = mail.outbox
    assert email.to == [user.email]
    assert engagement.title in email.body
    assert "https://meet.example/panel" in email.body
    assert "online harm" in email.body
    assert timezone.localtime(engagement.starts_at).strftime("%A %-d %B %Y") in email.body


def test_confirming_twice_changes_nothing(member, engagement, worker):
    _, interest = interested(member, engagement)
    place_confirm(actor=worker, interest_id=interest.pk)
    place_confirm(actor=worker, interest_id=interest.pk)
    assert AuditEvent.objects.filter(event_type="engagement.attendee_added").count() == 1


def test_nobody_is_confirmed_unless_they_can_take_part_and_every_reason_is_given(member, engagement, worker):
    TrainingModule.objects.create(
        partnership=engagement.partnership,
        title="Section 11 explained",
        duration_minutes=60,
        required_for=[engagement.opportunity_type],
    )
    _, interest = interested(member, engagement, eligible=False)
    with pytest.raises(ApplicationError) as refused:
        place_confirm(actor=worker, interest_id=interest.pk)
    reasons = refused.value.extra["reasons"]
    assert refused.value.extra["reason"] == "not_eligible"
    assert any("Section 11 explained" in r for r in reasons)
    assert len(reasons) >= 3  # no date of birth, no consent, the training
    for reason in reasons:
        assert reason.rstrip(".") in refused.value.message
    interest.refresh_from_db()
    assert interest.status == Status.INTERESTED
    assert not engagement.attendees.exists()


def test_the_gates_refusal_is_one_sentence_with_its_reasons_in_a_list(member, engagement, worker):
    user, interest = interested(member, engagement, eligible=False)
    with pytest.raises(ApplicationError) as refused:
        place_confirm(actor=worker, interest_id=interest.pk)
    reasons = refused.value.extra["reasons"]
    assert isinstance(reasons, list) and len(reasons) >= 2
    joined = "; ".join(reason.rstrip(".") for reason in reasons)
    assert refused.value.message == f"{user.full_name} cannot take part yet: {joined}."
    assert ".;" not in refused.value.message


def test_withdrawn_consent_closes_the_gate_at_once(member, engagement, worker):
    _, interest = interested(member, engagement)
    Consent.objects.filter(membership=interest.membership, consent_type=ConsentType.TAKING_PART).update(
        status=Consent.Status.WITHDRAWN, withdrawn_at=timezone.now()
    )
    with pytest.raises(ApplicationError, match="cannot take part yet"):
        place_confirm(actor=worker, interest_id=interest.pk)


def test_never_more_than_the_places(member, engagement, worker):
    for _ in range(2):
        place_confirm(actor=worker, interest_id=interested(member, engagement)[1].pk)
    _, third = interested(member, engagement)
    with pytest.raises(ApplicationError) as refused:
        place_confirm(actor=worker, interest_id=third.pk)
    assert refused.value.extra["reason"] == "full"
    assert "All 2 places are taken" in refused.value.message
    assert engagement.attendees.count() == 2


def test_never_more_than_the_risk_assessment_covers(member, engagement, worker):
    engagement.places = 5
    engagement.save()
    first, second = (interested(member, engagement)[1] for _ in range(2))
    engagement.risk_assessment.young_people_count = 1
    engagement.risk_assessment.save()
    place_confirm(actor=worker, interest_id=first.pk)
    with pytest.raises(ApplicationError) as refused:
        place_confirm(actor=worker, interest_id=second.pk)
    assert refused.value.extra["reason"] == "ratio"


def test_overlapping_places_are_refused_naming_the_other_engagement(member, engagement, worker, partnership):
    user, interest = interested(member, engagement)
    other = OpportunityFactory(
        partnership=partnership,
        title="Deep dive on neglect",
        starts_at=engagement.starts_at + datetime.timedelta(hours=1),
        ends_at=engagement.ends_at + datetime.timedelta(hours=1),
    )
    other.attendees.add(user.membership)
    with pytest.raises(ApplicationError) as refused:
        place_confirm(actor=worker, interest_id=interest.pk)
    assert refused.value.extra["reason"] == "overlap"
    assert refused.value.extra["engagement"] == other.pk
    assert "Deep dive on neglect" in refused.value.message
    other.status = Engagement.Status.CANCELLED  # a cancelled engagement is no clash
    other.save()
    place_confirm(actor=worker, interest_id=interest.pk)


def test_back_to_back_engagements_do_not_overlap(member, engagement, worker, partnership):
    user, interest = interested(member, engagement)
    before = OpportunityFactory(
        partnership=partnership,
        starts_at=engagement.starts_at - datetime.timedelta(hours=2),
        ends_at=engagement.starts_at,
    )
    before.attendees.add(user.membership)
    place_confirm(actor=worker, interest_id=interest.pk)


def test_the_load_warning_must_be_acknowledged_and_the_acknowledgement_is_recorded(
    member, engagement, worker, partnership
):
    partnership.load_limit_engagements = 2
    partnership.save()
    user, interest = interested(member, engagement)
    past_place(user.membership, days_ago=20)
    past_place(user.membership, days_ago=40)
    with pytest.raises(ApplicationError) as refused:
        place_confirm(actor=worker, interest_id=interest.pk)
    assert refused.value.extra["reason"] == "load"
    assert refused.value.extra["field"] == "acknowledge_load"
    assert refused.value.extra["load"]["engagements"] == 3
    assert "3 engagements in the 90 days" in refused.value.message
    place_confirm(actor=worker, interest_id=interest.pk, acknowledge_load=True)
    event = AuditEvent.objects.get(event_type="interest.status_changed", subject_id=str(interest.pk))
    assert event.payload["load_acknowledged"] is True
    assert event.payload["load"]["engagements"] == 3


def test_the_load_counts_hours_and_only_what_they_took_part_in(member, engagement, worker, partnership):
    partnership.load_limit_hours = 5
    partnership.save()
    user, interest = interested(member, engagement)  # the engagement itself is 2 hours
    past_place(user.membership, days_ago=30, hours=3)
    missed = past_place(user.membership, days_ago=50, hours=3)
    Attendance.objects.create(
        partnership=partnership, engagement=missed, membership=user.membership, status=Attendance.Status.ABSENT
    )
    past_place(user.membership, days_ago=100, hours=3)  # outside the 90 days
    place_confirm(actor=worker, interest_id=interest.pk)  # 3 + 2 = 5 hours: at the limit, not over it
    other_user, other = interested(member, engagement)
    past_place(other_user.membership, days_ago=30, hours=3, title="A long one")
    past_place(other_user.membership, days_ago=31, hours=1)
    with pytest.raises(ApplicationError) as refused:
        place_confirm(actor=worker, interest_id=other.pk)
    assert refused.value.extra["reason"] == "load"
    assert "6.0 hours" in refused.value.message


def test_places_already_confirmed_after_it_count_towards_the_load(member, engagement, worker, partnership):
    partnership.load_limit_engagements = 1
    partnership.save()
    user, interest = interested(member, engagement)
    later = OpportunityFactory(
        partnership=partnership,
        starts_at=engagement.starts_at + datetime.timedelta(days=30),
        ends_at=engagement.starts_at + datetime.timedelta(days=30, hours=2),
    )
    later.attendees.add(user.membership)
    with pytest.raises(ApplicationError, match="2 engagements in the 90 days"):
        place_confirm(actor=worker, interest_id=interest.pk)


def test_no_decisions_once_it_has_started_or_is_cancelled(member, engagement, worker):
    _, interest = interested(member, engagement)
    Engagement.objects.filter(pk=engagement.pk).update(status=Engagement.Status.CANCELLED)
    with pytest.raises(ApplicationError, match="cancelled"):
        place_confirm(actor=worker, interest_id=interest.pk)
    Engagement.objects.filter(pk=engagement.pk).update(
        status=Engagement.Status.PUBLISHED, starts_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(ApplicationError, match="already started"):
        place_confirm(actor=worker, interest_id=interest.pk)


def test_a_withdrawn_interest_cannot_be_confirmed(member, engagement, worker):
    user, interest = interested(member, engagement)
    interest_withdraw(actor=user, interest_id=interest.pk)
    with pytest.raises(ApplicationError, match="withdrawn"):
        place_confirm(actor=worker, interest_id=interest.pk)


def test_only_participation_workers_decide_and_only_in_their_partnership(
    member, engagement, other_partnership, partnership
):
    user, interest = interested(member, engagement)
    for role in (Role.SAFEGUARDING_LEAD, Role.FINANCE_OFFICER, Role.PARTNERSHIP_ADMIN):
        with pytest.raises(PermissionDenied):
            place_confirm(actor=member(role), interest_id=interest.pk)
    with pytest.raises(PermissionDenied):
        place_confirm(actor=user, interest_id=interest.pk)
    outsider = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    for service, extra in (
        (place_confirm, {}),
        (place_waitlist, {}),
        (place_decline, {"reason": "No"}),
        (place_cancel, {"reason": "No"}),
    ):
        with pytest.raises(Http404):
            service(actor=outsider, interest_id=interest.pk, **extra)
    with pytest.raises(Http404):
        place_invite(actor=outsider, engagement_id=engagement.pk, membership_id=user.membership.pk)


# --- Waiting list, not selected, cancel ---------------------------------------------------------------------------


def test_not_selected_needs_a_reason_and_sends_a_kind_email(member, engagement, worker, run):
    user, interest = interested(member, engagement)
    with pytest.raises(ApplicationError) as refused:
        place_decline(actor=worker, interest_id=interest.pk, reason="  ")
    assert refused.value.extra["field"] == "reason"
    run(place_decline, actor=worker, interest_id=interest.pk, reason="We chose people who have had fewer turns.")
    interest.refresh_from_db()
    assert (interest.status, interest.decided_by) == (Status.NOT_SELECTED, worker)
    (email,) = mail.outbox
    assert email.to == [user.email]
    assert "fewer turns" in email.body and "other chances" in email.body


def test_a_confirmed_place_is_cancelled_not_declined(member, engagement, worker):
    _, interest = interested(member, engagement)
    place_confirm(actor=worker, interest_id=interest.pk)
    with pytest.raises(ApplicationError, match="cancel a confirmed place instead"):
        place_decline(actor=worker, interest_id=interest.pk, reason="No")


def test_cancelling_a_place_needs_a_reason_emails_them_and_offers_it_to_the_waiting_list(
    member, engagement, worker, run
):
    user, interest = interested(member, engagement)
    place_confirm(actor=worker, interest_id=interest.pk)
    place_confirm(actor=worker, interest_id=interested(member, engagement)[1].pk)
    waiting_user, waiting = interested(member, engagement)
    place_waitlist(actor=worker, interest_id=waiting.pk)
    with pytest.raises(ApplicationError) as refused:
        place_cancel(actor=worker, interest_id=interest.pk, reason="")
    assert refused.value.extra["field"] == "reason"
    mail.outbox.clear()
    run(place_cancel, actor=worker, interest_id=interest.pk, reason="The room is smaller than we thought.")
    interest.refresh_from_db()
    waiting.refresh_from_db()
    assert interest.status == Status.CANCELLED
    assert waiting.status == Status.CONFIRMED
    assert engagement.attendees.filter(pk=waiting_user.membership.pk).exists()
    assert not engagement.attendees.filter(pk=user.membership.pk).exists()
    assert engagement.attendees.count() == 2
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "room is smaller" in bodies[user.email]
    assert "it is yours" in bodies[waiting_user.email]


def test_only_a_confirmed_place_can_be_cancelled(member, engagement, worker):
    _, interest = interested(member, engagement)
    with pytest.raises(ApplicationError, match="nothing to cancel"):
        place_cancel(actor=worker, interest_id=interest.pk, reason="x")


def test_a_waiting_list_email_says_where_they_stand(member, engagement, worker, run):
    _, interest = interested(member, engagement)
    run(place_waitlist, actor=worker, interest_id=interest.pk)
    assert Interest.objects.get(pk=interest.pk).status == Status.WAITING
    assert "waiting list" in mail.outbox[0].body


# --- Invite -------------------------------------------------------------------------------------------------------


def test_a_worker_invites_someone_who_did_not_express_interest(member, engagement, worker, run):
    user = young_person(member, engagement)
    interest = run(place_invite, actor=worker, engagement_id=engagement.pk, membership_id=user.membership.pk)
    assert (interest.status, interest.invited_by, interest.decided_by) == (Status.CONFIRMED, worker, worker)
    assert engagement.attendees.filter(pk=user.membership.pk).exists()
    assert mail.outbox[0].to == [user.email]


def test_an_invitation_the_gate_refuses_leaves_nothing_behind(member, engagement, worker):
    user = young_person(member, engagement, eligible=False)
    with pytest.raises(ApplicationError, match="cannot take part yet"):
        place_invite(actor=worker, engagement_id=engagement.pk, membership_id=user.membership.pk)
    assert not Interest.objects.exists()


def test_an_invitation_goes_through_the_load_warning_too(member, engagement, worker, partnership):
    partnership.load_limit_engagements = 1
    partnership.save()
    user = young_person(member, engagement)
    past_place(user.membership, days_ago=3)
    with pytest.raises(ApplicationError) as refused:
        place_invite(actor=worker, engagement_id=engagement.pk, membership_id=user.membership.pk)
    assert refused.value.extra["reason"] == "load"
    place_invite(actor=worker, engagement_id=engagement.pk, membership_id=user.membership.pk, acknowledge_load=True)


def test_someone_who_withdrew_is_not_invited_over_their_decision(member, engagement, worker):
    user, interest = interested(member, engagement)
    interest_withdraw(actor=user, interest_id=interest.pk)
    with pytest.raises(ApplicationError) as refused:
        place_invite(actor=worker, engagement_id=engagement.pk, membership_id=user.membership.pk)
    assert refused.value.extra["reason"] == "withdrawn"


def test_engagement_add_attendee_goes_through_place_invite(member, engagement, worker):
    user = young_person(member, engagement)
    make_eligible(user.membership, engagement)
    returned = engagement_add_attendee(actor=worker, engagement_id=engagement.pk, membership_id=user.membership.pk)
    assert returned == engagement
    interest = Interest.objects.get(engagement=engagement, membership=user.membership)
    assert (interest.status, interest.invited_by) == (Status.CONFIRMED, worker)


# --- Once attendance marking has opened -----------------------------------------------------------------------------


def _confirmed(member, engagement, worker):
    user, interest = interested(member, engagement)
    place_confirm(actor=worker, interest_id=interest.pk)
    return user, interest


def _starts_in(engagement, minutes):
    starts = timezone.now() + datetime.timedelta(minutes=minutes)
    Engagement.objects.filter(pk=engagement.pk).update(starts_at=starts, ends_at=starts + datetime.timedelta(hours=2))


def test_a_place_cannot_be_given_up_once_attendance_marking_has_opened(member, engagement, worker, run):
    user, place = _confirmed(member, engagement, worker)
    _starts_in(engagement, 59)  # marking opens an hour before the start
    mail.outbox.clear()
    with pytest.raises(ApplicationError) as refused:
        run(interest_withdraw, actor=user, interest_id=place.pk, reason="Running late")
    assert refused.value.extra["reason"] == "marking_open"
    assert "talk to your participation worker" in refused.value.message
    place.refresh_from_db()
    assert place.status == Status.CONFIRMED
    assert engagement.attendees.filter(pk=user.membership.pk).exists()
    assert mail.outbox == []


def test_a_place_can_still_be_given_up_just_before_marking_opens(member, engagement, worker):
    user, place = _confirmed(member, engagement, worker)
    _starts_in(engagement, 62)
    interest_withdraw(actor=user, interest_id=place.pk)
    assert Interest.objects.get(pk=place.pk).status == Status.WITHDRAWN


def test_a_place_cannot_be_given_up_or_cancelled_once_their_attendance_is_recorded(member, engagement, worker):
    user, place = _confirmed(member, engagement, worker)
    Attendance.objects.create(
        partnership=engagement.partnership,
        engagement=engagement,
        membership=user.membership,
        status=Attendance.Status.ABSENT,
    )
    with pytest.raises(ApplicationError) as refused:
        interest_withdraw(actor=user, interest_id=place.pk)
    assert refused.value.extra["reason"] == "marking_open"
    with pytest.raises(ApplicationError) as refused:
        place_cancel(actor=worker, interest_id=place.pk, reason="Not coming")
    assert refused.value.extra["reason"] == "marking_open"
    assert Interest.objects.get(pk=place.pk).status == Status.CONFIRMED


def test_a_worker_cannot_cancel_a_place_once_attendance_marking_has_opened(member, engagement, worker, run):
    user, place = _confirmed(member, engagement, worker)
    _, waiting = interested(member, engagement)
    place_waitlist(actor=worker, interest_id=waiting.pk)
    _starts_in(engagement, 30)
    mail.outbox.clear()
    with pytest.raises(ApplicationError) as refused:
        run(place_cancel, actor=worker, interest_id=place.pk, reason="Not coming")
    assert refused.value.extra["reason"] == "marking_open"
    assert "absent on the attendance sheet" in refused.value.message
    assert Interest.objects.get(pk=place.pk).status == Status.CONFIRMED
    assert Interest.objects.get(pk=waiting.pk).status == Status.WAITING
    assert engagement.attendees.filter(pk=user.membership.pk).exists()
    assert mail.outbox == []


# --- Nothing to withdraw from once cancelled or completed ---------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason", "words"),
    [
        (Engagement.Status.CANCELLED, "cancelled", "has been cancelled"),
        (Engagement.Status.COMPLETED, "completed", "has finished"),
    ],
)
@pytest.mark.parametrize("confirmed", [True, False])
def test_nobody_withdraws_from_a_cancelled_or_completed_engagement(
    member, engagement, worker, run, status, reason, words, confirmed
):
    user, interest = _confirmed(member, engagement, worker) if confirmed else interested(member, engagement)
    Engagement.objects.filter(pk=engagement.pk).update(status=status)
    mail.outbox.clear()
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        run(interest_withdraw, actor=user, interest_id=interest.pk, reason="Changed my mind")
    assert refused.value.extra["reason"] == reason
    assert words in refused.value.message
    interest.refresh_from_db()
    assert interest.status == (Status.CONFIRMED if confirmed else Status.INTERESTED)
    assert engagement.attendees.filter(pk=user.membership.pk).exists() is confirmed
    assert mail.outbox == []
    assert AuditEvent.objects.count() == events


# --- Reasons stay on the interest, out of the audit log -----------------------------------------------------------


def test_a_workers_reasons_for_not_selecting_or_cancelling_are_not_in_the_audit_log(member, engagement, worker):
    _, declined = interested(member, engagement)
    place_decline(actor=worker, interest_id=declined.pk, reason="SECRET-DECLINE: fewer turns for others")
    _, place = _confirmed(member, engagement, worker)
    place_cancel(actor=worker, interest_id=place.pk, reason="SECRET-CANCEL: a worry about their safety")
    payloads = [json.dumps(payload) for payload in AuditEvent.objects.values_list("payload", flat=True)]
    assert not [p for p in payloads if "SECRET-" in p]
    for interest in (declined, place):
        event = (
            AuditEvent.objects.filter(event_type="interest.status_changed", subject_id=str(interest.pk))
            .order_by("pk")
            .last()
        )
        assert event.payload["has_reason"] is True
    assert Interest.objects.get(pk=declined.pk).reason.startswith("SECRET-DECLINE")
    assert Interest.objects.get(pk=place.pk).reason.startswith("SECRET-CANCEL")


# --- Not selected only while open for selection; a fair queue after withdrawing -----------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": Engagement.Status.CANCELLED}, "closed"),
        ({"status": Engagement.Status.COMPLETED}, "closed"),
        ({"starts_at": -1}, "started"),
    ],
)
def test_not_selected_only_while_the_engagement_is_open_for_selection(member, engagement, worker, run, change, reason):
    _, interest = interested(member, engagement)
    if "starts_at" in change:
        _starts_in(engagement, -1)
    else:
        Engagement.objects.filter(pk=engagement.pk).update(**change)
    with pytest.raises(ApplicationError) as refused:
        run(place_decline, actor=worker, interest_id=interest.pk, reason="Not this time")
    assert refused.value.extra["reason"] == reason
    assert Interest.objects.get(pk=interest.pk).status == Status.INTERESTED
    assert mail.outbox == []


def test_saying_interested_again_after_withdrawing_joins_the_back_of_the_queue(member, engagement, worker):
    engagement.places = 1
    engagement.save()
    leaving, place = _confirmed(member, engagement, worker)
    early_user, early = interested(member, engagement)
    _, patient = interested(member, engagement)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Interest.objects.filter(pk=early.pk).update(created_at=an_hour_ago - datetime.timedelta(minutes=10))
    Interest.objects.filter(pk=patient.pk).update(created_at=an_hour_ago)
    interest_withdraw(actor=early_user, interest_id=early.pk)
    again = interest_express(actor=early_user, engagement_id=engagement.pk, note="Back again")
    assert again.pk == early.pk
    again.refresh_from_db()
    assert again.created_at > an_hour_ago  # asked again just now
    place_waitlist(actor=worker, interest_id=early.pk)
    place_waitlist(actor=worker, interest_id=patient.pk)
    interest_withdraw(actor=leaving, interest_id=place.pk)
    assert Interest.objects.get(pk=patient.pk).status == Status.CONFIRMED
    assert Interest.objects.get(pk=early.pk).status == Status.WAITING
