"""Payouts: Stripe answering 500 or dropping the connection, failures with the reason, trying again on the same or
another rail without a second transfer, reversals, the bank file and the bank's confirmation, vouchers. Over real
HTTP to the local Stripe test server."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from participants.models import Role
from payments.models import BankExport, Claim, PaymentBatch, Payout, Rail, Voucher
from payments.rails.bank import parse_line_reference
from payments.services.payouts import (
    bank_confirmation_import,
    bank_export_create,
    payout_retry,
    payout_reverse,
    voucher_issue,
)
from tests.payments.test_batches_helpers import (
    bank_payee,
    officers,
    open_claim,
    stripe_payee,
    submitted_batch,
    transfer_requests,
    transfers,
    voucher_payee,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_retries(settings):
    settings.STRIPE_MAX_NETWORK_RETRIES = 2


def _one_stripe_batch(member, partnership, server, capture, *, claims=1):
    maker, approver = officers(member)
    made = [open_claim(stripe_payee(partnership, server).membership) for _ in range(claims)]
    return maker, submitted_batch(maker, approver, made, capture)


# --- Stripe answering badly --------------------------------------------------------------------------------------


def test_a_500_then_success_makes_one_transfer(
    member, partnership, stripe_server, fast_retries, django_capture_on_commit_callbacks
):
    stripe_server.fail_next("/v1/transfers", status=500, method="POST")
    _, _batch = _one_stripe_batch(member, partnership, stripe_server, django_capture_on_commit_callbacks)
    payout = Payout.objects.get()
    assert payout.status == Payout.Status.SENT
    assert len(transfers(stripe_server)) == 1
    keys = {r["idempotency_key"] for r in transfer_requests(stripe_server)}
    assert keys == {payout.idempotency_key} and len(transfer_requests(stripe_server)) == 2


def test_an_answer_lost_after_stripe_made_the_transfer_makes_one_transfer(
    member, partnership, stripe_server, fast_retries, django_capture_on_commit_callbacks
):
    stripe_server.fail_next("/v1/transfers", status="drop", method="POST", after=True)
    _one_stripe_batch(member, partnership, stripe_server, django_capture_on_commit_callbacks)
    payout = Payout.objects.get()
    assert payout.status == Payout.Status.SENT
    assert len(transfers(stripe_server)) == 1
    assert payout.stripe_transfer_id == transfers(stripe_server)[0]["id"]
    assert [r["replayed"] for r in transfer_requests(stripe_server)][-1] is True


def test_after_the_tries_run_out_the_payout_fails_with_the_reason(
    member, partnership, stripe_server, fast_retries, django_capture_on_commit_callbacks
):
    stripe_server.fail_next("/v1/transfers", status="drop", times=3, method="POST")
    _, batch = _one_stripe_batch(member, partnership, stripe_server, django_capture_on_commit_callbacks)
    payout = Payout.objects.get()
    assert payout.status == Payout.Status.FAILED
    assert "could not be reached after 3 tries" in payout.failure_reason
    assert len(transfer_requests(stripe_server)) == 3  # bounded: the first try and 2 retries
    assert not transfers(stripe_server)
    assert Claim.objects.get().status == Claim.Status.FAILED
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.SUBMITTED  # a failure is done too: it is back with finance


def test_a_refusal_from_stripe_fails_with_stripes_reason(
    member, partnership, stripe_server, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    account = stripe_payee(partnership, stripe_server)
    claim = open_claim(account.membership)
    stripe_server.restrict(account.stripe_account_id)  # Stripe stops transfers to it after the batch was made
    submitted_batch(maker, approver, [claim], django_capture_on_commit_callbacks)
    payout = Payout.objects.get()
    assert payout.status == Payout.Status.FAILED
    assert payout.failure_reason.startswith("Stripe refused the payment:")
    assert "insufficient_capabilities_for_transfer" in payout.failure_reason


# --- Trying again --------------------------------------------------------------------------------------------------


def test_retry_on_the_same_rail_sends_a_new_payout_once(
    member, partnership, stripe_server, fast_retries, django_capture_on_commit_callbacks
):
    maker, _ = officers(member)
    stripe_server.fail_next("/v1/transfers", status=400, method="POST")
    _one_stripe_batch(member, partnership, stripe_server, django_capture_on_commit_callbacks)
    failed = Payout.objects.get()
    assert failed.status == Payout.Status.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        new = payout_retry(actor=maker, payout_id=failed.pk)
    new.refresh_from_db()
    assert new.pk != failed.pk and new.status == Payout.Status.SENT and new.batch_id == failed.batch_id
    assert len(transfers(stripe_server)) == 1
    assert Claim.objects.get().status == Claim.Status.BATCHED
    with pytest.raises(ApplicationError, match="on its way"):
        payout_retry(actor=maker, payout_id=failed.pk)


def test_retry_finds_a_transfer_stripe_made_after_all_and_sends_nothing(
    member, partnership, stripe_server, fast_retries, django_capture_on_commit_callbacks
):
    """Every answer was lost although Stripe made the transfer: the payout failed. Trying again, even on another
    rail, records Stripe's transfer instead of paying the claim a second time."""
    maker, _ = officers(member)
    stripe_server.fail_next("/v1/transfers", status="drop", times=3, method="POST", after=True)
    _one_stripe_batch(member, partnership, stripe_server, django_capture_on_commit_callbacks)
    failed = Payout.objects.get()
    assert failed.status == Payout.Status.FAILED and len(transfers(stripe_server)) == 1
    bank_payee(partnership, membership=failed.claim.membership)
    with django_capture_on_commit_callbacks(execute=True):
        new = payout_retry(actor=maker, payout_id=failed.pk, rail=Rail.BANK)
    assert new.rail == Rail.STRIPE and new.status == Payout.Status.SENT
    assert new.stripe_transfer_id == transfers(stripe_server)[0]["id"]
    assert len(transfers(stripe_server)) == 1
    assert len(transfer_requests(stripe_server)) == 3


