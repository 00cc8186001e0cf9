"""Notifications of the feedback loop: each timeline entry tells exactly the young people who made the
recommendation (active members, and leavers who opted in) once each, emailed after the change commits or kept for
the digest as they chose; each rating tells the right scrutiny lead and the response's owner."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagements.models import FeedbackPreference, Notification, TimelineEntry
from engagements.services.notifications import notification_send_email, notify_rating, notify_timeline_entry
from participants.models import Membership, Role
from tests.factories import MembershipFactory
from tests.factories.feedback import (
    FeedbackPreferenceFactory,
    RecommendationContributorFactory,
    RecommendationFactory,
    RecommendationResponseFactory,
    ResponseRatingFactory,
    TimelineEntryFactory,
)
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db
SITE = "https://scrutineers.example"
Email = FeedbackPreference.Email


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


# --- Data ------------------------------------------------------------------------------------------------------


def response_in(partnership, *, text="Ask young people before you change a service they use every day.", **kwargs):
    engagement = EngagementFactory(partnership=partnership, **kwargs.pop("engagement", {}))
    recommendation = RecommendationFactory(engagement=engagement, text=text)
    return RecommendationResponseFactory(recommendation=recommendation, **kwargs)


def contributor(response, *, name=None, status=Membership.Status.ACTIVE, email=None, after_leaving=None):
    """A young person who made the response's recommendation, with a feedback preference if one is given."""
    extra = {"membership__user__full_name": name} if name else {}
    membership = RecommendationContributorFactory(
        recommendation=response.recommendation, membership__status=status, **extra
    ).membership
    if email is not None or after_leaving is not None:
        FeedbackPreferenceFactory(
            membership=membership, email=email or Email.IMMEDIATELY, after_leaving=bool(after_leaving)
        )
    return membership


def scrutiny_lead(partnership, name="Sam Lead", **kwargs):
    return MembershipFactory(partnership=partnership, roles=[Role.SCRUTINY_LEAD], user__full_name=name, **kwargs)


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    """Notify in a transaction, as the services do, then run what was waiting for the commit (the emails)."""

    def call(entry):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return notify_timeline_entry(entry)

    return call


def to(membership):
    return [email for email in mail.outbox if email.to == [membership.user.email]]


# --- Each timeline entry ---------------------------------------------------------------------------------------


def test_every_contributor_is_told_once_and_nobody_else(partnership, other_partnership, notify):
    response = response_in(partnership)
    makers = [contributor(response) for _ in range(3)]
    MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])  # made nothing
    contributor(response_in(partnership))  # made another recommendation
    contributor(response_in(other_partnership))  # another partnership's young person
    scrutiny_lead(partnership)
    entry = TimelineEntryFactory(response=response, text="We met the team leaders to plan the change.")

    notify(entry)
    notify(entry)  # told again: nothing new

    notices = Notification.objects.all()
    assert sorted(notice.membership_id for notice in notices) == sorted(m.pk for m in makers)
    for notice in notices:
        assert notice.kind == Notification.Kind.FEEDBACK
        assert (notice.entry, notice.response, notice.partnership) == (entry, response, partnership)
        assert notice.link == reverse("impact_feed") + f"#response-{response.pk}"
        assert "Ask young people before you change a service" in notice.text
        assert "We met the team leaders to plan the change." in notice.text
        assert notice.wants_email and not notice.in_digest and notice.emailed_at is not None
    assert sorted(email.to[0] for email in mail.outbox) == sorted(m.user.email for m in makers)


def test_every_kind_of_entry_tells_each_contributor_once(partnership, notify):
    response = response_in(partnership)
    makers = [contributor(response) for _ in range(2)]
    for kind in TimelineEntry.Kind.values:
        notify(TimelineEntryFactory(response=response, kind=kind))
    for membership in makers:
        assert Notification.objects.filter(membership=membership).count() == len(TimelineEntry.Kind.values)
        assert len(to(membership)) == len(TimelineEntry.Kind.values)


def test_the_recommendation_is_named_briefly(partnership, notify):
    response = response_in(partnership, text="Make the waiting room feel safe for young people. " * 5)
    contributor(response)
    notify(TimelineEntryFactory(response=response, text="The new chairs arrived."))
    text = Notification.objects.get().text
    assert "Make the waiting room feel safe" in text and text.endswith("The new chairs arrived.")
    assert len(text) < 80 + 100  # the recommendation's first 80 characters, not all of it


