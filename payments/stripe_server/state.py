"""The server's memory: accounts, transfers, payouts, balances, events and idempotency records, behind one lock.

Everything here is plain dicts shaped exactly as the API returns them (so a test can read `state.transfers[id]`
and see what Stripe would say), plus a few side tables for what Stripe knows but does not show (which account
owns an object, the order objects were made in, the links handed out for onboarding).

Callers hold `state.lock` (a re-entrant lock) around every read-modify-write; the HTTP layer takes it once per
request, the control methods take it themselves.

Money: integer pence (Stripe's smallest currency unit), GBP only. A transfer moves money from the owner's balance
(the platform's, unless made with `Stripe-Account`) to the destination's; a reversal moves it back; a payout
takes it out of a connected account to its bank. There is no pending balance: everything is available at once.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import string
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import StripeError, executed, no_such

# The API version the events say they were rendered with (the one stripe-python 16.1 pins).
API_VERSION = "2026-10-28.endive"
CURRENCY = "gbp"
# £10,000,000 in pence: enough for a benchmark of thousands of payouts.
DEFAULT_PLATFORM_BALANCE = 1_000_000_000
ACCOUNT_LINK_LIFETIME = 300
IDEMPOTENCY_KEY_LIFETIME = 24 * 60 * 60
TRANSFER_CAPABILITIES = ("transfers", "crypto_transfers", "legacy_payments")
EMBEDDED_REVERSALS = 10

_ALPHABET = string.ascii_letters + string.digits

INSUFFICIENT_CAPABILITIES = (
    "Your destination account needs to have at least one of the following capabilities enabled: "
    "transfers, crypto_transfers, legacy_payments"
)
INSUFFICIENT_BALANCE = (
    "You have insufficient available funds in your Stripe account. Try adding funds directly to your available "
    "balance by creating Top-ups: https://stripe.com/docs/api#create_topup"
)

ONBOARDING_REQUIREMENTS = [
    "business_type",
    "external_account",
    "individual.dob.day",
    "individual.dob.month",
    "individual.dob.year",
    "individual.first_name",
    "individual.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]

PAYOUT_FAILURES = {
    "account_closed": "The bank account has been closed.",
    "account_frozen": "The bank account has been frozen.",
    "bank_account_restricted": "The bank account has restrictions on the type or number of payouts allowed.",
    "could_not_process": "The bank could not process this payout.",
    "declined": "The bank has declined this payout. Please contact the bank before retrying.",
    "insufficient_funds": "Your Stripe account has insufficient funds to cover the payout.",
    "invalid_account_number": "The account number is not valid for this bank.",
    "no_account": "The bank account details on file are probably incorrect. No bank account could be located "
    "with those details.",
}
# A failure that says the bank account itself is unusable also switches the account's payouts off until a new
# bank account is given (account.updated, with `external_account` currently due), as Stripe does.
BANK_ACCOUNT_FAILURES = {
    "account_closed",
    "account_frozen",
    "bank_account_restricted",
    "invalid_account_number",
    "no_account",
}


def new_id(prefix: str, length: int = 24) -> str:
    return f"{prefix}_1{''.join(secrets.choice(_ALPHABET) for _ in range(length - 1))}"


@dataclass
class IdempotencyRecord:
    method: str
    path: str
    params: dict[str, Any]
    status: int
    body: bytes
    request_id: str
    created: int


@dataclass
class FailRule:
    """Answer the next `times` requests whose path starts with `path_prefix` with `status` (or drop them).

    `after=False` fails them before anything happens (nothing is saved); `after=True` carries the request out,
    saves its idempotent result, then loses the answer — as when the network drops a response on its way back.
    """

    path_prefix: str
    status: int | str = 500
    times: int = 1
    method: str | None = None
    after: bool = False

    def matches(self, method: str, path: str, *, after: bool) -> bool:
        return (
            self.times > 0
            and self.after == after
            and path.startswith(self.path_prefix)
            and (self.method is None or self.method.upper() == method)
        )


@dataclass
class AccountLinkRecord:
    token: str
    account: str
    refresh_url: str
    return_url: str
    type: str
    expires_at: int
    used: bool = False


@dataclass
class State:
    platform_balance: int = DEFAULT_PLATFORM_BALANCE
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # The API's objects, by id, as the API shows them.
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    transfers: dict[str, dict[str, Any]] = field(default_factory=dict)
    reversals: dict[str, dict[str, Any]] = field(default_factory=dict)
    payouts: dict[str, dict[str, Any]] = field(default_factory=dict)
    balance_transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    events_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)

    # What Stripe knows but does not show.
    balances: dict[str | None, int] = field(default_factory=dict)  # None: the platform
    owner: dict[str, str | None] = field(default_factory=dict)  # object id -> the account it belongs to
    order: dict[str, int] = field(default_factory=dict)  # object id -> creation sequence (list order, cursors)
    account_links: dict[str, AccountLinkRecord] = field(default_factory=dict)  # by the link's token
    bank_accounts: dict[str, str] = field(default_factory=dict)  # account id -> its bank account's id
    deleted_accounts: set[str] = field(default_factory=set)
    paid_out_by: dict[str, str] = field(default_factory=dict)  # balance transaction id -> automatic payout id
    idempotency: dict[tuple[str, str, str], IdempotencyRecord] = field(default_factory=dict)

    # Test controls and records.
    failures: list[FailRule] = field(default_factory=list)
    held_types: set[str] = field(default_factory=set)
    held: list[dict[str, Any]] = field(default_factory=list)
    requests: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=20_000))
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    clock_offset: int = 0
    # Set by the server: hands a new (not held) event to the webhook dispatcher.
    on_event: Callable[[dict[str, Any]], None] | None = field(default=None, repr=False)

    _sequence: itertools.count[int] = field(default_factory=itertools.count, repr=False)

    def __post_init__(self) -> None:
        self.balances.setdefault(None, self.platform_balance)

    # --- basics -------------------------------------------------------------------------------------------------

    def now(self) -> int:
        return int(time.time()) + self.clock_offset

    def register(self, obj: dict[str, Any], owner: str | None) -> None:
        self.order[obj["id"]] = next(self._sequence)
        self.owner[obj["id"]] = owner

    def newest_first(self, objects: dict[str, dict[str, Any]] | list[dict[str, Any]]) -> list[dict[str, Any]]:
        items = list(objects.values()) if isinstance(objects, dict) else list(objects)
        return sorted(items, key=lambda obj: self.order[obj["id"]], reverse=True)

    def account(self, account_id: str, *, param: str = "id", status: int = 404) -> dict[str, Any]:
        account = self.accounts.get(account_id)
        if account is None:
            raise no_such("account", account_id, param=param, status=status)
        return account

    def balance_of(self, owner: str | None) -> int:
        return self.balances.get(owner, 0)

    def held_type(self, event_type: str) -> bool:
        return any(
            pattern == event_type or pattern == "*" or (pattern.endswith(".*") and event_type.startswith(pattern[:-1]))
            for pattern in self.held_types
        )

    # --- events -------------------------------------------------------------------------------------------------

    def record_event(
        self,
        event_type: str,
        obj: dict[str, Any],
        *,
        account: str | None,
        previous: dict[str, Any] | None = None,
        request: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record an event (a snapshot of `obj` now) and hand it to the dispatcher unless its type is held."""
        event: dict[str, Any] = {"id": new_id("evt"), "object": "event"}
        if account is not None:
            event["account"] = account
        data: dict[str, Any] = {"object": copy.deepcopy(obj)}
        if previous is not None:
            data["previous_attributes"] = previous
        event.update(
            {
                "api_version": API_VERSION,
                "created": self.now(),
                "data": data,
                "livemode": False,
                "pending_webhooks": 0,
                "request": dict(request) if request else {"id": None, "idempotency_key": None},
                "type": event_type,
            }
        )
        self.events.append(event)
        self.events_by_id[event["id"]] = event
        self.register(event, account)
        if self.held_type(event_type):
            self.held.append(event)
        elif self.on_event is not None:
            self.on_event(event)
        return event

    # --- balance transactions -----------------------------------------------------------------------------------

    def ledger(self, owner: str | None, amount: int, kind: str, source: str, category: str, description: str) -> str:
        now = self.now()
        txn_id = new_id("txn")
        txn: dict[str, Any] = {
            "amount": amount,
            "available_on": now,
            "created": now,
            "currency": CURRENCY,
            "description": description,
            "exchange_rate": None,
            "fee": 0,
            "fee_details": [],
            "id": txn_id,
            "net": amount,
            "object": "balance_transaction",
            "reporting_category": category,
            "source": source,
            "status": "available",
            "type": kind,
            "balance_type": "payments",
        }
        self.balance_transactions[txn_id] = txn
        self.register(txn, owner)
        self.balances[owner] = self.balance_of(owner) + amount
        return txn_id

    # --- accounts -----------------------------------------------------------------------------------------------

    def create_account(
        self,
        *,
        country: str,
        email: str | None,
        capabilities: list[str],
        business_type: str | None,
        business_profile: dict[str, str],
        metadata: dict[str, str],
    ) -> dict[str, Any]:
        account_id = new_id("acct", 16)
        now = self.now()
        profile = _business_profile()
        profile.update(business_profile)
        account = {
            "business_profile": profile,
            "business_type": business_type,
            "capabilities": dict.fromkeys(capabilities, "inactive"),
            "charges_enabled": False,
            "controller": {"type": "application"},
            "country": country,
            "created": now,
            "default_currency": CURRENCY,
            "details_submitted": False,
            "email": email,
            "external_accounts": {
                "data": [],
                "has_more": False,
                "object": "list",
                "url": f"/v1/accounts/{account_id}/external_accounts",
            },
            "future_requirements": _requirements([], disabled_reason=None),
            "id": account_id,
            "metadata": metadata,
            "object": "account",
            "payouts_enabled": False,
            "requirements": _requirements(ONBOARDING_REQUIREMENTS, disabled_reason="requirements.past_due"),
            "settings": _settings(),
            "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
            "type": "express",
        }
        self.accounts[account_id] = account
        self.register(account, None)
        self.balances[account_id] = 0
        self.bank_accounts[account_id] = new_id("ba")
        return account

    def change_account(
        self, account_id: str, change: Callable[[dict[str, Any]], None], *, request: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Apply `change` to the account; if anything changed, send account.updated with the previous values."""
        account = self.account(account_id)
        before = copy.deepcopy(account)
        change(account)
        previous = _previous_attributes(before, account)
        if previous:
            self.record_event("account.updated", account, account=account_id, previous=previous, request=request)
        return account

    def complete_onboarding(self, account_id: str) -> dict[str, Any]:
        """What the young person finishing Stripe's hosted onboarding does to their account."""

        def finish(account: dict[str, Any]) -> None:
            account["details_submitted"] = True
            account["payouts_enabled"] = True
            account["capabilities"] = dict.fromkeys(account["capabilities"] or {"transfers": ""}, "active")
            account["charges_enabled"] = account["capabilities"].get("card_payments") == "active"
            account["requirements"] = _requirements([], disabled_reason=None)
            account["business_type"] = account["business_type"] or "individual"
            if account["tos_acceptance"]["date"] is None:
                account["tos_acceptance"] = {"date": self.now(), "ip": "127.0.0.1", "user_agent": "Local test browser"}

        return self.change_account(account_id, finish)

    def restrict(self, account_id: str, reason: str = "requirements.past_due") -> dict[str, Any]:
        """Stripe stops the account: payouts and transfers off, a document due (or a rejection reason)."""

        def stop(account: dict[str, Any]) -> None:
            due = [] if reason.startswith("rejected.") else ["individual.verification.document"]
            account["payouts_enabled"] = False
            account["charges_enabled"] = False
            account["capabilities"] = dict.fromkeys(account["capabilities"], "inactive")
            account["requirements"] = _requirements(due, disabled_reason=reason, past_due=True)

        return self.change_account(account_id, stop)

    # --- transfers ----------------------------------------------------------------------------------------------

    def create_transfer(
        self,
        *,
        owner: str | None,
        amount: int,
        destination: str,
        description: str | None,
        metadata: dict[str, str],
        transfer_group: str | None,
        request: dict[str, Any] | None,
    ) -> dict[str, Any]:
        account = self.accounts.get(destination)
        if account is None or destination == owner:
            raise no_such("destination", destination, param="destination", status=400)
        if not any(account["capabilities"].get(name) == "active" for name in TRANSFER_CAPABILITIES):
            raise executed(
                400, INSUFFICIENT_CAPABILITIES, param="destination", code="insufficient_capabilities_for_transfer"
            )
        if self.balance_of(owner) < amount:
            raise executed(400, INSUFFICIENT_BALANCE, code="balance_insufficient")
        transfer_id = new_id("tr")
        payment_id = new_id("py")
        txn = self.ledger(owner, -amount, "transfer", transfer_id, "transfer", description or "Transfer")
        self.ledger(destination, amount, "payment", payment_id, "charge", f"Transfer {transfer_id}")
        transfer = {
            "amount": amount,
            "amount_reversed": 0,
            "balance_transaction": txn,
            "created": self.now(),
            "currency": CURRENCY,
            "description": description,
            "destination": destination,
            "destination_payment": payment_id,
            "id": transfer_id,
            "livemode": False,
            "metadata": metadata,
            "object": "transfer",
            "reversals": {
                "data": [],
                "has_more": False,
                "object": "list",
                "url": f"/v1/transfers/{transfer_id}/reversals",
            },
            "reversed": False,
            "source_transaction": None,
            "source_type": "card",
            "transfer_group": transfer_group,
        }
        self.transfers[transfer_id] = transfer
        self.register(transfer, owner)
        self.record_event("transfer.created", transfer, account=owner, request=request)
        return transfer

    def update_transfer(
        self, transfer: dict[str, Any], changes: dict[str, Any], *, request: dict[str, Any] | None
    ) -> dict[str, Any]:
        before = copy.deepcopy(transfer)
        transfer.update(changes)
        previous = _previous_attributes(before, transfer)
        if previous:
            owner = self.owner[transfer["id"]]
            self.record_event("transfer.updated", transfer, account=owner, previous=previous, request=request)
        return transfer

    def reverse_transfer(
        self,
        transfer: dict[str, Any],
        *,
        amount: int | None,
        metadata: dict[str, str],
        request: dict[str, Any] | None,
    ) -> dict[str, Any]:
        remaining = transfer["amount"] - transfer["amount_reversed"]
        if remaining <= 0:
            raise StripeError(
                400, f"Transfer {transfer['id']} has already been fully reversed.", code="transfer_already_reversed"
            )
        if amount is None:
            amount = remaining
        if amount > remaining:
            raise StripeError(
                400,
                f"The amount to reverse ({amount}) is more than is left of transfer {transfer['id']} ({remaining}).",
                param="amount",
                code="parameter_invalid_integer",
            )
        owner = self.owner[transfer["id"]]
        before = copy.deepcopy(transfer)
        reversal_id = new_id("trr")
        refund_id = new_id("pyr")
        txn = self.ledger(owner, amount, "transfer_refund", reversal_id, "transfer_reversal", "Transfer reversal")
        self.ledger(transfer["destination"], -amount, "payment_refund", refund_id, "refund", "Transfer reversal")
        reversal = {
            "amount": amount,
            "balance_transaction": txn,
            "created": self.now(),
            "currency": CURRENCY,
            "destination_payment_refund": refund_id,
            "id": reversal_id,
            "metadata": metadata,
            "object": "transfer_reversal",
            "source_refund": None,
            "transfer": transfer["id"],
        }
        self.reversals[reversal_id] = reversal
        self.register(reversal, owner)
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] >= transfer["amount"]
        self._embed_reversals(transfer)
        previous = _previous_attributes(before, transfer)
        self.record_event("transfer.reversed", transfer, account=owner, previous=previous, request=request)
        return reversal

    def reversals_of(self, transfer_id: str) -> list[dict[str, Any]]:
        return self.newest_first([r for r in self.reversals.values() if r["transfer"] == transfer_id])

    def _embed_reversals(self, transfer: dict[str, Any]) -> None:
        reversals = self.reversals_of(transfer["id"])
        transfer["reversals"]["data"] = copy.deepcopy(reversals[:EMBEDDED_REVERSALS])
        transfer["reversals"]["has_more"] = len(reversals) > EMBEDDED_REVERSALS

    # --- payouts ------------------------------------------------------------------------------------------------

    def create_payout(
        self,
        *,
        owner: str | None,
        amount: int,
        automatic: bool,
        description: str | None = None,
        metadata: dict[str, str] | None = None,
        statement_descriptor: str | None = None,
        request: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if owner is not None and not self.account(owner)["payouts_enabled"]:
            raise executed(
                400,
                "Payouts are not enabled on this account: it has to finish onboarding (or give a working bank "
                "account) first.",
                code="payouts_not_allowed",
            )
        if self.balance_of(owner) < amount:
            raise executed(400, INSUFFICIENT_BALANCE, param="amount", code="balance_insufficient")
        payout_id = new_id("po")
        now = self.now()
        txn = self.ledger(owner, -amount, "payout", payout_id, "payout", description or "STRIPE PAYOUT")
        payout = {
            "amount": amount,
            "application_fee": None,
            "application_fee_amount": None,
            "arrival_date": now + 24 * 60 * 60,
            "automatic": automatic,
            "balance_transaction": txn,
            "created": now,
            "currency": CURRENCY,
            "description": description or ("STRIPE PAYOUT" if automatic else None),
            "destination": self.bank_accounts.get(owner or "", "ba_1PlatformBankAccount00000"),
            "failure_balance_transaction": None,
            "failure_code": None,
            "failure_message": None,
            "id": payout_id,
            "livemode": False,
            "metadata": metadata or {},
            "method": "standard",
            "object": "payout",
            "original_payout": None,
            "reconciliation_status": "in_progress" if automatic else "not_applicable",
            "reversed_by": None,
            "source_type": "card",
            "statement_descriptor": statement_descriptor,
            "status": "in_transit",
            "type": "bank_account",
            "trace_id": {"status": "pending", "value": None},
            "payout_method": None,
        }
        self.payouts[payout_id] = payout
        self.register(payout, owner)
        if automatic:
            # An automatic payout carries everything in the balance not yet paid out (see balance transactions).
            for txn_id, txn_obj in self.balance_transactions.items():
                if self.owner[txn_id] == owner and txn_id not in self.paid_out_by and txn_obj["type"] != "payout":
                    self.paid_out_by[txn_id] = payout_id
            self.paid_out_by[txn] = payout_id
        self.record_event("payout.created", payout, account=owner, request=request)
        return payout

    def payout(self, payout_id: str) -> dict[str, Any]:
        payout = self.payouts.get(payout_id)
        if payout is None:
            raise no_such("payout", payout_id)
        return payout

    def mark_payout_paid(self, payout_id: str) -> dict[str, Any]:
        payout = self.payout(payout_id)
        if payout["status"] != "in_transit":
            raise StripeError(400, f"Payout {payout_id} is {payout['status']}, not in transit.")
        before = copy.deepcopy(payout)
        payout["status"] = "paid"
        payout["trace_id"] = {"status": "supported", "value": f"LOCAL{payout_id[-10:].upper()}"}
        if payout["automatic"]:
            payout["reconciliation_status"] = "completed"
        owner = self.owner[payout_id]
        self.record_event("payout.paid", payout, account=owner, previous=_previous_attributes(before, payout))
        return payout

    def fail_payout(self, payout_id: str, failure_code: str) -> dict[str, Any]:
        """The bank returns the payout: money back in the account's balance, payout.failed with the reason."""
        if failure_code not in PAYOUT_FAILURES:
            raise StripeError(400, f"Unknown failure code {failure_code!r}: use one of {', '.join(PAYOUT_FAILURES)}.")
        payout = self.payout(payout_id)
        if payout["status"] not in ("in_transit", "paid"):
            raise StripeError(400, f"Payout {payout_id} is {payout['status']} and cannot fail now.")
        owner = self.owner[payout_id]
        before = copy.deepcopy(payout)
        txn = self.ledger(owner, payout["amount"], "payout_failure", payout_id, "payout_reversal", "Payout failure")
        payout.update(
            {
                "status": "failed",
                "failure_code": failure_code,
                "failure_message": PAYOUT_FAILURES[failure_code],
                "failure_balance_transaction": txn,
            }
        )
        self.record_event("payout.failed", payout, account=owner, previous=_previous_attributes(before, payout))
        if owner is not None and failure_code in BANK_ACCOUNT_FAILURES:

            def bank_account_needed(account: dict[str, Any]) -> None:
                account["payouts_enabled"] = False
                due = ["external_account"]
                account["requirements"] = _requirements(due, disabled_reason=None)

            self.change_account(owner, bank_account_needed)
        return payout

    # --- webhooks held back -------------------------------------------------------------------------------------

    def release_held(self, order: tuple[str, ...]) -> list[dict[str, Any]]:
        """Stop holding; return the held events in the order asked (event ids or types), then the rest as recorded."""
        chosen: list[dict[str, Any]] = []
        for wanted in order:
            for event in self.held:
                if event not in chosen and wanted in (event["id"], event["type"]):
                    chosen.append(event)
        chosen += [event for event in self.held if event not in chosen]
        self.held = []
        self.held_types = set()
        return chosen


def _requirements(due: list[str], *, disabled_reason: str | None, past_due: bool = False) -> dict[str, Any]:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due),
        "disabled_reason": disabled_reason,
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due) if past_due or disabled_reason == "requirements.past_due" else [],
        "pending_verification": [],
    }


