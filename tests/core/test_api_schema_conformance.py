"""Core API answers match the OpenAPI schema (found by tests/core/test_api_fuzz.py)."""

from __future__ import annotations

import pytest

from participants.models import Role
from tests.openapi import api_schema, assert_documented

pytestmark = pytest.mark.django_db


def test_the_audit_log_is_documented_as_the_paginated_page_it_is(member, api_as):
    response = api_as(member(Role.PARTNERSHIP_ADMIN)).get("/api/v1/audit-events/")
    assert response.status_code == 200 and "count" in response.json()
    assert_documented("GET", "/api/v1/audit-events/", response)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/risk-assessments/{assessment_id}/hazards/{hazard_id}/",
        "/api/v1/payment-batches/{batch_id}/claims/{claim_id}/",
        "/api/v1/work-logs/{work_log_id}/expenses/{expense_id}/",
    ],
)
def test_removals_that_answer_with_what_is_left_document_200_not_204(path):
    responses = api_schema()[path]["DELETE"].definition.raw["responses"]
    assert "200" in responses and "204" not in responses
    assert "application/json" in responses["200"]["content"]