def test_leavers_are_told_only_when_they_opted_in(partnership, notify):
    response = response_in(partnership)
    active = contributor(response)
    suspended = Membership.Status.SUSPENDED
    opted_in = contributor(response, status=suspended, after_leaving=True)
    contributor(response, status=suspended)  # no preference: not after leaving
    contributor(response, status=suspended, after_leaving=False, email=Email.IMMEDIATELY)
    notify(TimelineEntryFactory(response=response))
    assert set(Notification.objects.values_list("membership_id", flat=True)) == {active.pk, opted_in.pk}
    assert sorted(email.to[0] for email in mail.outbox) == sorted([active.user.email, opted_in.user.email])


def test_someone_whose_account_was_closed_is_not_told(partnership, notify):
    response = response_in(partnership)
    closed = contributor(response)
    closed.user.is_active = False
    closed.user.save(update_fields=["is_active"])
    kept = contributor(response)
    notify(TimelineEntryFactory(response=response))
    assert list(Notification.objects.values_list("membership_id", flat=True)) == [kept.pk]


def test_each_young_person_is_emailed_as_they_chose(partnership, notify):
    response = response_in(partnership)
    no_choice = contributor(response)
    at_once = contributor(response, email=Email.IMMEDIATELY)
    daily = contributor(response, email=Email.DAILY)
    never = contributor(response, email=Email.NEVER)
    notify(TimelineEntryFactory(response=response))

    flags = {n.membership_id: (n.wants_email, n.in_digest) for n in Notification.objects.all()}
    assert flags == {
        no_choice.pk: (True, False),
        at_once.pk: (True, False),
        daily.pk: (True, True),
        never.pk: (False, False),
    }
    assert sorted(email.to[0] for email in mail.outbox) == sorted([no_choice.user.email, at_once.user.email])
    assert Notification.objects.filter(membership__in=[daily, never], emailed_at__isnull=False).count() == 0


def test_the_email_goes_only_after_the_change_commits(partnership, django_capture_on_commit_callbacks):
    response = response_in(partnership)
    contributor(response)
    entry = TimelineEntryFactory(response=response)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        notify_timeline_entry(entry)
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_nothing_is_told_when_the_change_is_rolled_back(partnership, django_capture_on_commit_callbacks):
    response = response_in(partnership)
    contributor(response)
    entry = TimelineEntryFactory(response=response)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify_timeline_entry(entry)
        raise RuntimeError("the change failed")
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_the_email_names_nobody_and_says_how_to_change_emails(partnership, notify):
    response = response_in(partnership)
    alex = contributor(response, name="Alex Brightwater")
    blair = contributor(response, name="Blair Okonkwo-Smith")
    RecommendationContributorFactory(recommendation=response.recommendation, is_anonymous=True)
    notify(TimelineEntryFactory(response=response, text="The service now asks young people first."))

    (email,) = to(alex)
    assert email.subject == "News about your recommendation"
    assert "Hi Alex," in email.body
    assert "The service now asks young people first." in email.body
    assert f"{SITE}{reverse('impact_feed')}#response-{response.pk}" in email.body
    assert f"{SITE}{reverse('feedback_preferences')}" in email.body
    for email in mail.outbox:
        for person in (alex, blair):
            assert person.user.full_name not in email.body
            assert person.user.full_name not in email.subject


def test_queries_do_not_grow_with_the_number_of_contributors(partnership):
    def queries_for(count):
        response = response_in(partnership)
        for n in range(count):
            contributor(response, email=[Email.IMMEDIATELY, Email.DAILY, Email.NEVER][n % 3])
        entry = TimelineEntryFactory(response=response)
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            notified = notify_timeline_entry(entry)
        assert len(notified) == count
        return len(queries)

    assert queries_for(3) == queries_for(30)


def test_sending_one_notification_twice_emails_once(partnership, django_capture_on_commit_callbacks):
    response = response_in(partnership)
    contributor(response)
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        (notice,) = notify_timeline_entry(TimelineEntryFactory(response=response))
    assert notification_send_email(notice.pk) is True
    assert notification_send_email(notice.pk) is False
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert notice.emailed_at is not None


def test_a_digest_or_unwanted_notification_is_not_sent_on_its_own(partnership, django_capture_on_commit_callbacks):
    response = response_in(partnership)
    contributor(response, email=Email.DAILY)
    contributor(response, email=Email.NEVER)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notices = notify_timeline_entry(TimelineEntryFactory(response=response))
    assert [notification_send_email(notice.pk) for notice in notices] == [False, False]
    assert mail.outbox == []


