"""The young person's side of the feedback loop: the impact feed ("you said, we did" cards), rating a response, how
they want to hear, their notifications, and the "Your impact" card on their home page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import (
    FeedbackPreference,
    Notification,
    Recommendation,
    RecommendationContributor,
    RecommendationResponse,
    ResponseEvidence,
    ResponseRating,
    TimelineEntry,
)
from frontend.forms.impact import DASH
from participants.models import Role
from tests.factories.feedback import (
    RecommendationContributorFactory,
    RecommendationFactory,
    RecommendationResponseFactory,
    ResponseRatingFactory,
    TimelineEntryFactory,
)
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db

FEED = "/your-impact/"
Decision = RecommendationResponse.Decision
Status = RecommendationResponse.Status


def words(response):
    """The page's text with runs of spaces and new lines made single spaces (templates wrap long sentences)."""
    return " ".join(response.content.decode().split())


def text(response):
    """The page's words without its tags (and with apostrophes as typed)."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).replace("&#x27;", "'").split())


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def made_by(user, *, engagement=None, text=None, others=(), anonymous=False):
    """A recommendation `user` (a young person) made, with `others` (users) as the other young people who made it."""
    engagement = engagement or EngagementFactory(partnership=user.partnership)
    extra = {"text": text} if text else {}
    recommendation = RecommendationFactory(engagement=engagement, **extra)
    RecommendationContributorFactory(recommendation=recommendation, membership=user.membership, is_anonymous=anonymous)
    for other in others:
        RecommendationContributorFactory(recommendation=recommendation, membership=other.membership)
    return recommendation


def notify(user, response, text="There is news about your recommendation.", *, read=False):
    entry = TimelineEntryFactory(response=response, text=text)
    return Notification.objects.create(
        partnership=response.partnership,
        membership=user.membership,
        kind=Notification.Kind.FEEDBACK,
        entry=entry,
        response=response,
        text=text,
        link=f"{FEED}#response-{response.pk}",
        read_at=timezone.now() if read else None,
    )


@pytest.fixture
def sam(member):
    return member(Role.YOUNG_PERSON)


@pytest.fixture
def ada(member):
    return member(Role.YOUNG_PERSON)


# --- The feed -----------------------------------------------------------------------------------------------------


def test_the_feed_shows_only_the_young_persons_own_recommendations(sam, ada, member, other_partnership, login):
    mine = made_by(sam, text="Put a youth worker in every GP surgery.")
    RecommendationResponseFactory(recommendation=mine)
    theirs = made_by(ada, text="Ada wants longer opening hours at the youth centre.")
    RecommendationResponseFactory(recommendation=theirs)
    elsewhere = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    made_by(elsewhere, text="Another partnership's idea about school buses.")

    page = words(login(sam).get(FEED))
    assert "Put a youth worker in every GP surgery." in page
    assert "Ada wants longer opening hours" not in page
    assert "school buses" not in page


def test_a_card_says_what_was_said_what_was_decided_and_where_it_is_up_to(sam, login):
    recommendation = made_by(sam, text="Ask us before you change the bus routes.")
    response = RecommendationResponseFactory(
        recommendation=recommendation,
        owner_agency="Transport for the county",
        owner_name="Jo Bloggs",
        decision=Decision.ACCEPTED,
        status=Status.IN_PROGRESS,
        progress=60,
        due_on=datetime.date(2099, 11, 26),
    )
    TimelineEntryFactory(response=response, happened_on=datetime.date(2025, 1, 10), text="We met the bus company.")
    TimelineEntryFactory(response=response, happened_on=datetime.date(2025, 3, 2), text="We wrote a survey.")
    ResponseEvidence.objects.create(
        partnership=response.partnership, response=response, title="The survey", link="https://example.org/survey"
    )

    answer = login(sam).get(FEED)
    page = words(answer)
    assert f'id="response-{response.pk}"' in page
    assert "“Ask us before you change the bus routes.”" in page
    assert recommendation.engagement.title in page
    assert "Who it is for: Children's social care" in page.replace("&#x27;", "'")
    assert "We said yes" in page
    assert "We're working on it" in page.replace("&#x27;", "'")
    assert "60% done" in page
    assert "We plan to finish by 26 November 2099" in page
    assert '<a class="govuk-link" href="https://example.org/survey" rel="noopener noreferrer">The survey</a>' in page
    # The timeline: dated, newest first.
    plain = text(answer)
    assert plain.index("2 March 2025: We wrote a survey.") < plain.index("10 January 2025: We met the bus company.")
    assert "See everything that happened (2 updates)" in page


def test_we_did_not_and_here_is_why_stays_visible(sam, login):
    said_no = RecommendationResponseFactory(
        recommendation=made_by(sam),
        decision=Decision.NOT_ACCEPTED,
        decision_reason="There is no money for it this year, so we will ask again in April.",
    )
    stopped = RecommendationResponseFactory(
        recommendation=made_by(sam),
        decision=Decision.ACCEPTED,
        status=Status.NOT_GOING_AHEAD,
        status_reason="The building closed.",
    )

    page = words(login(sam).get(FEED)).replace("&#x27;", "'")
    assert f'id="response-{said_no.pk}"' in page and f'id="response-{stopped.pk}"' in page
    assert "We didn't, and here's why" in page
    assert "There is no money for it this year, so we will ask again in April." in page
    assert "Not going ahead" in page and "Why it is not going ahead" in page and "The building closed." in page
    assert "Not started yet" not in page  # work that was refused and never started has no "where it is up to"


def test_a_recommendation_with_no_response_yet_says_so(sam, login):
    waiting = made_by(sam, text="More quiet rooms in schools.")
    page = words(login(sam).get(FEED))
    assert f'id="recommendation-{waiting.pk}"' in page
    assert "Waiting for the partnership to respond" in page
    assert "Send your rating" not in page


def test_a_late_response_says_it_is_running_late(sam, login):
    RecommendationResponseFactory(
        recommendation=made_by(sam), status=Status.IN_PROGRESS, due_on=timezone.localdate() - datetime.timedelta(1)
    )
    assert "Running late" in words(login(sam).get(FEED))


def test_evidence_files_link_to_the_evidence_download(sam, login):
    response = RecommendationResponseFactory(recommendation=made_by(sam))
    evidence = ResponseEvidence.objects.create(
        partnership=response.partnership, response=response, title="The new leaflet", file="evidence/2025/leaflet.pdf"
    )
    page = login(sam).get(FEED).content.decode()
    assert f'href="/evidence/{evidence.pk}/file/"' in page


def test_the_feed_is_for_young_people_only(member, login):
    worker = member(Role.PARTICIPATION_WORKER)
    assert login(worker).get(FEED).status_code == 403


def test_visiting_the_feed_marks_the_news_read_and_shows_it_first_as_new(sam, ada, login):
    old_news = RecommendationResponseFactory(recommendation=made_by(sam, text="The older one."))
    fresh = RecommendationResponseFactory(recommendation=made_by(sam, text="The one with news."))
    notice = notify(sam, fresh, "We said yes to your idea.")
    theirs = notify(ada, RecommendationResponseFactory(recommendation=made_by(ada)))
    client = login(sam)

    first = words(client.get(FEED))
    assert "There is news about 1 of your recommendations." in first
    card = first[first.index(f'id="response-{fresh.pk}"') :]
    assert card.index("New") < card.index("The one with news.")
    assert first.index(f'id="response-{fresh.pk}"') < first.index(f'id="response-{old_news.pk}"')
    notice.refresh_from_db()
    theirs.refresh_from_db()
    assert notice.read_at is not None
    assert theirs.read_at is None

    again = words(client.get(FEED))
    assert "There is news about" not in again
    assert '<strong class="govuk-tag govuk-tag--pink">New</strong>' not in again


def test_the_feed_is_paginated_20_a_page(sam, login):
    engagement = EngagementFactory(partnership=sam.partnership)
    for number in range(21):
        made_by(sam, engagement=engagement, text=f"Idea number {number}.")
    client = login(sam)
    first = words(client.get(FEED))
    assert first.count('class="app-card"') == 20
    assert "Page 1 of 2" in first
    assert words(client.get(FEED, {"page": 2})).count('class="app-card"') == 1


def feed_data(sam, others, count):
    """`count` recommendations made by sam and two others, each with a response, a timeline, evidence, sam's
    rating and another young person's rating."""
    engagement = EngagementFactory(partnership=sam.partnership)
    for _ in range(count):
        recommendation = made_by(sam, engagement=engagement, others=others)
        response = RecommendationResponseFactory(recommendation=recommendation, decision=Decision.ACCEPTED)
        TimelineEntryFactory.create_batch(3, response=response)
        ResponseEvidence.objects.create(
            partnership=response.partnership, response=response, title="Proof", link="https://example.org/p"
        )
        ResponseRatingFactory(response=response, membership=sam.membership, score=3)
        ResponseRatingFactory(response=response, membership=others[0].membership, score=5, comment="Secret words")


