"""/api/v1/response-imports/: upload a file (multipart) for the preview, read it, commit it (202 "committing", then a
task applies all or nothing; GET shows "committed", or "previewed" with the failure) or discard it; scrutiny lead
only; another partnership's import is a 404; a fixed number of queries."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements.models import Notification, RecommendationResponse, ResponseImport
from participants.models import Role
from tests.engagements.feedback.test_import_service import csv_file, make_response, preview, xlsx_file

pytestmark = pytest.mark.django_db

URL = "/api/v1/response-imports/"


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


def post_file(client, stream, name="responses.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, stream.getvalue())}, format="multipart")


def test_upload_gives_the_preview_with_each_rows_changes_and_problems(partnership, lead, api_as):
    good, bad = make_response(partnership), make_response(partnership)
    stream = csv_file(
        [[good.recommendation_id, "", "", "", "", 60, ""], [bad.recommendation_id, "", "", "", "", 140, ""]]
    )
    answer = post_file(api_as(lead), stream)
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "previewed" and body["problem_count"] == 1 and body["file_name"] == "responses.csv"
    assert body["failure"] == ""
    first, second = body["rows"]
    assert first["row"] == 2 and first["recommendation_id"] == good.recommendation_id
    assert first["changes"] == [
        {"field": "progress", "field_label": "Progress", "before": 40, "after": 60, "text": "Progress: 40% → 60%"}
    ]
    assert second["problems"] == [
        {
            "column": "progress",
            "message": "140 is more than 100; use a whole number from 0 to 100",
            "text": "Row 3, progress: 140 is more than 100; use a whole number from 0 to 100",
        }
    ]
    refused = api_as(lead).post(f"{URL}{body['id']}/commit/")
    assert refused.status_code == 400 and "Nothing was changed" in refused.json()["message"]
    assert RecommendationResponse.objects.get(pk=good.pk).progress == 40


def test_an_xlsx_upload_then_commit_changes_the_responses_and_tells_the_young_people(
    partnership, lead, api_as, django_capture_on_commit_callbacks
):
    response = make_response(partnership, contributors=2)
    stream = xlsx_file([[response.recommendation_id, "Accepted", None, "Done", None, None, None]])
    client = api_as(lead)
    body = post_file(client, stream, "responses.xlsx").json()
    assert body["problem_count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(f"{URL}{body['id']}/commit/")
        assert accepted.status_code == 202
        assert accepted.json()["status"] == "committing" and accepted.json()["status_label"] == "Being saved"
        assert accepted.json()["report"] == [] and accepted.json()["committed_at"] is None
        assert client.get(f"{URL}{body['id']}/").json()["status"] == "committing"
        assert client.post(f"{URL}{body['id']}/commit/").status_code == 400  # once is enough
    committed = client.get(f"{URL}{body['id']}/").json()
    report = committed["report"]
    assert [change["text"] for change in report[0]["changes"]] == ["Status: In progress → Done", "Progress: 40% → 100%"]
    assert committed["status"] == "committed" and committed["committed_at"] and committed["failure"] == ""
    assert RecommendationResponse.objects.get(pk=response.pk).status == "done"
    assert Notification.objects.filter(response=response).count() == 2


def test_a_commit_that_fails_is_back_to_previewed_with_the_row_named(
    partnership, lead, api_as, django_capture_on_commit_callbacks
):
    from engagements.services.feedback import response_update

    response = make_response(partnership, contributors=1)
    response_import = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    response_update(actor=lead, response_id=response.pk, changes={"progress": 50})  # after the preview
    client = api_as(lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{URL}{response_import.pk}/commit/").status_code == 202
    body = client.get(f"{URL}{response_import.pk}/").json()
    assert body["status"] == "previewed" and body["report"] == []
    assert f"row 2 (recommendation {response.recommendation_id}: progress)" in body["failure"]
    assert RecommendationResponse.objects.get(pk=response.pk).progress == 50


def test_a_file_that_is_not_a_spreadsheet_is_a_400_naming_the_file(lead, api_as):
    answer = post_file(api_as(lead), io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00"), "photo.png")
    assert answer.status_code == 400
    assert answer.json()["extra"] == {"field": "file"} and "CSV" in answer.json()["message"]
    assert api_as(lead).post(URL, {}, format="multipart").status_code == 400
    assert not ResponseImport.objects.exists()


def test_discard(partnership, lead, api_as):
    response = make_response(partnership)
    response_import = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    answer = api_as(lead).post(f"{URL}{response_import.pk}/discard/")
    assert answer.status_code == 200 and answer.json()["status"] == "discarded"
    assert api_as(lead).post(f"{URL}{response_import.pk}/commit/").status_code == 400


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN, Role.YOUNG_PERSON])
def test_only_a_scrutiny_lead(partnership, member, lead, api_as, role):
    response = make_response(partnership)
    response_import = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    client = api_as(member(role))
    assert post_file(client, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]])).status_code == 403
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{response_import.pk}/").status_code == 403
    assert client.post(f"{URL}{response_import.pk}/commit/").status_code == 403
    assert RecommendationResponse.objects.get(pk=response.pk).progress == 40


def test_another_partnerships_import_is_a_404_and_not_listed(partnership, other_partnership, member, lead, api_as):
    theirs = make_response(other_partnership)
    their_import = preview(
        member(Role.SCRUTINY_LEAD, in_partnership=other_partnership),
        csv_file([[theirs.recommendation_id, "", "", "", "", 60, ""]]),
    )
    client = api_as(lead)
    assert client.get(f"{URL}{their_import.pk}/").status_code == 404
    assert client.post(f"{URL}{their_import.pk}/commit/").status_code == 404
    assert client.post(f"{URL}{their_import.pk}/discard/").status_code == 404
    assert client.get(URL).json()["count"] == 0
    assert RecommendationResponse.objects.get(pk=theirs.pk).progress == 40


def test_list_and_detail_make_the_same_number_of_queries_however_many(partnership, lead, api_as):
    client = api_as(lead)

    def an_import(rows: int) -> ResponseImport:
        responses = [make_response(partnership) for _ in range(rows)]
        return preview(lead, csv_file([[r.recommendation_id, "", "", "", "", 60, ""] for r in responses]))

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = an_import(2)
    client.get(URL)
    few_list, few_rows = count(URL), count(f"{URL}{small.pk}/")
    big = an_import(30)
    for _ in range(8):
        an_import(1)
    assert client.get(URL).json()["count"] == 10
    assert count(URL) == few_list
    assert count(f"{URL}{big.pk}/") == few_rows
