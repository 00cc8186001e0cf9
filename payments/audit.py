"""How the audit log describes payment events, in plain words and without bank details, codes or nominees'
details (partnership admins read the audit log)."""

from __future__ import annotations

from core.audit import describe_in_words, describe_status_moves
from payments.models import Claim, PayeeAccount, PaymentBatch, Payout

EVENTS = {
    "payrate.added": "added a pay rate",
    "payrate.removed": "removed a pay rate",
    "expensespolicy.saved": "changed the expenses policy",
    "claim.created": "made a payment claim",
    "claim.choice_changed": "changed how a claim is paid",
    "paymentsetup.choice_set": "chose how to be paid",
    "paymentsetup.rail_changed": "changed how a young person is paid",
    "paymentsetup.nominee_recorded": "recorded an adult to be paid for a young person",
    "paymentsetup.nominee_removed": "removed the adult paid for a young person",
    "payeeaccount.created": "set up a payment account",
    "payeeaccount.stripe_account_created": "opened a Stripe account for a payee",
    "payeeaccount.stripe_unavailable": "found a payee cannot hold a Stripe account",
    "payeeaccount.bank_details_saved": "saved bank details",
    "account.updated": "received a Stripe account update",
    "paymentbatch.created": "started a payment batch",
    "paymentbatch.claims_added": "added claims to a payment batch",
    "paymentbatch.claim_removed": "took a claim out of a payment batch",
    "paymentbatch.bank_confirmation_imported": "imported the bank's confirmation of a payment batch",
    "bankexport.created": "made a bank transfer file",
    "bankexport.downloaded": "downloaded a bank transfer file",
    "payout.retried": "tried a failed payment again",
    "payout.resent": "sent a payment again",
    "payout.remittance_sent": "sent remittance advice",
    "reconciliation.requested": "asked for a reconciliation with Stripe",
    "payout.stripe_event_ignored": "recorded a Stripe event that would have moved a payment backwards",
    "payeeaccount.stripe_event_ignored": "recorded an out-of-date Stripe account update",
}


describe_in_words(EVENTS)
describe_status_moves(
    {
        "claim.status_changed": ("moved a claim to", dict(Claim.Status.choices)),
        "paymentbatch.status_changed": ("moved a payment batch to", dict(PaymentBatch.Status.choices)),
        "payout.status_changed": ("moved a payment to", dict(Payout.Status.choices)),
        "payeeaccount.status_changed": ("moved a payment account to", dict(PayeeAccount.Status.choices)),
    }
)
