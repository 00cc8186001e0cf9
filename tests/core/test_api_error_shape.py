"""Under /api/, even the errors Django answers before a view runs have the API's {"message", "extra"} shape and
are documented for every operation (found by tests/core/test_api_fuzz.py); pages keep the site's own pages."""

from __future__ import annotations

import pytest

from participants.models import Role
from tests.openapi import api_schema, assert_documented

pytestmark = pytest.mark.django_db


def test_an_api_url_that_matches_nothing_is_a_json_404(member, api_as):
    client = api_as(member(Role.PARTICIPATION_WORKER))
    response = client.get("/api/v1/engagements/-1/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": "Not found.", "extra": {}}
    assert_documented("GET", "/api/v1/engagements/{engagement_id}/", response)


def test_a_page_that_matches_nothing_is_still_the_sites_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_too_many_form_fields_is_a_json_400(member, api_as, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = api_as(member(Role.YOUNG_PERSON))
    response = client.post("/api/v1/notifications/read/", {"notification_ids": list(range(20))})
    assert response.status_code == 400
    assert response.json() == {"message": "The request could not be read.", "extra": {}}
    assert_documented("POST", "/api/v1/notifications/read/", response)


def test_every_operation_documents_the_error_shape():
    missing = [
        f"{operation.method.upper()} {operation.path} {code}"
        for operation in (result.ok() for result in api_schema().get_all_operations())
        for code in ("400", "401", "403", "404")
        if code not in operation.definition.raw["responses"]
    ]
    assert missing == []
    error = api_schema().raw_schema["components"]["schemas"]["Error"]
    assert error["required"] == ["message", "extra"]
