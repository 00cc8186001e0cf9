"""The engagement parts of the home pages and the menu: a young person's things to do (time to log, time sent
back) and cancelled places; the staff dashboard's "Coming up"; the menu's plain-words labels for young people."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from core.models import AuditEvent
from engagements.models import Attendance, Engagement, WorkLog
from engagements.services.opportunities import engagement_cancel
from participants.models import Role
from tests.engagements.test_opportunities_services import confirm, published, with_check
from tests.factories.engagements import AttendanceFactory, WorkLogFactory

pytestmark = pytest.mark.django_db

Status = Engagement.Status


@pytest.fixture
def worker(member):
    return with_check(member(Role.PARTICIPATION_WORKER))


def _past(partnership, worker, title):
    starts = timezone.now() - datetime.timedelta(days=2)
    return published(
        partnership, lead=worker, title=title, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )


def _attended(young, engagement, status=Attendance.Status.PRESENT):
    confirm(engagement, young)
    AttendanceFactory(engagement=engagement, membership=young.membership, status=status)


def _queries(client, url):
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# --- A young person's things to do ---------------------------------------------------------------------------------


def test_things_to_do_lists_time_to_log_and_time_sent_back(worker, member, login, partnership):
    young = member(Role.YOUNG_PERSON)
    no_log = _past(partnership, worker, "Panel with no log yet")
    _attended(young, no_log)
    draft = _past(partnership, worker, "Panel with a draft log")
    _attended(young, draft, Attendance.Status.LATE)
    WorkLogFactory(engagement=draft, membership=young.membership, status=WorkLog.Status.DRAFT)
    sent_back = _past(partnership, worker, "Panel sent back")
    _attended(young, sent_back)
    WorkLogFactory(engagement=sent_back, membership=young.membership, status=WorkLog.Status.REJECTED)
    waiting = _past(partnership, worker, "Panel waiting for approval")
    _attended(young, waiting)
    WorkLogFactory(engagement=waiting, membership=young.membership, status=WorkLog.Status.SUBMITTED)
    missed = _past(partnership, worker, "Panel they missed")
    _attended(young, missed, Attendance.Status.ABSENT)

    body = login(young).get("/me/").content.decode()
    assert "Things to do" in body
    for engagement in (no_log, draft):
        assert f'href="/work-logs/engagement/{engagement.pk}/">Log your time for {engagement.title}</a>' in body
    sent_back_link = f'href="/work-logs/engagement/{sent_back.pk}/">Panel sent back: your time was not approved'
    assert f"{sent_back_link} \N{EM DASH} see why</a>" in body
    assert "Log your time for Panel sent back" not in body
    assert "Panel waiting for approval" not in body and "Panel they missed" not in body


def test_no_things_to_do_no_block(member, login):
    assert "Things to do" not in login(member(Role.YOUNG_PERSON)).get("/me/").content.decode()


def test_another_young_persons_logs_are_not_their_things_to_do(worker, member, login, partnership):
    young, other = member(Role.YOUNG_PERSON), member(Role.YOUNG_PERSON)
    theirs = _past(partnership, worker, "Someone else's panel")
    _attended(other, theirs)
    WorkLogFactory(engagement=theirs, membership=other.membership, status=WorkLog.Status.REJECTED)
    assert "Someone else&#x27;s panel" not in login(young).get("/me/").content.decode()


# --- A young person's cancelled place ------------------------------------------------------------------------------


def test_a_cancelled_place_is_not_dropped_silently(worker, member, login, partnership):
    young = member(Role.YOUNG_PERSON)
    starts = timezone.localtime(timezone.now() + datetime.timedelta(days=5))
    cancelled = published(partnership, lead=worker, title="Panel that was called off", starts_at=starts)
    confirm(cancelled, young)
    engagement_cancel(actor=worker, engagement_id=cancelled.pk, reason="The speaker is ill.")
    later = published(
        partnership, lead=worker, title="Panel still on", starts_at=timezone.now() + datetime.timedelta(days=9)
    )
    confirm(later, young)
    body = login(young).get("/me/").content.decode()
    when = f"{starts.strftime('%A')} {starts.day} {starts.strftime('%B')}"
    assert f"Panel that was called off on {when} is cancelled. You do not need to do anything." in body
    assert "Panel still on" in body  # their next engagement that is going ahead


def test_only_their_own_recent_cancellations_are_shown(worker, member, login, partnership):
    young, other = member(Role.YOUNG_PERSON), member(Role.YOUNG_PERSON)
    long_ago = published(
        partnership, lead=worker, title="Called off weeks ago", starts_at=timezone.now() + datetime.timedelta(days=30)
    )
    confirm(long_ago, young)
    Engagement.objects.filter(pk=long_ago.pk).update(status=Status.CANCELLED, cancelled_reason="Moved")
    AuditEvent.objects.create(
        partnership=partnership,
        actor=worker,
        event_type="engagement.status_changed",
        subject_type=ContentType.objects.get_for_model(Engagement),
        subject_id=str(long_ago.pk),
        payload={"from": "published", "to": "cancelled"},
        created_at=timezone.now() - datetime.timedelta(days=20),
    )
    not_mine = published(partnership, lead=worker, title="Someone else's place")
    confirm(not_mine, other)
    engagement_cancel(actor=worker, engagement_id=not_mine.pk, reason="No room.")
    body = login(young).get("/me/").content.decode()
    assert "is cancelled" not in body
    assert "You do not have a place on anything yet." in body


def test_recent_cancellations_are_read_through_the_opportunity_selectors(worker, member, partnership):
    """The home page reads them with a selector that checks the actor (engagements/selectors/opportunities.py)."""
    from engagements.selectors.opportunities import recently_cancelled_places

    young = member(Role.YOUNG_PERSON)
    called_off = published(partnership, lead=worker, title="Called off")
    confirm(called_off, young)
    engagement_cancel(actor=worker, engagement_id=called_off.pk, reason="Sorry.")
    assert [engagement.pk for engagement in recently_cancelled_places(young)] == [called_off.pk]
    with pytest.raises(PermissionDenied):
        recently_cancelled_places(worker)


def test_the_young_persons_home_query_count_does_not_grow_with_things_to_do(worker, member, login, partnership):
    young = member(Role.YOUNG_PERSON)
    client = login(young)

    def grow(n):
        for number in range(n):
            done = _past(partnership, worker, f"Done {number}")
            _attended(young, done)
            if number % 2:
                WorkLogFactory(engagement=done, membership=young.membership, status=WorkLog.Status.REJECTED)
            called_off = published(partnership, lead=worker, title=f"Called off {number}")
            confirm(called_off, young)
            engagement_cancel(actor=worker, engagement_id=called_off.pk, reason="Sorry.")

    grow(2)
    small = _queries(client, "/me/")
    grow(10)
    assert _queries(client, "/me/") == small


# --- Staff: coming up ----------------------------------------------------------------------------------------------


def test_coming_up_shows_published_engagements_only_and_flags_the_staff_leads(worker, member, login, partnership):
    other_lead = with_check(member(Role.PARTICIPATION_WORKER))
    now = timezone.now()
    mine_today = published(
        partnership,
        lead=worker,
        title="My panel now",
        starts_at=now - datetime.timedelta(minutes=15),
        ends_at=now + datetime.timedelta(hours=2),
    )
    mine_later = published(partnership, lead=worker, title="My panel later", starts_at=now + datetime.timedelta(days=4))
    theirs = published(partnership, lead=other_lead, title="Their panel", starts_at=now + datetime.timedelta(days=5))
    published(partnership, lead=worker, title="A draft one", status=Status.DRAFT)
    published(partnership, lead=worker, title="A cancelled one", status=Status.CANCELLED)
    body = login(worker).get("/staff/").content.decode()
    coming_up = body[body.index("Coming up") : body.index("All engagements")]
    assert "My panel now" in coming_up and "My panel later" in coming_up and "Their panel" in coming_up
    assert "A draft one" not in coming_up and "A cancelled one" not in coming_up
    assert coming_up.count("You are the staff lead") == 2
    item = {e.title: coming_up[coming_up.index(e.title) :].split("</li>")[0] for e in (mine_today, mine_later, theirs)}
    assert "You are the staff lead" not in item["Their panel"]
    assert f'href="/staff/engagements/{mine_today.pk}/attendance/">Mark attendance today' in item["My panel now"]
    assert "Mark attendance" not in item["My panel later"]


# --- The menu ------------------------------------------------------------------------------------------------------


def _menu(client, url):
    return [item["label"] for item in client.get(url).context["nav_items"]]


def test_young_people_see_plain_words_in_the_menu(member, login):
    labels = _menu(login(member(Role.YOUNG_PERSON)), "/me/")
    for label in ("Opportunities", "Your sessions", "Your time and expenses", "What you made"):
        assert label in labels
    assert "Your engagements" not in labels and "Engagements" not in labels and "Outputs" not in labels


def test_staff_keep_their_menu_labels(worker, login):
    labels = _menu(login(worker), "/staff/")
    assert {"Engagements", "Work logs", "Outputs"} <= set(labels)
    assert not {"Your sessions", "Your time and expenses", "What you made"} & set(labels)


def test_the_menu_links_to_what_you_made(member, login):
    client = login(member(Role.YOUNG_PERSON))
    items = {item["label"]: item["url"] for item in client.get("/me/").context["nav_items"]}
    assert items["What you made"] == "/my-outputs/"
    assert items["Your sessions"] == "/my-engagements/"
    body = client.get("/me/").content.decode()
    assert escape("What you made") in body
