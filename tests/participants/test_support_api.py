"""/api/v1/support-sessions/: notes for workers and safeguarding leads only; a young person's own sessions
without notes; everyone else refused; another partnership's a 404."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants.models import Role, SupportSession
from participants.services.support import FollowUpInput, support_session_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/support-sessions/"
NOTES = "Talked about feeling anxious before the panel interview"
AGREED = "Meet again before the next panel"
TODAY = timezone.localdate()


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def young(member):
    return member(Role.YOUNG_PERSON)


def record(worker, young):
    return support_session_create(
        actor=worker,
        membership_id=young.membership.pk,
        kind=SupportSession.Kind.SUPERVISION,
        held_on=TODAY,
        restricted_notes=NOTES,
        agreed=AGREED,
        follow_ups=[FollowUpInput("Send the notes", worker.pk, TODAY + datetime.timedelta(days=1))],
    )


def payload(worker, young, **overrides):
    data = {
        "membership_id": young.membership.pk,
        "kind": "emotional_support",
        "held_on": TODAY.isoformat(),
        "restricted_notes": NOTES,
        "agreed": AGREED,
        "follow_ups": [{"description": "Call home", "owner_id": worker.pk, "due_on": TODAY.isoformat()}],
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.SAFEGUARDING_LEAD])
def test_workers_and_leads_list_sessions_with_notes(member, worker, young, api_as, role):
    session = record(worker, young)
    body = api_as(member(role)).get(URL).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == session.pk and row["restricted_notes"] == NOTES and row["agreed"] == AGREED
    assert row["follow_ups"][0]["description"] == "Send the notes"


def test_a_worker_creates_a_session_with_follow_ups(worker, young, api_as):
    response = api_as(worker).post(URL, payload(worker, young), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "emotional_support" and body["staff"] == worker.full_name
    assert body["follow_ups"][0]["owner_id"] == worker.pk
    assert SupportSession.objects.get().follow_ups.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"held_on": "not-a-date"}, "held_on"),
        ({"kind": "chat"}, "kind"),
        ({"membership_id": "x"}, "membership_id"),
        ({"held_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "held_on"),
        ({"follow_ups": [{"description": "Call", "owner_id": 0, "due_on": TODAY.isoformat()}]}, "follow_ups"),
        ({"follow_ups": [{"description": "Call"}]}, "follow_ups"),
    ],
)
def test_malformed_input_is_a_400_naming_the_field(worker, young, api_as, change, field):
    response = api_as(worker).post(URL, payload(worker, young, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]
    assert not SupportSession.objects.exists()


def test_the_young_person_sees_their_own_without_notes(member, worker, young, api_as):
    mine = record(worker, young)
    record(worker, member(Role.YOUNG_PERSON))
    client = api_as(young)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert "restricted_notes" not in body["results"][0] and body["results"][0]["agreed"] == AGREED
    assert NOTES not in response.content.decode()
    detail = client.get(f"{URL}{mine.pk}/")
    assert detail.status_code == 200 and NOTES not in detail.content.decode()
    assert "restricted_notes" not in detail.json()


def test_a_young_person_cannot_read_another_young_persons_session(member, worker, young, api_as):
    theirs = record(worker, member(Role.YOUNG_PERSON))
    assert api_as(young).get(f"{URL}{theirs.pk}/").status_code == 404


def test_a_young_person_cannot_create(worker, young, api_as):
    assert api_as(young).post(URL, payload(worker, young), format="json").status_code == 403


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN])
def test_other_staff_are_refused(member, worker, young, api_as, role):
    session = record(worker, young)
    client = api_as(member(role))
    for response in (
        client.get(URL),
        client.get(f"{URL}{session.pk}/"),
        client.post(URL, payload(worker, young), format="json"),
    ):
        assert response.status_code == 403
        assert NOTES not in response.content.decode()


def test_another_partnerships_session_is_404(member, worker, api_as, other_partnership):
    their_worker = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    their_young = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    session = record(their_worker, their_young)
    client = api_as(worker)
    assert client.get(f"{URL}{session.pk}/").status_code == 404
    assert client.get(URL).json()["count"] == 0
    assert client.post(URL, payload(worker, their_young), format="json").status_code == 404


def test_the_worker_detail_has_notes(worker, young, api_as):
    session = record(worker, young)
    assert api_as(worker).get(f"{URL}{session.pk}/").json()["restricted_notes"] == NOTES


@pytest.mark.parametrize("viewer", ["worker", "young"])
def test_list_query_count_does_not_grow(member, worker, young, api_as, viewer):
    def add(count):
        for _ in range(count):
            record(worker, young)

    client = api_as(worker if viewer == "worker" else young)

    def queries():
        client.get(URL)
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        return len(context.captured_queries)

    add(5)
    few = queries()
    add(45)
    assert queries() == few
