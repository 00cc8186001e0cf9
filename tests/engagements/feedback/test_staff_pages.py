"""The staff pages of the feedback loop, part one: the recommendation list (filters, tags, counts, query count),
adding and changing a recommendation (who made it, anonymous, section 11), and a recommendation's page (the response,
evidence, timeline, ratings and the scrutiny lead's actions). Who may see each page, and 404s for another
partnership's records. Part two (test_staff_pages_responses.py) covers the response, evidence, results, overdue
responses and the public page's settings."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import (
    OpportunityType,
    Recommendation,
    RecommendationContributor,
    RecommendationResponse,
    ResponseEvidence,
    Section11Standard,
)
from participants.models import Role
from tests.engagements.feedback.test_services_recommendations import engagement_with, recommend, respond, young
from tests.factories.feedback import (
    RecommendationContributorFactory,
    RecommendationFactory,
    RecommendationResponseFactory,
    ResponseRatingFactory,
    ResultFactory,
    TimelineEntryFactory,
)

pytestmark = pytest.mark.django_db

Status = RecommendationResponse.Status
Decision = RecommendationResponse.Decision


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


def words(response) -> str:
    """The page's text with runs of spaces and new lines made single spaces (templates wrap long sentences)."""
    return " ".join(response.content.decode().split())


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def many_recommendations(partnership, count, *, engagement=None):
    """`count` recommendations, each with two contributors, a response (with a due date) and a result."""
    made = []
    result = ResultFactory(partnership=partnership)
    for number in range(count):
        recommendation = RecommendationFactory(
            partnership=partnership,
            engagement=engagement or engagement_with(partnership),
            result=result,
            theme=f"Theme {number % 3}",
        )
        RecommendationContributorFactory.create_batch(2, recommendation=recommendation)
        RecommendationResponseFactory(
            recommendation=recommendation,
            status=Status.IN_PROGRESS,
            progress=30,
            due_on=timezone.localdate() - datetime.timedelta(days=number % 4),
        )
        made.append(recommendation)
    return made


# --- The list -----------------------------------------------------------------------------------------------------


def test_the_list_shows_each_recommendation_with_its_response_progress_due_date_and_the_counts(
    partnership, worker, login_with_second_factor
):
    today = timezone.localdate()
    waiting = RecommendationFactory(partnership=partnership, engagement=engagement_with(partnership), text="Waiting")
    late = RecommendationFactory(partnership=partnership, engagement=waiting.engagement, text="Running late")
    RecommendationResponseFactory(
        recommendation=late, status=Status.IN_PROGRESS, progress=60, due_on=today - datetime.timedelta(days=3)
    )
    done = RecommendationFactory(
        partnership=partnership,
        engagement=waiting.engagement,
        text="All done",
        result=ResultFactory(partnership=partnership, title="Listened to"),
    )
    RecommendationResponseFactory(
        recommendation=done, status=Status.DONE, progress=100, due_on=today - datetime.timedelta(days=9)
    )

    response = login_with_second_factor(worker).get("/recommendations/")
    page = words(response)
    assert response.status_code == 200
    assert '<strong class="govuk-tag govuk-tag--grey">No response yet</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--blue">In progress</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--green">Done</strong>' in page
    assert "Progress: </span>60%</strong>" in page
    # Only the open one is overdue; the done one is past its date but finished.
    assert "3 days overdue" in page and "9 days overdue" not in page
    assert (today - datetime.timedelta(days=3)).strftime("%-d %B %Y") in page
    assert f'href="/results/#result-{done.result_id}">Listened to</a>' in page
    assert 'href="/results/">Results</a>' in page
    counts = re.search(r'<dl class="govuk-summary-list govuk-summary-list--no-border" id="counts">(.*?)</dl>', page)
    assert counts is not None
    found = dict(re.findall(r'__key">([^<]+)</dt> <dd class="govuk-summary-list__value"> (\d+) </dd>', counts[1]))
    assert found["Recommendations"] == "3"
    assert found["No response yet"] == "1"
    assert found["In progress"] == "1" and found["Done"] == "1" and found["Not started"] == "0"
    assert found["Past their due date"] == "1"
    assert "3 recommendations" in page