def bulk_feed_data(sam, other, count):
    """`count` more recommendations like feed_data's, written with bulk inserts (fast enough for 1,000)."""
    partnership = sam.partnership
    engagement = EngagementFactory(partnership=partnership)
    recommendations = Recommendation.objects.bulk_create(
        Recommendation(partnership=partnership, engagement=engagement, text=f"Idea {n}", theme="T", agency="A")
        for n in range(count)
    )
    RecommendationContributor.objects.bulk_create(
        RecommendationContributor(partnership=partnership, recommendation=r, membership=m)
        for r in recommendations
        for m in (sam.membership, other.membership)
    )
    responses = RecommendationResponse.objects.bulk_create(
        RecommendationResponse(
            partnership=partnership, recommendation=r, owner_agency="A", owner_name="O", decision=Decision.ACCEPTED
        )
        for r in recommendations
    )
    TimelineEntry.objects.bulk_create(
        TimelineEntry(partnership=partnership, response=r, kind=TimelineEntry.Kind.UPDATE, text=f"Step {n}")
        for r in responses
        for n in range(3)
    )
    ResponseEvidence.objects.bulk_create(
        ResponseEvidence(partnership=partnership, response=r, title="Proof", link="https://example.org/p")
        for r in responses
    )
    ResponseRating.objects.bulk_create(
        ResponseRating(partnership=partnership, response=r, membership=m, score=3, comment="Secret words")
        for r in responses
        for m in (sam.membership, other.membership)
    )


