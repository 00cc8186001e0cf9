"""The young person's calendar: the settings page with their secret address, a new address on request, and the
ICS feed itself (no sign-in), parsed with icalendar: which events it holds, how each is marked, and what it
never shows."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from engagements.models import CalendarFeed, Engagement, Interest, OpportunityType
from participants.models import Membership, Role
from tests.engagements.test_opportunities_services import confirm, published, with_check
from tests.factories.engagements import InterestFactory
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db

Status = Engagement.Status


@pytest.fixture
def worker(member):
    return with_check(member(Role.PARTICIPATION_WORKER))


@pytest.fixture
def young(member):
    return member(Role.YOUNG_PERSON)


def feed_url(young):
    from engagements.services.opportunities import calendar_feed_get_or_create

    return f"/calendar/{calendar_feed_get_or_create(actor=young).token}.ics"


def events_in(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def uid(engagement):
    return f"engagement-{engagement.pk}@{engagement.partnership.slug}.young-scrutineers"


# --- The settings page --------------------------------------------------------------------------------------------


def test_the_settings_page_makes_one_secret_address_and_shows_it(young, login):
    client = login(young)
    body = client.get("/calendar/").content.decode()
    feed = CalendarFeed.objects.get()
    assert feed.membership == young.membership
    assert f"http://testserver/calendar/{feed.token}.ics" in body
    assert f"webcal://testserver/calendar/{feed.token}.ics" in body
    assert "iPhone" in body and "Android" in body
    client.get("/calendar/")
    assert CalendarFeed.objects.get().token == feed.token


def test_a_new_address_stops_the_old_one_working(young, login):
    client = login(young)
    client.get("/calendar/")
    old = CalendarFeed.objects.get().token
    response = client.post("/calendar/")
    assert response.status_code == 302
    new = CalendarFeed.objects.get().token
    assert new != old
    anonymous = Client()
    assert anonymous.get(f"/calendar/{old}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{new}.ics").status_code == 200


def test_staff_have_no_calendar_page(worker, login):
    assert login(worker).get("/calendar/").status_code == 403


# --- The feed -----------------------------------------------------------------------------------------------------


def test_the_feed_needs_no_sign_in_and_is_never_cached(young):
    url = feed_url(young)
    response = Client().get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["version"]) == "2.0"


def test_unknown_tokens_and_suspended_young_people_get_a_404(young):
    url = feed_url(young)
    client = Client()
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404
    assert client.get("/calendar/" + "x" * 300 + ".ics").status_code == 404
    Membership.objects.filter(pk=young.membership.pk).update(status=Membership.Status.SUSPENDED)
    assert client.get(url).status_code == 404


def test_a_confirmed_place_is_a_busy_event_in_utc_with_a_stable_uid_and_the_link(young, worker, member, partnership):
    starts = datetime.datetime(
        2031, 6, 10, 16, 30, tzinfo=ZoneInfo("Europe/London")
    )  # 15:30 UTC in British Summer Time
    engagement = published(
        partnership,
        lead=worker,
        title="Focus group: feeling safe online",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        location="Youth centre",
        is_online=True,
        online_link="https://meet.example.org/room-42",
    )
    confirm(engagement, young)
    someone_else = member(Role.YOUNG_PERSON)
    confirm(engagement, someone_else)
    url = feed_url(young)
    first = Client().get(url)
    event = events_in(first)[uid(engagement)]
    assert str(event["summary"]) == "Focus group: feeling safe online"
    assert event.decoded("dtstart") == datetime.datetime(2031, 6, 10, 15, 30, tzinfo=datetime.UTC)
    assert event.decoded("dtend") == datetime.datetime(2031, 6, 10, 17, 30, tzinfo=datetime.UTC)
    assert "https://meet.example.org/room-42" in str(event["location"])
    assert "Youth centre" in str(event["location"])
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["transp"]) == "OPAQUE"
    assert someone_else.full_name not in first.content.decode()
    assert young.full_name not in first.content.decode()  # not even their own name
    assert uid(engagement) in events_in(Client().get(url))  # the same UID next time


def test_interested_and_waiting_ones_are_marked_free_and_without_the_link(young, worker, partnership):
    interested = published(
        partnership, lead=worker, title="Deep dive", is_online=True, online_link="https://meet.example.org/secret"
    )
    waiting = published(partnership, lead=worker, title="Panel")
    InterestFactory(engagement=interested, membership=young.membership, status=Interest.Status.INTERESTED)
    InterestFactory(engagement=waiting, membership=young.membership, status=Interest.Status.WAITING)
    response = Client().get(feed_url(young))
    events = events_in(response)
    for engagement in (interested, waiting):
        event = events[uid(engagement)]
        assert str(event["summary"]).endswith("(you said you are interested)")
        assert str(event["transp"]) == "TRANSPARENT"
        assert str(event["status"]) == "TENTATIVE"
    assert "secret" not in response.content.decode()
    assert "waiting list" in str(events[uid(waiting)]["description"])


def test_cancelled_ones_stay_marked_cancelled_for_30_days(young, worker, partnership):
    recent = published(partnership, lead=worker, title="Cancelled soon")
    confirm(recent, young)
    Engagement.objects.filter(pk=recent.pk).update(status=Status.CANCELLED)
    long_ago = timezone.now() - datetime.timedelta(days=40)
    old = published(partnership, lead=worker, starts_at=long_ago, ends_at=long_ago + datetime.timedelta(hours=2))
    confirm(old, young)
    Engagement.objects.filter(pk=old.pk).update(status=Status.CANCELLED)
    events = events_in(Client().get(feed_url(young)))
    assert str(events[uid(recent)]["status"]) == "CANCELLED"
    assert str(events[uid(recent)]["transp"]) == "TRANSPARENT"
    assert uid(old) not in events


def test_the_feed_leaves_out_what_is_not_theirs(young, worker, member, partnership, other_partnership):
    published(partnership, lead=worker)  # published, but no interest
    EngagementFactory(partnership=partnership)  # draft
    InterestFactory(
        engagement=published(partnership, lead=worker), membership=young.membership, status=Interest.Status.NOT_SELECTED
    )
    long_ago = timezone.now() - datetime.timedelta(days=40)
    InterestFactory(  # withdrawn from, but more than 30 days ago
        engagement=published(
            partnership, lead=worker, starts_at=long_ago, ends_at=long_ago + datetime.timedelta(hours=2)
        ),
        membership=young.membership,
        status=Interest.Status.WITHDRAWN,
    )
    confirm(published(partnership, lead=worker), member(Role.YOUNG_PERSON))  # someone else's place
    published(other_partnership)
    past = timezone.now() - datetime.timedelta(days=5)
    taken_part = published(
        partnership,
        lead=worker,
        status=Status.COMPLETED,
        opportunity_type=OpportunityType.DEEP_DIVE,
        starts_at=past,
        ends_at=past + datetime.timedelta(hours=2),
    )
    confirm(taken_part, young)
    assert list(events_in(Client().get(feed_url(young)))) == [uid(taken_part)]


def test_the_feeds_query_count_does_not_grow(young, worker, partnership):
    url = feed_url(young)
    client = Client()

    def grow(n):
        for number in range(n):
            engagement = published(partnership, lead=worker)
            if number % 2:
                confirm(engagement, young)
            else:
                InterestFactory(engagement=engagement, membership=young.membership)

    grow(3)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(12)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(events_in(response)) == 15
    assert len(large) == len(small)


@pytest.mark.parametrize("status", [Interest.Status.WITHDRAWN, Interest.Status.CANCELLED])
def test_a_place_given_up_or_cancelled_stays_marked_cancelled_for_30_days(young, worker, partnership, status):
    """So a phone that had the event takes it away, rather than keeping a place the young person no longer has."""
    engagement = published(
        partnership, lead=worker, title="Panel", is_online=True, online_link="https://meet.example.org/secret"
    )
    InterestFactory(engagement=engagement, membership=young.membership, status=status)
    just_over = timezone.now() - datetime.timedelta(days=29)
    recent = published(partnership, lead=worker, starts_at=just_over, ends_at=just_over + datetime.timedelta(hours=2))
    InterestFactory(engagement=recent, membership=young.membership, status=status)
    response = Client().get(feed_url(young))
    events = events_in(response)
    assert set(events) == {uid(engagement), uid(recent)}
    event = events[uid(engagement)]
    assert str(event["status"]) == "CANCELLED"
    assert str(event["transp"]) == "TRANSPARENT"
    assert str(event["summary"]) == "Panel"
    assert "no longer in your plans" in str(event["description"])
    assert "secret" not in response.content.decode()


def test_a_place_on_a_draft_they_were_invited_to_is_in_the_feed(young, worker, partnership):
    invited = EngagementFactory(partnership=partnership, staff_lead=worker, title="Invitation only")
    confirm(invited, young)
    EngagementFactory(partnership=partnership, title="Just a plan")  # a draft without them: never
    events = events_in(Client().get(feed_url(young)))
    assert list(events) == [uid(invited)]
    assert str(events[uid(invited)]["status"]) == "CONFIRMED"


def test_the_feed_answers_head_as_well_as_get(young):
    url = feed_url(young)
    response = Client().head(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert Client().post(url).status_code == 405
    assert Client().head("/calendar/not-a-real-token.ics").status_code == 404