def test_retry_on_another_rail_never_makes_a_second_transfer(
    member, partnership, stripe_server, django_capture_on_commit_callbacks
):
    maker, _ = officers(member)
    stripe_server.fail_next("/v1/transfers", status=400, method="POST")
    _one_stripe_batch(member, partnership, stripe_server, django_capture_on_commit_callbacks)
    failed = Payout.objects.get()
    bank_payee(partnership, membership=failed.claim.membership)
    with django_capture_on_commit_callbacks(execute=True):
        new = payout_retry(actor=maker, payout_id=failed.pk, rail=Rail.BANK)
    assert new.rail == Rail.BANK and new.status == Payout.Status.PENDING
    export = bank_export_create(actor=maker, batch_id=failed.batch_id)
    assert export.line_count == 1
    assert not transfers(stripe_server)
    assert Payout.objects.filter(claim=failed.claim, status__in=Payout.LIVE).count() == 1


def test_retry_on_a_rail_that_is_not_set_up_is_refused_with_the_reason(
    member, partnership, stripe_server, django_capture_on_commit_callbacks
):
    maker, _ = officers(member)
    stripe_server.fail_next("/v1/transfers", status=400, method="POST")
    _one_stripe_batch(member, partnership, stripe_server, django_capture_on_commit_callbacks)
    failed = Payout.objects.get()
    with pytest.raises(ApplicationError, match="Waiting for payment details"):
        payout_retry(actor=maker, payout_id=failed.pk, rail=Rail.BANK)
    assert Payout.objects.count() == 1


def test_only_a_failed_payout_can_be_tried_again(
    member, partnership, stripe_server, django_capture_on_commit_callbacks
):
    maker, _ = _one_stripe_batch(member, partnership, stripe_server, django_capture_on_commit_callbacks)
    with pytest.raises(ApplicationError, match="failed or reversed"):
        payout_retry(actor=maker, payout_id=Payout.objects.get().pk)


