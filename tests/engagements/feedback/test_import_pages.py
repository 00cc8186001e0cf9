"""The spreadsheet pages: upload (the columns explained, the current responses to download), the preview (each row's
changes, an error summary naming the row and the column, Commit only when there are none, Discard), "Saving N rows…"
polled with htmx while the task saves them, the report after commit or the failure naming the row; the scrutiny lead
only; another partnership's import is a 404; a fixed number of queries."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import ApplicationError
from engagements.models import RecommendationResponse, ResponseImport
from engagements.services import feedback as feedback_services
from engagements.services import response_import as importing
from participants.models import Role
from tests.engagements.feedback.test_import_service import csv_file, make_response, preview

pytestmark = pytest.mark.django_db

UPLOAD = "/responses/import/"


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


def words(response) -> str:
    return " ".join(response.content.decode().split())


def upload(client, stream: io.BytesIO, name: str = "responses.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, stream.getvalue())})


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_upload_page_explains_the_columns_and_offers_the_current_responses(lead, login_with_second_factor):
    page = words(login_with_second_factor(lead).get(UPLOAD))
    assert "Update responses from a spreadsheet" in page
    for column in (
        "recommendation_id",
        "decision_reason",
        "status_reason",
        "progress",
        "due_on",
        "owner_email",
        "update",
    ):
        assert f"<code>{column}</code>" in page
    assert 'href="/responses/import/responses.xlsx"' in page and 'href="/responses/import/responses.csv"' in page
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page


def test_the_downloads_are_a_csv_and_an_xlsx_of_the_current_responses(partnership, lead, login_with_second_factor):
    response = make_response(partnership, owner_name="Ada Obi")
    client = login_with_second_factor(lead)
    as_csv = client.get("/responses/import/responses.csv")
    assert as_csv["Content-Type"].startswith("text/csv") and "attachment" in as_csv["Content-Disposition"]
    text = as_csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("recommendation_id,decision,decision_reason,status")
    assert f"{response.recommendation_id},Accepted,,In progress,,40,,Children's social care,Ada Obi" in text
    as_xlsx = client.get("/responses/import/responses.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert [cell.value for cell in sheet[2]][:2] == [response.recommendation_id, "Accepted"]
    assert client.get("/responses/import/responses.pdf").status_code == 404


def test_a_bad_file_is_shown_against_the_file_field(lead, login_with_second_factor):
    page = upload(login_with_second_factor(lead), io.BytesIO(b"%PDF-1.7\n\xff\xfe binary"), "report.pdf")
    assert page.status_code == 200
    text = words(page)
    assert "There is a problem" in text and 'href="#id_file"' in text
    assert "must be an Excel workbook (.xlsx) or a CSV" in text
    assert not ResponseImport.objects.exists()


def test_the_preview_names_row_and_column_and_offers_no_commit_until_every_row_is_right(
    partnership, lead, login_with_second_factor
):
    good, bad = make_response(partnership), make_response(partnership)
    client = login_with_second_factor(lead)
    stream = csv_file(
        [[good.recommendation_id, "", "", "", "", 60, ""], [bad.recommendation_id, "", "", "", "", 140, ""]]
    )
    answer = upload(client, stream)
    response_import = ResponseImport.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/responses/import/{response_import.pk}/"
    page = words(client.get(answer["Location"]))
    assert "There is a problem" in page
    assert '<a href="#row-3">Row 3, progress: 140 is more than 100; use a whole number from 0 to 100</a>' in page
    assert 'id="row-3"' in page
    assert "Progress: 40% → 60%" in page
    assert "Commit these changes" not in page and "Discard this upload" in page
    # Posting commit anyway changes nothing.
    refused = client.post(f"/responses/import/{response_import.pk}/commit/")
    assert refused.status_code == 400 and "Nothing was changed" in words(refused)
    good.refresh_from_db()
    assert good.progress == 40


def test_commit_shows_saving_then_what_changed(
    partnership, lead, login_with_second_factor, django_capture_on_commit_callbacks
):
    response = make_response(partnership, contributors=1)
    client = login_with_second_factor(lead)
    upload(client, csv_file([[response.recommendation_id, "", "", "", "", 60, "2027-03-31"]]))
    response_import = ResponseImport.objects.get()
    detail = f"/responses/import/{response_import.pk}/"
    progress = f"/responses/import/{response_import.pk}/progress/"
    page = words(client.get(detail))
    assert "Check the changes" in page and "Commit these changes" in page
    assert "Progress: 40% → 60%" in page and "Due date: nothing → 31 March 2027" in page
    assert progress not in page

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/responses/import/{response_import.pk}/commit/")
        assert answer.status_code == 302 and answer["Location"] == detail
        # Until the task has run: the page says so and polls the fragment, with no inline script.
        saving = words(client.get(detail))
        assert "Saving the changes" in saving and "Saving 1 row…" in saving and "Being saved" in saving
        assert f'hx-get="{progress}" hx-trigger="every 2s"' in saving
        assert "Commit these changes" not in saving
        assert "Discard this upload" not in saving
        fragment = client.get(progress)
        assert fragment.status_code == 200 and "Saving 1 row…" in words(fragment)
        assert "<script" not in words(fragment) and "<html" not in words(fragment)
        assert "HX-Refresh" not in fragment
    assert RecommendationResponse.objects.get(pk=response.pk).progress == 60
    # The next poll stops polling and reloads the page, which shows what changed.
    finished = client.get(progress)
    assert finished.status_code == 286 and finished["HX-Refresh"] == "true"
    text = words(client.get(detail))
    assert "1 response was updated" in text and "What changed" in text
    assert "Progress: 40% → 60%" in text and "Commit these changes" not in text and progress not in text


def test_a_commit_that_fails_shows_the_row_to_fix_and_can_be_tried_again(
    partnership, lead, login_with_second_factor, django_capture_on_commit_callbacks, monkeypatch
):
    first, second = make_response(partnership, contributors=1), make_response(partnership, contributors=1)
    client = login_with_second_factor(lead)
    upload(
        client,
        csv_file(
            [[first.recommendation_id, "", "", "", "", 60, ""], [second.recommendation_id, "", "", "", "", 70, ""]]
        ),
    )
    response_import = ResponseImport.objects.get()
    real_update = feedback_services.response_update

    def failing_on_the_second(**kwargs):
        if kwargs["response_id"] == second.pk:
            raise ApplicationError("The due date is in the past.")
        return real_update(**kwargs)

    monkeypatch.setattr(importing, "response_update", failing_on_the_second)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/responses/import/{response_import.pk}/commit/")
    finished = client.get(f"/responses/import/{response_import.pk}/progress/")
    assert finished.status_code == 286 and finished["HX-Refresh"] == "true"
    page = words(client.get(f"/responses/import/{response_import.pk}/"))
    assert "There is a problem" in page and "Check the changes" in page
    assert (
        f'<a href="#rows">Row 3 (recommendation {second.recommendation_id}) could not be saved: The due date is in the '
        "past. Nothing was changed: fix the row and upload the file again.</a>"
    ) in page
    assert "Commit these changes" in page and "hx-get" not in page
    assert [r.progress for r in RecommendationResponse.objects.order_by("pk")] == [40, 40]


def test_discard_changes_nothing(partnership, lead, login_with_second_factor):
    response = make_response(partnership)
    client = login_with_second_factor(lead)
    upload(client, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    response_import = ResponseImport.objects.get()
    answer = client.post(f"/responses/import/{response_import.pk}/discard/", follow=True)
    assert "was discarded. Nothing was changed." in words(answer)
    assert ResponseImport.objects.get().status == ResponseImport.Status.DISCARDED
    assert RecommendationResponse.objects.get(pk=response.pk).progress == 40


def test_an_xlsx_upload_works_through_the_page(partnership, lead, login_with_second_factor):
    response = make_response(partnership)
    book = openpyxl.Workbook()
    book.active.append(["recommendation_id", "progress"])
    book.active.append([response.recommendation_id, 90])
    stream = io.BytesIO()
    book.save(stream)
    client = login_with_second_factor(lead)
    answer = upload(client, stream, "responses.xlsx")
    assert answer.status_code == 302
    assert "Progress: 40% → 90%" in words(client.get(answer["Location"]))


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN, Role.YOUNG_PERSON])
def test_only_a_scrutiny_lead_sees_the_pages(partnership, member, lead, login_with_second_factor, role):
    response = make_response(partnership)
    response_import = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    client = login_with_second_factor(member(role))
    assert client.get(UPLOAD).status_code == 403
    assert client.get("/responses/import/responses.csv").status_code == 403
    assert client.get(f"/responses/import/{response_import.pk}/").status_code == 403
    assert client.get(f"/responses/import/{response_import.pk}/progress/").status_code == 403
    assert client.post(f"/responses/import/{response_import.pk}/commit/").status_code == 403
    assert RecommendationResponse.objects.get(pk=response.pk).progress == 40


def test_another_partnerships_import_is_a_404(partnership, other_partnership, member, lead, login_with_second_factor):
    theirs = make_response(other_partnership)
    their_lead = member(Role.SCRUTINY_LEAD, in_partnership=other_partnership)
    their_import = preview(their_lead, csv_file([[theirs.recommendation_id, "", "", "", "", 60, ""]]))
    client = login_with_second_factor(lead)
    assert client.get(f"/responses/import/{their_import.pk}/").status_code == 404
    assert client.get(f"/responses/import/{their_import.pk}/progress/").status_code == 404
    for url in (f"/responses/import/{their_import.pk}/commit/", f"/responses/import/{their_import.pk}/discard/"):
        assert client.post(url).status_code == 404
    assert ResponseImport.objects.get().status == ResponseImport.Status.PREVIEWED
    assert f"/responses/import/{their_import.pk}/" not in words(client.get(UPLOAD))


def test_the_pages_make_the_same_number_of_queries_however_many_rows_and_uploads(
    partnership, lead, login_with_second_factor
):
    client = login_with_second_factor(lead)

    def an_import(rows: int) -> ResponseImport:
        responses = [make_response(partnership) for _ in range(rows)]
        return preview(lead, csv_file([[r.recommendation_id, "", "", "", "", 60, "2027-01-01"] for r in responses]))

    def committing(response_import: ResponseImport) -> ResponseImport:
        ResponseImport.objects.filter(pk=response_import.pk).update(status=ResponseImport.Status.COMMITTING)
        return response_import

    small, small_saving = an_import(2), committing(an_import(2))
    client.get(UPLOAD)  # warm-up: sessions, content types
    few_uploads = queries(client, UPLOAD)
    few_rows = queries(client, f"/responses/import/{small.pk}/")
    few_saving = queries(client, f"/responses/import/{small_saving.pk}/")
    few_progress = queries(client, f"/responses/import/{small_saving.pk}/progress/")
    big, big_saving = an_import(40), committing(an_import(40))
    for _ in range(8):
        an_import(1)
    assert queries(client, UPLOAD) == few_uploads
    assert queries(client, f"/responses/import/{big.pk}/") == few_rows
    assert queries(client, f"/responses/import/{big_saving.pk}/") == few_saving
    assert queries(client, f"/responses/import/{big_saving.pk}/progress/") == few_progress
