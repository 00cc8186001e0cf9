"""/api/v1/work-logs/: drafts, expenses with receipts (multipart), sending, approving and rejecting; who sees
what; another partnership's log is a 404; query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Expense, WorkLog
from participants.models import Role
from tests.engagements.test_work_logs import (
    JPG,
    attended_engagement,
    confirmed_engagement,
    draft,
    mark,
    private_storage,  # noqa: F401 - autouse fixture
    submitted,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/work-logs/"


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def young(member):
    return member(Role.YOUNG_PERSON)


def test_a_young_person_saves_a_draft_changes_it_and_sends_it(young, api_as):
    engagement = attended_engagement(young.membership, minutes=120)
    client = api_as(young)
    body = client.post(
        URL, {"engagement": engagement.pk, "session_minutes": 130, "travel_minutes": 20}, format="json"
    ).json()
    assert (body["status"], body["session_minutes"], body["claimed_minutes"]) == ("draft", 130, 150)

    response = client.post(f"{URL}{body['id']}/submit/", format="json")
    assert response.status_code == 400
    assert "session_minutes" in response.json()["extra"]["fields"]
    assert WorkLog.objects.get().status == "draft"

    body = client.patch(f"{URL}{body['id']}/", {"session_minutes": 120}, format="json").json()
    assert (body["session_minutes"], body["travel_minutes"]) == (120, 20)
    assert client.post(f"{URL}{body['id']}/submit/", format="json").json()["status"] == "submitted"


def test_negative_minutes_are_a_400_naming_the_field(young, api_as):
    engagement = attended_engagement(young.membership)
    response = api_as(young).post(URL, {"engagement": engagement.pk, "travel_minutes": -5}, format="json")
    assert response.status_code == 400 and "travel_minutes" in response.json()["extra"]["fields"]
    assert not WorkLog.objects.exists()


def test_not_attended_is_a_clear_400(young, api_as):
    engagement = confirmed_engagement(young.membership)
    client = api_as(young)
    log_id = client.post(URL, {"engagement": engagement.pk, "session_minutes": 60}, format="json").json()["id"]
    response = client.post(f"{URL}{log_id}/submit/")
    assert response.json() == {
        "message": "You can only log time for an engagement you attended.",
        "extra": {"field": "engagement", "reason": "not_attended"},
    }


def test_an_expense_with_a_receipt_is_added_by_multipart_and_removed(young, api_as):
    log = draft(young, attended_engagement(young.membership))
    client = api_as(young)
    response = client.post(
        f"{URL}{log.pk}/expenses/",
        {
            "kind": "food",
            "description": "Lunch",
            "amount": "6.40",
            "receipt": SimpleUploadedFile("lunch.jpg", JPG, content_type="image/jpeg"),
        },
        format="multipart",
    )
    assert response.status_code == 201
    expense = response.json()["expenses"][0]
    assert (expense["amount"], expense["has_receipt"]) == ("6.40", True)
    assert expense["receipt_url"] == f"/api/v1/work-logs/{log.pk}/expenses/{expense['id']}/receipt/"

    response = client.delete(f"{URL}{log.pk}/expenses/{expense['id']}/")
    assert response.status_code == 200 and response.json()["expenses"] == []


def test_an_expense_sent_again_with_the_same_idempotency_key_is_added_once(young, api_as):
    log = draft(young, attended_engagement(young.membership))
    client = api_as(young)

    def send(key=None, description="Bus fare"):
        headers = {"Idempotency-Key": key} if key else {}
        data = {"kind": "travel", "description": description, "amount": "2.40"}
        return client.post(f"{URL}{log.pk}/expenses/", data, format="multipart", headers=headers)

    first = send("3f1c0a52-8b0e-4d5e-9a51-0d6c1f3b7e21")
    again = send("3f1c0a52-8b0e-4d5e-9a51-0d6c1f3b7e21")
    assert first.status_code == again.status_code == 201
    assert again.json()["expenses"] == first.json()["expenses"]
    assert Expense.objects.count() == 1
    assert send("another-key").status_code == 201  # a new key: a new expense, even the same one
    assert send().status_code == 201  # no key: every request adds
    assert Expense.objects.count() == 3
    response = send("k" * 101)
    assert response.status_code == 400 and response.json()["extra"]["field"] == "idempotency_key"


@pytest.mark.parametrize("amount", ["1e30", "NaN", "Infinity", "-Infinity", "1e-5", "1e999999999999"])
def test_huge_tiny_and_not_a_number_amounts_are_a_400_naming_the_amount(young, worker, api_as, amount):
    log = draft(young, attended_engagement(young.membership))
    response = api_as(young).post(
        f"{URL}{log.pk}/expenses/", {"kind": "travel", "description": "Bus", "amount": amount}, format="json"
    )
    assert response.status_code == 400
    assert "amount" in str(response.json()["extra"])
    assert not Expense.objects.exists()

    sent = submitted(young, attended_engagement(young.membership))
    expense = Expense.objects.create(
        partnership=sent.partnership, work_log=sent, kind="food", description="Lunch", amount=Decimal("8.00")
    )
    response = api_as(worker).post(
        f"{URL}{sent.pk}/approve/", {"expense_amounts": {str(expense.pk): amount}, "reason": "Less"}, format="json"
    )
    assert response.status_code == 400
    assert "expense_amounts" in str(response.json()["extra"])
    assert WorkLog.objects.get(pk=sent.pk).status == "submitted"


def test_sending_before_the_session_has_finished_is_a_clear_400(young, api_as):
    engagement = confirmed_engagement(young.membership, starts_at=timezone.now() - datetime.timedelta(minutes=10))
    mark(engagement, young.membership)
    client = api_as(young)
    log_id = client.post(URL, {"engagement": engagement.pk, "session_minutes": 10}, format="json").json()["id"]
    response = client.post(f"{URL}{log_id}/submit/")
    assert response.status_code == 400
    assert response.json() == {
        "message": "You can send your time once the session has finished.",
        "extra": {"field": "engagement", "reason": "not_finished"},
    }


def test_a_receipt_of_the_wrong_type_is_a_400_naming_the_receipt(young, api_as):
    log = draft(young, attended_engagement(young.membership))
    response = api_as(young).post(
        f"{URL}{log.pk}/expenses/",
        {
            "kind": "food",
            "description": "Lunch",
            "amount": "6.40",
            "receipt": SimpleUploadedFile("setup.pdf", b"MZ\x90\x00 program", content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "The receipt must be a photo (JPG or PNG) or a PDF",
        "extra": {"field": "receipt"},
    }
    assert not Expense.objects.exists()


def test_a_worker_approves_adjusts_with_a_reason_or_rejects(worker, member, api_as):
    client = api_as(worker)
    as_claimed = submitted(member(Role.YOUNG_PERSON))
    assert client.post(f"{URL}{as_claimed.pk}/approve/", {}, format="json").json()["status"] == "approved"

    adjusted = submitted(member(Role.YOUNG_PERSON))
    expense = Expense.objects.create(
        partnership=adjusted.partnership, work_log=adjusted, kind="food", description="Lunch", amount=Decimal("8")
    )
    response = client.post(f"{URL}{adjusted.pk}/approve/", {"travel_minutes": 20}, format="json")
    assert response.status_code == 400 and response.json()["extra"]["field"] == "reason"
    body = client.post(
        f"{URL}{adjusted.pk}/approve/",
        {"travel_minutes": 20, "expense_amounts": {str(expense.pk): "5.00"}, "reason": "Bus is 10 minutes"},
        format="json",
    ).json()
    assert (body["status"], body["approved_travel_minutes"], body["is_adjusted"]) == ("approved", 20, True)
    assert body["expenses"][0]["approved_amount"] == "5.00"

    rejected = submitted(member(Role.YOUNG_PERSON))
    assert client.post(f"{URL}{rejected.pk}/reject/", {}, format="json").status_code == 400
    body = client.post(f"{URL}{rejected.pk}/reject/", {"reason": "Add a receipt"}, format="json").json()
    assert (body["status"], body["decision_reason"]) == ("rejected", "Add a receipt")


def test_young_people_see_only_their_own_and_staff_the_partnerships(young, member, api_as, other_partnership):
    mine = draft(young, attended_engagement(young.membership))
    other = member(Role.YOUNG_PERSON)
    theirs = submitted(other)

    assert [row["id"] for row in api_as(young).get(URL).json()["results"]] == [mine.pk]
    assert api_as(young).get(f"{URL}{theirs.pk}/").status_code == 404
    assert api_as(young).patch(f"{URL}{theirs.pk}/", {"note": "x"}, format="json").status_code == 404

    finance = api_as(member(Role.FINANCE_OFFICER))
    assert {row["id"] for row in finance.get(URL).json()["results"]} == {mine.pk, theirs.pk}
    assert [row["id"] for row in finance.get(URL, {"status": "submitted"}).json()["results"]] == [theirs.pk]
    assert [row["id"] for row in finance.get(URL, {"engagement": mine.engagement_id}).json()["results"]] == [mine.pk]
    assert finance.post(f"{URL}{theirs.pk}/approve/", {}, format="json").status_code == 403

    stranger = api_as(member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership))
    assert stranger.get(f"{URL}{theirs.pk}/").status_code == 404
    assert stranger.post(f"{URL}{theirs.pk}/approve/", {}, format="json").status_code == 404
    assert stranger.get(URL).json()["results"] == []
    assert WorkLog.objects.get(pk=theirs.pk).status == "submitted"


def test_the_list_query_count_does_not_grow_with_logs_and_expenses(worker, member, api_as):
    client = api_as(worker)

    def add(count):
        for _ in range(count):
            log = submitted(member(Role.YOUNG_PERSON))
            for n in range(3):
                Expense.objects.create(
                    partnership=log.partnership, work_log=log, kind="travel", description=f"Bus {n}", amount=2
                )

    add(1)
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    add(15)
    with CaptureQueriesContext(connection) as large:
        body = client.get(URL).json()
    assert body["count"] == 16
    assert len(large) == len(small)


def test_saving_a_draft_answers_201_when_it_made_the_log_and_200_after(young, api_as):
    engagement = attended_engagement(young.membership)
    client = api_as(young)
    made = client.post(URL, {"engagement": engagement.pk, "session_minutes": 60}, format="json")
    assert made.status_code == 201 and made.json()["session_minutes"] == 60
    changed = client.post(URL, {"engagement": engagement.pk, "session_minutes": 90}, format="json")
    assert changed.status_code == 200 and changed.json()["id"] == made.json()["id"]
    assert WorkLog.objects.get().session_minutes == 90


def test_the_detail_query_count_does_not_grow_with_expenses(young, worker, api_as):
    log = submitted(young)

    def add(count):
        for n in range(count):
            Expense.objects.create(
                partnership=log.partnership,
                work_log=log,
                kind="travel",
                description=f"Bus {n}",
                amount=Decimal("2.00"),
                receipt=f"receipts/{n}.jpg",
                receipt_kind="jpg",
            )

    def count(client):
        client.get(f"{URL}{log.pk}/")
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"{URL}{log.pk}/").json()
        return len(queries), body

    add(1)
    for person in (worker, young):
        client = api_as(person)
        small, _ = count(client)
        add(15)
        large, body = count(client)
        assert len(body["expenses"]) == Expense.objects.count() and large == small


# --- Receipts, from the API -------------------------------------------------------------------------------------


def token_client(user):
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    _, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_receipt_downloads_from_the_api_for_those_who_may_open_it(young, member, api_as, other_partnership):
    log = draft(young, attended_engagement(young.membership))
    client = token_client(young)  # a token works, as for every other endpoint
    response = client.post(
        f"{URL}{log.pk}/expenses/",
        {"kind": "food", "description": "Lunch", "amount": "6.40", "receipt": SimpleUploadedFile("l.jpg", JPG)},
        format="multipart",
    )
    address = response.json()["expenses"][0]["receipt_url"]
    expense = Expense.objects.get()
    assert address == f"/api/v1/work-logs/{log.pk}/expenses/{expense.pk}/receipt/"

    for allowed in (None, member(Role.PARTICIPATION_WORKER), member(Role.FINANCE_OFFICER)):
        download = (api_as(allowed) if allowed else client).get(address, headers={"Accept": "image/jpeg"})
        assert download.status_code == 200
        assert download["Content-Type"] == "image/jpeg"
        assert download["Content-Disposition"].startswith("attachment;")
        assert download["Cache-Control"] == "private, no-store"
        assert b"".join(download.streaming_content) == JPG

    for refused in (
        member(Role.YOUNG_PERSON),
        member(Role.PARTNERSHIP_ADMIN),
        member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership),
    ):
        response = api_as(refused).get(address)
        assert response.status_code == 404 and response.json()["message"]
    # The expense must be on the log the address names.
    other_log = draft(young, attended_engagement(young.membership))
    assert client.get(f"{URL}{other_log.pk}/expenses/{expense.pk}/receipt/").status_code == 404
