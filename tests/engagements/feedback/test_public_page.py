"""The public "you said, we did" page: no sign-in, only when the partnership publishes it, only recommendations
marked public, no personal data, and the same cacheable page for everyone."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements.models import FeedbackSettings, RecommendationResponse, ResponseEvidence
from participants.models import Role
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

Decision = RecommendationResponse.Decision
Status = RecommendationResponse.Status


def url(partnership, query=""):
    return f"/you-said-we-did/{partnership.slug}/{query}"


def publish(partnership, *, on=True, intro=""):
    return FeedbackSettings.objects.create(partnership=partnership, public_page=on, public_intro=intro)


def text(response):
    """The page's words without its tags (and with apostrophes as typed)."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).replace("&#x27;", "'").split())


def public_one(partnership, *, text="Ask young people before changing a service.", is_public=True, **response):
    recommendation = RecommendationFactory(
        engagement=EngagementFactory(partnership=partnership), text=text, is_public=is_public
    )
    answer = RecommendationResponseFactory(recommendation=recommendation, **response) if response else None
    return recommendation, answer


def test_the_page_is_a_404_when_the_partnership_does_not_publish_it(partnership, client):
    public_one(partnership, owner_agency="Police")
    assert client.get(url(partnership)).status_code == 404  # no settings at all
    publish(partnership, on=False)
    assert client.get(url(partnership)).status_code == 404
    assert client.get("/you-said-we-did/no-such-partnership/").status_code == 404


def test_only_recommendations_marked_public_are_shown(partnership, other_partnership, client):
    publish(partnership, intro="What we did with what young people told us.")
    public_one(partnership, text="Shown: more youth workers.", owner_agency="Police")
    public_one(partnership, text="Never shown: a private idea.", is_public=False, owner_agency="Police")
    publish(other_partnership)
    public_one(other_partnership, text="Another partnership's public idea.", owner_agency="Police")

    answer = client.get(url(partnership))
    assert answer.status_code == 200
    page = text(answer)
    assert partnership.name in page
    assert "What we did with what young people told us." in page
    assert "Shown: more youth workers." in page
    assert "Never shown" not in page
    assert "Another partnership's public idea." not in page


def test_the_page_has_no_personal_data(partnership, member, client):
    publish(partnership)
    named = member(Role.YOUNG_PERSON)
    anonymous = member(Role.YOUNG_PERSON)
    lead = member(Role.SCRUTINY_LEAD)
    recommendation, response = public_one(
        partnership,
        owner_agency="Children's social care",
        owner_name="Priya Shah",
        owner_email="priya.shah@agency.example",
        decision=Decision.ACCEPTED,
    )
    recommendation.created_by = lead
    recommendation.save()
    RecommendationContributorFactory(recommendation=recommendation, membership=named.membership)
    RecommendationContributorFactory(recommendation=recommendation, membership=anonymous.membership, is_anonymous=True)
    ResponseRatingFactory(response=response, membership=named.membership, score=2, comment="My private comment")
    TimelineEntryFactory(response=response, text="We changed the leaflet.", created_by=lead)
    # The "response recorded" entry names the owner (a person), so it stays off the public page.
    TimelineEntryFactory(
        response=response, kind="response", text="The partnership responded. Owner: Priya Shah.", created_by=lead
    )
    ResponseEvidence.objects.create(
        partnership=partnership, response=response, title="Secret file", file="evidence/2025/file.pdf"
    )

    html = client.get(url(partnership)).content.decode()
    assert "Children&#x27;s social care" in html  # the owner agency is fine
    assert "We changed the leaflet." in html
    for private in (
        named.full_name,
        named.email,
        anonymous.full_name,
        anonymous.email,
        lead.full_name,
        lead.email,
        "Priya Shah",
        "priya.shah@agency.example",
        "My private comment",
        "Secret file",
        "/evidence/",
        "@",
    ):
        assert private not in html, private


def test_not_accepted_and_not_going_ahead_show_why_with_the_timeline_and_links(partnership, client):
    publish(partnership)
    _, said_no = public_one(
        partnership,
        text="Free buses.",
        owner_agency="Transport",
        decision=Decision.NOT_ACCEPTED,
        decision_reason="It costs too much this year.",
    )
    public_one(
        partnership,
        text="A youth hub.",
        owner_agency="Council",
        decision=Decision.ACCEPTED,
        status=Status.NOT_GOING_AHEAD,
        status_reason="The building was sold.",
    )
    _, going = public_one(
        partnership, text="Quiet rooms.", owner_agency="Schools", status=Status.IN_PROGRESS, progress=40
    )
    TimelineEntryFactory(response=said_no, happened_on=datetime.date(2025, 2, 3), text="The board said no.")
    ResponseEvidence.objects.create(
        partnership=partnership, response=going, title="Photos of the room", link="https://example.org/room"
    )

    answer = client.get(url(partnership))
    page = text(answer)
    assert "We didn't, and here's why" in page and "It costs too much this year." in page
    assert "Not going ahead" in page and "The building was sold." in page
    assert "40% done" in page
    assert "3 February 2025: The board said no." in page
    html = " ".join(answer.content.decode().split())
    assert (
        '<a class="govuk-link" href="https://example.org/room" rel="noopener noreferrer">Photos of the room</a>' in html
    )
    assert "Waiting for an answer" not in page