def test_the_list_filters_by_engagement_theme_agency_decision_status_and_overdue(
    partnership, worker, login_with_second_factor
):
    today = timezone.localdate()
    one, two = engagement_with(partnership, title="Panel one"), engagement_with(partnership, title="Panel two")
    a = RecommendationFactory(partnership=partnership, engagement=one, text="Alpha", theme="Health", agency="NHS")
    b = RecommendationFactory(partnership=partnership, engagement=two, text="Bravo", theme="School", agency="Police")
    RecommendationResponseFactory(
        recommendation=b,
        decision=Decision.NOT_ACCEPTED,
        decision_reason="No money",
        status=Status.NOT_STARTED,
        due_on=today - datetime.timedelta(days=1),
    )
    c = RecommendationFactory(partnership=partnership, engagement=two, text="Charlie", theme="School", agency="NHS")
    RecommendationResponseFactory(recommendation=c, decision=Decision.ACCEPTED, status=Status.DONE, progress=100)
    client = login_with_second_factor(worker)

    def shown(**params) -> set[str]:
        page = client.get("/recommendations/", params).content.decode()
        return {text for text in ("Alpha", "Bravo", "Charlie") if f">{text}</a>" in page}

    assert shown() == {"Alpha", "Bravo", "Charlie"}
    assert shown(engagement=one.pk) == {"Alpha"}
    assert shown(theme="School") == {"Bravo", "Charlie"}
    assert shown(agency="NHS") == {"Alpha", "Charlie"}
    assert shown(decision="not_accepted") == {"Bravo"}
    assert shown(decision="none") == {"Alpha"}
    assert shown(status="done") == {"Charlie"}
    assert shown(status="none") == {"Alpha"}
    assert shown(overdue="yes") == {"Bravo"}
    assert shown(theme="School", agency="NHS") == {"Charlie"}
    # An unknown value is ignored, not an error.
    assert shown(theme="No such theme") == {"Alpha", "Bravo", "Charlie"}
    assert a.pk  # the factory made it


def test_the_list_filtered_to_an_engagement_offers_to_add_one_from_it_even_with_none_yet(
    partnership, worker, login_with_second_factor
):
    engagement = engagement_with(partnership, title="Youth panel")
    page = words(login_with_second_factor(worker).get("/recommendations/", {"engagement": engagement.pk}))
    assert f'href="/engagements/{engagement.pk}/recommendations/new/">Add a recommendation from Youth panel</a>' in page
    assert "No recommendations match those filters." in page


def test_the_list_makes_the_same_number_of_queries_for_10_and_60_recommendations(
    partnership, worker, login_with_second_factor
):
    engagement = engagement_with(partnership)
    many_recommendations(partnership, 10, engagement=engagement)
    client = login_with_second_factor(worker)
    client.get("/recommendations/")  # warm-up: sessions, content types
    few = queries(client, "/recommendations/")
    many_recommendations(partnership, 50)
    assert Recommendation.objects.count() == 60
    assert queries(client, "/recommendations/") == few
    assert queries(client, "/recommendations/?status=in_progress&overdue=yes") <= few


@pytest.mark.parametrize("role", [Role.YOUNG_PERSON, Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD])
def test_the_list_is_refused_to_those_who_do_not_see_recommendations(member, login_with_second_factor, role):
    assert login_with_second_factor(member(role)).get("/recommendations/").status_code == 403


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN])
def test_feedback_staff_see_the_list(member, login_with_second_factor, role):
    assert login_with_second_factor(member(role)).get("/recommendations/").status_code == 200


def test_the_list_does_not_show_another_partnerships_recommendations(
    partnership, other_partnership, worker, login_with_second_factor
):
    RecommendationFactory(
        partnership=other_partnership, engagement=engagement_with(other_partnership), text="Their secret"
    )
    mine = RecommendationFactory(partnership=partnership, engagement=engagement_with(partnership), text="Ours")
    page = login_with_second_factor(worker).get("/recommendations/").content.decode()
    assert "Their secret" not in page and f"/recommendations/{mine.pk}/" in page


# --- Adding and changing a recommendation ----------------------------------------------------------------------


def test_the_new_page_offers_the_engagements_young_people_with_an_anonymous_choice(
    partnership, worker, login_with_second_factor
):
    sam, ada = young(partnership), young(partnership)
    stranger = young(partnership)
    engagement = engagement_with(partnership, sam, ada)
    page = words(login_with_second_factor(worker).get(f"/engagements/{engagement.pk}/recommendations/new/"))
    for person in (sam, ada):
        assert f'name="contributor_ids" type="checkbox" value="{person.pk}"' in page
        assert f'name="anonymous_ids" type="checkbox" value="{person.pk}"' in page
        assert f"{person.user.full_name} (anonymous)" in page
    assert f'value="{stranger.pk}"' not in page
    # Not a section 11 panel: no standard.
    assert 'name="section_11_standard"' not in page


