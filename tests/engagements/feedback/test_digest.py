"""The daily digest: one email per young person listing every change they chose to hear about once a day, and
a second run sends nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagements.models import FeedbackPreference, Notification
from engagements.services.notifications import digests_send, notification_send_email, notify_timeline_entry
from engagements.tasks import send_feedback_digests
from tests.engagements.feedback.test_notifications import SITE, contributor, response_in, site_url, to
from tests.factories.feedback import RecommendationContributorFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db
__all__ = ["site_url"]  # the autouse fixture: emails link to SITE
Email = FeedbackPreference.Email


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    def call(response, text):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return notify_timeline_entry(TimelineEntryFactory(response=response, text=text))

    return call


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def call(now=None):
        with django_capture_on_commit_callbacks(execute=True):
            return digests_send(now or timezone.now())

    return call


def test_a_days_changes_make_one_email_per_person_listing_every_change(partnership, notify, send):
    first = response_in(partnership, text="Put youth workers in every secondary school.")
    second = response_in(partnership, text="Let young people help choose new social workers.")
    alex = contributor(first, name="Alex Brightwater", email=Email.DAILY)
    RecommendationContributorFactory(recommendation=second.recommendation, membership=alex)
    blair = contributor(first, name="Blair Okonkwo", email=Email.DAILY)
    casey = contributor(second, name="Casey Atonce")  # immediately: one email for each change, not in the digest
    notify(first, "The council agreed to fund two youth workers.")
    notify(second, "Young people will sit on the next interview panel.")
    notify(first, "The first youth worker starts in May.")
    assert len(to(casey)) == 1 and not to(alex) and not to(blair)
    mail.outbox.clear()

    assert send() == 2

    assert sorted(email.to[0] for email in mail.outbox) == sorted([alex.user.email, blair.user.email])
    (to_alex,) = to(alex)
    assert to_alex.subject == "3 pieces of news about your recommendations"
    for news in (
        "The council agreed to fund two youth workers.",
        "Young people will sit on the next interview panel.",
        "The first youth worker starts in May.",
        "Put youth workers in every secondary school.",
        "Let young people help choose new social workers.",
    ):
        assert news in to_alex.body
    assert f"{SITE}{reverse('impact_feed')}#response-{first.pk}" in to_alex.body
    assert f"{SITE}{reverse('impact_feed')}#response-{second.pk}" in to_alex.body
    assert f"{SITE}{reverse('feedback_preferences')}" in to_alex.body
    (to_blair,) = to(blair)
    assert "The first youth worker starts in May." in to_blair.body
    assert "Young people will sit on the next interview panel." not in to_blair.body
    for email in mail.outbox:
        for person in (alex, blair, casey):
            assert person.user.full_name not in email.body

    digest = Notification.objects.filter(in_digest=True)
    assert digest.count() == 3 + 2 and not digest.filter(emailed_at__isnull=True).exists()

    mail.outbox.clear()
    assert send() == 0
    assert mail.outbox == []


def test_one_change_reads_as_one(partnership, notify, send):
    response = response_in(partnership)
    person = contributor(response, email=Email.DAILY)
    notify(response, "We asked the head teachers.")
    assert send() == 1
    (email,) = to(person)
    assert email.subject == "News about your recommendation"


def test_only_changes_made_before_the_run_are_sent_and_the_rest_wait_for_the_next(partnership, notify, send):
    response = response_in(partnership)
    person = contributor(response, email=Email.DAILY)
    notify(response, "Before the digest.")
    run_at = timezone.now()
    (later,) = notify(response, "After the digest started.")
    Notification.objects.filter(pk=later.pk).update(created_at=run_at + datetime.timedelta(seconds=1))

    assert send(run_at) == 1
    (email,) = to(person)
    assert "Before the digest." in email.body and "After the digest started." not in email.body
    assert Notification.objects.get(pk=later.pk).emailed_at is None

    assert send(run_at + datetime.timedelta(days=1)) == 1
    assert "After the digest started." in to(person)[1].body


def test_nothing_to_send_for_people_who_chose_never_or_immediately(partnership, notify, send):
    response = response_in(partnership)
    contributor(response, email=Email.NEVER)
    contributor(response, email=Email.IMMEDIATELY)
    notify(response, "News.")
    mail.outbox.clear()
    assert send() == 0
    assert mail.outbox == []


def test_a_digest_notification_is_never_emailed_on_its_own_and_then_still_in_the_digest(partnership, notify, send):
    response = response_in(partnership)
    person = contributor(response, email=Email.DAILY)
    (notice,) = notify(response, "News.")
    assert notification_send_email(notice.pk) is False
    assert send() == 1 and len(to(person)) == 1


def test_the_digests_queries_do_not_grow_with_the_number_of_changes(partnership, notify):
    def queries_for(changes):
        response = response_in(partnership)
        for _ in range(3):
            contributor(response, email=Email.DAILY)
        for n in range(changes):
            notify(response, f"Change {n}.")
        with CaptureQueriesContext(connection) as queries:
            assert digests_send(timezone.now()) == 3
        return len(queries)

    assert queries_for(2) == queries_for(12)


def test_the_scheduled_task_sends_the_digests(partnership, notify, django_capture_on_commit_callbacks):
    response = response_in(partnership)
    person = contributor(response, email=Email.DAILY)
    notify(response, "News.")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_feedback_digests() == 1
    assert len(to(person)) == 1