def test_items_are_grouped_by_theme_or_by_result(partnership, client):
    publish(partnership)
    result = ResultFactory(partnership=partnership, title="Young people feel heard")
    first, _ = public_one(partnership, text="Idea about health.", owner_agency="NHS")
    first.theme, first.result = "Health", result
    first.save()
    second, _ = public_one(partnership, text="Idea about school.")
    second.theme = "Education"
    second.save()

    by_theme = text(client.get(url(partnership)))
    assert by_theme.index("Education") < by_theme.index("Idea about school.") < by_theme.index("Health")
    assert by_theme.index("Health") < by_theme.index("Idea about health.")
    assert "Waiting for an answer" in by_theme  # the school idea has no response yet

    by_result = text(client.get(url(partnership, "?by=result")))
    assert by_result.index("Young people feel heard") < by_result.index("Idea about health.")
    assert by_result.index("Other recommendations") < by_result.index("Idea about school.")


def test_the_page_is_cacheable_and_the_same_for_everyone(partnership, member, client, login):
    publish(partnership)
    public_one(partnership, owner_agency="Police")

    anonymous = client.get(url(partnership))
    assert anonymous.status_code == 200
    cache_control = anonymous["Cache-Control"]
    assert "public" in cache_control and "max-age=300" in cache_control
    assert "no-store" not in cache_control and "private" not in cache_control
    assert not anonymous.cookies  # no session or CSRF cookie
    html = anonymous.content.decode()
    assert "<form" not in html and "csrfmiddlewaretoken" not in html
    assert "<script" not in html and "style=" not in html
    assert '<meta name="robots" content="noindex">' in html

    young = member(Role.YOUNG_PERSON)
    signed_in = login(young).get(url(partnership))
    assert signed_in.content == anonymous.content
    assert young.full_name not in signed_in.content.decode()


def public_data(partnership, count):
    engagement = EngagementFactory(partnership=partnership)
    result = ResultFactory(partnership=partnership)
    for number in range(count):
        recommendation = RecommendationFactory(
            engagement=engagement, is_public=True, theme=f"Theme {number % 4}", result=result
        )
        RecommendationContributorFactory(recommendation=recommendation)
        response = RecommendationResponseFactory(recommendation=recommendation, progress=50)
        TimelineEntryFactory.create_batch(2, response=response)
        ResponseEvidence.objects.create(
            partnership=partnership, response=response, title="Proof", link="https://example.org/proof"
        )


@pytest.mark.parametrize("query", ["", "?by=result"])
def test_the_page_makes_the_same_number_of_queries_for_5_or_50_items(partnership, client, query):
    publish(partnership)
    public_data(partnership, 5)
    client.get(url(partnership, query))

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(partnership, query)).status_code == 200
        return len(captured)

    few = count()
    public_data(partnership, 45)
    assert count() == few


def test_the_page_shows_fifty_recommendations_at_a_time_in_group_order(partnership, client):
    """However many a partnership publishes, a page shows 50 (with the GOV.UK pagination), in the order of the
    groups: a page holds whole groups or continues the last one, and the next page link keeps the grouping."""
    from frontend.views.impact import PUBLIC_PAGE_SIZE

    publish(partnership)
    engagement = EngagementFactory(partnership=partnership)
    for number in range(PUBLIC_PAGE_SIZE + 5):
        RecommendationFactory(
            engagement=engagement, is_public=True, theme="Alpha" if number < 30 else "Beta", text=f"Idea {number}."
        )

    first = client.get(url(partnership)).content.decode()
    assert first.count("<article") == PUBLIC_PAGE_SIZE
    assert "Page 1 of 2" in first and 'href="?by=theme&amp;page=2"' in first
    second = client.get(url(partnership, "?by=theme&page=2")).content.decode()
    assert second.count("<article") == 5
    assert "Alpha" not in text(client.get(url(partnership, "?by=theme&page=2")))  # Alpha's 30 are all on page 1
    shown = set(re.findall(r"Idea (\d+)\.", first)) | set(re.findall(r"Idea (\d+)\.", second))
    assert shown == {str(number) for number in range(PUBLIC_PAGE_SIZE + 5)}  # each once, none lost
