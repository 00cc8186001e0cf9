"""/api/v1/attendance/: the sheet (GET ?engagement=) and one mark (POST), with the same rules as the page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Attendance
from participants.models import Role
from tests.engagements.test_work_logs import confirmed_engagement, mark

pytestmark = pytest.mark.django_db

URL = "/api/v1/attendance/"


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


def test_the_sheet_lists_confirmed_people_with_their_marks(worker, member, api_as):
    a = member(Role.YOUNG_PERSON, user__full_name="Ali Khan").membership
    b = member(Role.YOUNG_PERSON, user__full_name="Bea Lund").membership
    engagement = confirmed_engagement(a, b)
    mark(engagement, a, "late")

    body = api_as(worker).get(URL, {"engagement": engagement.pk}).json()

    assert body["not_marked"] == 1 and body["marking_open"] is True
    assert [(r["full_name"], r["status"]) for r in body["rows"]] == [("Ali Khan", "late"), ("Bea Lund", None)]


def test_the_engagement_is_required(worker, api_as):
    response = api_as(worker).get(URL)
    assert response.status_code == 400
    assert "engagement" in response.json()["extra"]["fields"]


def test_post_marks_and_marks_again(worker, member, api_as):
    person = member(Role.YOUNG_PERSON).membership
    engagement = confirmed_engagement(person)
    client = api_as(worker)
    payload = {"engagement": engagement.pk, "membership": person.pk, "status": "present"}
    assert client.post(URL, payload, format="json").status_code == 201  # made
    response = client.post(URL, {**payload, "status": "left_early", "note": "Felt unwell"}, format="json")
    assert response.status_code == 200  # changed
    assert response.json()["status"] == "left_early"
    assert (
        client.post(URL, {**payload, "status": "left_early", "note": "Felt unwell"}, format="json").status_code == 200
    )
    assert Attendance.objects.get().note == "Felt unwell"


def test_refusals_name_the_field(worker, member, api_as):
    person = member(Role.YOUNG_PERSON).membership
    future = confirmed_engagement(person, starts_at=timezone.now() + datetime.timedelta(hours=3))
    client = api_as(worker)
    response = client.post(URL, {"engagement": future.pk, "membership": person.pk, "status": "present"}, format="json")
    assert response.status_code == 400 and response.json()["extra"]["field"] == "engagement"
    outsider = member(Role.YOUNG_PERSON).membership
    now = confirmed_engagement(person)
    response = client.post(URL, {"engagement": now.pk, "membership": outsider.pk, "status": "present"}, format="json")
    assert response.status_code == 400 and response.json()["extra"]["field"] == "membership"
    assert not Attendance.objects.exists()


def test_another_partnerships_engagement_is_a_404_and_others_are_refused(member, api_as, other_partnership):
    person = member(Role.YOUNG_PERSON)
    engagement = confirmed_engagement(person.membership)
    stranger = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    assert api_as(stranger).get(URL, {"engagement": engagement.pk}).status_code == 404
    payload = {"engagement": engagement.pk, "membership": person.membership.pk, "status": "present"}
    assert api_as(stranger).post(URL, payload, format="json").status_code == 404
    assert api_as(member(Role.FINANCE_OFFICER)).get(URL, {"engagement": engagement.pk}).status_code == 403
    assert api_as(person).post(URL, payload, format="json").status_code == 403
    assert not Attendance.objects.exists()


def test_the_query_count_does_not_grow_with_people(worker, member, api_as):
    client = api_as(worker)
    small = confirmed_engagement(member(Role.YOUNG_PERSON).membership)
    people = [member(Role.YOUNG_PERSON).membership for _ in range(15)]
    large = confirmed_engagement(*people)
    for person in people[:5]:
        mark(large, person)

    def count(engagement):
        client.get(URL, {"engagement": engagement.pk})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"engagement": engagement.pk}).status_code == 200
        return len(queries)

    assert count(large) == count(small)
