"""/api/v1/results/: larger results that group recommendations, with progress (the weighted mean of their
recommendations' progress, no response counting 0). The scrutiny lead adds and changes them; staff who see
recommendations read them, a young person only those their recommendations are part of; finance officers and
safeguarding leads are refused; another partnership's is a 404. And the schema describes every
feedback endpoint without a warning."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from engagements.models import RecommendationResponse, Result
from participants.models import Role
from tests.engagements.feedback.test_api_recommendations import (
    REFUSED,
    STAFF_WHO_SEE,
    assert_list_queries_constant,
    count_queries,
)
from tests.factories.feedback import RecommendationFactory, RecommendationResponseFactory, ResultFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/results/"


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


def grouped(result, *, weight, progress=None):
    """A recommendation under `result` with this weight, and a response at `progress` (None: no response yet)."""
    recommendation = RecommendationFactory(
        engagement__partnership=result.partnership, partnership=result.partnership, result=result, weight=weight
    )
    if progress is not None:
        RecommendationResponseFactory(recommendation=recommendation, progress=progress)
    return recommendation


@pytest.mark.parametrize("role", STAFF_WHO_SEE)
def test_staff_see_results_with_their_weighted_progress(partnership, member, api_as, role):
    listened = ResultFactory(partnership=partnership, title="Young people are listened to")
    grouped(listened, weight=1, progress=100)
    grouped(listened, weight=2, progress=0)
    grouped(listened, weight=4, progress=None)  # no response yet counts 0
    empty = ResultFactory(partnership=partnership, title="Safer streets")

    body = api_as(member(role)).get(URL).json()
    rows = {row["id"]: row for row in body["results"]}
    assert rows[listened.pk]["progress"] == 14  # (1 x 100 + 2 x 0 + 4 x 0) / 7 = 14.3
    assert rows[listened.pk]["recommendation_count"] == 3
    assert rows[empty.pk]["progress"] is None and rows[empty.pk]["recommendation_count"] == 0


def test_progress_moves_when_a_response_moves(partnership, lead, api_as):
    result = ResultFactory(partnership=partnership)
    grouped(result, weight=1, progress=50)
    grouped(result, weight=1, progress=100)
    client = api_as(lead)
    assert client.get(f"{URL}{result.pk}/").json()["progress"] == 75
    RecommendationResponse.objects.filter(recommendation__result=result).update(progress=0)
    assert client.get(f"{URL}{result.pk}/").json()["progress"] == 0


def test_a_young_person_sees_only_the_results_their_recommendations_are_part_of(partnership, api_as):
    from tests.engagements.feedback.test_api_recommendations import young
    from tests.factories.feedback import RecommendationContributorFactory

    sam = young(partnership)
    theirs, others = ResultFactory(partnership=partnership), ResultFactory(partnership=partnership)
    RecommendationContributorFactory(recommendation=grouped(theirs, weight=1, progress=80), membership=sam)
    grouped(theirs, weight=1, progress=0)  # someone else's, in the same result: it still counts
    grouped(others, weight=1, progress=10)
    client = api_as(sam.user)
    body = client.get(URL).json()
    assert [(row["id"], row["progress"]) for row in body["results"]] == [(theirs.pk, 40)]
    assert client.get(f"{URL}{others.pk}/").status_code == 404
    assert client.post(URL, {"title": "Mine"}, format="json").status_code == 403
    assert client.patch(f"{URL}{theirs.pk}/", {"title": "Mine"}, format="json").status_code == 403


@pytest.mark.parametrize("role", REFUSED)
def test_others_are_refused(partnership, member, api_as, role):
    result = ResultFactory(partnership=partnership)
    client = api_as(member(role))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{result.pk}/").status_code == 403
    assert client.post(URL, {"title": "Mine"}, format="json").status_code == 403
    assert Result.objects.count() == 1


def test_the_scrutiny_lead_adds_and_changes_a_result(lead, api_as):
    client = api_as(lead)
    made = client.post(URL, {"title": "Better mental health support", "description": "From three panels."})
    assert made.status_code == 201, made.json()
    assert made.json()["progress"] is None and made.json()["title"] == "Better mental health support"
    address = f"{URL}{made.json()['id']}/"
    changed = client.patch(address, {"title": "Quicker mental health support"}, format="json")
    assert changed.status_code == 200 and changed.json()["title"] == "Quicker mental health support"
    assert changed.json()["description"] == "From three panels."
    assert client.patch(address, {}, format="json").status_code == 400


@pytest.mark.parametrize("payload", [{"title": ""}, {}, {"title": "x" * 201}])
def test_a_result_needs_a_title(lead, api_as, payload):
    answer = api_as(lead).post(URL, payload, format="json")
    assert answer.status_code == 400 and set(answer.json()["extra"]["fields"]) == {"title"}
    assert not Result.objects.exists()


def test_participation_workers_read_results_but_do_not_add_them(member, api_as):
    client = api_as(member(Role.PARTICIPATION_WORKER))
    assert client.post(URL, {"title": "T"}, format="json").status_code == 403
    assert client.get(URL).status_code == 200


def test_another_partnerships_result_is_a_404(other_partnership, lead, api_as):
    theirs = ResultFactory(partnership=other_partnership)
    client = api_as(lead)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.patch(f"{URL}{theirs.pk}/", {"title": "Ours now"}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.title != "Ours now"


def test_the_list_makes_the_same_number_of_queries_for_10_and_60(partnership, lead, api_as):
    def add(count):
        for _ in range(count):
            result = ResultFactory(partnership=partnership)
            grouped(result, weight=2, progress=30)
            grouped(result, weight=1)

    assert_list_queries_constant(api_as(lead), URL, add)


def test_the_detail_makes_the_same_number_of_queries_however_many_recommendations(partnership, lead, api_as):
    few, many = ResultFactory(partnership=partnership), ResultFactory(partnership=partnership)
    grouped(few, weight=1, progress=10)
    for _ in range(12):
        grouped(many, weight=1, progress=50)
    client = api_as(lead)
    client.get(f"{URL}{few.pk}/")  # warm up anything cached per process
    small, _ = count_queries(client, f"{URL}{few.pk}/")
    large, body = count_queries(client, f"{URL}{many.pk}/")
    assert body["progress"] == 50 and large == small


def test_the_schema_describes_the_feedback_endpoints_without_warnings(tmp_path):
    import yaml

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    for path in (
        "/api/v1/recommendations/",
        "/api/v1/recommendations/{recommendation_id}/",
        "/api/v1/responses/",
        "/api/v1/responses/{response_id}/",
        "/api/v1/responses/{response_id}/timeline/",
        "/api/v1/responses/{response_id}/evidence/",
        "/api/v1/responses/{response_id}/rating/",
        "/api/v1/impact-feed/",
        "/api/v1/results/",
        "/api/v1/results/{result_id}/",
        "/api/v1/notifications/",
        "/api/v1/notifications/read/",
    ):
        assert path in schema["paths"], path
    schemas = schema["components"]["schemas"]
    assert "FeedbackDecisionEnum" in schemas and "FeedbackResponseStatusEnum" in schemas
    assert (
        "multipart/form-data"
        in schema["paths"]["/api/v1/responses/{response_id}/evidence/"]["post"]["requestBody"]["content"]
    )
