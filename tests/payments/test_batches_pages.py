"""The finance pages for batches, payouts and payee accounts: a batch built from ready claims with checkboxes
(waiting ones shown with the reason), approval hidden from its maker with an explanation, live progress polled by
htmx, the bank file (no-store), payouts with Retry, reversal and vouchers, payee accounts with masked numbers; who
may see them; another partnership's record is a 404; query counts that do not grow."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from participants.models import Role
from payments.models import Claim, PaymentBatch, Payout, Voucher
from payments.services.batches import batch_add_claims, batch_create
from tests.payments.test_batches_helpers import (
    approved_batch,
    bank_batch_with,
    bank_payee,
    count_queries,
    officers,
    open_claim,
    stripe_payee,
    submitted_batch,
    transfers,
    voucher_payee,
    young_person,
)

pytestmark = pytest.mark.django_db


def test_a_finance_officer_starts_a_batch(member, login):
    maker, _ = officers(member)
    client = login(maker)
    assert "No batches yet." in client.get("/finance/batches/").content.decode()
    response = client.post("/finance/batches/")
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/finance/batches/{batch.pk}/"
    assert batch.reference in client.get("/finance/batches/").content.decode()


def test_claims_are_added_with_checkboxes_and_waiting_ones_are_explained(member, partnership, login):
    maker, _ = officers(member)
    ready = open_claim(bank_payee(partnership).membership)
    waiting_person = young_person(partnership)
    open_claim(waiting_person)
    batch = batch_create(actor=maker)
    client = login(maker)
    page = client.get(f"/finance/batches/{batch.pk}/").content.decode()
    assert f'value="{ready.pk}"' in page
    assert "Waiting for payment details: they have not set up how to be paid yet." in page
    assert waiting_person.user.full_name in page
    nothing = client.post(f"/finance/batches/{batch.pk}/", {"action": "add"})
    assert nothing.status_code == 400
    assert 'href="#id_claim_ids"' in nothing.content.decode()
    assert "Choose at least one claim to add" in nothing.content.decode()
    added = client.post(f"/finance/batches/{batch.pk}/", {"action": "add", "claim_ids": [ready.pk]})
    assert added.status_code == 302
    assert Claim.objects.get(pk=ready.pk).status == Claim.Status.BATCHED
    removed = client.post(f"/finance/batches/{batch.pk}/", {"action": "remove", "claim_id": ready.pk})
    assert removed.status_code == 302 and not Payout.objects.exists()


def test_a_claim_that_stopped_being_ready_is_refused_on_the_form(member, partnership, login):
    maker, _ = officers(member)
    payee = bank_payee(partnership)
    claim = open_claim(payee.membership)
    batch = batch_create(actor=maker)
    client = login(maker)
    client.get(f"/finance/batches/{batch.pk}/")
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.DECLINED)  # changed by someone else meanwhile
    response = client.post(f"/finance/batches/{batch.pk}/", {"action": "add", "claim_ids": [claim.pk]})
    assert response.status_code == 400
    assert f"Claim {claim.pk} is no longer ready to pay" in response.content.decode()


def test_the_maker_sees_why_they_cannot_approve_and_another_officer_approves(member, partnership, login):
    maker, approver = officers(member)
    batch = batch_create(actor=maker)
    batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[open_claim(bank_payee(partnership).membership).pk])
    page = login(maker).get(f"/finance/batches/{batch.pk}/").content.decode()
    assert "a different finance officer must approve it" in page
    assert 'value="approve"' not in page
    refused = login(maker).post(f"/finance/batches/{batch.pk}/", {"action": "approve"}, follow=True)
    assert "different finance officer" in refused.content.decode()
    client = login(approver)
    page = client.get(f"/finance/batches/{batch.pk}/").content.decode()
    assert 'value="approve"' in page
    assert re.search(r'name="expected_total_pence"\s+value="2850"', page)
    client.post(f"/finance/batches/{batch.pk}/", {"action": "approve", "expected_total_pence": "2850"})
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.APPROVED and batch.approved_by == approver
    locked = client.get(f"/finance/batches/{batch.pk}/").content.decode()
    assert "Add claims" not in locked and "Take out" not in locked


def test_submitting_shows_progress_that_polls_until_nothing_is_being_sent(
    member, partnership, login, stripe_server, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    claims = [open_claim(stripe_payee(partnership, stripe_server).membership) for _ in range(3)]
    batch = approved_batch(maker, approver, claims)
    client = login(maker)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the worker has not run yet
        client.post(f"/finance/batches/{batch.pk}/", {"action": "submit"})
    page = client.get(f"/finance/batches/{batch.pk}/").content.decode()
    assert f'hx-get="/finance/batches/{batch.pk}/progress/"' in page and 'hx-trigger="every 2s"' in page
    assert 'aria-live="polite"' in page and "<progress" in page
    fragment = client.get(f"/finance/batches/{batch.pk}/progress/")
    assert fragment.status_code == 200 and "0 of 3 sent" in fragment.content.decode()
    callbacks[0]()  # the worker sends the batch
    done = client.get(f"/finance/batches/{batch.pk}/progress/")
    assert done.status_code == 286  # htmx stops polling
    body = done.content.decode()
    assert "3 of 3 sent" in body and 'value="3"' in body and "All done." in body
    assert "hx-trigger" not in client.get(f"/finance/batches/{batch.pk}/").content.decode()
    assert len(transfers(stripe_server)) == 3


def test_the_bank_file_is_made_and_downloaded_without_being_stored(
    member, partnership, login, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    payee = bank_payee(partnership)
    batch = submitted_batch(maker, approver, [open_claim(payee.membership)], django_capture_on_commit_callbacks)
    client = login(maker)
    assert "waiting for the bank file" in client.get(f"/finance/batches/{batch.pk}/").content.decode()
    client.post(f"/finance/batches/{batch.pk}/", {"action": "bank_export"})
    export = batch.bank_exports.get()
    page = client.get(f"/finance/batches/{batch.pk}/").content.decode()
    assert f"/finance/batches/{batch.pk}/bank-files/{export.pk}/" in page
    download = client.get(f"/finance/batches/{batch.pk}/bank-files/{export.pk}/")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    assert "attachment" in download["Content-Disposition"]
    assert b"00733445" in download.content
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(
        f"/finance/batches/{batch.pk}/",
        {"action": "bank_confirmation", "file": SimpleUploadedFile("c.csv", b"line_reference,amount,status,reason\n")},
    )
    assert bad.status_code == 400 and "The file has no lines." in bad.content.decode()
    good = SimpleUploadedFile(
        "c.csv", f"line_reference,amount,status,reason\n{batch.reference}/1/P{payee.pk},28.50,paid,\n".encode()
    )
    client.post(f"/finance/batches/{batch.pk}/", {"action": "bank_confirmation", "file": good})
    assert Payout.objects.get().status == Payout.Status.PAID


def test_failed_payouts_show_the_reason_and_can_be_tried_again(
    member, partnership, login, stripe_server, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    account = stripe_payee(partnership, stripe_server)
    stripe_server.fail_next("/v1/transfers", status=400, method="POST")
    submitted_batch(maker, approver, [open_claim(account.membership)], django_capture_on_commit_callbacks)
    failed = Payout.objects.get()
    client = login(maker)
    page = client.get("/finance/payouts/", {"status": "failed"}).content.decode()
    assert "Stripe refused the payment" in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/finance/payouts/?status=failed", {"action": "retry", "payout": failed.pk, "rail": ""})
    assert response.status_code == 302 and response["Location"] == "/finance/payouts/?status=failed"
    assert Payout.objects.filter(status=Payout.Status.SENT).count() == 1
    assert len(transfers(stripe_server)) == 1
    after = client.get("/finance/payouts/").content.decode()
    assert "Try again" not in after  # the claim's payment is on its way: no second retry offered
    assert f"act=reverse&amp;payout={Payout.objects.get(status='sent').pk}" in after


def test_a_reversal_needs_a_reason_on_the_form(
    member, partnership, login, stripe_server, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    submitted_batch(
        maker,
        approver,
        [open_claim(stripe_payee(partnership, stripe_server).membership)],
        django_capture_on_commit_callbacks,
    )
    payout = Payout.objects.get()
    client = login(maker)
    form = client.get("/finance/payouts/", {"act": "reverse", "payout": payout.pk}).content.decode()
    assert "Reverse the transfer to" in form
    empty = client.post("/finance/payouts/", {"action": "reverse", "payout": payout.pk, "reason": ""})
    assert empty.status_code == 400 and 'href="#id_reason"' in empty.content.decode()
    client.post("/finance/payouts/", {"action": "reverse", "payout": payout.pk, "reason": "Paid twice by mistake"})
    payout.refresh_from_db()
    assert payout.status == Payout.Status.REVERSED


def test_a_voucher_is_recorded_and_what_was_typed_is_kept_on_error(
    member, partnership, login, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    submitted_batch(maker, approver, [open_claim(voucher_payee(partnership))], django_capture_on_commit_callbacks)
    payout = Payout.objects.get()
    client = login(maker)
    assert "Record the voucher" in client.get("/finance/payouts/").content.decode()
    wrong = client.post(
        "/finance/payouts/",
        {
            "action": "voucher",
            "payout": payout.pk,
            "supplier": "Love2shop",
            "code": "",
            "issued_on_0": "1",
            "issued_on_1": "2",
            "issued_on_2": "2026",
        },
    )
    assert wrong.status_code == 400
    body = wrong.content.decode()
    assert 'value="Love2shop"' in body and "Enter the voucher code" in body
    today = timezone.localdate()
    client.post(
        "/finance/payouts/",
        {
            "action": "voucher",
            "payout": payout.pk,
            "supplier": "Love2shop",
            "code": "ABC-123",
            "issued_on_0": today.day,
            "issued_on_1": today.month,
            "issued_on_2": today.year,
        },
    )
    assert Voucher.objects.get().code == "ABC-123"
    assert "ABC-123" not in client.get("/finance/payouts/").content.decode()


def test_payee_accounts_show_masked_numbers(member, partnership, login):
    maker, _ = officers(member)
    bank_payee(partnership, account_number="87654321", sort_code="112233")
    body = login(maker).get("/finance/payee-accounts/").content.decode()
    assert "******21" in body and "****33" in body and "87654321" not in body and "112233" not in body


@pytest.mark.parametrize("url", ["/finance/batches/", "/finance/payouts/", "/finance/payee-accounts/"])
def test_only_finance_officers_see_these_pages(url, member, login):
    assert login(member(Role.YOUNG_PERSON)).get(url).status_code == 403
    assert login(member(Role.PARTICIPATION_WORKER)).get(url).status_code == 403


def test_another_partnerships_batch_and_payout_are_404(
    member, partnership, other_partnership, login, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    batch = bank_batch_with(maker, approver, partnership, 1, django_capture_on_commit_callbacks)
    export = batch.bank_exports.get()
    payout = Payout.objects.get()
    client = login(member(Role.FINANCE_OFFICER, in_partnership=other_partnership))
    for url in (
        f"/finance/batches/{batch.pk}/",
        f"/finance/batches/{batch.pk}/progress/",
        f"/finance/batches/{batch.pk}/bank-files/{export.pk}/",
        f"/finance/payouts/?act=reverse&payout={payout.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/finance/batches/{batch.pk}/", {"action": "approve"}).status_code == 404
    assert client.post("/finance/payouts/", {"action": "retry", "payout": payout.pk}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/finance/batches/",
        "/finance/batches/{batch}/",
        "/finance/batches/{batch}/progress/",
        "/finance/payouts/",
        "/finance/payee-accounts/",
    ],
)
def test_pages_take_the_same_queries_for_more_rows(url, member, partnership, login, django_capture_on_commit_callbacks):
    maker, approver = officers(member)
    small = bank_batch_with(maker, approver, partnership, 2, django_capture_on_commit_callbacks)
    client = login(maker)
    client.get("/finance/batches/")
    few = count_queries(lambda: client.get(url.format(batch=small.pk)))
    large = bank_batch_with(maker, approver, partnership, 25, django_capture_on_commit_callbacks)
    many = count_queries(lambda: client.get(url.format(batch=large.pk)))
    assert many == few, f"{url}: {few} queries for 2 rows, {many} for 25"


def test_a_draft_batch_page_takes_the_same_queries_for_more_ready_claims(member, partnership, login):
    maker, _ = officers(member)
    batch = batch_create(actor=maker)
    for _ in range(2):
        open_claim(bank_payee(partnership).membership)
        open_claim(young_person(partnership))
    client = login(maker)
    client.get(f"/finance/batches/{batch.pk}/")
    few = count_queries(lambda: client.get(f"/finance/batches/{batch.pk}/"))
    for _ in range(20):
        open_claim(bank_payee(partnership).membership)
        open_claim(young_person(partnership))
    many = count_queries(lambda: client.get(f"/finance/batches/{batch.pk}/"))
    assert many == few