def test_the_feed_makes_the_same_number_of_queries_for_10_or_1000_recommendations(sam, ada, member, login):
    others = [ada, member(Role.YOUNG_PERSON)]
    feed_data(sam, others, 10)
    client = login(sam)
    client.get(FEED)  # warm-up: sessions, content types
    few = queries(client, FEED)
    bulk_feed_data(sam, ada, 990)
    assert RecommendationResponse.objects.count() == 1000
    assert queries(client, FEED) == few
    assert queries(client, f"{FEED}?page=50") == few


def test_the_feed_shows_the_young_persons_own_rating_and_never_anyone_elses_comment(sam, ada, login):
    response = RecommendationResponseFactory(recommendation=made_by(sam, others=[ada]))
    ResponseRatingFactory(response=response, membership=sam.membership, score=4, comment="My own words")
    ResponseRatingFactory(response=response, membership=ada.membership, score=1, comment="Ada's private comment")
    page = login(sam).get(FEED).content.decode()
    assert f"You said: 4 {DASH} It changed quite a lot." in " ".join(page.split())
    assert re.search(
        rf'id="id_rate-{response.pk}-score-4"\s+name="rate-{response.pk}-score"\s+type="radio"\s+'
        rf'value="4"\s+checked',
        page,
    )
    assert page.count(" checked>") == 1
    assert "My own words" in page
    assert "Ada&#x27;s private comment" not in page and "Ada's private comment" not in page