def test_another_partnerships_payout_is_not_found(
    member, partnership, other_partnership, stripe_server, django_capture_on_commit_callbacks
):
    from django.http import Http404

    _one_stripe_batch(member, partnership, stripe_server, django_capture_on_commit_callbacks)
    elsewhere = member(Role.FINANCE_OFFICER, in_partnership=other_partnership)
    with pytest.raises(Http404):
        payout_retry(actor=elsewhere, payout_id=Payout.objects.get().pk)
    with pytest.raises(Http404):
        payout_reverse(actor=elsewhere, payout_id=Payout.objects.get().pk, reason="Wrong person")


# --- Reversals -----------------------------------------------------------------------------------------------------


def test_reversing_a_transfer_returns_the_claim_to_finance(
    member, partnership, stripe_server, django_capture_on_commit_callbacks
):
    maker, _batch = _one_stripe_batch(member, partnership, stripe_server, django_capture_on_commit_callbacks)
    payout = Payout.objects.get()
    payout_reverse(actor=maker, payout_id=payout.pk, reason="Paid to the wrong person")
    payout_reverse(actor=maker, payout_id=payout.pk, reason="Paid to the wrong person")  # a double click
    payout.refresh_from_db()
    assert payout.status == Payout.Status.REVERSED and payout.failure_reason == "Reversed: Paid to the wrong person"
    assert len(stripe_server.state.reversals) == 1
    transfer = stripe_server.state.transfers[payout.stripe_transfer_id]
    assert transfer["amount_reversed"] == payout.amount_pence
    assert Claim.objects.get().status == Claim.Status.FAILED
    # Paying it again makes a new transfer (the first was reversed): the claim is paid once.
    with django_capture_on_commit_callbacks(execute=True):
        again = payout_retry(actor=maker, payout_id=payout.pk)
    again.refresh_from_db()
    assert again.status == Payout.Status.SENT and len(transfers(stripe_server)) == 2


def test_a_reversal_needs_a_reason_and_a_stripe_transfer(member, partnership, django_capture_on_commit_callbacks):
    maker, approver = officers(member)
    submitted_batch(
        maker, approver, [open_claim(bank_payee(partnership).membership)], django_capture_on_commit_callbacks
    )
    payout = Payout.objects.get()
    with pytest.raises(ApplicationError, match="reason"):
        payout_reverse(actor=maker, payout_id=payout.pk, reason="  ")
    bank_export_create(actor=maker, batch_id=payout.batch_id)
    with pytest.raises(ApplicationError, match="Only a Stripe transfer"):
        payout_reverse(actor=maker, payout_id=payout.pk, reason="Wrong person")
    payout.refresh_from_db()
    assert payout.status == Payout.Status.SENT


# --- The bank file and the bank's confirmation --------------------------------------------------------------------


def _bank_batch(member, partnership, capture):
    maker, approver = officers(member)
    alex = bank_payee(partnership, name="Alex O'Neil-Smith, Jr", sort_code="309457", account_number="00733445")
    sam = bank_payee(partnership, sort_code="400515", account_number="12345678")
    claims = [
        open_claim(alex.membership, pay=1000, expenses=250),
        open_claim(alex.membership, pay=500, expenses=0),
        open_claim(sam.membership, pay=2000, expenses=5),
    ]
    batch = submitted_batch(maker, approver, claims, capture)
    return maker, batch, alex, sam


def test_the_bank_file_has_one_line_per_payee_and_a_control_total(
    member, partnership, django_capture_on_commit_callbacks
):
    maker, batch, alex, _sam = _bank_batch(member, partnership, django_capture_on_commit_callbacks)
    assert batch.status == PaymentBatch.Status.SUBMITTING  # waiting for the bank file
    export = bank_export_create(actor=maker, batch_id=batch.pk)
    rows = list(csv.reader(io.StringIO(export.content)))
    assert rows[0] == ["H", batch.reference, timezone.localdate().isoformat(), partnership.name]
    details = rows[1:-1]
    assert len(details) == 2 == export.line_count
    by_name = {row[1]: row for row in details}
    assert by_name["ALEX O NEIL-SMITH"] == [
        "D", "ALEX O NEIL-SMITH", "309457", "00733445", "17.50", f"YS {batch.reference}",
        f"{batch.reference}/1/P{alex.pk}",
    ]  # fmt: skip
    assert rows[-1] == ["T", "2", "37.55"]
    assert export.control_total_pence == 3755 == sum(p.amount_pence for p in Payout.objects.all())
    assert set(Payout.objects.values_list("status", flat=True)) == {Payout.Status.SENT}
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.SUBMITTED
    # Stored encrypted: the row in the database does not hold the account number in clear.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM payments_bankexport WHERE id = %s", [export.pk])
        assert "00733445" not in cursor.fetchone()[0]
    with pytest.raises(ApplicationError, match="No bank transfers"):
        bank_export_create(actor=maker, batch_id=batch.pk)


