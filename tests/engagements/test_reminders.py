"""The day-before reminders: everyone confirmed and the staff lead, once per start time (Europe/London dates)."""

import datetime
import zoneinfo

import pytest
from django.core import mail

from engagements.models import Engagement, Interest
from engagements.services.selection import engagement_reminders_run
from engagements.tasks import send_engagement_reminders
from participants.models import Role
from tests.factories.engagements import InterestFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 7, 1)  # British Summer Time: London is an hour ahead of UTC
Status = Interest.Status


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(today=TODAY):
        with django_capture_on_commit_callbacks(execute=True):
            return engagement_reminders_run(today)

    return call


@pytest.fixture
def lead(member):
    return member(Role.PARTICIPATION_WORKER, user__full_name="Lee Lead")


def engagement_at(partnership, lead, starts_at, **kwargs):
    engagement = OpportunityFactory(
        partnership=partnership, staff_lead=lead, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=2)
    )
    for field, value in kwargs.items():
        setattr(engagement, field, value)
    engagement.save()
    return engagement


def confirmed(engagement, n=1):
    people = []
    for _ in range(n):
        interest = InterestFactory(engagement=engagement, status=Status.CONFIRMED)
        engagement.attendees.add(interest.membership)
        people.append(interest)
    return people


def test_everyone_confirmed_and_the_staff_lead_are_reminded_once(partnership, lead, run):
    engagement = engagement_at(partnership, lead, at(TODAY + datetime.timedelta(days=1), 16, 30))
    places = confirmed(engagement, 2)
    InterestFactory(engagement=engagement)  # only interested: no reminder
    assert run() == 3
    assert run() == 0
    assert len(mail.outbox) == 3
    recipients = sorted(address for email in mail.outbox for address in email.to)
    assert recipients == sorted([lead.email, *(p.membership.user.email for p in places)])
    to_young = next(e for e in mail.outbox if e.to == [places[0].membership.user.email])
    assert "Thursday 2 July 2026, 4:30pm to 6:30pm" in to_young.body
    to_lead = next(e for e in mail.outbox if e.to == [lead.email])
    assert "Confirmed young people (2)" in to_lead.body
    for interest in places:
        interest.refresh_from_db()
        assert interest.reminded_for == engagement.starts_at


def test_someone_confirmed_after_the_first_run_is_reminded_on_the_next_and_the_lead_is_not_again(
    partnership, lead, run
):
    engagement = engagement_at(partnership, lead, at(TODAY + datetime.timedelta(days=1), 10))
    confirmed(engagement)
    assert run() == 2
    (late,) = confirmed(engagement)
    mail.outbox.clear()
    assert run() == 1
    assert [e.to for e in mail.outbox] == [[late.membership.user.email]]


def test_a_moved_engagement_is_reminded_again(partnership, lead, run):
    engagement = engagement_at(partnership, lead, at(TODAY + datetime.timedelta(days=1), 10))
    confirmed(engagement, 2)
    assert run() == 3
    Engagement.objects.filter(pk=engagement.pk).update(
        starts_at=at(TODAY + datetime.timedelta(days=1), 14), ends_at=at(TODAY + datetime.timedelta(days=1), 16)
    )
    assert run() == 3
    assert run() == 0


def test_tomorrow_is_the_london_date(partnership, lead, run):
    just_after_midnight = engagement_at(partnership, lead, at(TODAY + datetime.timedelta(days=1), 0, 30))
    late_tonight = engagement_at(partnership, lead, at(TODAY, 23, 30))
    day_after = engagement_at(partnership, lead, at(TODAY + datetime.timedelta(days=2), 0, 30))
    for engagement in (just_after_midnight, late_tonight, day_after):
        confirmed(engagement)
    assert run() == 2
    reminded = set(Interest.objects.filter(reminded_for__isnull=False).values_list("engagement_id", flat=True))
    assert reminded == {just_after_midnight.pk}


@pytest.mark.parametrize("status", [Engagement.Status.CANCELLED, Engagement.Status.COMPLETED])
def test_cancelled_and_completed_engagements_are_not_reminded(partnership, lead, run, status):
    engagement = engagement_at(partnership, lead, at(TODAY + datetime.timedelta(days=1), 10), status=status)
    confirmed(engagement)
    assert run() == 0
    assert mail.outbox == []


def test_a_draft_with_confirmed_places_is_reminded_like_a_published_one(partnership, lead, run):
    """A worker can invite young people before publishing (invitation-only engagements): they are reminded too."""
    engagement = engagement_at(
        partnership, lead, at(TODAY + datetime.timedelta(days=1), 10), status=Engagement.Status.DRAFT
    )
    (place,) = confirmed(engagement)
    assert run() == 2
    assert sorted(address for email in mail.outbox for address in email.to) == sorted(
        [lead.email, place.membership.user.email]
    )
    assert run() == 0


def test_a_draft_nobody_holds_a_place_on_is_not_reminded(partnership, lead, run):
    engagement = engagement_at(
        partnership, lead, at(TODAY + datetime.timedelta(days=1), 10), status=Engagement.Status.DRAFT
    )
    InterestFactory(engagement=engagement, status=Status.CANCELLED)
    assert run() == 0
    assert mail.outbox == []


def test_withdrawn_and_cancelled_places_are_not_reminded(partnership, lead, run):
    engagement = engagement_at(partnership, lead, at(TODAY + datetime.timedelta(days=1), 10))
    for status in (Status.WITHDRAWN, Status.CANCELLED, Status.WAITING):
        InterestFactory(engagement=engagement, status=status)
    assert run() == 1  # the staff lead only: "nobody is confirmed yet"
    assert "Nobody is confirmed yet" in mail.outbox[0].body


def test_the_beat_task_has_the_scheduled_name_and_runs_the_service(partnership, lead, settings):
    from django.conf import settings as django_settings

    assert send_engagement_reminders.name == "engagements.send_engagement_reminders"
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert send_engagement_reminders.name in scheduled
    assert send_engagement_reminders.apply().get() == 0
