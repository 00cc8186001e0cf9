"""/api/v1/onboarding/: everyone's checklists for workers and admins, only your own for a young person."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from participants.models import Membership, OnboardingItem, Role
from participants.services.onboarding import CHECKLIST, onboarding_create_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

Item = OnboardingItem.Status
ONBOARDING = "/api/v1/onboarding/"
ALL_ITEMS = len(CHECKLIST)
OVER_16_ITEMS = len([entry for entry in CHECKLIST if not entry.under_16_only])


def young_scrutineer(partnership, *, under_16=False, **kwargs):
    membership = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON], **kwargs)
    onboarding_create_for(membership=membership, under_16=under_16)
    return membership


def item_url(membership, key):
    return f"{ONBOARDING}{membership.pk}/items/{key}/"


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def client(worker, api_as):
    return api_as(worker)


def test_workers_see_every_young_scrutineers_checklist(client, partnership, other_partnership):
    younger = young_scrutineer(partnership, under_16=True)
    older = young_scrutineer(partnership)
    OnboardingItem.objects.filter(membership=older, key="consent.taking_part").update(status=Item.DONE)
    young_scrutineer(other_partnership)
    MembershipFactory(partnership=partnership, roles=[Role.FINANCE_OFFICER])
    young_scrutineer(partnership, status=Membership.Status.SUSPENDED)

    response = client.get(ONBOARDING)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    rows = {row["membership_id"]: row for row in body["results"]}
    assert set(rows) == {younger.pk, older.pk}
    assert (rows[younger.pk]["items_left"], rows[younger.pk]["items_total"]) == (ALL_ITEMS, ALL_ITEMS)
    assert (rows[older.pk]["items_left"], rows[older.pk]["items_total"]) == (OVER_16_ITEMS - 1, OVER_16_ITEMS)
    assert rows[older.pk]["name"] == older.user.full_name
    first = rows[older.pk]["items"][0]
    assert set(first) == {"key", "label", "hint", "kind", "status", "completed_at"}
    assert (first["key"], first["kind"], first["status"]) == ("consent.taking_part", "consent", "done")
    assert [i["key"] for i in rows[younger.pk]["items"]] == [entry.key for entry in CHECKLIST]


def test_workers_can_list_only_those_with_something_left(client, partnership):
    done = young_scrutineer(partnership)
    OnboardingItem.objects.filter(membership=done).update(status=Item.NOT_NEEDED)
    waiting = young_scrutineer(partnership)

    response = client.get(ONBOARDING, {"only_incomplete": "true"})

    assert [row["membership_id"] for row in response.json()["results"]] == [waiting.pk]
    assert client.get(ONBOARDING).json()["count"] == 2
    bad = client.get(ONBOARDING, {"only_incomplete": "perhaps"})
    assert bad.status_code == 400
    assert "only_incomplete" in bad.json()["extra"]["fields"]


def test_a_young_person_sees_only_their_own_checklist(member, api_as, partnership, membership_of):
    me = member(Role.YOUNG_PERSON)
    onboarding_create_for(membership=membership_of(me), under_16=False)
    young_scrutineer(partnership)  # another young person in the same partnership

    response = api_as(me).get(ONBOARDING)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row["membership_id"] == membership_of(me).pk
    assert row["name"] == me.full_name
    assert (row["items_left"], row["items_total"]) == (OVER_16_ITEMS, OVER_16_ITEMS)
    assert len(row["items"]) == OVER_16_ITEMS


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD, Role.SCRUTINY_LEAD])
def test_other_staff_may_not_see_checklists(role, member, api_as, partnership):
    young_scrutineer(partnership)
    response = api_as(member(role)).get(ONBOARDING)
    assert response.status_code == 403
    assert set(response.json()) == {"message", "extra"}


def test_a_worker_ticks_an_item_off(client, worker, partnership):
    membership = young_scrutineer(partnership)

    response = client.post(item_url(membership, "training.what_is_scrutiny"), {"status": "done"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["key"], body["status"], body["membership_id"]) == ("training.what_is_scrutiny", "done", membership.pk)
    assert body["completed_at"] is not None
    item = OnboardingItem.objects.get(membership=membership, key="training.what_is_scrutiny")
    assert (item.status, item.completed_by) == (Item.DONE, worker)
    event = AuditEvent.objects.get(event_type="onboarding.item_changed")
    assert event.payload == {"key": "training.what_is_scrutiny", "from": "to_do", "to": "done"}


def test_an_item_can_be_put_back_to_do(member, api_as, partnership):
    membership = young_scrutineer(partnership)
    client = api_as(member(Role.PARTNERSHIP_ADMIN))
    url = item_url(membership, "payment.setup")
    client.post(url, {"status": "not_needed"}, format="json")

    response = client.post(url, {"status": "to_do"}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["completed_at"]) == ("to_do", None)


@pytest.mark.parametrize("payload", [{"status": "wizard"}, {"status": ""}, {"status": ["done"]}])
def test_a_bad_status_is_a_400_naming_the_field(client, partnership, payload):
    membership = young_scrutineer(partnership)

    response = client.post(item_url(membership, "payment.setup"), payload, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"}
    assert "status" in response.json()["extra"]["fields"]
    assert not OnboardingItem.objects.exclude(status=Item.TO_DO).exists()


def test_a_young_person_cannot_tick_items_off_even_their_own(member, api_as, membership_of):
    me = member(Role.YOUNG_PERSON)
    onboarding_create_for(membership=membership_of(me), under_16=False)

    response = api_as(me).post(item_url(membership_of(me), "payment.setup"), {"status": "done"}, format="json")

    assert response.status_code == 403
    assert not OnboardingItem.objects.exclude(status=Item.TO_DO).exists()


def test_another_partnerships_young_person_is_404(client, other_partnership):
    theirs = young_scrutineer(other_partnership)

    response = client.post(item_url(theirs, "payment.setup"), {"status": "done"}, format="json")

    assert response.status_code == 404
    assert set(response.json()) == {"message", "extra"}
    assert not OnboardingItem.objects.exclude(status=Item.TO_DO).exists()
    assert theirs.pk not in {row["membership_id"] for row in client.get(ONBOARDING).json()["results"]}


def test_an_item_the_checklist_does_not_have_is_404(client, partnership):
    membership = young_scrutineer(partnership)
    assert client.post(item_url(membership, "training.not_on_the_list"), {}, format="json").status_code == 404
    assert client.post(item_url(membership, "no.such.item"), {}, format="json").status_code == 404


def test_the_status_defaults_to_done(client, partnership):
    membership = young_scrutineer(partnership)
    response = client.post(item_url(membership, "payment.setup"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "done"


def test_overview_query_count_does_not_grow(client, partnership):
    def grow(n):
        for _ in range(n):
            young_scrutineer(partnership)

    grow(10)
    client.get(ONBOARDING)  # warm up
    with CaptureQueriesContext(connection) as small:
        assert client.get(ONBOARDING).status_code == 200
    grow(190)
    with CaptureQueriesContext(connection) as large:
        response = client.get(ONBOARDING)
    assert response.json()["count"] == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_own_checklist_query_count_does_not_grow_with_the_partnership(member, api_as, partnership, membership_of):
    me = member(Role.YOUNG_PERSON)
    onboarding_create_for(membership=membership_of(me), under_16=True)
    client = api_as(me)
    young_scrutineer(partnership)
    client.get(ONBOARDING)
    with CaptureQueriesContext(connection) as small:
        client.get(ONBOARDING)
    for _ in range(20):
        young_scrutineer(partnership)
    with CaptureQueriesContext(connection) as large:
        assert client.get(ONBOARDING).json()["count"] == 1
    assert len(large) == len(small)
