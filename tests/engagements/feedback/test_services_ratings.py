"""Ratings (only the young people who made the recommendation; 1-5; a new one replaces theirs; the scrutiny lead is
told), the young person's feedback preferences, the partnership's feedback settings and marking notifications
read."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from core.models import AuditEvent
from engagements.models import FeedbackPreference, FeedbackSettings, Notification, ResponseRating
from engagements.services.feedback import (
    feedback_preference_update,
    feedback_settings_update,
    notifications_mark_read,
    response_rate,
)
from participants.models import Role
from tests.engagements.feedback.test_services_recommendations import (
    engagement_with,
    field_errors,
    recommend,
    respond,
    young,
)
from tests.factories.feedback import RecommendationResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


@pytest.fixture
def sam(partnership):
    return young(partnership)


@pytest.fixture
def response(partnership, lead, sam):
    return respond(lead, recommend(lead, engagement_with(partnership, sam), [sam]))


def rate(membership, response, score=4, comment=""):
    return response_rate(actor=membership.user, response_id=response.pk, score=score, comment=comment)


# --- Ratings ----------------------------------------------------------------------------------------------------


def test_a_maker_rates_the_response_and_the_scrutiny_lead_is_told(sam, response, lead):
    rating = rate(sam, response, 4, "  It helped a bit.  ")
    assert (rating.membership, rating.score, rating.comment) == (sam, 4, "It helped a bit.")
    event = AuditEvent.objects.get(event_type="response.rated")
    assert event.payload == {"rating": rating.pk, "score": 4, "replaced": False}
    assert list(
        Notification.objects.filter(kind=Notification.Kind.RATING).values_list("membership__user", flat=True)
    ) == [lead.pk]


def test_a_new_rating_replaces_the_old_one(sam, response):
    first = rate(sam, response, 2, "Not much")
    second = rate(sam, response, 5, "It changed a lot")
    assert second.pk == first.pk
    assert list(ResponseRating.objects.values_list("score", "comment")) == [(5, "It changed a lot")]
    assert [e.payload["replaced"] for e in AuditEvent.objects.filter(event_type="response.rated").order_by("pk")] == [
        False,
        True,
    ]


def test_a_young_person_who_did_not_make_it_cannot_rate_it(partnership, response):
    kai = young(partnership)
    with pytest.raises(PermissionDenied):
        rate(kai, response)
    assert not ResponseRating.objects.exists()


@pytest.mark.parametrize("role", [Role.SCRUTINY_LEAD, Role.PARTICIPATION_WORKER])
def test_staff_cannot_rate(member, response, role):
    with pytest.raises(PermissionDenied):
        response_rate(actor=member(role), response_id=response.pk, score=3)


def test_another_partnerships_response_is_not_found(sam, other_partnership):
    theirs = RecommendationResponseFactory(recommendation__engagement__partnership=other_partnership)
    with pytest.raises(Http404):
        rate(sam, theirs)


@pytest.mark.parametrize("score", [0, 6, -1, "great", None, True, 3.5])
def test_the_score_is_from_1_to_5(sam, response, score):
    with pytest.raises(ValidationError) as caught:
        rate(sam, response, score)
    assert list(field_errors(caught.value)) == ["score"]
    assert not ResponseRating.objects.exists()


@pytest.mark.parametrize("score", [1, 5, "3"])
def test_scores_at_the_edges_are_taken(sam, response, score):
    assert rate(sam, response, score).score == int(score)


# --- The young person's preferences -----------------------------------------------------------------------------


def test_preferences_are_made_then_changed(sam):
    first = feedback_preference_update(actor=sam.user, email=FeedbackPreference.Email.DAILY, after_leaving=True)
    second = feedback_preference_update(actor=sam.user, email=FeedbackPreference.Email.NEVER, after_leaving=False)
    assert first.pk == second.pk
    assert list(FeedbackPreference.objects.values_list("membership", "email", "after_leaving")) == [
        (sam.pk, FeedbackPreference.Email.NEVER, False)
    ]
    assert AuditEvent.objects.filter(event_type="feedbackpreference.updated").count() == 2


def test_an_unknown_email_choice_is_named(sam):
    with pytest.raises(ValidationError) as caught:
        feedback_preference_update(actor=sam.user, email="hourly", after_leaving=False)
    assert list(field_errors(caught.value)) == ["email"]
    assert not FeedbackPreference.objects.exists()


def test_staff_have_no_feedback_preferences(member):
    with pytest.raises(PermissionDenied):
        feedback_preference_update(
            actor=member(Role.SCRUTINY_LEAD), email=FeedbackPreference.Email.DAILY, after_leaving=False
        )


# --- The partnership's settings ---------------------------------------------------------------------------------


def test_settings_are_made_then_changed(partnership, lead):
    feedback_settings_update(actor=lead, public_page=True, public_intro="  What we did  ")
    feedback_settings_update(actor=lead, public_page=False)
    row = FeedbackSettings.objects.get()
    assert (row.partnership, row.public_page, row.public_intro, row.updated_by) == (partnership, False, "", lead)
    assert AuditEvent.objects.filter(event_type="feedbacksettings.updated").count() == 2


def test_a_partnership_admin_may_publish_the_page(partnership, member):
    feedback_settings_update(actor=member(Role.PARTNERSHIP_ADMIN), public_page=True)
    assert FeedbackSettings.objects.get(partnership=partnership).public_page


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.YOUNG_PERSON])
def test_others_do_not_change_the_settings(member, role):
    with pytest.raises(PermissionDenied):
        feedback_settings_update(actor=member(role), public_page=True)
    assert not FeedbackSettings.objects.exists()


# --- Marking notifications read ---------------------------------------------------------------------------------


def notice(membership, **fields):
    return Notification.objects.create(
        partnership=membership.partnership,
        membership=membership,
        kind=Notification.Kind.FEEDBACK,
        text="News",
        **fields,
    )


def test_only_your_own_notifications_are_marked_read(partnership, sam):
    kai = young(partnership)
    mine = [notice(sam), notice(sam), notice(sam, read_at=timezone.now())]
    theirs = notice(kai)
    assert notifications_mark_read(actor=sam.user, notification_ids=[mine[0].pk, theirs.pk]) == 1
    assert Notification.objects.filter(read_at__isnull=True).count() == 2  # mine[1] and theirs
    assert notifications_mark_read(actor=sam.user) == 1
    assert list(Notification.objects.filter(read_at__isnull=True)) == [theirs]


def test_ids_that_are_not_numbers_are_named(sam):
    with pytest.raises(ValidationError) as caught:
        notifications_mark_read(actor=sam.user, notification_ids=["all"])
    assert list(field_errors(caught.value)) == ["notification_ids"]
