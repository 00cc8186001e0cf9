"""/api/v1/training-modules/ and /api/v1/training-records/."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants.models import Role, TrainingModule, TrainingRecord
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
MODULES = "/api/v1/training-modules/"
RECORDS = "/api/v1/training-records/"


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def module(partnership):
    return TrainingModule.objects.create(
        partnership=partnership, title="Safeguarding basics", duration_minutes=60, validity_months=24
    )


def record(module, membership, by):
    return TrainingRecord.objects.create(
        partnership=module.partnership, module=module, membership=membership,
        completed_on=datetime.date(2026, 1, 5), signed_off_by=by,
    )  # fmt: skip


def test_workers_create_and_list_modules(worker, api_as):
    client = api_as(worker)
    response = client.post(
        MODULES,
        {"title": "Section 11 training", "duration_minutes": 120, "validity_months": 36,
         "required_for": ["section_11_panel"], "onboarding_key": ""},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["required_for"] == ["section_11_panel"]
    listed = client.get(MODULES).json()
    assert [m["title"] for m in listed["results"]] == ["Section 11 training"]


def test_malformed_module_is_400_naming_the_field(worker, api_as):
    response = api_as(worker).post(
        MODULES, {"title": "X", "duration_minutes": "long", "required_for": ["juggling"]}, format="json"
    )
    assert response.status_code == 400
    assert {"duration_minutes", "required_for"} <= set(response.json()["extra"]["fields"])
    assert not TrainingModule.objects.exists()


def test_finance_officers_cannot_create_modules_or_list_records(member, api_as):
    client = api_as(member(Role.FINANCE_OFFICER))
    assert client.post(MODULES, {"title": "X", "duration_minutes": 5}, format="json").status_code == 403
    assert client.get(RECORDS).status_code == 403


def test_workers_see_every_record_and_a_young_person_only_their_own(worker, member, api_as, module, other_partnership):
    mine = member(Role.YOUNG_PERSON)
    theirs = member(Role.YOUNG_PERSON)
    record(module, mine.membership, worker)
    record(module, theirs.membership, worker)
    stranger_module = TrainingModule.objects.create(partnership=other_partnership, title="S", duration_minutes=5)
    stranger = MembershipFactory(partnership=other_partnership)
    record(stranger_module, stranger, worker)

    assert api_as(worker).get(RECORDS).json()["count"] == 2
    own = api_as(mine).get(RECORDS).json()
    assert [row["membership"] for row in own["results"]] == [mine.membership.pk]


def test_workers_post_a_completion_and_bad_dates_are_400_naming_the_field(worker, member, api_as, module):
    person = member(Role.YOUNG_PERSON)
    client = api_as(worker)
    good = client.post(
        RECORDS, {"membership_id": person.membership.pk, "module_id": module.pk, "completed_on": "2026-01-05"},
        format="json",
    )  # fmt: skip
    assert good.status_code == 201, good.json()
    assert good.json()["expires_on"] == "2028-01-05"
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    bad = client.post(
        RECORDS, {"membership_id": person.membership.pk, "module_id": module.pk, "completed_on": future},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400 and "completed_on" in bad.json()["extra"]["fields"]
    malformed = client.post(RECORDS, {"membership_id": "x", "completed_on": "soon"}, format="json")
    assert malformed.status_code == 400
    assert {"membership_id", "module_id", "completed_on"} <= set(malformed.json()["extra"]["fields"])
    assert TrainingRecord.objects.count() == 1


def test_a_young_person_cannot_post_a_completion(member, api_as, module):
    person = member(Role.YOUNG_PERSON)
    response = api_as(person).post(
        RECORDS, {"membership_id": person.membership.pk, "module_id": module.pk, "completed_on": "2026-01-05"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 403


def test_another_partnerships_person_is_404(worker, api_as, module, other_partnership):
    stranger = MembershipFactory(partnership=other_partnership)
    response = api_as(worker).post(
        RECORDS, {"membership_id": stranger.pk, "module_id": module.pk, "completed_on": "2026-01-05"}, format="json"
    )
    assert response.status_code == 404


def test_record_list_query_count_does_not_grow(worker, member, api_as, module):
    client = api_as(worker)
    for _ in range(3):
        record(module, member(Role.YOUNG_PERSON).membership, worker)
    client.get(RECORDS)
    with CaptureQueriesContext(connection) as few:
        client.get(RECORDS)
    for _ in range(20):
        record(module, member(Role.YOUNG_PERSON).membership, worker)
    with CaptureQueriesContext(connection) as many:
        assert client.get(RECORDS).json()["count"] == 23
    assert len(many) == len(few)
