"""/api/v1/data-requests/ and /api/v1/me/information/: same rules as the pages and services."""

import datetime

import pytest
from django.utils import timezone

from core.models import AuditEvent
from participants.models import DataRequest, Role
from participants.services.data_rights import data_request_make, data_request_record
from tests.participants.data_rights.conftest import CONCERN_WORDS, RESTRICTED_NOTE

pytestmark = pytest.mark.django_db
URL = "/api/v1/data-requests/"


def test_a_young_person_reads_their_information_and_it_is_audited(person, api_as):
    response = api_as(person.user).get("/api/v1/me/information/")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1 and body["about_you"]["email"] == person.user.email
    assert RESTRICTED_NOTE not in response.content.decode() and CONCERN_WORDS not in response.content.decode()
    assert AuditEvent.objects.filter(event_type="person_data.downloaded", payload__via="api").exists()


def test_staff_have_no_own_information(member, api_as):
    assert api_as(member(Role.PARTICIPATION_WORKER)).get("/api/v1/me/information/").status_code == 403


def test_a_young_person_makes_a_request_and_sees_only_their_own(member, api_as):
    young = member(Role.YOUNG_PERSON)
    data_request_make(actor=member(Role.YOUNG_PERSON), kind="access")  # someone else's
    client = api_as(young)
    response = client.post(URL, {"kind": "erasure", "details": "Please delete"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["due_on"] and response.json()["status"] == "received"
    listed = client.get(URL).json()["results"]
    assert [item["id"] for item in listed] == [response.json()["id"]]


def test_the_list_is_soonest_due_first_with_overdue_flagged(member, api_as, django_assert_max_num_queries):
    worker = member(Role.PARTICIPATION_WORKER)
    late = data_request_record(
        actor=worker,
        membership_id=member(Role.YOUNG_PERSON).membership.pk,
        kind="access",
        received_on=timezone.localdate() - datetime.timedelta(days=45),
    )
    for _ in range(12):
        data_request_make(actor=member(Role.YOUNG_PERSON), kind="access")
    client = api_as(worker)
    with django_assert_max_num_queries(15):
        body = client.get(URL, {"open": "true"}).json()
    assert body["results"][0]["id"] == late.pk and body["results"][0]["is_overdue"] is True
    assert not any(item["is_overdue"] for item in body["results"][1:])
    assert len(body["results"]) == 13


def test_staff_move_a_request_and_an_erasure_says_what_was_kept(person, member, api_as):
    admin = member(Role.PARTNERSHIP_ADMIN)
    made = data_request_make(actor=person.user, kind="erasure")
    client = api_as(admin)
    assert client.post(f"{URL}{made.pk}/start/").json()["status"] == "in_progress"
    body = client.post(f"{URL}{made.pk}/complete/", {}, format="json").json()
    assert body["status"] == "completed"
    kept = {line["what"]: line for line in body["outcome"]["kept"]}
    assert "25th birthday" in kept["safeguarding concerns"]["why"]
    assert "six years" in kept["payment claims"]["why"]


def test_a_worker_cannot_complete_an_erasure(person, member, api_as):
    worker = member(Role.PARTICIPATION_WORKER)
    made = data_request_make(actor=person.user, kind="erasure")
    client = api_as(worker)
    client.post(f"{URL}{made.pk}/start/")
    assert client.post(f"{URL}{made.pk}/complete/", {}, format="json").status_code == 403
    assert DataRequest.objects.get(pk=made.pk).status == "in_progress"


def test_refusing_needs_a_reason(member, api_as):
    worker = member(Role.PARTICIPATION_WORKER)
    made = data_request_make(actor=member(Role.YOUNG_PERSON), kind="rectification")
    client = api_as(worker)
    client.post(f"{URL}{made.pk}/start/")
    response = client.post(f"{URL}{made.pk}/refuse/", {}, format="json")
    assert response.status_code == 400 and "reason" in str(response.json())
    assert client.post(f"{URL}{made.pk}/refuse/", {"reason": "It is right."}, format="json").json()["status"] == (
        "refused"
    )


@pytest.mark.parametrize("suffix", ["", "start/", "complete/", "refuse/"])
def test_another_partnerships_request_is_a_404(suffix, member, other_partnership, api_as):
    theirs = data_request_make(actor=member(Role.YOUNG_PERSON, in_partnership=other_partnership), kind="access")
    client = api_as(member(Role.PARTNERSHIP_ADMIN))
    url = f"{URL}{theirs.pk}/{suffix}"
    response = client.post(url, {"reason": "x", "note": "x"}, format="json") if suffix else client.get(url)
    assert response.status_code == 404
    assert DataRequest.objects.get(pk=theirs.pk).status == "received"


def test_other_staff_roles_are_refused(member, api_as):
    client = api_as(member(Role.FINANCE_OFFICER))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"kind": "access"}, format="json").status_code == 403


def test_staff_record_a_request_with_whose_and_when(member, api_as):
    worker = member(Role.PARTICIPATION_WORKER)
    young = member(Role.YOUNG_PERSON)
    client = api_as(worker)
    response = client.post(URL, {"kind": "access"}, format="json")
    assert response.status_code == 400 and "membership_id" in str(response.json())
    response = client.post(
        URL, {"kind": "access", "membership_id": young.membership.pk, "received_on": "2026-01-31"}, format="json"
    )
    assert response.status_code == 201 and response.json()["due_on"] == "2026-02-28"


def test_the_answers_match_the_openapi_schema(person, member, api_as):
    """What the data rights API answers is what its schema documents (the fuzzing in CI relies on it)."""
    from tests.openapi import assert_documented

    young = api_as(person.user)
    assert_documented("GET", "/api/v1/me/information/", young.get("/api/v1/me/information/"))
    made = young.post(URL, {"kind": "erasure"}, format="json")
    assert_documented("POST", URL, made)
    assert_documented("GET", URL, young.get(URL))
    request_id = made.json()["id"]
    admin = api_as(member(Role.PARTNERSHIP_ADMIN))
    one = "/api/v1/data-requests/{request_id}/"
    assert_documented("GET", one, admin.get(f"{URL}{request_id}/"))
    assert_documented("POST", one + "start/", admin.post(f"{URL}{request_id}/start/"))
    assert_documented("POST", one + "complete/", admin.post(f"{URL}{request_id}/complete/", {}, format="json"))
    assert_documented("POST", URL, admin.post(URL, {"kind": "access"}, format="json"))  # a 400 naming the fields
    assert_documented("POST", one + "refuse/", admin.post(f"{URL}{request_id}/refuse/", {}, format="json"))
    assert_documented("GET", one, admin.get(f"{URL}999999/"))  # a 404