# --- Rating -------------------------------------------------------------------------------------------------------


def rate(client, response, score=None, comment="", page=None):
    data = {f"rate-{response.pk}-comment": comment}
    if score is not None:
        data[f"rate-{response.pk}-score"] = str(score)
    url = f"/your-impact/{response.pk}/rate/" + (f"?page={page}" if page else "")
    return client.post(url, data)


def test_a_rating_is_saved_and_a_new_one_replaces_it(sam, login):
    response = RecommendationResponseFactory(recommendation=made_by(sam))
    client = login(sam)

    answer = rate(client, response, 4, "It helped my friend.")
    assert answer.status_code == 302
    assert answer["Location"] == f"{FEED}#response-{response.pk}"
    rating = ResponseRating.objects.get(response=response)
    assert (rating.membership_id, rating.score, rating.comment) == (sam.membership.pk, 4, "It helped my friend.")

    again = rate(client, response, 2, "", page=3)
    assert again["Location"] == f"{FEED}?page=3#response-{response.pk}"
    rating = ResponseRating.objects.get(response=response)
    assert (rating.score, rating.comment) == (2, "")

    banner = words(client.get(FEED))
    assert "Thank you. Your rating was sent to Children&#x27;s social care and your scrutiny lead." in banner


def test_a_rating_without_a_score_names_the_field_and_keeps_what_was_typed(sam, login):
    response = RecommendationResponseFactory(recommendation=made_by(sam))
    answer = rate(login(sam), response, None, "Typed words")
    assert answer.status_code == 200
    page = words(answer)
    assert f'<a href="#id_rate-{response.pk}-score">Choose how much this changed things, from 1 to 5</a>' in page
    assert "Typed words</textarea>" in page
    assert not ResponseRating.objects.exists()


def test_a_score_out_of_range_is_refused(sam, login):
    response = RecommendationResponseFactory(recommendation=made_by(sam))
    answer = rate(login(sam), response, 9)
    assert answer.status_code == 200
    assert "Choose how much this changed things, from 1 to 5" in words(answer)
    assert not ResponseRating.objects.exists()


def test_rating_a_response_they_did_not_help_make_is_a_404(sam, ada, login):
    theirs = RecommendationResponseFactory(recommendation=made_by(ada))
    client = login(sam)
    assert rate(client, theirs, 5).status_code == 404
    assert client.get(f"/your-impact/{theirs.pk}/rate/").status_code == 404
    assert not ResponseRating.objects.exists()


def test_rating_another_partnerships_response_is_a_404(sam, member, other_partnership, login):
    elsewhere = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    theirs = RecommendationResponseFactory(recommendation=made_by(elsewhere))
    assert rate(login(sam), theirs, 5).status_code == 404
    assert not ResponseRating.objects.exists()


def test_the_rating_page_shows_their_rating_now(sam, login):
    response = RecommendationResponseFactory(recommendation=made_by(sam, text="Free bus passes."))
    ResponseRatingFactory(response=response, membership=sam.membership, score=5)
    page = words(login(sam).get(f"/your-impact/{response.pk}/rate/"))
    assert "“Free bus passes.”" in page
    assert f"Your rating now: 5 {DASH} It changed a lot." in page


# --- Preferences --------------------------------------------------------------------------------------------------


def test_preferences_are_saved_and_shown_again(sam, login):
    client = login(sam)
    page = client.get("/your-impact/settings/").content.decode()
    assert re.search(r'value="immediately"\s+checked', page)  # no choice yet: an email for each change

    answer = client.post("/your-impact/settings/", {"email": "daily", "after_leaving": "on"})
    assert answer.status_code == 302
    preference = FeedbackPreference.objects.get(membership=sam.membership)
    assert (preference.email, preference.after_leaving) == ("daily", True)
    page = client.get("/your-impact/settings/").content.decode()
    assert re.search(r'value="daily"\s+checked', page)
    assert "Your choices were saved." in page

    client.post("/your-impact/settings/", {"email": "never"})
    preference.refresh_from_db()
    assert (preference.email, preference.after_leaving) == ("never", False)


