"""Reads for the feedback loop: who sees which recommendations and responses (another partnership's is a 404), the
impact feed (newest news first, a constant number of queries), result progress (the weighted mean), the public page
and overdue responses."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.tenancy import act_in
from engagements.models import FeedbackSettings, Notification, RecommendationResponse, ResponseEvidence
from engagements.selectors.feedback import (
    OWN_RATINGS,
    evidence_get_for_actor,
    impact_feed_for,
    notifications_for,
    overdue_responses,
    public_recommendations,
    recommendation_get_for_actor,
    recommendations_visible_to,
    response_get_for_actor,
    result_get_for_actor,
    result_progress,
    results_visible_to,
    results_with_progress,
)
from participants.models import Role
from tests.engagements.feedback.test_services_recommendations import young
from tests.factories import MembershipFactory
from tests.factories.feedback import (
    RecommendationContributorFactory,
    RecommendationFactory,
    RecommendationResponseFactory,
    ResponseRatingFactory,
    ResultFactory,
    TimelineEntryFactory,
)
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db

Status = RecommendationResponse.Status


def made_by(*people, partnership=None, engagement=None, **fields):
    """A recommendation made by these young people (memberships)."""
    where = partnership or people[0].partnership
    recommendation = RecommendationFactory(engagement=engagement or EngagementFactory(partnership=where), **fields)
    for person in people:
        RecommendationContributorFactory(recommendation=recommendation, membership=person)
    return recommendation


def answered(recommendation, **fields):
    return RecommendationResponseFactory(recommendation=recommendation, **fields)


# --- Who sees what ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN])
def test_staff_see_every_recommendation_of_their_partnership_only(partnership, other_partnership, member, role):
    ours = [made_by(young(partnership)), RecommendationFactory(engagement__partnership=partnership)]
    made_by(young(other_partnership))
    assert set(recommendations_visible_to(member(role))) == set(ours)


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD])
def test_other_staff_see_no_recommendations(partnership, member, role):
    made_by(young(partnership))
    assert list(recommendations_visible_to(member(role))) == []


def test_a_young_person_sees_only_what_they_made(partnership):
    sam, kai = young(partnership), young(partnership)
    theirs = made_by(sam, kai)
    made_by(kai)
    assert list(recommendations_visible_to(sam.user)) == [theirs]


def test_another_partnerships_recommendation_and_response_are_not_found(partnership, other_partnership, member):
    lead = member(Role.SCRUTINY_LEAD)
    theirs = answered(made_by(young(other_partnership)))
    with pytest.raises(Http404):
        recommendation_get_for_actor(lead, theirs.recommendation_id)
    with pytest.raises(Http404):
        response_get_for_actor(lead, theirs.pk)


def test_a_recommendation_with_no_response_yet_opens(partnership, member):
    recommendation = made_by(young(partnership))
    found = recommendation_get_for_actor(member(Role.SCRUTINY_LEAD), recommendation.pk)
    assert found == recommendation and not hasattr(found, "response")


def test_a_young_person_cannot_open_someone_elses(partnership):
    sam, kai = young(partnership), young(partnership)
    mine, not_mine = answered(made_by(sam)), answered(made_by(kai))
    assert recommendation_get_for_actor(sam.user, mine.recommendation_id) == mine.recommendation
    assert response_get_for_actor(sam.user, mine.pk) == mine
    with pytest.raises(Http404):
        recommendation_get_for_actor(sam.user, not_mine.recommendation_id)
    with pytest.raises(Http404):
        response_get_for_actor(sam.user, not_mine.pk)


def test_evidence_is_found_only_through_a_response_you_may_see(partnership, other_partnership, member):
    sam, kai = young(partnership), young(partnership)
    mine = ResponseEvidence.objects.create(
        partnership=partnership, response=answered(made_by(sam)), title="Ours", link="https://example.org/a"
    )
    not_mine = ResponseEvidence.objects.create(
        partnership=partnership, response=answered(made_by(kai)), title="Theirs", link="https://example.org/b"
    )
    other = young(other_partnership)
    elsewhere = ResponseEvidence.objects.create(
        partnership=other_partnership, response=answered(made_by(other)), title="Far", link="https://example.org/c"
    )
    assert evidence_get_for_actor(sam.user, mine.pk) == mine
    with pytest.raises(Http404):
        evidence_get_for_actor(sam.user, not_mine.pk)
    lead = member(Role.SCRUTINY_LEAD)
    assert evidence_get_for_actor(lead, not_mine.pk) == not_mine
    with pytest.raises(Http404):
        evidence_get_for_actor(lead, elsewhere.pk)


def test_the_staff_list_is_a_constant_number_of_queries(partnership, member):
    lead = member(Role.SCRUTINY_LEAD)

    def add(count):
        for index in range(count):
            recommendation = made_by(young(partnership), young(partnership))
            if index % 2:
                answered(recommendation)

    def read():
        with CaptureQueriesContext(connection) as queries:
            for recommendation in recommendations_visible_to(lead):
                _ = recommendation.engagement.title, recommendation.result
                _ = getattr(recommendation, "response", None)
                _ = [c.membership.user.full_name for c in recommendation.contributions.all()]
        return len(queries)

    add(5)
    few = read()
    add(25)
    assert read() == few


# --- The impact feed --------------------------------------------------------------------------------------------


def test_the_feed_is_the_young_persons_own_newest_news_first(partnership):
    sam, kai = young(partnership), young(partnership)
    now = timezone.now()
    old_with_news = made_by(sam, created_at=now - datetime.timedelta(days=30))
    TimelineEntryFactory(response=answered(old_with_news), created_at=now - datetime.timedelta(hours=1))
    new_quiet = made_by(sam, created_at=now - datetime.timedelta(days=2))
    older_news = made_by(sam, created_at=now - datetime.timedelta(days=20))
    TimelineEntryFactory(response=answered(older_news), created_at=now - datetime.timedelta(days=5))
    made_by(kai)
    assert list(impact_feed_for(sam.user)) == [old_with_news, new_quiet, older_news]


def test_the_feed_carries_only_your_own_rating(partnership):
    sam, kai = young(partnership), young(partnership)
    response = answered(made_by(sam, kai))
    mine = ResponseRatingFactory(response=response, membership=sam, score=2)
    ResponseRatingFactory(response=response, membership=kai, score=5)
    [recommendation] = impact_feed_for(sam.user)
    assert getattr(recommendation.response, OWN_RATINGS) == [mine]


def test_staff_have_no_impact_feed(partnership, member):
    made_by(young(partnership))
    assert list(impact_feed_for(member(Role.SCRUTINY_LEAD))) == []


def test_the_feed_is_the_same_number_of_queries_for_10_and_100_recommendations(partnership):
    sam = young(partnership)
    engagement = EngagementFactory(partnership=partnership)

    def add(count):
        for index in range(count):
            kai = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])
            recommendation = made_by(sam, kai, engagement=engagement)
            if index % 5 == 4:
                continue  # some have no response yet
            response = answered(recommendation)
            TimelineEntryFactory(response=response)
            TimelineEntryFactory(response=response)
            ResponseEvidence.objects.create(
                partnership=partnership, response=response, title="Minutes", link="https://example.org"
            )
            ResponseRatingFactory(response=response, membership=sam)
            ResponseRatingFactory(response=response, membership=kai)

    def read():
        with CaptureQueriesContext(connection) as queries:
            for recommendation in impact_feed_for(sam.user):
                _ = recommendation.engagement.title, recommendation.result, recommendation.latest_news
                _ = [(c.is_anonymous, c.membership.user.full_name) for c in recommendation.contributions.all()]
                response = getattr(recommendation, "response", None)
                if response is not None:
                    _ = [entry.text for entry in response.timeline.all()]
                    _ = [evidence.title for evidence in response.evidence.all()]
                    _ = getattr(response, OWN_RATINGS)
        return len(queries)

    add(10)
    ten = read()
    add(90)
    assert len(impact_feed_for(sam.user)) == 100
    assert read() == ten


# --- Results ----------------------------------------------------------------------------------------------------


def in_result(result, weight, progress=None):
    recommendation = RecommendationFactory(engagement__partnership=result.partnership, result=result, weight=weight)
    if progress is not None:
        answered(recommendation, progress=progress)
    return recommendation


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        ([(1, 100), (3, None)], 25),  # no response counts 0
        ([(1, 50), (1, 51)], 51),  # 50.5 rounds up
        ([(1, 10), (2, 0)], 3),  # 3.33 rounds down
        ([(2, 40), (2, 60), (4, 100)], 75),
        ([], None),
    ],
)
def test_a_results_progress_is_the_weighted_mean(partnership, member, children, expected):
    result = ResultFactory(partnership=partnership)
    for weight, progress in children:
        in_result(result, weight, progress)
    assert result_progress(result) == expected
    assert result_progress(result_get_for_actor(member(Role.SCRUTINY_LEAD), result.pk)) == expected


def test_results_with_their_progress_are_one_query(partnership, member, django_assert_num_queries):
    lead = member(Role.SCRUTINY_LEAD)
    for index in range(20):
        result = ResultFactory(partnership=partnership)
        in_result(result, 1, index)
        in_result(result, 2)
    ResultFactory(partnership=partnership)
    with django_assert_num_queries(1):
        rows = results_with_progress(lead)
    assert len(rows) == 21 and sorted(progress for _, progress in rows if progress is not None)[-1] == 6
    assert [progress for _, progress in rows].count(None) == 1


def test_a_young_person_sees_results_of_their_recommendations_with_the_whole_progress(partnership, other_partnership):
    sam = young(partnership)
    result = ResultFactory(partnership=partnership)
    answered(made_by(sam, result=result, weight=1), progress=100)
    in_result(result, 1, 0)
    ResultFactory(partnership=partnership)
    [seen] = results_visible_to(sam.user)
    assert seen == result and result_progress(seen) == 50
    with pytest.raises(Http404):
        result_get_for_actor(sam.user, ResultFactory(partnership=other_partnership).pk)


# --- Notifications ----------------------------------------------------------------------------------------------


def test_notifications_are_your_own_in_the_partnership_you_act_in(partnership, other_partnership):
    sam = young(partnership)
    sam_elsewhere = MembershipFactory(partnership=other_partnership, user=sam.user, roles=[Role.YOUNG_PERSON])
    kai = young(partnership)
    mine = Notification.objects.create(partnership=partnership, membership=sam, kind="feedback", text="News")
    Notification.objects.create(partnership=other_partnership, membership=sam_elsewhere, kind="feedback", text="B")
    Notification.objects.create(partnership=partnership, membership=kai, kind="feedback", text="C")
    act_in(sam.user, partnership)
    assert list(notifications_for(sam.user)) == [mine]


# --- The public page --------------------------------------------------------------------------------------------


def test_the_public_page_is_empty_until_the_partnership_publishes_it(partnership):
    made_by(young(partnership), is_public=True)
    assert list(public_recommendations(partnership)) == []
    FeedbackSettings.objects.create(partnership=partnership, public_page=False)
    assert list(public_recommendations(partnership)) == []


def test_the_public_page_shows_only_the_partnerships_public_recommendations(partnership, other_partnership):
    FeedbackSettings.objects.create(partnership=partnership, public_page=True)
    FeedbackSettings.objects.create(partnership=other_partnership, public_page=True)
    public = made_by(young(partnership), is_public=True)
    made_by(young(partnership), is_public=False)
    made_by(young(other_partnership), is_public=True)
    assert list(public_recommendations(partnership)) == [public]


# --- Overdue responses ------------------------------------------------------------------------------------------


def test_overdue_responses_are_past_due_and_not_finished(partnership, other_partnership, member):
    today = datetime.date(2027, 3, 10)
    yesterday = today - datetime.timedelta(days=1)

    def response(status=Status.IN_PROGRESS, due_on=yesterday, where=partnership, **fields):
        return answered(made_by(young(where)), status=status, due_on=due_on, **fields)

    late = response()
    late_not_started = response(status=Status.NOT_STARTED, due_on=yesterday - datetime.timedelta(days=30))
    response(due_on=today)
    response(due_on=None)
    response(status=Status.DONE, progress=100)
    response(status=Status.NOT_GOING_AHEAD, status_reason="Stopped")
    response(where=other_partnership)
    assert list(overdue_responses(member(Role.SCRUTINY_LEAD), today=today)) == [late_not_started, late]
    assert list(overdue_responses(young(partnership).user, today=today)) == []
