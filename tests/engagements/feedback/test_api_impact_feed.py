"""/api/v1/impact-feed/ and /api/v1/notifications/: a young person's "you said, we did" cards (their recommendations
with the response, its timeline, evidence and their own rating) in a constant number of queries, and their own
notifications. A young person never sees another young person's recommendations or rating comments through any
endpoint."""

from __future__ import annotations

import pytest
from django.urls import reverse

from engagements.models import Notification, ResponseEvidence
from engagements.services.feedback import response_rate, response_update, timeline_entry_add
from participants.models import Role
from tests.engagements.feedback.test_api_recommendations import (
    STAFF_WHO_SEE,
    assert_list_queries_constant,
    bulk_recommendations,
    focus_group,
    recommend,
    respond,
    young,
)
from tests.factories.feedback import ResultFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db

FEED = "/api/v1/impact-feed/"
NOTIFICATIONS = "/api/v1/notifications/"


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
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/no-public-address/"},
        },
    }


# --- The impact feed --------------------------------------------------------------------------------------------


def test_the_feed_shows_what_they_said_and_what_we_did(partnership, worker, lead, sam, ada, api_as, private_storage):
    engagement = focus_group(partnership, sam, ada)
    shared = recommend(worker, engagement, [sam, ada], anonymous=[sam], text="Youth workers in every school.")
    waiting = recommend(worker, engagement, [sam], text="Free buses for under 18s.")
    response = respond(lead, shared, decision="accepted", due_on="2030-06-30")
    response_update(actor=lead, response_id=response.pk, changes={"status": "in_progress", "progress": 40})
    evidence = ResponseEvidence.objects.create(
        partnership=partnership, response=response, title="Plan", file="evidence/2025/plan.pdf", file_kind="pdf"
    )
    response_rate(actor=sam.user, response_id=response.pk, score=4, comment="Better.")

    answer = api_as(sam.user).get(FEED)
    assert answer.status_code == 200
    body = answer.json()
    cards = {card["id"]: card for card in body["results"]}
    assert set(cards) == {shared.pk, waiting.pk}
    assert cards[waiting.pk]["response"] is None and cards[waiting.pk]["text"] == "Free buses for under 18s."
    card = cards[shared.pk]
    assert card["is_anonymous"] is True and card["engagement_title"] == engagement.title
    said = card["response"]
    assert said["decision"] == "accepted" and said["status"] == "in_progress" and said["progress"] == 40
    assert [entry["kind"] for entry in said["timeline"]] == ["change", "response"]  # newest first
    assert said["evidence"] == [
        {
            "id": evidence.pk,
            "title": "Plan",
            "link": "",
            "file_url": reverse("evidence_file", args=[evidence.pk]),
            "file_kind": "pdf",
            "added_at": said["evidence"][0]["added_at"],
        }
    ]
    assert said["your_rating"]["score"] == 4 and said["your_rating"]["comment"] == "Better."
    assert "owner_email" not in said and "ratings" not in said and "contributors" not in card


def test_the_feed_is_for_young_people(member, api_as):
    for role in (*STAFF_WHO_SEE, Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD):
        assert api_as(member(role)).get(FEED).status_code == 403


def test_the_feed_makes_the_same_number_of_queries_for_10_and_60_cards(partnership, sam, api_as):
    def add(count):
        for recommendation in bulk_recommendations(partnership, count, contributors=[sam]):
            TimelineEntryFactory(response=recommendation.response)
            ResponseEvidence.objects.create(
                partnership=partnership, response=recommendation.response, title="T", link="https://example.org/e"
            )

    assert_list_queries_constant(api_as(sam.user), FEED, add)


