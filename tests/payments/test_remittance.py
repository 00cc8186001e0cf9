"""Remittance advice: when a payout becomes PAID on any rail, the young person is emailed once, after commit, with
what it was for, when, how much (each line) and how; never a bank number or a voucher code."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core.models import AuditEvent
from payments.models import Claim, PayeeAccount, Payout, Rail, Voucher
from payments.services.statements import payout_mark_failed, payout_mark_paid, remittance_send_for
from tests.factories.payments import PayeeAccountFactory
from tests.payments.test_webhooks import refreshed, stripe_payout

pytestmark = pytest.mark.django_db


def bank_payout(**account_fields: Any) -> Payout:
    account = PayeeAccountFactory(
        rail=Rail.BANK,
        status=PayeeAccount.Status.ACTIVE,
        bank_account_name="J Smith",
        bank_sort_code="112233",
        bank_account_number="12345678",
        **account_fields,
    )
    payout = stripe_payout(account, status=Payout.Status.SENT)
    Payout.objects.filter(pk=payout.pk).update(rail=Rail.BANK, stripe_transfer_id=None)
    return refreshed(payout)


def mark_paid(payout: Payout, **kwargs: Any) -> Payout:
    with transaction.atomic():
        locked = Payout.objects.select_for_update().get(pk=payout.pk)
        return payout_mark_paid(payout=locked, actor=None, **kwargs)


def test_a_paid_bank_transfer_sends_remittance_advice_once(django_capture_on_commit_callbacks):
    payout = bank_payout()
    paid_at = datetime.datetime(2026, 3, 3, 10, 0, tzinfo=datetime.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        mark_paid(payout, paid_at=paid_at)

    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID and payout.paid_at == paid_at
    assert payout.remittance_sent_at is not None
    assert refreshed(payout.claim).status == Claim.Status.PAID
    [message] = mail.outbox
    claim = payout.claim
    assert message.to == [claim.membership.user.email]
    assert message.subject == f"You have been paid for {claim.engagement.title}"
    body = message.body
    assert claim.engagement.title in body
    assert f"{claim.work_date.day} {claim.work_date:%B %Y}" in body  # what for: the engagement and its date
    assert "Paid on: 3 March 2026" in body  # when
    assert "Amount: £28.50" in body and "Session and preparation: £24.00" in body  # how much, line by line
    assert "Bus fare: £4.50" in body and "not earnings" in body
    assert "How: by bank transfer" in body  # how
    assert "12345678" not in body and "112233" not in body
    assert AuditEvent.objects.filter(event_type="payout.remittance_sent", subject_id=str(payout.pk)).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert remittance_send_for(payout.pk) is False
    assert len(mail.outbox) == 1


def test_nothing_is_sent_for_a_payout_not_paid(django_capture_on_commit_callbacks):
    payout = bank_payout()
    with django_capture_on_commit_callbacks(execute=True):
        assert remittance_send_for(payout.pk) is False
    assert mail.outbox == [] and refreshed(payout).remittance_sent_at is None


def test_nothing_is_sent_if_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    payout = bank_payout()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                mark_paid(payout)
                raise RuntimeError("something later in the same service failed")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []
    assert refreshed(payout).status == Payout.Status.SENT


def test_paid_to_a_nominee_the_young_person_is_told_who_received_it(django_capture_on_commit_callbacks):
    payout = bank_payout(for_nominee=True, holder_name="Pat Smith")
    with django_capture_on_commit_callbacks(execute=True):
        mark_paid(payout)
    [message] = mail.outbox
    assert message.to == [payout.claim.membership.user.email]
    assert "How: by bank transfer to Pat Smith" in message.body


def test_a_stripe_payout_says_it_went_through_stripe(django_capture_on_commit_callbacks):
    payout = stripe_payout(status=Payout.Status.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        mark_paid(payout)
    [message] = mail.outbox
    assert "How: through Stripe to your bank account" in message.body


def test_a_voucher_names_the_supplier_but_never_the_code(django_capture_on_commit_callbacks):
    payout = stripe_payout(status=Payout.Status.SENDING)
    Payout.objects.filter(pk=payout.pk).update(rail=Rail.VOUCHER, payee_account=None)
    payout.refresh_from_db()
    Voucher.objects.create(
        partnership=payout.partnership,
        payout=payout,
        supplier="Love2shop",
        value_pence=payout.amount_pence,
        code="SECRET-CODE-1234",
        issued_on=timezone.localdate(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        mark_paid(payout)
    [message] = mail.outbox
    assert "How: as a Love2shop gift voucher" in message.body
    assert "SECRET-CODE-1234" not in message.body


def test_a_failed_payout_returns_to_finance_and_sends_nothing(django_capture_on_commit_callbacks):
    payout = stripe_payout(status=Payout.Status.SENT)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        locked = Payout.objects.select_for_update().get(pk=payout.pk)
        payout_mark_failed(payout=locked, actor=None, reason="The bank account has been closed.")
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED and payout.failure_reason == "The bank account has been closed."
    assert refreshed(payout.claim).status == Claim.Status.FAILED
    assert mail.outbox == []


def test_a_payout_can_only_be_paid_from_a_state_that_leads_there():
    from core.exceptions import ApplicationError

    payout = stripe_payout(status=Payout.Status.FAILED)
    with pytest.raises(ApplicationError):
        mark_paid(payout)
    assert refreshed(payout).status == Payout.Status.FAILED and mail.outbox == []