def test_the_bank_file_is_made_only_for_a_sent_batch(member, partnership):
    maker, _approver = officers(member)
    from payments.services.batches import batch_add_claims, batch_create

    batch = batch_create(actor=maker)
    batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[open_claim(bank_payee(partnership).membership).pk])
    with pytest.raises(ApplicationError, match="approved and sent"):
        bank_export_create(actor=maker, batch_id=batch.pk)
    assert not BankExport.objects.exists()


def _confirmation(rows):
    return "line_reference,amount,status,reason\n" + "".join(",".join(row) + "\n" for row in rows)


def test_the_banks_confirmation_marks_payouts_paid_or_failed(member, partnership, django_capture_on_commit_callbacks):
    maker, batch, alex, sam = _bank_batch(member, partnership, django_capture_on_commit_callbacks)
    bank_export_create(actor=maker, batch_id=batch.pk)
    text = _confirmation([
        (f"{batch.reference}/1/P{alex.pk}", "17.50", "paid", ""),
        (f"{batch.reference}/1/P{sam.pk}", "20.05", "rejected", "Account closed"),
    ])  # fmt: skip
    result = bank_confirmation_import(actor=maker, batch_id=batch.pk, file=text.encode())
    assert (result.paid, result.rejected, result.already_recorded) == (1, 1, 0)
    paid = Payout.objects.filter(payee_account=alex)
    assert set(paid.values_list("status", flat=True)) == {Payout.Status.PAID}
    assert set(Claim.objects.filter(membership=alex.membership).values_list("status", flat=True)) == {"paid"}
    rejected = Payout.objects.get(payee_account=sam)
    assert rejected.status == Payout.Status.FAILED
    assert rejected.failure_reason == "The bank rejected the payment: Account closed"
    assert Claim.objects.get(membership=sam.membership).status == Claim.Status.FAILED
    again = bank_confirmation_import(actor=maker, batch_id=batch.pk, file=text.encode())
    assert (again.paid, again.rejected, again.already_recorded) == (0, 0, 2)


def test_a_confirmation_that_does_not_match_changes_nothing(member, partnership, django_capture_on_commit_callbacks):
    maker, batch, alex, sam = _bank_batch(member, partnership, django_capture_on_commit_callbacks)
    bank_export_create(actor=maker, batch_id=batch.pk)
    text = _confirmation([
        (f"{batch.reference}/1/P{alex.pk}", "17.50", "paid", ""),
        (f"{batch.reference}/1/P{sam.pk}", "99.00", "paid", ""),
        ("PB-1999-0001/1/P1", "1.00", "paid", ""),
        (f"{batch.reference}/1/P{alex.pk}", "1.00", "maybe", ""),
    ])  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        bank_confirmation_import(actor=maker, batch_id=batch.pk, file=text.encode())
    problems = refused.value.message_dict["file"]
    assert any("Row 5: the status must be paid or rejected" in p for p in problems)
    text = text.replace(f"{batch.reference}/1/P{alex.pk},1.00,maybe,\n", "")
    with pytest.raises(ValidationError) as refused:
        bank_confirmation_import(actor=maker, batch_id=batch.pk, file=text.encode())
    problems = refused.value.message_dict["file"]
    assert any("does not match the 20.05" in p for p in problems)
    assert any("no payment in batch" in p for p in problems)
    assert set(Payout.objects.values_list("status", flat=True)) == {Payout.Status.SENT}


