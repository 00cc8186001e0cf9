"""Library API answers match the OpenAPI schema (found by tests/core/test_api_fuzz.py: an example of your own
partnership has every field of another partnership's and more, so it matched both shapes of a oneOf)."""

from __future__ import annotations

import pytest

from library.models import Example
from participants.models import Role
from tests.factories import PartnershipFactory
from tests.factories.library import ExampleFactory
from tests.openapi import assert_documented

pytestmark = pytest.mark.django_db


def test_an_example_of_ours_and_one_of_another_partnership_are_documented(partnership, member, api_as):
    client = api_as(member(Role.PARTICIPATION_WORKER))
    ours = ExampleFactory(partnership=partnership)
    theirs = ExampleFactory(partnership=PartnershipFactory(), status=Example.Status.PUBLISHED)
    for example in (ours, theirs):
        response = client.get(f"/api/v1/library/{example.pk}/")
        assert response.status_code == 200
        assert_documented("GET", "/api/v1/library/{example_id}/", response)
