"""The batches, payouts and payee-accounts API: thin over the services, the same rules, scoped to the partnership
(another partnership's record is a 404), and no N+1 queries."""

from __future__ import annotations

import pytest

from participants.models import Role
from payments.models import Claim, PaymentBatch, Payout
from tests.payments.test_batches_helpers import (
    bank_batch_with,
    bank_payee,
    count_queries,
    officers,
    open_claim,
    stripe_payee,
    transfers,
    young_person,
)

pytestmark = pytest.mark.django_db


def test_a_batch_made_approved_and_submitted_through_the_api(
    member, partnership, api_as, stripe_server, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    claims = [open_claim(stripe_payee(partnership, stripe_server).membership) for _ in range(2)]
    client = api_as(maker)
    created = client.post("/api/v1/payment-batches/")
    assert created.status_code == 201, created.content
    batch_id = created.json()["id"]
    added = client.post(
        f"/api/v1/payment-batches/{batch_id}/claims/", {"claim_ids": [c.pk for c in claims]}, format="json"
    )
    assert added.status_code == 200, added.content
    body = added.json()
    assert body["total_pence"] == 5700 and body["payout_count"] == 2
    assert body["totals_by_rail"] == [
        {"rail": "stripe", "rail_label": "Stripe (to a bank account)", "payouts": 2, "total_pence": 5700}
    ]
    assert len(body["totals_by_payee"]) == 2
    refused = client.post(f"/api/v1/payment-batches/{batch_id}/approve/", {}, format="json")
    assert refused.status_code == 400 and "different finance officer" in refused.json()["message"]
    approved = api_as(approver).post(
        f"/api/v1/payment-batches/{batch_id}/approve/", {"expected_total_pence": 5700}, format="json"
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    with django_capture_on_commit_callbacks(execute=True):
        submitted = api_as(maker).post(f"/api/v1/payment-batches/{batch_id}/submit/")
    assert submitted.status_code == 202
    again = api_as(maker).post(f"/api/v1/payment-batches/{batch_id}/submit/")
    assert again.status_code == 400
    detail = api_as(maker).get(f"/api/v1/payment-batches/{batch_id}/").json()
    assert detail["status"] == "submitted"
    assert detail["progress"] == {
        "total": 2,
        "done": 2,
        "sent": 2,
        "failed": 0,
        "waiting_bank": 0,
        "waiting_voucher": 0,
        "sending_now": 0,
        "percent": 100,
    }
    assert len(transfers(stripe_server)) == 2


def test_waiting_for_payment_details_is_a_400_naming_the_claims(member, partnership, api_as):
    maker, _ = officers(member)
    waiting = open_claim(young_person(partnership))
    client = api_as(maker)
    batch_id = client.post("/api/v1/payment-batches/").json()["id"]
    answer = client.post(f"/api/v1/payment-batches/{batch_id}/claims/", {"claim_ids": [waiting.pk]}, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["extra"]["field"] == "claim_ids"
    assert body["extra"]["refused"][str(waiting.pk)].startswith("Waiting for payment details")


def test_removing_a_claim(member, partnership, api_as):
    maker, _ = officers(member)
    claim = open_claim(bank_payee(partnership).membership)
    client = api_as(maker)
    batch_id = client.post("/api/v1/payment-batches/").json()["id"]
    client.post(f"/api/v1/payment-batches/{batch_id}/claims/", {"claim_ids": [claim.pk]}, format="json")
    answer = client.delete(f"/api/v1/payment-batches/{batch_id}/claims/{claim.pk}/")
    assert answer.status_code == 200 and answer.json()["payout_count"] == 0
    assert Claim.objects.get().status == Claim.Status.OPEN


def test_the_bank_file_and_the_confirmation_through_the_api(
    member, partnership, api_as, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    payee = bank_payee(partnership)
    claim = open_claim(payee.membership)
    client = api_as(maker)
    batch_id = client.post("/api/v1/payment-batches/").json()["id"]
    client.post(f"/api/v1/payment-batches/{batch_id}/claims/", {"claim_ids": [claim.pk]}, format="json")
    api_as(approver).post(f"/api/v1/payment-batches/{batch_id}/approve/")
    with django_capture_on_commit_callbacks(execute=True):
        api_as(maker).post(f"/api/v1/payment-batches/{batch_id}/submit/")
    made = api_as(maker).post(f"/api/v1/payment-batches/{batch_id}/bank-export/")
    assert made.status_code == 201
    assert made["Content-Type"].startswith("text/csv") and "no-store" in made["Cache-Control"]
    text = made.content.decode()
    assert text.splitlines()[-1] == "T,1,28.50"
    again = api_as(maker).get(f"/api/v1/payment-batches/{batch_id}/bank-export/")
    assert again.status_code == 200 and again.content.decode() == text
    reference = PaymentBatch.objects.get().reference
    confirmation = f"line_reference,amount,status,reason\n{reference}/1/P{payee.pk},28.50,paid,\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = api_as(maker).post(
        f"/api/v1/payment-batches/{batch_id}/bank-confirmation/",
        {"file": SimpleUploadedFile("confirmation.csv", confirmation, content_type="text/csv")},
        format="multipart",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"paid": 1, "rejected": 0, "already_recorded": 0}
    assert Payout.objects.get().status == Payout.Status.PAID


def test_payouts_filter_retry_and_reverse(
    member, partnership, api_as, stripe_server, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    claim = open_claim(stripe_payee(partnership, stripe_server).membership)
    stripe_server.fail_next("/v1/transfers", status=400, method="POST")
    from tests.payments.test_batches_helpers import submitted_batch

    submitted_batch(maker, approver, [claim], django_capture_on_commit_callbacks)
    client = api_as(maker)
    failed = client.get("/api/v1/payouts/", {"status": "failed"}).json()["results"]
    assert len(failed) == 1 and failed[0]["failure_reason"].startswith("Stripe refused the payment")
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/api/v1/payouts/{failed[0]['id']}/retry/", {}, format="json")
    assert retried.status_code == 201 and retried.json()["id"] != failed[0]["id"]
    new_id = retried.json()["id"]
    assert client.get(f"/api/v1/payouts/{new_id}/").json()["status"] == "sent"
    assert client.get("/api/v1/payouts/", {"rail": "bank"}).json()["count"] == 0
    reversed_ = client.post(f"/api/v1/payouts/{new_id}/reverse/", {"reason": "Wrong person"}, format="json")
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed"
    assert len(transfers(stripe_server)) == 1


def test_vouchers_through_the_api_never_show_the_code(member, partnership, api_as, django_capture_on_commit_callbacks):
    from tests.payments.test_batches_helpers import submitted_batch, voucher_payee

    maker, approver = officers(member)
    submitted_batch(maker, approver, [open_claim(voucher_payee(partnership))], django_capture_on_commit_callbacks)
    payout = Payout.objects.get()
    answer = api_as(maker).post(
        f"/api/v1/payouts/{payout.pk}/voucher/",
        {"supplier": "Love2shop", "code": "SECRET-CODE-1", "issued_on": "2026-01-05"},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "paid"
    assert "SECRET-CODE-1" not in answer.content.decode()


def test_payee_accounts_show_status_and_masked_numbers_only(member, partnership, api_as):
    maker, _ = officers(member)
    bank_payee(partnership, account_number="12345678", sort_code="309457")
    answer = api_as(maker).get("/api/v1/payee-accounts/")
    assert answer.status_code == 200
    row = answer.json()["results"][0]
    assert row["account_number"] == "******78" and row["sort_code"] == "****57"
    assert "12345678" not in answer.content.decode()
    assert row["status"] == "active" and row["rail"] == "bank"


def test_only_finance_officers_use_these_endpoints(member, partnership, api_as):
    worker = api_as(member(Role.PARTICIPATION_WORKER))
    for url in ("/api/v1/payment-batches/", "/api/v1/payouts/", "/api/v1/payee-accounts/"):
        assert worker.get(url).status_code == 403, url


def test_another_partnerships_records_are_404(
    member, partnership, other_partnership, api_as, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    batch = bank_batch_with(maker, approver, partnership, 1, django_capture_on_commit_callbacks)
    payout = Payout.objects.get()
    elsewhere = api_as(member(Role.FINANCE_OFFICER, in_partnership=other_partnership))
    for method, url in [
        ("get", f"/api/v1/payment-batches/{batch.pk}/"),
        ("post", f"/api/v1/payment-batches/{batch.pk}/approve/"),
        ("post", f"/api/v1/payment-batches/{batch.pk}/submit/"),
        ("post", f"/api/v1/payment-batches/{batch.pk}/bank-export/"),
        ("get", f"/api/v1/payment-batches/{batch.pk}/bank-export/"),
        ("get", f"/api/v1/payouts/{payout.pk}/"),
        ("post", f"/api/v1/payouts/{payout.pk}/retry/"),
        ("post", f"/api/v1/payouts/{payout.pk}/reverse/"),
    ]:
        data = {"reason": "x"} if url.endswith("reverse/") else {}
        assert getattr(elsewhere, method)(url, data, format="json").status_code == 404, url
    assert elsewhere.get("/api/v1/payouts/").json()["count"] == 0
    assert elsewhere.get("/api/v1/payment-batches/").json()["count"] == 0


@pytest.mark.parametrize(
    "url",
    ["/api/v1/payment-batches/", "/api/v1/payment-batches/{batch}/", "/api/v1/payouts/", "/api/v1/payee-accounts/"],
)
def test_lists_and_detail_take_the_same_queries_for_more_rows(
    url, member, partnership, api_as, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    maker, approver = officers(member)
    small = bank_batch_with(maker, approver, partnership, 2, django_capture_on_commit_callbacks)
    client = api_as(maker)
    client.get("/api/v1/payouts/")  # warm the session
    few = count_queries(lambda: client.get(url.format(batch=small.pk)))
    large = bank_batch_with(maker, approver, partnership, 25, django_capture_on_commit_callbacks)
    url = url.format(batch=large.pk)
    many = count_queries(lambda: client.get(url))
    assert many == few, f"{url}: {few} queries for 2 rows, {many} for 25"
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200
