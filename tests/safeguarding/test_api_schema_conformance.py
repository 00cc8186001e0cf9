"""Safeguarding API answers match the OpenAPI schema (found by tests/core/test_api_fuzz.py)."""

from __future__ import annotations

import pytest

from participants.models import Role
from safeguarding.models import ConcernCategory
from safeguarding.services import concerns as services
from safeguarding.services.wellbeing import checkin_create
from tests.factories.safeguarding import EngagementFactory, RiskAssessmentFactory
from tests.openapi import assert_documented

pytestmark = pytest.mark.django_db


def test_the_concern_list_is_documented_as_the_paginated_page_it_is(member, login_with_second_factor):
    lead = member(Role.SAFEGUARDING_LEAD)
    worker = member(Role.PARTICIPATION_WORKER)
    young = member(Role.YOUNG_PERSON)
    services.concern_raise(
        actor=worker,
        category=ConcernCategory.ONLINE,
        young_persons_words="Messages.",
        membership_id=young.membership.pk,
    )
    response = login_with_second_factor(lead).get("/api/v1/concerns/")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert_documented("GET", "/api/v1/concerns/", response)


def test_check_ins_as_a_worker_without_the_comment_are_documented(member, api_as):
    young = member(Role.YOUNG_PERSON)
    checkin_create(actor=young, score=4, comment="A good session.")
    response = api_as(member(Role.PARTICIPATION_WORKER)).get("/api/v1/wellbeing-checkins/")
    assert response.status_code == 200 and "comment" not in response.json()["results"][0]
    assert_documented("GET", "/api/v1/wellbeing-checkins/", response)


def test_removing_a_hazard_answers_200_with_the_assessment_as_documented(member, partnership, api_as):
    worker = member(Role.PARTICIPATION_WORKER)
    assessment = RiskAssessmentFactory(engagement=EngagementFactory(partnership=partnership))
    hazard = assessment.hazards.create(partnership=partnership, hazard="Stairs", control="Use the lift", owner=worker)
    path = "/api/v1/risk-assessments/{assessment_id}/hazards/{hazard_id}/"
    response = api_as(worker).delete(f"/api/v1/risk-assessments/{assessment.pk}/hazards/{hazard.pk}/")
    assert response.status_code == 200
    assert_documented("DELETE", path, response)
