"""How the audit log describes payment events, in plain words and without bank details, codes or nominees'
details (partnership admins read the audit log)."""

from __future__ import annotations

from collections.abc import Callable

from core.audit import actor_name, describes
from core.models import AuditEvent
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


def _describer(words: str) -> Callable[[AuditEvent], str]:
    def describe(event: AuditEvent) -> str:
        return f"{actor_name(event)} {words} (number {event.subject_id})."

    return describe


for _event_type, _words in EVENTS.items():
    describes(_event_type)(_describer(_words))

_MOVES: dict[str, tuple[str, type[Claim] | type[PaymentBatch] | type[Payout] | type[PayeeAccount]]] = {
    "claim.status_changed": ("moved a claim to", Claim),
    "paymentbatch.status_changed": ("moved a payment batch to", PaymentBatch),
    "payout.status_changed": ("moved a payment to", Payout),
    "payeeaccount.status_changed": ("moved a payment account to", PayeeAccount),
}


def _move_describer(
    words: str, model: type[Claim] | type[PaymentBatch] | type[Payout] | type[PayeeAccount]
) -> Callable[[AuditEvent], str]:
    labels = dict(model.Status.choices)

    def describe(event: AuditEvent) -> str:
        to = str(event.payload.get("to", ""))
        return f"{actor_name(event)} {words} “{labels.get(to, to)}” (number {event.subject_id})."

    return describe


for _event_type, (_words, _model) in _MOVES.items():
    describes(_event_type)(_move_describer(_words, _model))
