"""Every kind of change to a response tells exactly the young people who made the recommendation, once each, and
nobody else (these run the real notify_timeline_entry of engagements.services.notifications)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile

from engagements.models import FeedbackPreference, Notification, RecommendationResponse, TimelineEntry
from engagements.services.feedback import (
    evidence_add,
    evidence_remove,
    response_update,
    timeline_entry_add,
)
from participants.models import Membership, Role
from tests.engagements.feedback.test_services_recommendations import engagement_with, recommend, respond, young

pytestmark = pytest.mark.django_db

Status = RecommendationResponse.Status
Decision = RecommendationResponse.Decision
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/no-public-address/"},
        },
    }


@pytest.fixture
def world(partnership, member):
    """Sam and Ada made a recommendation; Kai was there too and made another one; staff are all around."""
    lead = member(Role.SCRUTINY_LEAD)
    member(Role.PARTICIPATION_WORKER)
    member(Role.PARTNERSHIP_ADMIN)
    sam, ada, kai = young(partnership), young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada, kai)
    recommendation = recommend(lead, engagement, [sam, ada], anonymous=[ada])
    recommend(lead, engagement, [kai])
    return {"lead": lead, "recommendation": recommendation, "makers": {sam, ada}, "kai": kai}


def told(entry: TimelineEntry) -> list[Membership]:
    return sorted((notice.membership for notice in Notification.objects.filter(entry=entry)), key=lambda m: m.pk)


def makers(world) -> list[Membership]:
    return sorted(world["makers"], key=lambda m: m.pk)


def the_only_new_entry(before: set[int]) -> TimelineEntry:
    [entry] = TimelineEntry.objects.exclude(pk__in=before)
    return entry


def test_recording_the_response_tells_the_makers_once(world):
    response = respond(world["lead"], world["recommendation"])
    [entry] = TimelineEntry.objects.filter(response=response)
    assert told(entry) == makers(world)
    assert Notification.objects.count() == 2
    assert {notice.kind for notice in Notification.objects.all()} == {Notification.Kind.FEEDBACK}


CHANGES = {
    "decision": {"decision": Decision.NOT_ACCEPTED, "decision_reason": "No money"},
    "status": {"status": Status.IN_PROGRESS},
    "progress": {"progress": 35},
    "due date": {"due_on": datetime.date(2027, 3, 1)},
    "status and progress and due date": {"status": Status.DONE, "due_on": datetime.date(2027, 3, 1)},
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_each_kind_of_change_tells_exactly_the_makers_once(world, change):
    response = respond(world["lead"], world["recommendation"])
    before = set(TimelineEntry.objects.values_list("pk", flat=True))
    notices_before = Notification.objects.count()
    response_update(actor=world["lead"], response_id=response.pk, changes=CHANGES[change])
    entry = the_only_new_entry(before)
    assert entry.kind == TimelineEntry.Kind.CHANGE
    assert told(entry) == makers(world)
    assert Notification.objects.count() == notices_before + 2


def test_a_written_update_tells_exactly_the_makers_once(world):
    response = respond(world["lead"], world["recommendation"])
    entry = timeline_entry_add(actor=world["lead"], response_id=response.pk, text="We met the heads of year.")
    assert told(entry) == makers(world)
    assert Notification.objects.filter(entry__isnull=False).count() == 4  # 2 for the response, 2 for this


def test_new_evidence_tells_exactly_the_makers_once(world, private_storage):
    response = respond(world["lead"], world["recommendation"])
    before = set(TimelineEntry.objects.values_list("pk", flat=True))
    evidence_add(actor=world["lead"], response_id=response.pk, title="Minutes", file=ContentFile(PDF, name="m.pdf"))
    entry = the_only_new_entry(before)
    assert entry.kind == TimelineEntry.Kind.EVIDENCE
    assert told(entry) == makers(world)


def test_removing_evidence_and_changing_the_owner_tell_nobody(world):
    response = respond(world["lead"], world["recommendation"])
    evidence = evidence_add(actor=world["lead"], response_id=response.pk, title="Leaflet", link="https://example.org")
    count = Notification.objects.count()
    evidence_remove(actor=world["lead"], evidence_id=evidence.pk)
    response_update(actor=world["lead"], response_id=response.pk, changes={"owner_name": "Alex Smith"})
    assert Notification.objects.count() == count


def test_changing_nothing_tells_nobody(world):
    response = respond(world["lead"], world["recommendation"])
    count = Notification.objects.count()
    response_update(actor=world["lead"], response_id=response.pk, changes={"progress": 0, "status": "not_started"})
    assert Notification.objects.count() == count


def test_a_leaver_is_told_only_if_they_chose_to_be(world, partnership):
    sam, ada = makers(world)
    Membership.objects.filter(pk__in=[sam.pk, ada.pk]).update(status=Membership.Status.SUSPENDED)
    FeedbackPreference.objects.create(partnership=partnership, membership=ada, after_leaving=True)
    response = respond(world["lead"], world["recommendation"])
    [entry] = TimelineEntry.objects.filter(response=response)
    assert told(entry) == [ada]