def test_the_new_page_asks_for_the_standard_and_names_the_agencies_for_a_section_11_panel(
    partnership, worker, login_with_second_factor
):
    engagement = engagement_with(
        partnership,
        young(partnership),
        kind=OpportunityType.SECTION_11_PANEL,
        agencies_under_review=["Police", "Health"],
    )
    page = words(login_with_second_factor(worker).get(f"/engagements/{engagement.pk}/recommendations/new/"))
    assert 'name="section_11_standard" type="radio" value="training"' in page
    assert "Agencies under review in this panel: Police, Health." in page


def test_a_worker_adds_a_recommendation_with_named_and_anonymous_young_people(
    partnership, worker, login_with_second_factor
):
    sam, ada = young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada)
    result = ResultFactory(partnership=partnership)
    response = login_with_second_factor(worker).post(
        f"/engagements/{engagement.pk}/recommendations/new/",
        {
            "text": "Ask us before you change the youth service.",
            "theme": "Being listened to",
            "agency": "Children's services",
            "contributor_ids": [sam.pk, ada.pk],
            "anonymous_ids": [ada.pk],
            "result": result.pk,
            "weight": "3",
            "is_public": "yes",
        },
    )
    recommendation = Recommendation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/recommendations/{recommendation.pk}/"
    assert recommendation.text == "Ask us before you change the youth service."
    assert (recommendation.result, recommendation.weight, recommendation.is_public) == (result, 3, True)
    assert {c.membership_id: c.is_anonymous for c in recommendation.contributions.all()} == {
        sam.pk: False,
        ada.pk: True,
    }
    assert recommendation.created_by == worker


def test_a_section_11_recommendation_keeps_its_standard(partnership, worker, login_with_second_factor):
    sam = young(partnership)
    engagement = engagement_with(
        partnership, sam, kind=OpportunityType.SECTION_11_PANEL, agencies_under_review=["Police"]
    )
    login_with_second_factor(worker).post(
        f"/engagements/{engagement.pk}/recommendations/new/",
        {
            "text": "Train every officer.",
            "theme": "Training",
            "agency": "Police",
            "section_11_standard": "training",
            "contributor_ids": [sam.pk],
            "weight": "1",
            "is_public": "no",
        },
    )
    assert Recommendation.objects.get().section_11_standard == Section11Standard.TRAINING


def test_a_missing_recommendation_is_named_and_what_was_typed_and_ticked_is_kept(
    partnership, worker, login_with_second_factor
):
    sam, ada = young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada)
    response = login_with_second_factor(worker).post(
        f"/engagements/{engagement.pk}/recommendations/new/",
        {
            "text": "",
            "theme": "Keep this theme",
            "agency": "Police",
            "contributor_ids": [ada.pk],
            "anonymous_ids": [ada.pk],
            "weight": "1",
            "is_public": "no",
        },
    )
    page = words(response)
    assert response.status_code == 200 and not Recommendation.objects.exists()
    assert "<title> Error: Add a recommendation" in page
    assert '<a href="#id_text">Enter the recommendation</a>' in page
    assert 'value="Keep this theme"' in page
    assert f'name="contributor_ids" type="checkbox" value="{ada.pk}" checked>' in page
    assert f'name="contributor_ids" type="checkbox" value="{sam.pk}" >' in page
    assert f'name="anonymous_ids" type="checkbox" value="{ada.pk}" checked>' in page


def test_the_services_refusal_is_shown_against_its_field(partnership, worker, login_with_second_factor):
    """A section 11 panel's agency must be one under review: the service says so, on the agency field."""
    sam = young(partnership)
    engagement = engagement_with(
        partnership, sam, kind=OpportunityType.SECTION_11_PANEL, agencies_under_review=["Police"]
    )
    page = words(
        login_with_second_factor(worker).post(
            f"/engagements/{engagement.pk}/recommendations/new/",
            {
                "text": "Train every officer.",
                "theme": "Training",
                "agency": "The moon",
                "section_11_standard": "training",
                "contributor_ids": [sam.pk],
                "weight": "1",
                "is_public": "no",
            },
        )
    )
    assert not Recommendation.objects.exists()
    assert '<a href="#id_agency">Choose one of the agencies this panel reviewed: Police.</a>' in page
    assert 'value="The moon"' in page


