"""The staff pages of the feedback loop, part two: recording and changing the response (status choices limited to
the allowed moves, errors naming the field and keeping what was typed), timeline entries (no future dates), evidence
(links and files; the file download for the young people who made it), results, overdue responses and the public
page's settings. Who may use each page, and 404s for another partnership's records."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import (
    FeedbackSettings,
    RecommendationResponse,
    ResponseEvidence,
    Result,
    TimelineEntry,
)
from participants.models import Role
from tests.engagements.feedback.test_services_recommendations import engagement_with, recommend, respond, young
from tests.factories.feedback import (
    RecommendationFactory,
    RecommendationResponseFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db

Status = RecommendationResponse.Status
Decision = RecommendationResponse.Decision
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/no-public-address/"},
        },
    }


def words(response) -> str:
    return " ".join(response.content.decode().split())


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def day_boxes(day: datetime.date, name: str = "happened_on") -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def made(partnership, worker, *people):
    """A recommendation made by `people` (young people of the partnership) in an engagement they attended."""
    people = people or (young(partnership),)
    return recommend(worker, engagement_with(partnership, *people), people)


def responded(partnership, worker, lead, *people, **fields):
    recommendation = made(partnership, worker, *people)
    return respond(lead, recommendation, **fields)


RECORD = {
    "owner_agency": "Police",
    "owner_name": "Sam Jones",
    "owner_email": "",
    "decision": "accepted",
    "decision_reason": "",
}


def edit_data(response: RecommendationResponse, **changes) -> dict[str, str]:
    """The response edit form as it is shown (every field filled in as now), with `changes`."""
    data = {
        "owner_agency": response.owner_agency,
        "owner_name": response.owner_name,
        "owner_email": response.owner_email,
        "decision": response.decision,
        "decision_reason": response.decision_reason,
        "status": response.status,
        "status_reason": response.status_reason,
        "progress": str(response.progress),
        "note": "",
    }
    if response.due_on:
        data.update(day_boxes(response.due_on, "due_on"))
    data.update(changes)
    return data


# --- Recording the response -------------------------------------------------------------------------------------


def test_the_scrutiny_lead_records_a_response(partnership, worker, lead, login_with_second_factor):
    recommendation = made(partnership, worker)
    due = timezone.localdate() + datetime.timedelta(days=30)
    client = login_with_second_factor(lead)
    form = words(client.get(f"/recommendations/{recommendation.pk}/response/"))
    assert 'name="decision" type="radio" value="pending" checked' in form
    response = client.post(f"/recommendations/{recommendation.pk}/response/", {**RECORD, **day_boxes(due, "due_on")})
    assert response.status_code == 302 and response["Location"] == f"/recommendations/{recommendation.pk}/"
    saved = RecommendationResponse.objects.get(recommendation=recommendation)
    assert (saved.owner_name, saved.decision, saved.due_on) == ("Sam Jones", Decision.ACCEPTED, due)
    assert list(saved.timeline.values_list("kind", flat=True)) == [TimelineEntry.Kind.RESPONSE]


def test_a_refusal_names_the_reason_field_and_keeps_what_was_typed(partnership, worker, lead, login_with_second_factor):
    recommendation = made(partnership, worker)
    response = login_with_second_factor(lead).post(
        f"/recommendations/{recommendation.pk}/response/",
        {**RECORD, "decision": "not_accepted", "owner_name": "Keep Me Typed"},
    )
    page = words(response)
    assert response.status_code == 200 and not RecommendationResponse.objects.exists()
    assert '<a href="#id_decision_reason">' in page
    assert 'value="Keep Me Typed"' in page
    assert 'name="decision" type="radio" value="not_accepted" checked' in page


def test_a_future_decision_date_is_refused_on_its_field(partnership, worker, lead, login_with_second_factor):
    recommendation = made(partnership, worker)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page = words(
        login_with_second_factor(lead).post(
            f"/recommendations/{recommendation.pk}/response/", {**RECORD, **day_boxes(tomorrow)}
        )
    )
    assert not RecommendationResponse.objects.exists()
    assert '<a href="#id_happened_on">The date it was decided must be today or in the past</a>' in page


def test_recording_twice_goes_to_the_change_page(partnership, worker, lead, login_with_second_factor):
    existing = responded(partnership, worker, lead)
    response = login_with_second_factor(lead).get(f"/recommendations/{existing.recommendation_id}/response/")
    assert response.status_code == 302 and response["Location"] == f"/responses/{existing.pk}/edit/"


# --- Changing the response ----------------------------------------------------------------------------------------


def test_the_change_page_shows_every_field_and_only_the_allowed_status_moves(
    partnership, worker, lead, login_with_second_factor
):
    response = responded(partnership, worker, lead)
    response.status, response.progress = Status.DONE, 100
    response.save(update_fields=["status", "progress"])
    page = words(login_with_second_factor(lead).get(f"/responses/{response.pk}/edit/"))
    for name in (
        "owner_agency",
        "owner_name",
        "owner_email",
        "decision",
        "decision_reason",
        "status",
        "status_reason",
        "progress",
        "due_on_0",
        "note",
        "happened_on_0",
    ):
        assert f'name="{name}"' in page, name
    statuses = set(re.findall(r'name="status" type="radio" value="([a-z_]+)"', page))
    assert statuses == {"done", "in_progress"}
    assert 'name="status" type="radio" value="done" checked' in page
    assert "A note for the young people (optional)" in page


def test_the_lead_changes_status_and_progress_with_a_note_in_one_timeline_entry(
    partnership, worker, lead, login_with_second_factor
):
    response = responded(partnership, worker, lead)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    result = login_with_second_factor(lead).post(
        f"/responses/{response.pk}/edit/",
        edit_data(
            response, status="in_progress", progress="40", note="We hired a youth worker.", **day_boxes(yesterday)
        ),
    )
    assert result.status_code == 302 and result["Location"] == f"/recommendations/{response.recommendation_id}/"
    response.refresh_from_db()
    assert (response.status, response.progress) == (Status.IN_PROGRESS, 40)
    change = response.timeline.get(kind=TimelineEntry.Kind.CHANGE)
    assert "We hired a youth worker." in change.text and change.happened_on == yesterday
    assert {item["field"] for item in change.changes} == {"status", "progress"}


def test_a_bad_progress_is_named_and_what_was_typed_is_kept(partnership, worker, lead, login_with_second_factor):
    response = responded(partnership, worker, lead)
    page = words(
        login_with_second_factor(lead).post(
            f"/responses/{response.pk}/edit/", edit_data(response, progress="140", owner_name="Typed Name")
        )
    )
    assert '<a href="#id_progress">Progress must be a whole number from 0 to 100</a>' in page
    assert 'value="140"' in page and 'value="Typed Name"' in page
    response.refresh_from_db()
    assert response.progress == 0 and response.owner_name == "Sam Jones"


def test_not_going_ahead_without_a_reason_is_refused_on_the_reason(partnership, worker, lead, login_with_second_factor):
    response = responded(partnership, worker, lead)
    page = words(
        login_with_second_factor(lead).post(
            f"/responses/{response.pk}/edit/", edit_data(response, status="not_going_ahead")
        )
    )
    assert '<a href="#id_status_reason">' in page
    assert 'name="status" type="radio" value="not_going_ahead" checked' in page
    response.refresh_from_db()
    assert response.status == Status.NOT_STARTED


def test_a_status_move_not_offered_is_refused(partnership, worker, lead, login_with_second_factor):
    response = responded(partnership, worker, lead)
    response.status, response.progress = Status.DONE, 100
    response.save(update_fields=["status", "progress"])
    page = words(
        login_with_second_factor(lead).post(
            f"/responses/{response.pk}/edit/", edit_data(response, status="not_started")
        )
    )
    assert '<a href="#id_status">Choose one of the statuses shown</a>' in page
    response.refresh_from_db()
    assert response.status == Status.DONE


def test_saving_with_nothing_changed_says_so(partnership, worker, lead, login_with_second_factor):
    response = responded(partnership, worker, lead)
    page = words(login_with_second_factor(lead).post(f"/responses/{response.pk}/edit/", edit_data(response)))
    assert "Change at least one answer, or write a note for the young people" in page
    assert response.timeline.count() == 1


# --- Timeline entries ---------------------------------------------------------------------------------------------


def test_a_timeline_entry_defaults_to_today_and_is_added(partnership, worker, lead, login_with_second_factor):
    response = responded(partnership, worker, lead)
    today = timezone.localdate()
    client = login_with_second_factor(lead)
    form = words(client.get(f"/responses/{response.pk}/timeline/new/"))
    assert f'id="id_happened_on" name="happened_on_0" type="text" inputmode="numeric" value="{today.day}"' in form
    assert f'name="happened_on_2" type="text" inputmode="numeric" value="{today.year}"' in form
    posted = client.post(
        f"/responses/{response.pk}/timeline/new/", {"text": "We met the head teachers.", **day_boxes(today)}
    )
    assert posted.status_code == 302
    entry = response.timeline.get(kind=TimelineEntry.Kind.UPDATE)
    assert (entry.text, entry.happened_on, entry.created_by) == ("We met the head teachers.", today, lead)


def test_a_timeline_entry_in_the_future_is_refused_on_its_date(partnership, worker, lead, login_with_second_factor):
    response = responded(partnership, worker, lead)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page = words(
        login_with_second_factor(lead).post(
            f"/responses/{response.pk}/timeline/new/", {"text": "Keep this text", **day_boxes(tomorrow)}
        )
    )
    assert '<a href="#id_happened_on">The date it happened must be today or in the past</a>' in page
    assert "Keep this text</textarea>" in page
    assert not response.timeline.filter(kind=TimelineEntry.Kind.UPDATE).exists()


def test_a_timeline_entry_without_text_is_named(partnership, worker, lead, login_with_second_factor):
    response = responded(partnership, worker, lead)
    page = words(
        login_with_second_factor(lead).post(f"/responses/{response.pk}/timeline/new/", day_boxes(timezone.localdate()))
    )
    assert '<a href="#id_text">Enter what happened</a>' in page


# --- Evidence -----------------------------------------------------------------------------------------------------


def test_the_lead_adds_a_link_as_evidence(partnership, worker, lead, login_with_second_factor):
    response = responded(partnership, worker, lead)
    posted = login_with_second_factor(lead).post(
        f"/responses/{response.pk}/evidence/new/", {"title": "New leaflet", "link": "https://example.org/leaflet"}
    )
    assert posted.status_code == 302
    evidence = response.evidence.get()
    assert (evidence.title, evidence.link) == ("New leaflet", "https://example.org/leaflet")
    assert response.timeline.filter(kind=TimelineEntry.Kind.EVIDENCE).count() == 1


def test_evidence_needs_a_link_or_a_file_named_on_the_link(partnership, worker, lead, login_with_second_factor):
    response = responded(partnership, worker, lead)
    page = words(
        login_with_second_factor(lead).post(f"/responses/{response.pk}/evidence/new/", {"title": "Keep my title"})
    )
    assert '<a href="#id_link">Enter a link or choose a file</a>' in page
    assert 'value="Keep my title"' in page
    assert not response.evidence.exists()


def test_a_link_that_is_not_https_is_refused_by_the_service_on_the_link(
    partnership, worker, lead, login_with_second_factor
):
    response = responded(partnership, worker, lead)
    page = words(
        login_with_second_factor(lead).post(
            f"/responses/{response.pk}/evidence/new/", {"title": "Leaflet", "link": "http://example.org"}
        )
    )
    assert '<a href="#id_link">Enter the link as a full https address' in page
    assert not response.evidence.exists()


def test_a_file_that_is_not_a_pdf_or_photo_is_refused_on_the_file(partnership, worker, lead, login_with_second_factor):
    response = responded(partnership, worker, lead)
    page = words(
        login_with_second_factor(lead).post(
            f"/responses/{response.pk}/evidence/new/",
            {"title": "Program", "file": SimpleUploadedFile("leaflet.pdf", b"MZ\x90\x00 not a pdf")},
        )
    )
    assert '<a href="#id_file">' in page
    assert "Files are not kept when there is a problem: choose the file again." in page
    assert not response.evidence.exists()


def test_a_file_is_added_and_the_young_people_who_made_it_can_download_it(
    partnership, worker, lead, member, login_with_second_factor, client
):
    sam = young(partnership)
    other = young(partnership)
    response = responded(partnership, worker, lead, sam)
    staff = login_with_second_factor(lead)
    staff.post(
        f"/responses/{response.pk}/evidence/new/",
        {"title": "Minutes", "file": SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf")},
    )
    evidence = response.evidence.get()
    assert evidence.file_kind == "pdf"
    page = staff.get(f"/recommendations/{response.recommendation_id}/").content.decode()
    assert f'href="/evidence/{evidence.pk}/file/">Minutes</a>' in page

    download = staff.get(f"/evidence/{evidence.pk}/file/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF

    client.logout()
    client.force_login(sam.user, backend="allauth.account.auth_backends.AuthenticationBackend")
    own = client.get(f"/evidence/{evidence.pk}/file/")
    assert own.status_code == 200 and own["Content-Disposition"].startswith("attachment;")
    client.logout()
    client.force_login(other.user, backend="allauth.account.auth_backends.AuthenticationBackend")
    assert client.get(f"/evidence/{evidence.pk}/file/").status_code == 404


def test_evidence_with_only_a_link_has_no_file_to_download(partnership, worker, lead, login_with_second_factor):
    response = responded(partnership, worker, lead)
    evidence = ResponseEvidence.objects.create(
        partnership=partnership, response=response, title="Link", link="https://example.org"
    )
    assert login_with_second_factor(lead).get(f"/evidence/{evidence.pk}/file/").status_code == 404


def test_the_lead_removes_evidence_after_confirming(partnership, worker, lead, login_with_second_factor):
    response = responded(partnership, worker, lead)
    evidence = ResponseEvidence.objects.create(
        partnership=partnership, response=response, title="Old poster", link="https://example.org/poster"
    )
    client = login_with_second_factor(lead)
    confirm = words(client.get(f"/evidence/{evidence.pk}/remove/"))
    assert "Remove “Old poster”?" in confirm and "Yes, remove it" in confirm
    assert ResponseEvidence.objects.filter(pk=evidence.pk).exists()
    removed = client.post(f"/evidence/{evidence.pk}/remove/")
    assert removed.status_code == 302 and removed["Location"] == f"/recommendations/{response.recommendation_id}/"
    assert not ResponseEvidence.objects.filter(pk=evidence.pk).exists()


# --- Who may use the response pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN, Role.FINANCE_OFFICER])
def test_only_the_scrutiny_lead_changes_responses(partnership, worker, lead, member, login_with_second_factor, role):
    response = responded(partnership, worker, lead)
    evidence = ResponseEvidence.objects.create(
        partnership=partnership, response=response, title="Poster", link="https://example.org/poster"
    )
    other = made(partnership, worker)
    client = login_with_second_factor(member(role))
    for url in (
        f"/recommendations/{other.pk}/response/",
        f"/responses/{response.pk}/edit/",
        f"/responses/{response.pk}/timeline/new/",
        f"/responses/{response.pk}/evidence/new/",
        f"/evidence/{evidence.pk}/remove/",
        "/responses/overdue/",
        "/results/new/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/evidence/{evidence.pk}/remove/").status_code == 403
    assert client.post(f"/recommendations/{other.pk}/response/", RECORD).status_code == 403
    assert ResponseEvidence.objects.filter(pk=evidence.pk).exists()
    assert not RecommendationResponse.objects.filter(recommendation=other).exists()


def test_a_young_person_is_refused_the_response_pages(partnership, worker, lead, login):
    sam = young(partnership)
    response = responded(partnership, worker, lead, sam)
    client = login(sam.user)
    assert client.get(f"/responses/{response.pk}/edit/").status_code == 403
    assert client.get(f"/responses/{response.pk}/timeline/new/").status_code == 403
    assert client.get("/results/").status_code == 403
    assert client.get("/settings/feedback/").status_code == 403


def test_another_partnerships_response_and_evidence_are_404s(
    partnership, other_partnership, member, login_with_second_factor
):
    their_lead = member(Role.SCRUTINY_LEAD, in_partnership=other_partnership)
    theirs = responded(
        other_partnership, member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership), their_lead
    )
    evidence = ResponseEvidence(partnership=other_partnership, response=theirs, title="T", file_kind="pdf")
    evidence.file.save("x.pdf", ContentFile(PDF), save=True)
    result = ResultFactory(partnership=other_partnership)
    client = login_with_second_factor(member(Role.SCRUTINY_LEAD))
    for url in (
        f"/responses/{theirs.pk}/edit/",
        f"/responses/{theirs.pk}/timeline/new/",
        f"/responses/{theirs.pk}/evidence/new/",
        f"/evidence/{evidence.pk}/file/",
        f"/evidence/{evidence.pk}/remove/",
        f"/results/{result.pk}/edit/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/evidence/{evidence.pk}/remove/").status_code == 404
    assert ResponseEvidence.objects.filter(pk=evidence.pk).exists()


# --- Results ------------------------------------------------------------------------------------------------------


def test_results_show_their_weighted_progress_and_recommendations(partnership, worker, lead, login_with_second_factor):
    result = ResultFactory(partnership=partnership, title="Young people are listened to")
    heavy = RecommendationFactory(
        partnership=partnership, engagement=engagement_with(partnership), result=result, weight=3, text="Heavy one"
    )
    RecommendationResponseFactory(recommendation=heavy, progress=100, status=Status.DONE)
    RecommendationFactory(partnership=partnership, engagement=heavy.engagement, result=result, text="Light one")
    ResultFactory(partnership=partnership, title="Empty result")
    page = words(login_with_second_factor(worker).get("/results/"))
    # (3 x 100 + 1 x 0) / 4 = 75
    assert "Young people are listened to" in page and "Progress: </span>75%</strong>" in page
    assert f'href="/recommendations/{heavy.pk}/">Heavy one</a> (100%, counts 3 times)' in page
    assert "Light one</a> (no response yet)" in page
    assert "No recommendations yet" in page
    assert "/results/new/" not in page  # the worker cannot add results


def test_the_lead_adds_and_changes_a_result(partnership, lead, login_with_second_factor):
    client = login_with_second_factor(lead)
    added = client.post("/results/new/", {"title": "Safer streets", "description": "Lighting and patrols"})
    result = Result.objects.get()
    assert added.status_code == 302 and added["Location"] == f"/results/#result-{result.pk}"
    assert (result.title, result.created_by) == ("Safer streets", lead)
    client.post(f"/results/{result.pk}/edit/", {"title": "Safer streets at night", "description": ""})
    result.refresh_from_db()
    assert (result.title, result.description) == ("Safer streets at night", "")
    page = words(client.post("/results/new/", {"title": "", "description": "Keep this"}))
    assert '<a href="#id_title">Enter a title</a>' in page and "Keep this</textarea>" in page


def test_the_results_list_makes_the_same_number_of_queries_however_many(partnership, lead, login_with_second_factor):
    def results(count):
        engagement = engagement_with(partnership)
        for _ in range(count):
            result = ResultFactory(partnership=partnership)
            for _ in range(3):
                recommendation = RecommendationFactory(partnership=partnership, engagement=engagement, result=result)
                RecommendationResponseFactory(recommendation=recommendation, progress=50)

    results(2)
    client = login_with_second_factor(lead)
    client.get("/results/")
    few = queries(client, "/results/")
    results(10)
    assert queries(client, "/results/") == few


# --- Overdue responses ----------------------------------------------------------------------------------------------


def test_overdue_responses_list_the_open_ones_past_their_date_with_days_and_owner(
    partnership, other_partnership, worker, lead, member, login_with_second_factor
):
    today = timezone.localdate()
    late = responded(partnership, worker, lead, due_on=today - datetime.timedelta(days=5), owner_name="Olu Late")
    finished = responded(partnership, worker, lead, due_on=today - datetime.timedelta(days=5), owner_name="Fin Done")
    finished.status, finished.progress = Status.DONE, 100
    finished.save(update_fields=["status", "progress"])
    responded(partnership, worker, lead, due_on=today + datetime.timedelta(days=5), owner_name="Not Yet")
    RecommendationResponseFactory(
        recommendation=RecommendationFactory(
            partnership=other_partnership, engagement=engagement_with(other_partnership)
        ),
        owner_name="Their Owner",
        due_on=today - datetime.timedelta(days=9),
    )
    page = words(login_with_second_factor(lead).get("/responses/overdue/"))
    assert "Olu Late, Police" in page and "5 days" in page
    assert f'href="/recommendations/{late.recommendation_id}/"' in page
    assert "Fin Done" not in page and "Not Yet" not in page and "Their Owner" not in page
    assert "1 response past its due date" in page


def test_overdue_responses_make_the_same_number_of_queries_however_many(
    partnership, worker, lead, login_with_second_factor
):
    def overdue(count):
        engagement = engagement_with(partnership)
        for number in range(count):
            RecommendationResponseFactory(
                recommendation=RecommendationFactory(partnership=partnership, engagement=engagement),
                due_on=timezone.localdate() - datetime.timedelta(days=number + 1),
            )

    overdue(2)
    client = login_with_second_factor(lead)
    client.get("/responses/overdue/")
    few = queries(client, "/responses/overdue/")
    overdue(15)
    assert queries(client, "/responses/overdue/") == few


# --- The public page's settings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN])
def test_the_public_page_is_switched_on_with_an_introduction(partnership, member, login_with_second_factor, role):
    client = login_with_second_factor(member(role))
    before = words(client.get("/settings/feedback/"))
    assert 'name="public_page" type="radio" value="no" checked' in before
    assert f"http://testserver/you-said-we-did/{partnership.slug}/" in before and "(not published)" in before
    posted = client.post("/settings/feedback/", {"public_page": "yes", "public_intro": "What you told us."})
    assert posted.status_code == 302
    settings = FeedbackSettings.objects.get(partnership=partnership)
    assert settings.public_page and settings.public_intro == "What you told us."
    after = words(client.get("/settings/feedback/"))
    assert f'href="http://testserver/you-said-we-did/{partnership.slug}/"' in after
    assert 'name="public_page" type="radio" value="yes" checked' in after


def test_the_public_page_choice_must_be_made(partnership, lead, login_with_second_factor):
    page = words(login_with_second_factor(lead).post("/settings/feedback/", {"public_intro": "Keep me"}))
    assert '<a href="#id_public_page">Choose whether to publish the page</a>' in page
    assert "Keep me</textarea>" in page
    assert not FeedbackSettings.objects.filter(public_page=True).exists()


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.FINANCE_OFFICER])
def test_the_settings_are_refused_to_others(member, login_with_second_factor, role):
    client = login_with_second_factor(member(role))
    assert client.get("/settings/feedback/").status_code == 403
    assert client.post("/settings/feedback/", {"public_page": "yes"}).status_code == 403
    assert not FeedbackSettings.objects.filter(public_page=True).exists()
