"""A withdrawn consent takes effect on places: each confirmed place on an engagement that has not started is checked
again with can_take_part in the withdrawal's transaction, and one the young person can no longer take is cancelled,
offered to the waiting list and never reminded of. Emails say only that a consent was withdrawn."""

import datetime
import json

import pytest
from django.core import mail
from django.utils import timezone

from core.models import AuditEvent
from engagements.models import Engagement, Interest, OpportunityType
from engagements.services.selection import (
    engagement_reminders_run,
    interest_express,
    place_confirm,
    place_waitlist,
)
from participants.models import Role
from safeguarding.models import Consent, ConsentType
from safeguarding.services.consent import WITHDRAW, consent_token_make, consent_withdraw, consent_withdraw_by_link
from tests.engagements.helpers import PARENT, approve_risk_assessment, give_profile, make_eligible, young_person
from tests.factories.engagements import OpportunityFactory
from tests.factories.safeguarding import ConsentFactory

pytestmark = pytest.mark.django_db
Status = Interest.Status


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER, user__full_name="Wren Worker")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service and then its on-commit callbacks (the emails), as a real commit would."""

    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call


def tomorrow_at_ten() -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=timezone.get_default_timezone())


def opportunity(partnership, worker, **kwargs):
    starts = kwargs.pop("starts_at", tomorrow_at_ten())
    engagement = OpportunityFactory(
        partnership=partnership,
        staff_lead=worker,
        places=1,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        opportunity_type=OpportunityType.FOCUS_GROUP,
        **kwargs,
    )
    approve_risk_assessment(engagement)
    return engagement


def confirmed_place(member, engagement, worker, **kwargs):
    user = young_person(member, engagement, **kwargs)
    interest = interest_express(actor=user, engagement_id=engagement.pk)
    place_confirm(actor=worker, interest_id=interest.pk)
    return user, interest


def own_consent(user, kind):
    return Consent.objects.get(membership=user.membership, consent_type=kind, status=Consent.Status.GIVEN)


def test_withdrawing_consent_to_take_part_cancels_the_place_and_no_reminder_is_sent(member, partnership, worker, run):
    engagement = opportunity(partnership, worker)
    user, place = confirmed_place(member, engagement, worker, user__full_name="Robin Example")
    mail.outbox.clear()

    run(
        consent_withdraw,
        actor=user,
        consent_id=own_consent(user, ConsentType.TAKING_PART).pk,
        reason="PRIVATE: things at home",
    )

    place.refresh_from_db()
    assert (place.status, place.reason, place.decided_by) == (Status.CANCELLED, "Consent withdrawn", None)
    assert not engagement.attendees.filter(pk=user.membership.pk).exists()
    bodies = {message.to[0]: message for message in mail.outbox}
    to_young = bodies[user.email]
    assert "has been cancelled" in to_young.body and "not done anything wrong" in to_young.body
    to_lead = bodies[worker.email]
    assert "Robin Example" in to_lead.body and "a consent was withdrawn" in to_lead.body
    for message in (to_young, to_lead):
        assert "PRIVATE" not in message.body
        assert "take part" not in message.subject.lower()
    assert "taking part" not in to_lead.body.lower()  # which consent is not said
    payloads = json.dumps(list(AuditEvent.objects.values_list("payload", flat=True)))
    assert "PRIVATE" not in payloads

    mail.outbox.clear()
    assert run(engagement_reminders_run, today=timezone.localdate()) == 1
    assert [message.to for message in mail.outbox] == [[worker.email]]  # only the staff lead
    assert "Nobody is confirmed yet" in mail.outbox[0].body


def test_the_freed_place_goes_to_the_waiting_list(member, partnership, worker, run):
    engagement = opportunity(partnership, worker)
    user, _place = confirmed_place(member, engagement, worker)
    next_user = young_person(member, engagement)
    waiting = interest_express(actor=next_user, engagement_id=engagement.pk)
    place_waitlist(actor=worker, interest_id=waiting.pk)
    mail.outbox.clear()

    run(consent_withdraw, actor=user, consent_id=own_consent(user, ConsentType.EMERGENCY_MEDICAL).pk)

    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert list(engagement.attendees.all()) == [next_user.membership]
    assert any(m.to == [next_user.email] and "it is yours" in m.body for m in mail.outbox)


def test_a_place_they_can_still_take_is_kept(member, partnership, worker, run):
    """Emergency medical consent is only needed in person: an online place stays."""
    engagement = opportunity(
        partnership, worker, is_online=True, online_link="https://meet.example.org/room", location=""
    )
    user, place = confirmed_place(member, engagement, worker)
    mail.outbox.clear()
    run(consent_withdraw, actor=user, consent_id=own_consent(user, ConsentType.EMERGENCY_MEDICAL).pk)
    place.refresh_from_db()
    assert place.status == Status.CONFIRMED
    assert engagement.attendees.filter(pk=user.membership.pk).exists()
    assert mail.outbox == []


def test_media_consent_withdrawn_cancels_a_place_on_a_filmed_engagement_only(member, partnership, worker, run):
    filmed = opportunity(partnership, worker, is_filmed=True)
    not_filmed = opportunity(partnership, worker, starts_at=tomorrow_at_ten() + datetime.timedelta(days=3))
    user, filmed_place = confirmed_place(member, filmed, worker)
    plain_place = interest_express(actor=user, engagement_id=not_filmed.pk)
    place_confirm(actor=worker, interest_id=plain_place.pk)
    run(consent_withdraw, actor=user, consent_id=own_consent(user, ConsentType.MEDIA).pk)
    assert Interest.objects.get(pk=filmed_place.pk).status == Status.CANCELLED
    assert Interest.objects.get(pk=plain_place.pk).status == Status.CONFIRMED


def test_a_parent_withdrawing_by_their_link_cancels_an_under_16s_place(member, partnership, worker, run):
    engagement = opportunity(partnership, worker)
    user = member(Role.YOUNG_PERSON)
    give_profile(user.membership, years=14)
    make_eligible(user.membership, engagement)  # under 16: with a parent's consent
    place = interest_express(actor=user, engagement_id=engagement.pk)
    place_confirm(actor=worker, interest_id=place.pk)
    parent_consent = Consent.objects.get(membership=user.membership, consent_type=ConsentType.PARENT_CARER)
    assert parent_consent.relationship == PARENT["relationship"]

    run(consent_withdraw_by_link, token=consent_token_make(WITHDRAW, parent_consent.pk))

    place.refresh_from_db()
    assert place.status == Status.CANCELLED
    event = (
        AuditEvent.objects.filter(event_type="interest.status_changed", subject_id=str(place.pk)).order_by("pk").last()
    )
    assert event.actor is None and event.payload["because"] == "consent_withdrawn"


@pytest.mark.parametrize("which", ["started", "completed", "cancelled"])
def test_places_on_engagements_that_have_started_or_are_closed_are_left_alone(member, partnership, worker, run, which):
    engagement = opportunity(partnership, worker, starts_at=timezone.now() + datetime.timedelta(days=2))
    user, place = confirmed_place(member, engagement, worker)
    if which == "started":
        Engagement.objects.filter(pk=engagement.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    else:
        Engagement.objects.filter(pk=engagement.pk).update(status=which)
    run(consent_withdraw, actor=user, consent_id=own_consent(user, ConsentType.TAKING_PART).pk)
    place.refresh_from_db()
    assert place.status == Status.CONFIRMED


def test_a_place_on_a_draft_they_were_invited_to_is_cancelled_too(member, partnership, worker, run):
    from engagements.services.selection import place_invite

    engagement = opportunity(partnership, worker, status=Engagement.Status.DRAFT)
    user = young_person(member, engagement)
    place = place_invite(actor=worker, engagement_id=engagement.pk, membership_id=user.membership.pk)
    run(consent_withdraw, actor=worker, consent_id=own_consent(user, ConsentType.TAKING_PART).pk, reason="Asked")
    assert Interest.objects.get(pk=place.pk).status == Status.CANCELLED


def test_withdrawing_a_consent_that_does_not_matter_for_taking_part_changes_no_place(member, partnership, worker, run):
    engagement = opportunity(partnership, worker)
    user, place = confirmed_place(member, engagement, worker)
    sharing = ConsentFactory(
        membership=user.membership,
        consent_type=ConsentType.DATA_SHARING,
        given_at=timezone.now() - datetime.timedelta(days=1),
    )
    run(consent_withdraw, actor=user, consent_id=sharing.pk)
    assert Interest.objects.get(pk=place.pk).status == Status.CONFIRMED