# --- Ratings -------------------------------------------------------------------------------------------------------


@pytest.fixture
def rate(django_capture_on_commit_callbacks):
    def call(rating):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return notify_rating(rating)

    return call


def test_a_rating_tells_the_engagements_scrutiny_lead_and_emails_the_owner(partnership, rate):
    lead = scrutiny_lead(partnership, "Sam Lead")
    other_lead = scrutiny_lead(partnership, "Robin Other")
    response = response_in(partnership, engagement={"scrutiny_lead": lead.user}, owner_email="owner@agency.example")
    rater = contributor(response, name="Casey Raterson")
    rating = ResponseRatingFactory(
        response=response, membership=rater, score=2, comment="Nothing changed at my school yet."
    )

    rate(rating)
    rate(rating)  # told again, unchanged: nothing new

    (notice,) = Notification.objects.all()
    assert (notice.membership, notice.kind, notice.rating, notice.response) == (
        lead,
        Notification.Kind.RATING,
        rating,
        response,
    )
    assert notice.text == (
        "A young person rated the response to “Ask young people before you change a service they use every day.” "
        "2 out of 5."
    )
    assert notice.link == reverse("recommendation_detail", args=[response.recommendation_id])
    assert not to(other_lead)
    (to_lead,) = to(lead)
    assert "2 out of 5" in to_lead.body
    assert f"{SITE}{reverse('recommendation_detail', args=[response.recommendation_id])}" in to_lead.body
    assert "Nothing changed at my school yet." not in to_lead.body
    (to_owner,) = [email for email in mail.outbox if email.to == ["owner@agency.example"]]
    assert "2 out of 5" in to_owner.body and "Nothing changed at my school yet." in to_owner.body
    assert len(mail.outbox) == 2
    for email in mail.outbox:
        assert "Casey" not in email.body and "Raterson" not in email.body


def test_without_the_engagements_own_lead_every_active_scrutiny_lead_is_told(partnership, other_partnership, rate):
    leads = [scrutiny_lead(partnership, "Sam Lead"), scrutiny_lead(partnership, "Robin Lead")]
    scrutiny_lead(partnership, "Kit Suspended", status=Membership.Status.SUSPENDED)
    MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER])
    elsewhere = scrutiny_lead(other_partnership, "Jo Elsewhere")
    response = response_in(partnership, owner_email="")
    rate(ResponseRatingFactory(response=response, membership=contributor(response), score=5))
    assert sorted(Notification.objects.values_list("membership_id", flat=True)) == sorted(m.pk for m in leads)
    assert sorted(email.to[0] for email in mail.outbox) == sorted(m.user.email for m in leads)
    assert not to(elsewhere)


def test_an_engagement_lead_who_is_no_longer_a_scrutiny_lead_is_passed_over(partnership, rate):
    former = scrutiny_lead(partnership, "Former Lead", status=Membership.Status.SUSPENDED)
    current = scrutiny_lead(partnership, "Current Lead")
    response = response_in(partnership, engagement={"scrutiny_lead": former.user})
    rate(ResponseRatingFactory(response=response, membership=contributor(response)))
    assert list(Notification.objects.values_list("membership_id", flat=True)) == [current.pk]


def test_a_changed_rating_updates_the_notification_and_tells_them_again(partnership, rate):
    lead = scrutiny_lead(partnership)
    response = response_in(partnership, engagement={"scrutiny_lead": lead.user}, owner_email="owner@agency.example")
    rating = ResponseRatingFactory(response=response, membership=contributor(response), score=2, comment="Not yet.")
    (first,) = rate(rating)
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())

    rating.score, rating.comment = 4, "It is better now."
    rating.updated_at = timezone.now() + datetime.timedelta(seconds=1)
    rating.save()
    (again,) = rate(rating)
    rate(rating)  # told again, unchanged since: nothing new

    again.refresh_from_db()
    assert again.pk == first.pk
    assert "changed their rating" in again.text and "4 out of 5" in again.text
    assert again.read_at is None and again.emailed_at is not None
    assert len(to(lead)) == 2
    owner = [email for email in mail.outbox if email.to == ["owner@agency.example"]]
    assert len(owner) == 2 and "It is better now." in owner[1].body


def test_no_owner_email_no_email_to_the_owner(partnership, rate):
    lead = scrutiny_lead(partnership)
    response = response_in(partnership, owner_email="")
    rate(ResponseRatingFactory(response=response, membership=contributor(response)))
    assert [email.to for email in mail.outbox] == [[lead.user.email]]
