"""Participants API answers match the OpenAPI schema (found by tests/core/test_api_fuzz.py)."""

from __future__ import annotations

import pytest

from participants.models import Role
from tests.openapi import assert_documented
from tests.participants.test_support_api import record

pytestmark = pytest.mark.django_db


def test_support_sessions_without_the_notes_a_young_person_may_not_read_are_documented(member, api_as):
    worker, young = member(Role.PARTICIPATION_WORKER), member(Role.YOUNG_PERSON)
    session = record(worker, young)
    for user in (young, worker):
        client = api_as(user)
        assert_documented("GET", "/api/v1/support-sessions/", client.get("/api/v1/support-sessions/"))
        response = client.get(f"/api/v1/support-sessions/{session.pk}/")
        assert response.status_code == 200
        assert_documented("GET", "/api/v1/support-sessions/{session_id}/", response)


def test_the_membership_list_is_documented_as_the_paginated_page_it_is(member, api_as):
    admin = member(Role.PARTNERSHIP_ADMIN)
    member(Role.YOUNG_PERSON)
    response = api_as(admin).get("/api/v1/memberships/")
    assert response.status_code == 200 and response.json()["count"] == 2
    assert_documented("GET", "/api/v1/memberships/", response)