def _business_profile() -> dict[str, Any]:
    return {
        "annual_revenue": {"amount": None, "currency": None, "fiscal_year_end": None},
        "estimated_worker_count": None,
        "mcc": None,
        "name": None,
        "product_description": None,
        "support_address": {
            "city": None,
            "country": None,
            "line1": None,
            "line2": None,
            "postal_code": None,
            "state": None,
        },
        "support_email": None,
        "support_phone": None,
        "support_url": None,
        "url": None,
        "minority_owned_business_designation": None,
    }


def _settings() -> dict[str, Any]:
    return {
        "bacs_debit_payments": {"display_name": None, "service_user_number": None},
        "branding": {"icon": None, "logo": None, "primary_color": None, "secondary_color": None},
        "card_issuing": {"tos_acceptance": {"date": None, "ip": None}},
        "card_payments": {
            "decline_on": {"avs_failure": False, "cvc_failure": False},
            "statement_descriptor_prefix": None,
            "statement_descriptor_prefix_kana": None,
            "statement_descriptor_prefix_kanji": None,
        },
        "dashboard": {"display_name": None, "timezone": "Europe/London"},
        "invoices": {"default_account_tax_ids": None, "hosted_payment_method_save": None},
        "payments": {
            "statement_descriptor": None,
            "statement_descriptor_kana": None,
            "statement_descriptor_kanji": None,
            "statement_descriptor_prefix_kana": None,
            "statement_descriptor_prefix_kanji": None,
        },
        "payouts": {
            "debit_negative_balances": True,
            "schedule": {"delay_days": 7, "interval": "daily"},
            "statement_descriptor": None,
        },
        "sepa_debit_payments": {},
    }


def _previous_attributes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Stripe's `data.previous_attributes`: the old value of every field that changed (nested hashes: only the
    changed keys)."""
    previous: dict[str, Any] = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and key != "metadata":
            previous[key] = _previous_attributes(old, new)
        else:
            previous[key] = copy.deepcopy(old)
    return previous