def test_line_references_name_the_file_and_the_payee(member, partnership):
    batch = PaymentBatch(reference="PB-2026-0007")
    assert parse_line_reference(batch, "PB-2026-0007/2/P15") == (2, 15)
    assert parse_line_reference(batch, "PB-2026-0008/2/P15") is None


# --- Vouchers ------------------------------------------------------------------------------------------------------


def test_recording_a_voucher_pays_the_claim(member, partnership, django_capture_on_commit_callbacks):
    maker, approver = officers(member)
    claim = open_claim(voucher_payee(partnership))
    batch = submitted_batch(maker, approver, [claim], django_capture_on_commit_callbacks)
    payout = Payout.objects.get()
    assert payout.rail == Rail.VOUCHER and payout.status == Payout.Status.PENDING
    assert batch.status == PaymentBatch.Status.SUBMITTING
    with pytest.raises(ValidationError) as refused:
        voucher_issue(actor=maker, payout_id=payout.pk, supplier="", code="", issued_on=None)
    assert set(refused.value.message_dict) == {"supplier", "code", "issued_on"}
    voucher = voucher_issue(
        actor=maker, payout_id=payout.pk, supplier="Love2shop", code="L2S-1234-5678", issued_on=timezone.localdate()
    )
    assert voucher.value_pence == payout.amount_pence
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert Claim.objects.get().status == Claim.Status.PAID
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.SUBMITTED
    assert Voucher.objects.get().code == "L2S-1234-5678"
    assert "L2S-1234-5678" not in str(list(AuditEvent.objects.values_list("payload", flat=True)))
    with pytest.raises(ApplicationError, match="already been recorded"):
        voucher_issue(actor=maker, payout_id=payout.pk, supplier="Love2shop", code="X", issued_on=timezone.localdate())


def test_a_voucher_cannot_be_dated_in_the_future(member, partnership, django_capture_on_commit_callbacks):
    maker, approver = officers(member)
    submitted_batch(maker, approver, [open_claim(voucher_payee(partnership))], django_capture_on_commit_callbacks)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        voucher_issue(
            actor=maker, payout_id=Payout.objects.get().pk, supplier="Love2shop", code="X", issued_on=tomorrow
        )
    assert "issued_on" in refused.value.message_dict


def test_after_payout_failed_a_retry_is_refused_until_the_transfer_is_reversed(
    member, partnership, stripe_server, client, settings, django_capture_on_commit_callbacks
):
    """Stripe's payout to the payee's bank failed, but the transfer stands: the money is in their Stripe balance and
    Stripe pays it out again once their bank details are fixed. Paying the claim again, on any rail, would pay them
    twice; finance must reverse the transfer first."""
    maker, _batch = _one_stripe_batch(member, partnership, stripe_server, django_capture_on_commit_callbacks)
    payout = Payout.objects.get()
    account_id = payout.payee_account.stripe_account_id
    stripe_server.fail_payout(account_id, failure_code="account_closed")
    [failed_event] = stripe_server.events("payout.failed")
    body, headers = stripe_server.signed(failed_event)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/payments/stripe/webhook/{settings.STRIPE_WEBHOOK_PATH_TOKEN}/",
            body,
            content_type="application/json",
            headers=headers,
        )
    assert answer.status_code == 200
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED
    bank_payee(partnership, membership=payout.claim.membership)
    for rail in (None, Rail.BANK):
        with pytest.raises(ApplicationError) as refused:
            payout_retry(actor=maker, payout_id=payout.pk, rail=rail)
        assert refused.value.extra["reason"] == "transfer_stands"
    assert len(transfers(stripe_server)) == 1
    assert Payout.objects.filter(claim=payout.claim).count() == 1

    payout_reverse(actor=maker, payout_id=payout.pk, reason="Their bank account was closed")
    payout.refresh_from_db()
    assert payout.status == Payout.Status.REVERSED
    with django_capture_on_commit_callbacks(execute=True):
        again = payout_retry(actor=maker, payout_id=payout.pk, rail=Rail.BANK)
    assert again.rail == Rail.BANK and len(transfers(stripe_server)) == 1
    assert stripe_server.state.transfers[payout.stripe_transfer_id]["reversed"] is True
