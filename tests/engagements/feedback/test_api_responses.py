"""/api/v1/responses/: the scrutiny lead records and changes the partnership's response ("you said, we did"), writes
its timeline and adds evidence; the young people who made the recommendation read it (their own rating only) and
rate it. Errors name the field (a progress of 140 names progress); refused roles are a 403; another partnership's
response is a 404 on every address; the lists' query counts do not grow with their rows."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from engagements.models import Notification, RecommendationResponse, ResponseEvidence, ResponseRating, TimelineEntry
from engagements.services.feedback import response_rate
from participants.models import Role
from tests.engagements.feedback.test_api_recommendations import (
    REFUSED,
    assert_list_queries_constant,
    bulk_recommendations,
    count_queries,
    focus_group,
    recommend,
    respond,
    young,
)
from tests.engagements.test_outputs import PDF
from tests.factories.feedback import RecommendationResponseFactory, ResponseRatingFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/responses/"


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


@pytest.fixture
def sam(partnership):
    return young(partnership)


@pytest.fixture
def ada(partnership):
    return young(partnership)


@pytest.fixture
def recommendation(partnership, worker, sam, ada):
    """Made by Sam and Ada (Ada anonymously)."""
    return recommend(worker, focus_group(partnership, sam, ada), [sam, ada], anonymous=[ada])


@pytest.fixture
def response(lead, recommendation):
    return respond(lead, recommendation, decision="accepted", due_on="2030-06-30")


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/no-public-address/"},
        },
    }


# --- Recording a response ---------------------------------------------------------------------------------------


def test_the_scrutiny_lead_records_a_response_and_the_young_people_are_told(lead, recommendation, sam, ada, api_as):
    answer = api_as(lead).post(
        URL,
        {
            "recommendation": recommendation.pk,
            "owner_agency": "Police",
            "owner_name": "Sam Jones",
            "owner_email": "sam.jones@police.example",
            "decision": "partly_accepted",
            "decision_reason": "We can do it in two schools this year.",
            "due_on": "2030-06-30",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    response = RecommendationResponse.objects.get()
    assert body["id"] == response.pk and body["recommendation_id"] == recommendation.pk
    assert body["decision"] == "partly_accepted" and body["decision_label"] == "Partly accepted"
    assert body["status"] == "not_started" and body["progress"] == 0 and body["due_on"] == "2030-06-30"
    assert body["owner_email"] == "sam.jones@police.example" and body["evidence"] == [] and body["ratings"] == []
    assert TimelineEntry.objects.get(response=response).kind == TimelineEntry.Kind.RESPONSE
    assert set(Notification.objects.values_list("membership_id", flat=True)) == {sam.pk, ada.pk}


def test_a_second_response_is_refused_naming_the_recommendation(lead, response, api_as):
    again = api_as(lead).post(
        URL, {"recommendation": response.recommendation_id, "owner_agency": "A", "owner_name": "B"}, format="json"
    )
    assert again.status_code == 400
    assert again.json()["extra"]["field"] == "recommendation"
    assert again.json()["extra"]["response_id"] == response.pk
    assert RecommendationResponse.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decision": "not_accepted"}, "decision_reason"),  # not accepted needs a reason
        ({"decision": "maybe"}, "decision"),
        ({"owner_name": ""}, "owner_name"),
        ({"owner_email": "not-an-email"}, "owner_email"),
        ({"due_on": "31/01/2030"}, "due_on"),
    ],
)
def test_a_bad_response_is_a_400_naming_the_field(lead, recommendation, api_as, change, field):
    payload = {"recommendation": recommendation.pk, "owner_agency": "Police", "owner_name": "Sam Jones", **change}
    answer = api_as(lead).post(URL, payload, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["extra"]["fields"], answer.json()
    assert not RecommendationResponse.objects.exists()


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN, *REFUSED, Role.YOUNG_PERSON])
def test_only_the_scrutiny_lead_records_a_response(recommendation, member, api_as, role):
    answer = api_as(member(role)).post(
        URL, {"recommendation": recommendation.pk, "owner_agency": "A", "owner_name": "B"}, format="json"
    )
    assert answer.status_code == 403
    assert not RecommendationResponse.objects.exists()


# --- Reading ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN])
def test_staff_list_responses_with_evidence_and_every_rating(response, sam, ada, member, api_as, role):
    response_rate(actor=sam.user, response_id=response.pk, score=2, comment="Nothing changed at my school.")
    response_rate(actor=ada.user, response_id=response.pk, score=5, comment="My social worker listens now.")
    ResponseEvidence.objects.create(
        partnership=response.partnership, response=response, title="Minutes", link="https://example.org/minutes"
    )
    body = api_as(member(role)).get(URL).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == response.pk and row["owner_name"] == "Sam Jones" and row["decision"] == "accepted"
    assert [e["link"] for e in row["evidence"]] == ["https://example.org/minutes"]
    assert row["evidence"][0]["file_url"] is None
    ratings = {r["membership_id"]: r for r in row["ratings"]}
    assert ratings[sam.pk]["comment"] == "Nothing changed at my school." and ratings[sam.pk]["score"] == 2
    assert ratings[ada.pk]["full_name"] == ada.user.full_name  # staff see who rated it


def test_the_response_list_filters(partnership, worker, lead, sam, response, api_as):
    other = respond(lead, recommend(worker, focus_group(partnership, sam), [sam]), decision="pending")
    RecommendationResponse.objects.filter(pk=other.pk).update(due_on="2020-01-01")
    client = api_as(lead)

    def ids(**params):
        answer = client.get(URL, params)
        assert answer.status_code == 200, answer.json()
        return {row["id"] for row in answer.json()["results"]}

    assert ids(decision="accepted") == {response.pk}
    assert ids(overdue="true") == {other.pk}
    assert ids(recommendation=response.recommendation_id) == {response.pk}
    assert ids(engagement=other.recommendation.engagement_id) == {other.pk}
    assert client.get(URL, {"status": "whenever"}).json()["extra"]["fields"].keys() == {"status"}


@pytest.mark.parametrize("role", [*REFUSED, Role.YOUNG_PERSON])
def test_the_response_list_is_for_staff_who_see_recommendations(response, member, api_as, role):
    assert api_as(member(role)).get(URL).status_code == 403


def test_a_young_person_who_made_it_reads_it_with_only_their_own_rating(response, sam, ada, api_as):
    response_rate(actor=ada.user, response_id=response.pk, score=1, comment="Ada's private comment.")
    response_rate(actor=sam.user, response_id=response.pk, score=4, comment="Better.")
    answer = api_as(sam.user).get(f"{URL}{response.pk}/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["your_rating"]["score"] == 4 and body["your_rating"]["comment"] == "Better."
    assert "ratings" not in body and "owner_email" not in body
    text = answer.content.decode()
    assert "Ada's private comment." not in text and ada.user.full_name not in text


def test_a_young_person_who_did_not_make_it_gets_a_404_everywhere(partnership, response, api_as):
    stranger = young(partnership)
    client = api_as(stranger.user)
    for address in (f"{URL}{response.pk}/", f"{URL}{response.pk}/timeline/"):
        assert client.get(address).status_code == 404
    assert client.put(f"{URL}{response.pk}/rating/", {"score": 5}, format="json").status_code == 404
    assert not ResponseRating.objects.exists()


def test_another_partnerships_response_is_a_404_on_every_address(other_partnership, lead, member, api_as):
    their_person = young(other_partnership)
    their_worker = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    their_lead = member(Role.SCRUTINY_LEAD, in_partnership=other_partnership)
    theirs = respond(their_lead, recommend(their_worker, focus_group(other_partnership, their_person), [their_person]))
    client = api_as(lead)
    base = f"{URL}{theirs.pk}/"
    assert client.get(URL).json()["count"] == 0
    assert client.get(base).status_code == 404
    assert client.patch(base, {"progress": 50}, format="json").status_code == 404
    assert client.get(f"{base}timeline/").status_code == 404
    assert client.post(f"{base}timeline/", {"text": "Hello"}, format="json").status_code == 404
    assert client.post(f"{base}evidence/", {"title": "T", "link": "https://example.org/x"}).status_code == 404
    assert client.put(f"{base}rating/", {"score": 3}, format="json").status_code == 404
    again = client.post(
        URL, {"recommendation": theirs.recommendation_id, "owner_agency": "A", "owner_name": "B"}, format="json"
    )
    assert again.status_code == 404
    theirs.refresh_from_db()
    assert theirs.progress == 0 and theirs.timeline.count() == 1 and not theirs.evidence.exists()


def test_the_response_list_makes_the_same_number_of_queries_for_10_and_60(partnership, lead, api_as):
    def add(count):
        for recommendation in bulk_recommendations(partnership, count, by=lead):
            ResponseEvidence.objects.create(
                partnership=partnership, response=recommendation.response, title="T", link="https://example.org/e"
            )

    assert_list_queries_constant(api_as(lead), URL, add)


def test_the_detail_makes_the_same_number_of_queries_however_many_ratings(partnership, lead, api_as):
    few, many = bulk_recommendations(partnership, 2, by=lead)
    for _ in range(12):
        ResponseRatingFactory(response=many.response, comment="Some change.")
    client = api_as(lead)
    client.get(f"{URL}{few.response.pk}/")  # warm up anything cached per process
    small, _ = count_queries(client, f"{URL}{few.response.pk}/")
    large, body = count_queries(client, f"{URL}{many.response.pk}/")
    assert len(body["ratings"]) == 13 and all(rating["full_name"] for rating in body["ratings"])
    assert large == small


# --- Changing ---------------------------------------------------------------------------------------------------


def test_a_progress_of_140_is_a_400_naming_progress_and_nothing_changes(response, lead, api_as):
    answer = api_as(lead).patch(f"{URL}{response.pk}/", {"progress": 140}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()["extra"]["fields"]) == {"progress"} and "progress" in answer.json()["message"]
    response.refresh_from_db()
    assert response.progress == 0 and response.timeline.count() == 1


def test_a_change_adds_one_timeline_entry_and_tells_the_young_people_once(response, lead, sam, ada, api_as):
    before = Notification.objects.count()
    answer = api_as(lead).patch(
        f"{URL}{response.pk}/",
        {"status": "in_progress", "progress": 30, "note": "The new leaflets are at the printer.", "owner_name": "Jo"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["status"] == "in_progress" and body["progress"] == 30 and body["owner_name"] == "Jo"
    change = TimelineEntry.objects.get(response=response, kind=TimelineEntry.Kind.CHANGE)
    assert "The new leaflets are at the printer." in change.text
    assert {c["field"] for c in change.changes} == {"status", "progress"}
    assert Notification.objects.count() - before == 2
    assert set(Notification.objects.filter(entry=change).values_list("membership_id", flat=True)) == {sam.pk, ada.pk}


def test_done_means_progress_100(response, lead, api_as):
    answer = api_as(lead).patch(f"{URL}{response.pk}/", {"status": "done"}, format="json")
    assert answer.status_code == 200 and answer.json()["progress"] == 100


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "not_going_ahead"}, "status_reason"),
        ({"decision": "not_accepted"}, "decision_reason"),
        ({"progress": -1}, "progress"),
        ({"due_on": "soon"}, "due_on"),
        ({"status": "sometime"}, "status"),
    ],
)
def test_a_bad_change_is_a_400_naming_the_field(response, lead, api_as, change, field):
    answer = api_as(lead).patch(f"{URL}{response.pk}/", change, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["extra"]["fields"], answer.json()
    response.refresh_from_db()
    assert (response.status, response.decision, response.progress) == ("not_started", "accepted", 0)


def test_a_move_the_workflow_does_not_allow_names_status(response, lead, api_as):
    client = api_as(lead)
    assert client.patch(f"{URL}{response.pk}/", {"status": "done"}, format="json").status_code == 200
    refused = client.patch(f"{URL}{response.pk}/", {"status": "not_going_ahead", "status_reason": "x"}, format="json")
    assert refused.status_code == 400 and set(refused.json()["extra"]["fields"]) == {"status"}


def test_a_note_alone_is_an_update_and_an_empty_patch_is_a_400(response, lead, api_as):
    client = api_as(lead)
    assert client.patch(f"{URL}{response.pk}/", {}, format="json").status_code == 400
    assert client.patch(f"{URL}{response.pk}/", {"note": "  "}, format="json").status_code == 400
    noted = client.patch(f"{URL}{response.pk}/", {"note": "We met the head teachers."}, format="json")
    assert noted.status_code == 200
    assert TimelineEntry.objects.get(response=response, kind=TimelineEntry.Kind.UPDATE).text == (
        "We met the head teachers."
    )


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN])
def test_other_staff_read_but_do_not_change_responses(response, member, api_as, role):
    client = api_as(member(role))
    assert client.get(f"{URL}{response.pk}/").status_code == 200
    assert client.patch(f"{URL}{response.pk}/", {"progress": 50}, format="json").status_code == 403
    assert client.post(f"{URL}{response.pk}/timeline/", {"text": "Hi"}, format="json").status_code == 403
    evidence = client.post(f"{URL}{response.pk}/evidence/", {"title": "T", "link": "https://example.org/x"})
    assert evidence.status_code == 403
    response.refresh_from_db()
    assert response.progress == 0 and response.timeline.count() == 1


@pytest.mark.parametrize("role", REFUSED)
def test_finance_officers_and_safeguarding_leads_cannot_see_a_response(response, member, api_as, role):
    client = api_as(member(role))
    assert client.get(f"{URL}{response.pk}/").status_code == 403
    assert client.get(f"{URL}{response.pk}/timeline/").status_code == 403


def test_a_young_person_cannot_change_the_response_they_made(response, sam, api_as):
    client = api_as(sam.user)
    assert client.patch(f"{URL}{response.pk}/", {"progress": 100}, format="json").status_code == 403
    assert client.post(f"{URL}{response.pk}/timeline/", {"text": "Done!"}, format="json").status_code == 403
    response.refresh_from_db()
    assert response.progress == 0


# --- Timeline ---------------------------------------------------------------------------------------------------


def test_the_scrutiny_lead_writes_an_update_and_the_young_people_read_the_timeline(response, lead, sam, api_as):
    written = api_as(lead).post(
        f"{URL}{response.pk}/timeline/",
        {"text": "We met the team leaders.", "happened_on": "2024-05-01"},
        format="json",
    )
    assert written.status_code == 201, written.json()
    assert written.json()["kind"] == "update" and written.json()["happened_on"] == "2024-05-01"
    assert Notification.objects.filter(entry_id=written.json()["id"], membership=sam).count() == 1

    timeline = api_as(sam.user).get(f"{URL}{response.pk}/timeline/").json()
    assert [row["kind"] for row in timeline["results"]] == ["response", "update"]  # newest first (by date)
    assert timeline["results"][1]["text"] == "We met the team leaders."


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"text": ""}, "text"), ({"text": "x", "happened_on": "2999-01-01"}, "happened_on"), ({}, "text")],
)
def test_a_bad_update_is_a_400_naming_the_field(response, lead, api_as, payload, field):
    answer = api_as(lead).post(f"{URL}{response.pk}/timeline/", payload, format="json")
    assert answer.status_code == 400 and field in answer.json()["extra"]["fields"], answer.json()
    assert response.timeline.count() == 1


def test_the_timeline_makes_the_same_number_of_queries_for_10_and_60_entries(partnership, lead, api_as):
    response = RecommendationResponseFactory(recommendation__engagement__partnership=partnership)

    def add(count):
        for _ in range(count):
            TimelineEntryFactory(response=response, created_by=lead)

    assert_list_queries_constant(api_as(lead), f"{URL}{response.pk}/timeline/", add)


# --- Evidence ---------------------------------------------------------------------------------------------------


def test_the_scrutiny_lead_adds_a_file_by_multipart_and_a_link(response, lead, sam, api_as):
    client = api_as(lead)
    filed = client.post(
        f"{URL}{response.pk}/evidence/",
        {"title": "The new leaflet", "file": SimpleUploadedFile("leaflet.pdf", PDF, content_type="application/pdf")},
        format="multipart",
    )
    assert filed.status_code == 201, filed.json()
    evidence = ResponseEvidence.objects.get()
    assert filed.json()["file_url"] == reverse("evidence_file", args=[evidence.pk])
    assert filed.json()["file_kind"] == "pdf" and evidence.file.name.endswith(".pdf")
    linked = client.post(
        f"{URL}{response.pk}/evidence/", {"title": "Minutes", "link": "https://example.org/minutes"}, format="multipart"
    )
    assert linked.status_code == 201 and linked.json()["file_url"] is None
    assert response.timeline.filter(kind=TimelineEntry.Kind.EVIDENCE).count() == 2
    seen = api_as(sam.user).get(f"{URL}{response.pk}/").json()
    assert [e["title"] for e in seen["evidence"]] == ["The new leaflet", "Minutes"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "T"}, "link"),
        ({"title": "T", "link": "http://example.org/not-https"}, "link"),
        ({"title": "", "link": "https://example.org/x"}, "title"),
        ({"title": "T", "file": "not-a-file"}, "file"),
    ],
)
def test_bad_evidence_is_a_400_naming_the_field(response, lead, api_as, payload, field):
    answer = api_as(lead).post(f"{URL}{response.pk}/evidence/", payload, format="multipart")
    assert answer.status_code == 400 and field in answer.json()["extra"]["fields"], answer.json()
    assert not ResponseEvidence.objects.exists()


def test_a_file_that_is_not_a_pdf_or_photo_is_refused_naming_file(response, lead, api_as):
    answer = api_as(lead).post(
        f"{URL}{response.pk}/evidence/",
        {"title": "T", "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")},
        format="multipart",
    )
    assert answer.status_code == 400 and set(answer.json()["extra"]["fields"]) == {"file"}
    assert not ResponseEvidence.objects.exists()


# --- Rating -----------------------------------------------------------------------------------------------------


def test_a_young_person_who_made_it_rates_it_and_a_second_rating_replaces_the_first(response, sam, lead, api_as):
    client = api_as(sam.user)
    first = client.put(f"{URL}{response.pk}/rating/", {"score": 2, "comment": "Not yet."}, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["score"] == 2 and first.json()["comment"] == "Not yet."
    second = client.post(f"{URL}{response.pk}/rating/", {"score": 5}, format="json")
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    rating = ResponseRating.objects.get()
    assert (rating.membership_id, rating.score, rating.comment) == (sam.pk, 5, "")
    assert Notification.objects.filter(kind=Notification.Kind.RATING, membership=lead.membership).exists()


@pytest.mark.parametrize(("payload", "field"), [({"score": 6}, "score"), ({"score": 0}, "score"), ({}, "score")])
def test_a_bad_rating_is_a_400_naming_the_field(response, sam, api_as, payload, field):
    answer = api_as(sam.user).put(f"{URL}{response.pk}/rating/", payload, format="json")
    assert answer.status_code == 400 and set(answer.json()["extra"]["fields"]) == {field}
    assert not ResponseRating.objects.exists()


@pytest.mark.parametrize("role", [Role.SCRUTINY_LEAD, Role.PARTICIPATION_WORKER])
def test_staff_do_not_rate_responses(response, member, api_as, role):
    assert api_as(member(role)).put(f"{URL}{response.pk}/rating/", {"score": 5}, format="json").status_code == 403
    assert not ResponseRating.objects.exists()
