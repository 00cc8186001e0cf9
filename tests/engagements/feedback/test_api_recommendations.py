"""/api/v1/recommendations/: staff who see recommendations get the partnership's, with the young people who made
each one by name (anonymous ones marked); a young person gets only the ones they made and nothing about anyone else
who made them. Create and change (the field names the error); refused roles are a 403; another partnership's is a
404; the list's query count does not grow with its rows.

The helpers at the top are shared by the other test_api_* files."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements.models import OpportunityType, Recommendation, RecommendationResponse
from engagements.services.feedback import recommendation_create, response_record, response_update
from participants.models import Role
from tests.engagements.test_outputs import engagement_with
from tests.engagements.test_outputs import young as _young
from tests.factories.feedback import (
    RecommendationContributorFactory,
    RecommendationFactory,
    RecommendationResponseFactory,
    ResponseRatingFactory,
    ResultFactory,
    TimelineEntryFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/recommendations/"
STAFF_WHO_SEE = [Role.PARTICIPATION_WORKER, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN]
REFUSED = [Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD]


# --- Shared helpers ---------------------------------------------------------------------------------------------


def young(partnership):
    """A young person (membership) of the partnership, acting in it."""
    return _young(partnership, media=False)


def focus_group(partnership, *people):
    """A completed focus group the young people took part in (not a section 11 panel: no standard needed)."""
    return engagement_with(partnership, *people, opportunity_type=OpportunityType.FOCUS_GROUP)


def recommend(author, engagement, people, *, anonymous=(), **fields) -> Recommendation:
    values = {
        "text": "Ask us before you change the youth service.",
        "theme": "Being listened to",
        "agency": "Children's social care",
    }
    values.update(fields)
    return recommendation_create(
        actor=author,
        engagement_id=engagement.pk,
        contributors=[(p.pk, p in anonymous) for p in people],
        **values,
    )


def respond(lead, recommendation, **fields) -> RecommendationResponse:
    values = {"owner_agency": "Police", "owner_name": "Sam Jones", "owner_email": "sam.jones@police.example"}
    values.update(fields)
    return response_record(actor=lead, recommendation_id=recommendation.pk, **values)


def bulk_recommendations(partnership, count, *, contributors=(), extra_people=2, by=None):
    """`count` recommendations made with factories (fast): each with `contributors` plus `extra_people` more young
    people, a response with two timeline entries and a rating, so an N+1 anywhere would show. `by`: the staff member
    who recorded them and the response."""
    made = []
    for _ in range(count):
        recommendation = RecommendationFactory(
            engagement__partnership=partnership, partnership=partnership, created_by=by
        )
        for person in contributors:
            RecommendationContributorFactory(recommendation=recommendation, membership=person)
        for _ in range(extra_people):
            RecommendationContributorFactory(recommendation=recommendation, is_anonymous=True)
        response = RecommendationResponseFactory(recommendation=recommendation, progress=40, created_by=by)
        TimelineEntryFactory(response=response)
        TimelineEntryFactory(response=response, text="We trained the team.")
        ResponseRatingFactory(response=response, comment="It helped a bit.")
        made.append(recommendation)
    return made


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(captured), response.json()


def assert_list_queries_constant(client, url, add_rows, *, params=None, few=10, many=60):
    """The list makes the same number of queries for `few` rows as for `many` (every row on one page)."""
    params = {"limit": 100, **(params or {})}
    add_rows(few)
    client.get(url, params)  # warm up anything cached per process
    small, body = count_queries(client, url, params)
    assert body["count"] == few
    add_rows(many - few)
    large, body = count_queries(client, url, params)
    assert body["count"] == many and len(body["results"]) == many
    assert large == small


# --- Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


@pytest.fixture
def sam(partnership):
    return young(partnership)


@pytest.fixture
def ada(partnership):
    return young(partnership)


# --- Listing ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_WHO_SEE)
def test_staff_see_the_partnerships_recommendations_with_everyone_who_made_them(
    partnership, worker, lead, sam, ada, member, api_as, role
):
    engagement = focus_group(partnership, sam, ada)
    ours = recommend(worker, engagement, [sam, ada], anonymous=[ada])
    respond(lead, ours, decision="accepted", due_on="2030-01-31")

    body = api_as(member(role)).get(URL).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == ours.pk and row["engagement_id"] == engagement.pk and row["text"] == ours.text
    contributors = {c["membership_id"]: c for c in row["contributors"]}
    assert contributors[sam.pk] == {"membership_id": sam.pk, "full_name": sam.user.full_name, "is_anonymous": False}
    assert contributors[ada.pk] == {"membership_id": ada.pk, "full_name": ada.user.full_name, "is_anonymous": True}
    assert row["response"]["decision"] == "accepted" and row["response"]["due_on"] == "2030-01-31"
    assert row["response"]["status"] == "not_started" and row["response"]["is_overdue"] is False


def test_the_list_filters_by_engagement_theme_status_decision_response_and_overdue(
    partnership, worker, lead, sam, api_as
):
    first, second = focus_group(partnership, sam), focus_group(partnership, sam)
    accepted = recommend(worker, first, [sam], theme="Mental health")
    declined = recommend(worker, first, [sam])
    waiting = recommend(worker, second, [sam])
    late = recommend(worker, second, [sam])
    respond(lead, accepted, decision="accepted")
    respond(lead, declined, decision="not_accepted", decision_reason="There is no money for it this year.")
    overdue = respond(lead, late, decision="accepted")
    RecommendationResponse.objects.filter(pk=overdue.pk).update(due_on="2020-01-01")
    response_update(actor=lead, response_id=respond(lead, waiting).pk, changes={"status": "in_progress"})

    client = api_as(worker)

    def ids(**params):
        body = client.get(URL, params)
        assert body.status_code == 200, body.json()
        return {row["id"] for row in body.json()["results"]}

    assert ids(engagement=first.pk) == {accepted.pk, declined.pk}
    assert ids(theme="mental health") == {accepted.pk}
    assert ids(decision="not_accepted") == {declined.pk}
    assert ids(status="in_progress") == {waiting.pk}
    assert ids(overdue="true") == {late.pk}
    assert ids(overdue="false") == {accepted.pk, declined.pk, waiting.pk}
    unanswered = recommend(worker, second, [sam])
    assert ids(responded="false") == {unanswered.pk}


def test_a_bad_filter_is_a_400_naming_it(worker, api_as):
    response = api_as(worker).get(URL, {"status": "finished", "engagement": "abc"})
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"status", "engagement"}


def test_a_young_person_sees_only_what_they_made_and_nobody_else_who_made_it(
    partnership, worker, lead, sam, ada, api_as
):
    engagement = focus_group(partnership, sam, ada)
    ours = recommend(worker, engagement, [sam, ada], anonymous=[sam])
    recommend(worker, engagement, [ada], text="Ada's own recommendation.")
    respond(lead, ours, decision="accepted")

    body = api_as(sam.user).get(URL).json()
    assert [row["id"] for row in body["results"]] == [ours.pk]
    row = body["results"][0]
    assert row["is_anonymous"] is True and row["response"]["decision"] == "accepted"
    assert "contributors" not in row
    text = str(body)
    assert ada.user.full_name not in text and "Ada's own recommendation." not in text

    other = api_as(ada.user).get(URL).json()
    assert {row["id"] for row in other["results"]} == {ours.pk, Recommendation.objects.exclude(pk=ours.pk).get().pk}
    assert sam.user.full_name not in str(other)  # anonymous to other young people, and never named to them anyway


@pytest.mark.parametrize("role", REFUSED)
def test_finance_officers_and_safeguarding_leads_are_refused(partnership, worker, sam, member, api_as, role):
    recommendation = recommend(worker, focus_group(partnership, sam), [sam])
    client = api_as(member(role))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{recommendation.pk}/").status_code == 403
    assert client.patch(f"{URL}{recommendation.pk}/", {"text": "x"}, format="json").status_code == 403
    created = client.post(
        URL,
        {"engagement": recommendation.engagement_id, "text": "T", "theme": "T", "agency": "A"},
        format="json",
    )
    assert created.status_code == 403
    assert Recommendation.objects.count() == 1 and Recommendation.objects.get().text != "x"


def test_another_partnerships_recommendation_is_a_404(partnership, other_partnership, worker, member, api_as):
    theirs_person = young(other_partnership)
    their_worker = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    theirs = recommend(their_worker, focus_group(other_partnership, theirs_person), [theirs_person])
    client = api_as(worker)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.patch(f"{URL}{theirs.pk}/", {"text": "Changed"}, format="json").status_code == 404
    on_their_engagement = client.post(
        URL, {"engagement": theirs.engagement_id, "text": "T", "theme": "T", "agency": "A"}, format="json"
    )
    assert on_their_engagement.status_code == 404
    assert Recommendation.objects.count() == 1 and Recommendation.objects.get().text != "Changed"


def test_a_young_person_who_did_not_make_it_gets_a_404(partnership, worker, sam, ada, api_as):
    recommendation = recommend(worker, focus_group(partnership, sam, ada), [sam])
    assert api_as(ada.user).get(f"{URL}{recommendation.pk}/").status_code == 404
    assert api_as(sam.user).get(f"{URL}{recommendation.pk}/").status_code == 200


def test_the_staff_list_makes_the_same_number_of_queries_for_10_and_60(partnership, worker, api_as):
    assert_list_queries_constant(api_as(worker), URL, lambda n: bulk_recommendations(partnership, n, by=worker))


def test_the_young_persons_list_makes_the_same_number_of_queries_for_10_and_60(partnership, sam, api_as):
    assert_list_queries_constant(
        api_as(sam.user), URL, lambda n: bulk_recommendations(partnership, n, contributors=[sam])
    )


# --- Creating and changing --------------------------------------------------------------------------------------


def test_a_worker_records_a_recommendation_with_named_and_anonymous_young_people(partnership, worker, sam, ada, api_as):
    engagement = focus_group(partnership, sam, ada)
    result = ResultFactory(partnership=partnership)
    response = api_as(worker).post(
        URL,
        {
            "engagement": engagement.pk,
            "text": "Have a youth worker at every school.",
            "theme": "Schools",
            "agency": "Education",
            "contributors": [{"membership_id": sam.pk}, {"membership_id": ada.pk, "is_anonymous": True}],
            "result": result.pk,
            "weight": 3,
            "is_public": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    recommendation = Recommendation.objects.get()
    assert body["id"] == recommendation.pk and body["result_id"] == result.pk and body["weight"] == 3
    assert body["is_public"] is True and body["response"] is None and body["section_11_standard"] == ""
    assert {(c["membership_id"], c["is_anonymous"]) for c in body["contributors"]} == {(sam.pk, False), (ada.pk, True)}
    assert set(recommendation.contributions.values_list("membership_id", "is_anonymous")) == {
        (sam.pk, False),
        (ada.pk, True),
    }


def test_a_section_11_panels_recommendation_names_its_standard(partnership, worker, sam, api_as):
    panel = engagement_with(partnership, sam, opportunity_type=OpportunityType.SECTION_11_PANEL)
    base = {"engagement": panel.pk, "text": "T", "theme": "T", "agency": "Police"}
    client = api_as(worker)
    missing = client.post(URL, base, format="json")
    assert missing.status_code == 400 and "section_11_standard" in missing.json()["extra"]["fields"]
    made = client.post(URL, {**base, "section_11_standard": "childrens_views"}, format="json")
    assert made.status_code == 201 and made.json()["section_11_standard"] == "childrens_views"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": ""}, "text"),
        ({"weight": 0}, "weight"),
        ({"weight": 101}, "weight"),
        ({"section_11_standard": "not_a_standard"}, "section_11_standard"),
        ({"contributors": [{"membership_id": "x"}]}, "contributors"),
        ({"engagement": None}, "engagement"),
    ],
)
def test_a_bad_field_is_a_400_naming_it(partnership, worker, sam, api_as, change, field):
    engagement = focus_group(partnership, sam)
    payload = {"engagement": engagement.pk, "text": "T", "theme": "T", "agency": "A", **change}
    response = api_as(worker).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"], response.json()
    assert not Recommendation.objects.exists()


def test_refusals_from_the_service_name_the_field_as_the_request_did(
    partnership, other_partnership, worker, sam, ada, api_as
):
    engagement = focus_group(partnership, sam)  # ada was not there
    client = api_as(worker)
    base = {"engagement": engagement.pk, "text": "T", "theme": "T", "agency": "A"}

    stranger = client.post(URL, {**base, "contributors": [{"membership_id": ada.pk}]}, format="json")
    assert stranger.status_code == 400 and set(stranger.json()["extra"]["fields"]) == {"contributors"}
    twice = client.post(
        URL, {**base, "contributors": [{"membership_id": sam.pk}, {"membership_id": sam.pk}]}, format="json"
    )
    assert twice.status_code == 400 and set(twice.json()["extra"]["fields"]) == {"contributors"}
    their_result = ResultFactory(partnership=other_partnership)
    result = client.post(URL, {**base, "result": their_result.pk}, format="json")
    assert result.status_code == 400 and set(result.json()["extra"]["fields"]) == {"result"}
    assert not Recommendation.objects.exists()


def test_young_people_cannot_record_or_change_recommendations(partnership, worker, sam, api_as):
    engagement = focus_group(partnership, sam)
    recommendation = recommend(worker, engagement, [sam])
    client = api_as(sam.user)
    created = client.post(
        URL,
        {
            "engagement": engagement.pk,
            "text": "T",
            "theme": "T",
            "agency": "A",
            "contributors": [{"membership_id": sam.pk}],
        },
        format="json",
    )
    assert created.status_code == 403
    assert client.patch(f"{URL}{recommendation.pk}/", {"text": "Mine now"}, format="json").status_code == 403
    assert Recommendation.objects.count() == 1 and Recommendation.objects.get().text != "Mine now"


def test_patch_changes_what_is_sent_and_nothing_else(partnership, worker, sam, ada, api_as):
    engagement = focus_group(partnership, sam, ada)
    recommendation = recommend(worker, engagement, [sam])
    result = ResultFactory(partnership=partnership)
    client = api_as(worker)
    address = f"{URL}{recommendation.pk}/"

    changed = client.patch(
        address,
        {"theme": "Schools", "result": result.pk, "contributors": [{"membership_id": ada.pk, "is_anonymous": True}]},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    body = changed.json()
    assert body["theme"] == "Schools" and body["result_id"] == result.pk and body["text"] == recommendation.text
    assert [(c["membership_id"], c["is_anonymous"]) for c in body["contributors"]] == [(ada.pk, True)]

    unset = client.patch(address, {"result": None}, format="json")
    assert unset.status_code == 200 and unset.json()["result_id"] is None
    assert client.patch(address, {}, format="json").status_code == 400
    bad = client.patch(address, {"weight": 500}, format="json")
    assert bad.status_code == 400 and set(bad.json()["extra"]["fields"]) == {"weight"}
    assert Recommendation.objects.get().weight == 1


def test_the_detail_shows_staff_every_contributor_in_a_constant_number_of_queries(
    partnership, worker, lead, member, api_as
):
    few = bulk_recommendations(partnership, 1, extra_people=1, by=worker)[0]
    many = bulk_recommendations(partnership, 1, extra_people=12, by=worker)[0]
    client = api_as(lead)
    client.get(f"{URL}{few.pk}/")  # warm up anything cached per process
    small, _ = count_queries(client, f"{URL}{few.pk}/")
    large, body = count_queries(client, f"{URL}{many.pk}/")
    assert len(body["contributors"]) == 12 and all(c["full_name"] for c in body["contributors"])
    assert large == small
