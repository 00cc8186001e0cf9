"""Engagements API answers match the OpenAPI schema for staff and for young people, who see less (found by
tests/core/test_api_fuzz.py: the schema named only the staff serializer)."""

from __future__ import annotations

import pytest

from participants.models import Role
from tests.engagements.feedback.test_api_recommendations import focus_group, recommend, respond
from tests.engagements.feedback.test_api_recommendations import young as feedback_young
from tests.engagements.test_outputs import engagement_with, make_output, young
from tests.openapi import assert_documented

pytestmark = pytest.mark.django_db


def test_outputs_as_a_young_person_who_made_one_and_as_staff_are_documented(partnership, member, api_as):
    worker = member(Role.PARTICIPATION_WORKER)
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    for user in (sam.user, worker):
        client = api_as(user)
        assert_documented("GET", "/api/v1/outputs/", client.get("/api/v1/outputs/"))
        response = client.get(f"/api/v1/outputs/{output.pk}/")
        assert response.status_code == 200
        assert_documented("GET", "/api/v1/outputs/{output_id}/", response)


def test_recommendations_and_responses_as_a_young_person_and_as_staff_are_documented(partnership, member, api_as):
    worker, lead = member(Role.PARTICIPATION_WORKER), member(Role.SCRUTINY_LEAD)
    sam = feedback_young(partnership)
    recommendation = recommend(worker, focus_group(partnership, sam), [sam])
    answer = respond(lead, recommendation)
    for user in (sam.user, lead):
        client = api_as(user)
        assert_documented("GET", "/api/v1/recommendations/", client.get("/api/v1/recommendations/"))
        response = client.get(f"/api/v1/recommendations/{recommendation.pk}/")
        assert response.status_code == 200
        assert_documented("GET", "/api/v1/recommendations/{recommendation_id}/", response)
        response = client.get(f"/api/v1/responses/{answer.pk}/")
        assert response.status_code == 200
        assert_documented("GET", "/api/v1/responses/{response_id}/", response)