def test_anonymous_without_being_ticked_as_a_maker_is_an_error_on_the_boxes(
    partnership, worker, login_with_second_factor
):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    page = words(
        login_with_second_factor(worker).post(
            f"/engagements/{engagement.pk}/recommendations/new/",
            {"text": "T", "theme": "T", "agency": "A", "anonymous_ids": [sam.pk], "weight": "1", "is_public": "no"},
        )
    )
    assert not Recommendation.objects.exists()
    assert '<a href="#id_contributor_ids">Tick the young person as one who made it' in page


def test_a_worker_changes_a_recommendation_and_who_is_anonymous(partnership, worker, login_with_second_factor):
    sam, ada = young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada)
    recommendation = recommend(worker, engagement, [sam, ada], anonymous=[ada])
    client = login_with_second_factor(worker)
    form = words(client.get(f"/recommendations/{recommendation.pk}/edit/"))
    assert f'name="anonymous_ids" type="checkbox" value="{ada.pk}" checked>' in form
    assert f'name="contributor_ids" type="checkbox" value="{sam.pk}" checked>' in form
    response = client.post(
        f"/recommendations/{recommendation.pk}/edit/",
        {
            "text": "Ask us first, always.",
            "theme": "Being listened to",
            "agency": "Police",
            "contributor_ids": [sam.pk],
            "anonymous_ids": [sam.pk],
            "weight": "1",
            "is_public": "no",
        },
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text == "Ask us first, always."
    assert {c.membership_id: c.is_anonymous for c in recommendation.contributions.all()} == {sam.pk: True}


def test_adding_from_another_partnerships_engagement_is_a_404(
    partnership, other_partnership, worker, login_with_second_factor
):
    engagement = engagement_with(other_partnership, young(other_partnership))
    client = login_with_second_factor(worker)
    assert client.get(f"/engagements/{engagement.pk}/recommendations/new/").status_code == 404
    assert client.post(f"/engagements/{engagement.pk}/recommendations/new/", {"text": "x"}).status_code == 404


@pytest.mark.parametrize("role", [Role.YOUNG_PERSON, Role.FINANCE_OFFICER, Role.PARTNERSHIP_ADMIN])
def test_only_workers_and_scrutiny_leads_add_or_change_recommendations(
    partnership, worker, member, login_with_second_factor, role
):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    recommendation = recommend(worker, engagement, [sam])
    client = login_with_second_factor(member(role))
    assert client.get(f"/engagements/{engagement.pk}/recommendations/new/").status_code == 403
    assert client.get(f"/recommendations/{recommendation.pk}/edit/").status_code == 403
    assert client.post(f"/recommendations/{recommendation.pk}/edit/", {"text": "Hacked"}).status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.text != "Hacked"


def test_the_engagement_page_links_to_its_recommendations(partnership, worker, login_with_second_factor):
    engagement = engagement_with(partnership)
    page = login_with_second_factor(worker).get(f"/staff/engagements/{engagement.pk}/").content.decode()
    assert f'href="/recommendations/?engagement={engagement.pk}">Recommendations</a>' in page


# --- A recommendation's page -----------------------------------------------------------------------------------


def full_recommendation(partnership, worker, lead, *, ratings=1, entries=1, evidence=1):
    sam, ada = young(partnership), young(partnership)
    sam.user.full_name, ada.user.full_name = "Sam Named", "Ada Hidden"
    sam.user.save(update_fields=["full_name"])
    ada.user.save(update_fields=["full_name"])
    engagement = engagement_with(partnership, sam, ada, title="Youth panel on schools")
    recommendation = recommend(worker, engagement, [sam, ada], anonymous=[ada], text="Ask us first.")
    response = respond(
        lead,
        recommendation,
        owner_agency="Education",
        owner_name="Priya Shah",
        owner_email="priya@agency.example",
        decision=Decision.PARTLY_ACCEPTED,
        decision_reason="We can do the first half.",
        due_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    for number in range(entries):
        TimelineEntryFactory(
            response=response,
            text=f"Update number {number}",
            happened_on=timezone.localdate() - datetime.timedelta(days=number + 1),
            created_by=lead,
        )
    for number in range(evidence):
        ResponseEvidence.objects.create(
            partnership=partnership, response=response, title=f"Minutes {number}", link="https://example.org/minutes"
        )
    for _ in range(ratings):
        membership = young(partnership)
        RecommendationContributor.objects.create(
            partnership=partnership, recommendation=recommendation, membership=membership
        )
        ResponseRatingFactory(response=response, membership=membership, score=2, comment="Nothing changed yet")
    return recommendation, response


def test_the_page_shows_the_recommendation_response_evidence_timeline_and_ratings(
    partnership, worker, lead, login_with_second_factor
):
    recommendation, response = full_recommendation(partnership, worker, lead)
    page = words(login_with_second_factor(lead).get(f"/recommendations/{recommendation.pk}/"))
    assert "Ask us first." in page and "Youth panel on schools" in page
    assert "Sam Named </li>" in page
    assert "Ada Hidden (anonymous to others)" in page
    assert "Priya Shah, Education" in page and "priya@agency.example" in page
    assert '<strong class="govuk-tag govuk-tag--yellow">Partly accepted</strong>' in page
    assert "We can do the first half." in page
    assert "Progress: </span>0%</strong>" in page
    assert "2 days past its due date" in page
    assert 'href="https://example.org/minutes" rel="noopener noreferrer">Minutes 0</a>' in page
    # The timeline, newest first: the response (today) before the update (yesterday).
    assert page.index("Response recorded") < page.index("Update number 0")
    assert "2 out of 5" in page and "Nothing changed yet" in page
    # The scrutiny lead's actions.
    for url in (
        f"/responses/{response.pk}/edit/",
        f"/responses/{response.pk}/timeline/new/",
        f"/responses/{response.pk}/evidence/new/",
        f"/evidence/{response.evidence.get().pk}/remove/",
    ):
        assert f'href="{url}"' in page


def test_a_worker_sees_the_page_without_the_scrutiny_leads_actions(partnership, worker, lead, login_with_second_factor):
    recommendation, response = full_recommendation(partnership, worker, lead)
    page = login_with_second_factor(worker).get(f"/recommendations/{recommendation.pk}/").content.decode()
    assert "Priya Shah" in page
    assert f"/responses/{response.pk}/edit/" not in page and "/remove/" not in page
    assert f'href="/recommendations/{recommendation.pk}/edit/"' in page


def test_with_no_response_the_scrutiny_lead_is_offered_to_record_one(
    partnership, worker, lead, login_with_second_factor
):
    sam = young(partnership)
    recommendation = recommend(worker, engagement_with(partnership, sam), [sam])
    page = words(login_with_second_factor(lead).get(f"/recommendations/{recommendation.pk}/"))
    assert "The partnership has not responded yet." in page
    assert f'href="/recommendations/{recommendation.pk}/response/">Record the response</a>' in page
    assert f"/recommendations/{recommendation.pk}/response/" not in words(
        login_with_second_factor(worker).get(f"/recommendations/{recommendation.pk}/")
    )


def test_the_page_makes_the_same_number_of_queries_however_much_it_shows(
    partnership, worker, lead, login_with_second_factor
):
    small, _ = full_recommendation(partnership, worker, lead, ratings=1, entries=1, evidence=1)
    big, _ = full_recommendation(partnership, worker, lead, ratings=8, entries=12, evidence=6)
    client = login_with_second_factor(lead)
    client.get(f"/recommendations/{small.pk}/")  # warm-up
    assert queries(client, f"/recommendations/{big.pk}/") == queries(client, f"/recommendations/{small.pk}/")


def test_another_partnerships_recommendation_is_a_404(partnership, other_partnership, member, login_with_second_factor):
    theirs = RecommendationFactory(partnership=other_partnership, engagement=engagement_with(other_partnership))
    client = login_with_second_factor(member(Role.SCRUTINY_LEAD))
    assert client.get(f"/recommendations/{theirs.pk}/").status_code == 404
    assert client.get(f"/recommendations/{theirs.pk}/edit/").status_code == 404
    assert client.get(f"/recommendations/{theirs.pk}/response/").status_code == 404


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD])
def test_the_page_is_refused_to_staff_who_do_not_see_recommendations(
    partnership, worker, member, login_with_second_factor, role
):
    sam = young(partnership)
    recommendation = recommend(worker, engagement_with(partnership, sam), [sam])
    assert login_with_second_factor(member(role)).get(f"/recommendations/{recommendation.pk}/").status_code == 403


def test_a_young_person_who_made_it_uses_their_impact_feed_not_the_staff_page(partnership, worker, lead, login):
    recommendation, _ = full_recommendation(partnership, worker, lead)
    maker = recommendation.contributions.first().membership
    response = login(maker.user).get(f"/recommendations/{recommendation.pk}/")
    assert response.status_code == 403
    assert "Nothing changed yet" not in response.content.decode()