def test_preferences_without_a_choice_name_the_field(sam, login):
    answer = login(sam).post("/your-impact/settings/", {"email": "sometimes"})
    assert answer.status_code == 200
    assert '<a href="#id_email">Choose how often you want emails</a>' in words(answer)
    assert not FeedbackPreference.objects.exists()


def test_preferences_are_for_young_people(member, login):
    assert login(member(Role.SCRUTINY_LEAD)).get("/your-impact/settings/").status_code == 403


# --- Notifications ------------------------------------------------------------------------------------------------


def test_the_notification_list_shows_only_ones_own_newest_first(sam, ada, member, other_partnership, login):
    response = RecommendationResponseFactory(recommendation=made_by(sam, others=[ada]))
    older = notify(sam, response, "Sam's older news.", read=True)
    Notification.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    notify(sam, response, "Sam's newer news.")
    notify(ada, response, "Ada's news.")
    elsewhere = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    notify(elsewhere, RecommendationResponseFactory(recommendation=made_by(elsewhere)), "Far away news.")

    page = words(login(sam).get("/notifications/")).replace("&#x27;", "'")
    assert page.index("Sam's newer news.") < page.index("Sam's older news.")
    assert "Ada's news." not in page and "Far away news." not in page
    assert page.count('<strong class="govuk-tag govuk-tag--pink">New</strong>') == 1
    assert f'href="{FEED}#response-{response.pk}"' in page


def test_marking_notifications_read_marks_only_ones_own(sam, ada, login):
    response = RecommendationResponseFactory(recommendation=made_by(sam, others=[ada]))
    mine = notify(sam, response)
    theirs = notify(ada, response)
    client = login(sam)

    answer = client.post("/notifications/read/")
    assert answer.status_code == 302 and answer["Location"] == "/notifications/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None

    # Naming someone else's notification changes nothing.
    client.post("/notifications/read/", {"notification_id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get("/notifications/read/").status_code == 405


def test_staff_see_their_own_notifications_too(member, login_with_second_factor):
    lead = member(Role.SCRUTINY_LEAD)
    Notification.objects.create(
        partnership=lead.partnership,
        membership=lead.membership,
        kind=Notification.Kind.OVERDUE,
        text="A response is past its due date.",
    )
    assert "A response is past its due date." in words(login_with_second_factor(lead).get("/notifications/"))


def test_the_notification_list_makes_the_same_number_of_queries_however_many(sam, login):
    response = RecommendationResponseFactory(recommendation=made_by(sam))
    for _ in range(3):
        notify(sam, response)
    client = login(sam)
    client.get("/notifications/")
    few = queries(client, "/notifications/")
    for _ in range(60):
        notify(sam, response)
    assert queries(client, "/notifications/") == few


# --- The home page card -------------------------------------------------------------------------------------------


def test_the_home_page_says_how_much_news_there_is(sam, ada, login):
    response = RecommendationResponseFactory(recommendation=made_by(sam, others=[ada]))
    notify(sam, response)
    notify(sam, response)
    notify(sam, response, read=True)
    notify(ada, response)
    page = words(login(sam).get("/me/"))
    assert "Your impact" in page
    assert '<strong class="govuk-tag govuk-tag--pink">2 new</strong>' in page
    assert f'href="{FEED}"' in page


def test_a_card_names_the_others_who_made_it_unless_they_chose_to_be_anonymous(sam, ada, member, login):
    shy = member(Role.YOUNG_PERSON)
    recommendation = made_by(sam, others=[ada])
    RecommendationContributorFactory(recommendation=recommendation, membership=shy.membership, is_anonymous=True)
    page = text(login(sam).get(FEED))
    assert f"You made it with {ada.full_name} and 1 other young person." in page
    assert shy.full_name not in page
