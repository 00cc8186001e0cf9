"""Batches: made by one finance officer, approved by another, locked once approved, sent once; claims waiting for
payment details are refused. Stripe transfers go over real HTTP to the local Stripe test server."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from participants.models import Role
from payments.models import Claim, PayeeAccount, PaymentBatch, PaymentSetup, Payout, Rail
from payments.selectors.batches import batch_progress, batch_totals
from payments.services.batches import (
    batch_add_claims,
    batch_approve,
    batch_create,
    batch_remove_claim,
    batch_send,
    batch_submit,
)
from payments.tasks import submit_batch
from tests.payments.test_batches_helpers import (
    approved_batch,
    bank_payee,
    officers,
    open_claim,
    stripe_payee,
    submitted_batch,
    transfer_requests,
    transfers,
    voucher_payee,
    young_person,
)

pytestmark = pytest.mark.django_db


def test_references_count_up_per_partnership_and_year(member, partnership, other_partnership):
    maker = member(Role.FINANCE_OFFICER)
    elsewhere = member(Role.FINANCE_OFFICER, in_partnership=other_partnership)
    year = timezone.localdate().year
    assert batch_create(actor=maker).reference == f"PB-{year}-0001"
    assert batch_create(actor=maker).reference == f"PB-{year}-0002"
    assert batch_create(actor=elsewhere).reference == f"PB-{year}-0001"


def test_only_finance_officers_make_batches(member):
    with pytest.raises(PermissionDenied):
        batch_create(actor=member(Role.PARTICIPATION_WORKER))


def test_adding_claims_makes_one_payout_each_on_the_right_rail(member, partnership, stripe_server):
    maker, _ = officers(member)
    on_stripe = open_claim(stripe_payee(partnership, stripe_server).membership)
    on_bank = open_claim(bank_payee(partnership).membership)
    by_voucher = open_claim(voucher_payee(partnership))
    batch = batch_create(actor=maker)
    batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[on_stripe.pk, on_bank.pk, by_voucher.pk])
    rails = dict(Payout.objects.values_list("claim_id", "rail"))
    assert rails == {on_stripe.pk: Rail.STRIPE, on_bank.pk: Rail.BANK, by_voucher.pk: Rail.VOUCHER}
    assert set(Claim.objects.values_list("status", flat=True)) == {Claim.Status.BATCHED}
    assert Payout.objects.get(claim=on_stripe).amount_pence == on_stripe.total_pence == 2850
    totals = batch_totals(batch)
    assert totals.total_pence == 3 * 2850
    assert {row.rail: row.total_pence for row in totals.by_rail} == {"bank": 2850, "stripe": 2850, "voucher": 2850}
    assert len(totals.by_payee) == 3


def test_a_claim_waiting_for_payment_details_is_refused_with_the_reason(member, partnership, stripe_server):
    maker, _ = officers(member)
    ready = open_claim(bank_payee(partnership).membership)
    nothing_set_up = open_claim(young_person(partnership))
    half_onboarded = young_person(partnership)
    PayeeAccount.objects.create(
        partnership=partnership, membership=half_onboarded, rail=Rail.STRIPE, holder_name="Half Way"
    )
    PaymentSetup.objects.create(membership=half_onboarded, partnership=partnership, rail=Rail.STRIPE)
    stripe_pending = open_claim(half_onboarded)
    batch = batch_create(actor=maker)
    with pytest.raises(ApplicationError) as refused:
        batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[ready.pk, nothing_set_up.pk, stripe_pending.pk])
    reasons = refused.value.extra["refused"]
    assert set(reasons) == {str(nothing_set_up.pk), str(stripe_pending.pk)}
    assert reasons[str(nothing_set_up.pk)].startswith("Waiting for payment details")
    assert "not finished setting up their Stripe account" in reasons[str(stripe_pending.pk)]
    assert "Waiting for payment details" in refused.value.message
    assert not Payout.objects.exists()  # nothing added, not even the ready one
    assert Claim.objects.get(pk=ready.pk).status == Claim.Status.OPEN


def test_only_open_claims_of_the_partnership_are_added(member, partnership, other_partnership):
    maker, _ = officers(member)
    theirs = open_claim(bank_payee(other_partnership).membership)
    declined = open_claim(bank_payee(partnership).membership, status=Claim.Status.DECLINED)
    batch = batch_create(actor=maker)
    with pytest.raises(ApplicationError) as missing:
        batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[theirs.pk])
    assert missing.value.extra["missing"] == [theirs.pk]
    with pytest.raises(ApplicationError) as not_open:
        batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[declined.pk])
    assert "not ready to pay" in not_open.value.extra["refused"][str(declined.pk)]


def test_removing_a_claim_reopens_it(member, partnership):
    maker, _ = officers(member)
    claim = open_claim(bank_payee(partnership).membership)
    batch = batch_create(actor=maker)
    batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[claim.pk])
    batch_remove_claim(actor=maker, batch_id=batch.pk, claim_id=claim.pk)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.OPEN and claim.batch is None
    assert not Payout.objects.exists()


def test_the_maker_cannot_approve_their_own_batch(member, partnership):
    maker, _ = officers(member)
    batch = batch_create(actor=maker)
    batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[open_claim(bank_payee(partnership).membership).pk])
    with pytest.raises(ApplicationError, match="different finance officer"):
        batch_approve(actor=maker, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.DRAFT and batch.approved_by is None


def test_the_database_refuses_the_maker_as_approver_too(member, partnership):
    maker, _ = officers(member)
    batch = batch_create(actor=maker)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentBatch.objects.filter(pk=batch.pk).update(approved_by=maker)


def test_an_empty_batch_cannot_be_approved(member):
    maker, approver = officers(member)
    batch = batch_create(actor=maker)
    with pytest.raises(ApplicationError, match="no claims"):
        batch_approve(actor=approver, batch_id=batch.pk)


def test_approval_is_refused_when_the_batch_changed_since_it_was_shown(member, partnership):
    maker, approver = officers(member)
    batch = batch_create(actor=maker)
    batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[open_claim(bank_payee(partnership).membership).pk])
    with pytest.raises(ApplicationError, match="changed"):
        batch_approve(actor=approver, batch_id=batch.pk, expected_total_pence=100)
    assert batch_approve(actor=approver, batch_id=batch.pk, expected_total_pence=2850).status == "approved"


def test_an_approved_batch_is_locked(member, partnership):
    maker, approver = officers(member)
    first = open_claim(bank_payee(partnership).membership)
    later = open_claim(bank_payee(partnership).membership)
    batch = approved_batch(maker, approver, [first])
    with pytest.raises(ApplicationError, match="locked"):
        batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[later.pk])
    with pytest.raises(ApplicationError, match="locked"):
        batch_remove_claim(actor=maker, batch_id=batch.pk, claim_id=first.pk)
    with pytest.raises(ApplicationError, match="already been approved"):
        batch_approve(actor=member(Role.FINANCE_OFFICER), batch_id=batch.pk)
    assert Payout.objects.count() == 1
    assert Claim.objects.get(pk=later.pk).status == Claim.Status.OPEN


def test_a_batch_is_sent_only_after_approval(member, partnership):
    maker, _ = officers(member)
    batch = batch_create(actor=maker)
    batch_add_claims(actor=maker, batch_id=batch.pk, claim_ids=[open_claim(bank_payee(partnership).membership).pk])
    with pytest.raises(ApplicationError, match="approved by a second"):
        batch_submit(actor=maker, batch_id=batch.pk)
    # The task itself refuses to send a batch that was not submitted.
    assert batch_send(batch_id=batch.pk) == 0


def test_submitting_sends_every_stripe_payout_once_and_finishes(
    member, partnership, stripe_server, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    claims = [open_claim(stripe_payee(partnership, stripe_server).membership, pay=1000 + n) for n in range(3)]
    batch = submitted_batch(maker, approver, claims, django_capture_on_commit_callbacks)
    assert batch.status == PaymentBatch.Status.SUBMITTED and batch.finished_at is not None
    made = transfers(stripe_server)
    assert len(made) == 3
    payouts = {p.pk: p for p in Payout.objects.all()}
    for transfer in made:
        payout = payouts[int(transfer["metadata"]["payout"])]
        assert payout.status == Payout.Status.SENT and payout.stripe_transfer_id == transfer["id"]
        assert transfer["amount"] == payout.amount_pence and transfer["currency"] == "gbp"
        assert transfer["destination"] == payout.payee_account.stripe_account_id
        assert transfer["transfer_group"] == f"YS-{partnership.pk}-{batch.reference}"
        assert transfer["metadata"]["claim"] == str(payout.claim_id)
        assert payout.attempts == 1
    keys = [r["idempotency_key"] for r in transfer_requests(stripe_server)]
    assert sorted(keys) == sorted(p.idempotency_key for p in payouts.values())
    progress = batch_progress(batch)
    assert (progress.total, progress.sent, progress.percent, progress.sending_now) == (3, 3, 100, 0)


def test_submitting_twice_enqueues_and_sends_once(
    member, partnership, stripe_server, django_capture_on_commit_callbacks
):
    maker, approver = officers(member)
    batch = approved_batch(maker, approver, [open_claim(stripe_payee(partnership, stripe_server).membership)])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch_submit(actor=maker, batch_id=batch.pk)
        with pytest.raises(ApplicationError, match="already been sent"):
            batch_submit(actor=approver, batch_id=batch.pk)
    assert len(callbacks) == 1
    assert len(transfers(stripe_server)) == 1


def test_the_task_run_twice_sends_once(member, partnership, stripe_server, django_capture_on_commit_callbacks):
    maker, approver = officers(member)
    claims = [open_claim(stripe_payee(partnership, stripe_server).membership) for _ in range(2)]
    batch = submitted_batch(maker, approver, claims, django_capture_on_commit_callbacks)
    submit_batch(batch.pk)
    submit_batch.delay(batch.pk)
    assert len(transfers(stripe_server)) == 2
    assert len(transfer_requests(stripe_server)) == 2  # the later runs found nothing to send


def _killed_after_stripe_made_the_second_transfer(member, partnership, server):
    """Three payouts; the "worker" sent the first, marked the second SENDING and Stripe made its transfer, then died
    before recording it; the third was never started."""
    from payments.rails.stripe import StripeRail
    from payments.services.payouts import _start_sending, payout_send

    maker, approver = officers(member)
    batch = approved_batch(
        maker, approver, [open_claim(stripe_payee(partnership, server).membership) for _ in range(3)]
    )
    with transaction.atomic():
        batch_submit(actor=maker, batch_id=batch.pk)
        transaction.get_connection().run_on_commit = []  # the task is not run here
    first, second, _ = Payout.objects.order_by("pk")
    payout_send(payout_id=first.pk)
    started, resumed = _start_sending(second.pk)
    assert not resumed
    made = StripeRail().send(started)
    assert made.status == "sent"
    return batch, second, made


def test_a_resumed_task_records_the_transfer_stripe_already_made(member, partnership, stripe_server):
    """The next run finds the second payout SENDING, asks Stripe, finds its transfer and records it: nothing is sent
    again (this holds even after Stripe has forgotten the idempotency key, 24 hours later)."""
    batch, second, made = _killed_after_stripe_made_the_second_transfer(member, partnership, stripe_server)
    submit_batch(batch.pk)
    second.refresh_from_db()
    assert second.status == Payout.Status.SENT and second.stripe_transfer_id == made.reference
    assert second.attempts == 2
    assert len(transfers(stripe_server)) == 3
    assert len(transfer_requests(stripe_server)) == 3  # the second one was not asked for again
    assert AuditEvent.objects.filter(event_type="payout.resent", subject_id=str(second.pk)).count() == 1
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.SUBMITTED


def test_when_stripe_cannot_be_asked_the_same_key_gets_the_same_transfer(member, partnership, stripe_server, settings):
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    batch, second, made = _killed_after_stripe_made_the_second_transfer(member, partnership, stripe_server)
    stripe_server.fail_next("/v1/transfers", status=500, method="GET")  # the look-up fails
    submit_batch(batch.pk)
    second.refresh_from_db()
    assert second.status == Payout.Status.SENT and second.stripe_transfer_id == made.reference
    assert len(transfers(stripe_server)) == 3
    replayed = [r for r in transfer_requests(stripe_server) if r["idempotency_key"] == second.idempotency_key]
    assert [r["replayed"] for r in replayed] == [False, True]