def test_a_young_person_never_sees_another_young_persons_recommendations_or_comments_anywhere(
    partnership, worker, lead, sam, ada, api_as
):
    """Ada's own recommendation and her rating's comment on one they made together never reach Sam: not in a list,
    not at an address, not in the feed, not in a notification."""
    engagement = focus_group(partnership, sam, ada)
    together = respond(lead, recommend(worker, engagement, [sam, ada], anonymous=[ada], text="Shared idea."))
    adas_result = ResultFactory(partnership=partnership, title="ADA-RESULT")
    adas = respond(lead, recommend(worker, engagement, [ada], text="Ada's secret idea.", result_id=adas_result.pk))
    response_rate(actor=ada.user, response_id=together.pk, score=1, comment="ADA-COMMENT-1")
    response_rate(actor=ada.user, response_id=adas.pk, score=2, comment="ADA-COMMENT-2")
    timeline_entry_add(actor=lead, response_id=adas.pk, text="News only for Ada.")

    client = api_as(sam.user)
    seen = []
    for address in (
        "/api/v1/recommendations/",
        f"/api/v1/recommendations/{together.recommendation_id}/",
        f"/api/v1/responses/{together.pk}/",
        f"/api/v1/responses/{together.pk}/timeline/",
        FEED,
        NOTIFICATIONS,
        "/api/v1/results/",
    ):
        answer = client.get(address)
        assert answer.status_code == 200, address
        seen.append(answer.content.decode())
    everything = "\n".join(seen)
    assert "Shared idea." in everything  # the check below looks at real answers
    secrets = ("Ada's secret idea.", "ADA-COMMENT-1", "ADA-COMMENT-2", "News only for Ada.", "ADA-RESULT")
    for secret in (*secrets, ada.user.full_name):
        assert secret not in everything, secret

    for address in (
        f"/api/v1/recommendations/{adas.recommendation_id}/",
        f"/api/v1/responses/{adas.pk}/",
        f"/api/v1/responses/{adas.pk}/timeline/",
        f"/api/v1/results/{adas_result.pk}/",
    ):
        assert client.get(address).status_code == 404, address
    assert client.get("/api/v1/responses/").status_code == 403


# --- Notifications ----------------------------------------------------------------------------------------------


def test_each_person_lists_only_their_own_notifications(partnership, worker, lead, sam, ada, api_as):
    engagement = focus_group(partnership, sam, ada)
    mine = respond(lead, recommend(worker, engagement, [sam]))
    respond(lead, recommend(worker, engagement, [ada]))
    timeline_entry_add(actor=lead, response_id=mine.pk, text="We met the head teachers.")

    body = api_as(sam.user).get(NOTIFICATIONS).json()
    assert body["count"] == 2
    assert {row["kind"] for row in body["results"]} == {"feedback"}
    assert all(row["is_read"] is False and row["link"].endswith(f"#response-{mine.pk}") for row in body["results"])
    assert "We met the head teachers." in body["results"][0]["text"]

    response_rate(actor=sam.user, response_id=mine.pk, score=3)
    staff = api_as(lead).get(NOTIFICATIONS).json()
    assert [row["kind"] for row in staff["results"]] == ["rating"]


def test_marking_notifications_read(partnership, worker, lead, sam, ada, api_as):
    engagement = focus_group(partnership, sam, ada)
    mine = respond(lead, recommend(worker, engagement, [sam]))
    timeline_entry_add(actor=lead, response_id=mine.pk, text="News.")
    theirs = respond(lead, recommend(worker, engagement, [ada]))
    adas = Notification.objects.get(response=theirs, membership=ada)
    first, second = Notification.objects.filter(membership=sam).order_by("pk")

    client = api_as(sam.user)
    marked = client.post(f"{NOTIFICATIONS}read/", {"notification_ids": [first.pk, adas.pk]}, format="json")
    assert marked.status_code == 200 and marked.json() == {"marked": 1}  # not Ada's
    assert [row["id"] for row in client.get(NOTIFICATIONS, {"unread": "true"}).json()["results"]] == [second.pk]
    assert client.post(f"{NOTIFICATIONS}read/", {}, format="json").json() == {"marked": 1}
    assert client.get(NOTIFICATIONS, {"unread": "true"}).json()["count"] == 0
    adas.refresh_from_db()
    assert adas.read_at is None
    bad = client.post(f"{NOTIFICATIONS}read/", {"notification_ids": ["x"]}, format="json")
    assert bad.status_code == 400 and set(bad.json()["extra"]["fields"]) == {"notification_ids"}


def test_the_notification_list_makes_the_same_number_of_queries_for_10_and_60(partnership, sam, api_as):
    def add(count):
        for _ in range(count):
            Notification.objects.create(
                partnership=partnership, membership=sam, kind=Notification.Kind.FEEDBACK, text="News", link="/x/"
            )

    assert_list_queries_constant(api_as(sam.user), NOTIFICATIONS, add)
