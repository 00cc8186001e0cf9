"""The rails behind one interface: the Stripe rail's transfer (over HTTP to the local Stripe test server, with the
shape Stripe's own example transfer has), Stripe's errors in words finance can act on, and the bank file's
formatting and the bank's confirmation file, field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import stripe

from payments.models import Payout, Rail
from payments.rails.bank import bacs_name, parse_confirmation, pence_from, pounds
from payments.rails.base import WAITING, rail_for
from payments.rails.stripe import describe_stripe_error
from payments.stripe_client import stripe_client
from tests.factories.payments import PaymentBatchFactory, PayoutFactory
from tests.payments.test_batches_helpers import stripe_payee

FIXTURES = Path("/work/shared/stripe/fixtures3.json")


def test_every_rail_answers_through_the_same_interface():
    assert {rail_for(rail).rail for rail in Rail.values} == set(Rail.values)
    assert [rail for rail in Rail.values if rail_for(rail).sends_in_task] == [Rail.STRIPE]
    with pytest.raises(ValueError):
        rail_for("carrier-pigeon")


@pytest.mark.django_db
def test_the_bank_and_voucher_rails_wait_for_finance():
    payout = Payout(rail=Rail.BANK)
    assert rail_for(Rail.BANK).send(payout).status == WAITING
    assert rail_for(Rail.VOUCHER).send(payout).status == WAITING
    assert rail_for(Rail.BANK).already_sent(payout) is None


@pytest.mark.django_db
def test_the_stripe_rail_makes_a_gbp_transfer_with_the_payouts_key(partnership, stripe_server):
    account = stripe_payee(partnership, stripe_server)
    batch = PaymentBatchFactory(partnership=partnership)
    payout = PayoutFactory(batch=batch, claim__membership=account.membership, payee_account=account, amount_pence=1234)
    rail = rail_for(Rail.STRIPE)
    assert rail.already_sent(payout) is None
    result = rail.send(payout)
    assert result.status == Payout.Status.SENT and result.reference.startswith("tr_")
    transfer = stripe_server.state.transfers[result.reference]
    assert (transfer["amount"], transfer["currency"], transfer["destination"]) == (
        1234,
        "gbp",
        account.stripe_account_id,
    )
    assert transfer["metadata"] == {
        "payout": str(payout.pk), "claim": str(payout.claim_id), "partnership": str(partnership.pk)
    }  # fmt: skip
    assert rail.send(payout).reference == result.reference  # the same key: the same transfer
    assert rail.already_sent(payout).reference == result.reference
    if FIXTURES.exists():  # the answer has the fields (and types) of Stripe's own example transfer
        example = json.loads(FIXTURES.read_text())["resources"]["transfer"]
        fetched = stripe_client().v1.transfers.retrieve(result.reference).to_dict()
        assert set(example) <= set(fetched)


@pytest.mark.django_db
def test_a_payout_without_a_stripe_account_fails_without_calling_stripe(partnership, stripe_server):
    payout = PayoutFactory(batch=PaymentBatchFactory(partnership=partnership), payee_account=None)
    result = rail_for(Rail.STRIPE).send(payout)
    assert result.status == Payout.Status.FAILED and "no Stripe account" in result.failure_reason
    assert not stripe_server.state.requests


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (stripe.APIConnectionError("Connection reset"), "could not be reached after 4 tries (Connection reset)"),
        (stripe.APIError("Boom", http_status=500), "Stripe had a problem after 4 tries (Boom)"),
        (stripe.RateLimitError("Slow down", http_status=429), "too busy"),
        (
            stripe.InvalidRequestError("Insufficient funds", param=None, code="balance_insufficient", http_status=400),
            "Stripe refused the payment: Insufficient funds (balance_insufficient)",
        ),
    ],
)
def test_stripes_errors_are_told_in_words_finance_can_act_on(error, words, settings):
    settings.STRIPE_MAX_NETWORK_RETRIES = 3
    assert words in describe_stripe_error(error)


def test_bank_names_amounts_and_references():
    assert bacs_name("Zoë O'Brien-Smith & Co, Ltd") == "ZO O BRIEN-SMITH &"
    assert bacs_name("Alex Smith") == "ALEX SMITH"
    assert len(bacs_name("A very long name indeed for a bank")) == 18
    assert set(bacs_name("Zoë O'Brien")) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .&/-")
    assert pounds(5) == "0.05" and pounds(123456) == "1234.56"
    assert pence_from("24.5") == 2450 and pence_from("£1.05") == 105 and pence_from("1,000.00") is None
    assert pence_from("abc") is None and pence_from("1.234") is None


def test_the_confirmation_file_is_read_and_every_problem_named():
    lines, problems = parse_confirmation(
        "\ufeffReference,Amount,Status,Reason\nPB-1/1/P1,1.00,PAID,\nPB-1/1/P2,2,rejected,Closed\n\n"
    )
    assert problems == []
    assert [(line.line_reference, line.amount_pence, line.status, line.reason) for line in lines] == [
        ("PB-1/1/P1", 100, "paid", ""), ("PB-1/1/P2", 200, "rejected", "Closed")
    ]  # fmt: skip
    _, problems = parse_confirmation("line_reference,amount,status,reason\n,x,maybe,\nPB-1/1/P2,2.00,rejected,\n")
    assert problems == [
        "Row 2: the line reference is missing.",
        "Row 2: the amount must be pounds and pence, like 24.50.",
        "Row 2: the status must be paid or rejected.",
        "Row 3: give the bank's reason for a rejected payment.",
    ]
    assert parse_confirmation("")[1] == ["The file is empty."]
    assert "missing: status" in parse_confirmation("line_reference,amount,reason\n")[1][0]
