"""Reconciliation: what the system recorded against what Stripe reports, daily (beat) and on request.

One run lists the platform's transfers from Stripe (auto-paging, created in the last 35 days), gives each to its
partnership (every partnership shares the platform's Stripe account: by the payout that records the transfer, the
transfer's `metadata.payout` / `metadata.partnership`, or its destination account), and compares them with that
partnership's payouts on the Stripe rail: those sent or created in the window, and those the transfers name.
Each partnership gets a ReconciliationRun with every mismatch, in plain words with ids and amounts in pence:

- `transfer_unknown`: Stripe has a transfer that no payout here records or names;
- `transfer_not_recorded`: Stripe made a transfer for a payout, but the payout does not record it (still sending
  an hour later, or recording another transfer);
- `failed_but_transferred`: the payout is marked failed here, but its transfer exists and was not reversed (the
  money is in the payee's Stripe account: reverse it before paying the claim again);
- `transfer_missing`: a payout marked sent or paid with no transfer at Stripe (a recorded transfer id older than
  the window is fetched on its own first);
- `amount_mismatch`: the transfer's amount (or currency) differs from the payout's;
- `destination_mismatch`: the transfer went to another connected account than the payee's;
- `reversed_not_recorded`: Stripe reversed the transfer (wholly or in part) but the payout is not REVERSED;
- `reversal_not_at_stripe`: the payout is REVERSED here but the transfer is not reversed at Stripe;
- `stripe_unreachable`: Stripe could not be asked; nothing was compared.

A transfer that cannot be given to any partnership is logged as an error for the operator (it is not shown to
any partnership). Runs are only ever added; the page shows the latest.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

import stripe
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import audit_record
from core.permissions import require
from participants.models import Partnership, User
from payments.models import PayeeAccount, Payout, Rail, ReconciliationRun

logger = logging.getLogger(__name__)

VIEW_RECONCILIATION = "payments.view_reconciliation"
WINDOW_DAYS = 35
# A transfer this old whose payout is still PENDING or SENDING here is a mismatch (younger: submission running).
SENDING_GRACE = datetime.timedelta(hours=1)
CHUNK = 500
TRANSFER_GROUP = re.compile(r"^YS-(\d+)-")

KIND_LABELS: dict[str, str] = {
    "transfer_unknown": "Transfer with no payout here",
    "transfer_not_recorded": "Transfer not recorded here",
    "failed_but_transferred": "Marked failed here, sent at Stripe",
    "transfer_missing": "No transfer at Stripe",
    "amount_mismatch": "Amounts differ",
    "destination_mismatch": "Sent to another account",
    "reversed_not_recorded": "Reversed at Stripe, not here",
    "reversal_not_at_stripe": "Reversed here, not at Stripe",
    "stripe_unreachable": "Stripe could not be asked",
}


def _pounds(pence: int | None) -> str:
    if pence is None:
        return "?"
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"


@dataclass
class Mismatch:
    kind: str
    message: str
    payout_id: int | None = None
    claim_id: int | None = None
    payee_name: str = ""
    transfer_id: str = ""
    our_amount_pence: int | None = None
    stripe_amount_pence: int | None = None
    our_status: str = ""
    destination: str = ""


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _fully_or_partly_reversed(transfer: dict[str, Any]) -> bool:
    return transfer.get("reversed") is True or (_as_int(transfer.get("amount_reversed")) or 0) > 0


def _metadata(transfer: dict[str, Any], key: str) -> int | None:
    metadata = transfer.get("metadata")
    value = str(metadata.get(key, "")) if isinstance(metadata, dict) else ""
    return int(value) if value.isdigit() else None


# --- Talking to Stripe ---------------------------------------------------------------------------------------------


def _client() -> Any:
    from payments.stripe_client import stripe_client

    return stripe_client()


def list_transfers(since: datetime.datetime) -> list[dict[str, Any]]:
    """Every transfer Stripe lists created since `since` (all pages), as plain dicts."""
    start = int(since.timestamp())
    listing = _client().v1.transfers.list({"created": {"gte": start}, "limit": 100})
    transfers = []
    for transfer in listing.auto_paging_iter():
        data = transfer.to_dict()
        created = _as_int(data.get("created"))
        if created is None or created >= start:
            transfers.append(data)
    return transfers


def retrieve_transfer(transfer_id: str) -> dict[str, Any] | None:
    """One transfer, or None when Stripe has no such transfer (raises stripe.StripeError for anything else)."""
    try:
        data: dict[str, Any] = _client().v1.transfers.retrieve(transfer_id).to_dict()
    except stripe.InvalidRequestError as error:
        if error.http_status == 404:
            return None
        raise
    return data


# --- Comparing -----------------------------------------------------------------------------------------------------


def _in_chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _payouts(query: Q) -> list[Payout]:
    return list(Payout.objects.filter(query).select_related("payee_account").order_by("pk"))


def _mismatch_for(payout: Payout, kind: str, message: str, transfer: dict[str, Any] | None = None) -> Mismatch:
    return Mismatch(
        kind=kind,
        message=message,
        payout_id=payout.pk,
        claim_id=payout.claim_id,
        payee_name=payout.payee_name,
        transfer_id=str(transfer.get("id", "")) if transfer else (payout.stripe_transfer_id or ""),
        our_amount_pence=payout.amount_pence,
        stripe_amount_pence=_as_int(transfer.get("amount")) if transfer else None,
        our_status=payout.status,
        destination=str(transfer.get("destination") or "") if transfer else "",
    )


def compare(payout: Payout, transfer: dict[str, Any], now: datetime.datetime) -> list[Mismatch]:
    """Every difference between one payout and the Stripe transfer made for it."""
    found: list[Mismatch] = []
    transfer_id = str(transfer.get("id", ""))
    Status = Payout.Status
    reversed_there = _fully_or_partly_reversed(transfer)
    if payout.stripe_transfer_id != transfer_id:
        if payout.status == Status.FAILED and not reversed_there:
            found.append(
                _mismatch_for(
                    payout,
                    "failed_but_transferred",
                    f"Payout {payout.pk} is marked failed here, but Stripe made transfer {transfer_id} for it and it "
                    "was not reversed. Reverse the transfer before paying this claim again.",
                    transfer,
                )
            )
        elif payout.status in (Status.PENDING, Status.SENDING):
            created = _as_int(transfer.get("created"))
            if created is not None and now - datetime.datetime.fromtimestamp(created, tz=datetime.UTC) > SENDING_GRACE:
                found.append(
                    _mismatch_for(
                        payout,
                        "transfer_not_recorded",
                        f"Stripe made transfer {transfer_id} for payout {payout.pk} more than an hour ago, but the "
                        "payout is still marked as being sent here.",
                        transfer,
                    )
                )
        elif payout.status != Status.FAILED:
            recorded = payout.stripe_transfer_id or "none"
            found.append(
                _mismatch_for(
                    payout,
                    "transfer_not_recorded",
                    f"Stripe made transfer {transfer_id} for payout {payout.pk}, but the payout records {recorded}.",
                    transfer,
                )
            )
    elif payout.status == Status.FAILED and not reversed_there:
        found.append(
            _mismatch_for(
                payout,
                "failed_but_transferred",
                f"Payout {payout.pk} is marked failed here, but its Stripe transfer {transfer_id} was not reversed: "
                "the money is in the payee's Stripe account. Reverse the transfer before paying this claim again.",
                transfer,
            )
        )
    amount, currency = _as_int(transfer.get("amount")), str(transfer.get("currency") or "").lower()
    if amount != payout.amount_pence or currency != "gbp":
        found.append(
            _mismatch_for(
                payout,
                "amount_mismatch",
                f"Transfer {transfer_id} is {_pounds(amount)} {currency.upper()} at Stripe, but payout {payout.pk} "
                f"is {_pounds(payout.amount_pence)} GBP here.",
                transfer,
            )
        )
    account = payout.payee_account
    expected = account.stripe_account_id if account is not None else None
    destination = str(transfer.get("destination") or "")
    if destination != (expected or ""):
        found.append(
            _mismatch_for(
                payout,
                "destination_mismatch",
                f"Transfer {transfer_id} went to Stripe account {destination or 'none'}, but payout {payout.pk} is "
                f"for {expected or 'no Stripe account'}.",
                transfer,
            )
        )
    if reversed_there and payout.status not in (Status.REVERSED, Status.FAILED):
        reversed_amount = _as_int(transfer.get("amount_reversed"))
        found.append(
            _mismatch_for(
                payout,
                "reversed_not_recorded",
                f"Stripe reversed {_pounds(reversed_amount)} of transfer {transfer_id}, but payout {payout.pk} is "
                f"marked {payout.get_status_display().lower()} here.",
                transfer,
            )
        )
    if payout.status == Status.REVERSED and not reversed_there:
        found.append(
            _mismatch_for(
                payout,
                "reversal_not_at_stripe",
                f"Payout {payout.pk} is marked reversed here, but Stripe has not reversed transfer {transfer_id}.",
                transfer,
            )
        )
    return found


def _attribute(
    transfers: list[dict[str, Any]],
) -> tuple[dict[int, list[tuple[dict[str, Any], Payout | None]]], dict[int, Payout]]:
    """Each transfer with the payout it belongs to (if any), by partnership; and every payout found that way."""
    ids = [str(t.get("id")) for t in transfers if t.get("id")]
    named = {pk for t in transfers if (pk := _metadata(t, "payout")) is not None}
    destinations = {str(t.get("destination")) for t in transfers if t.get("destination")}
    by_transfer: dict[str, Payout] = {}
    by_pk: dict[int, Payout] = {}
    for chunk in _in_chunks(ids):
        for recorded in _payouts(Q(stripe_transfer_id__in=chunk, rail=Rail.STRIPE)):
            by_transfer[str(recorded.stripe_transfer_id)] = recorded
            by_pk[recorded.pk] = recorded
    for chunk in _in_chunks(named - set(by_pk)):
        for named_payout in _payouts(Q(pk__in=chunk, rail=Rail.STRIPE)):
            by_pk[named_payout.pk] = named_payout
    accounts: dict[str, int] = {}
    for chunk in _in_chunks(destinations):
        for stripe_account_id, partnership_of_account in PayeeAccount.objects.filter(
            stripe_account_id__in=chunk
        ).values_list("stripe_account_id", "partnership_id"):
            if stripe_account_id:
                accounts[stripe_account_id] = partnership_of_account
    grouped: dict[int, list[tuple[dict[str, Any], Payout | None]]] = defaultdict(list)
    for transfer in transfers:
        payout: Payout | None = by_transfer.get(str(transfer.get("id")))
        if payout is None:
            named_pk = _metadata(transfer, "payout")
            payout = by_pk.get(named_pk) if named_pk is not None else None
        group = TRANSFER_GROUP.match(str(transfer.get("transfer_group") or ""))
        partnership_id = (
            payout.partnership_id
            if payout is not None
            else _metadata(transfer, "partnership")
            or accounts.get(str(transfer.get("destination")))
            or (int(group.group(1)) if group else None)
        )
        if partnership_id is None:
            logger.error(
                "Stripe transfer %s (%s pence to %s) belongs to no partnership here.",
                transfer.get("id"),
                transfer.get("amount"),
                transfer.get("destination"),
            )
            continue
        grouped[partnership_id].append((transfer, payout))
    return grouped, by_pk


def _reconcile_partnership(
    partnership_id: int,
    pairs: list[tuple[dict[str, Any], Payout | None]],
    since: datetime.datetime,
    now: datetime.datetime,
) -> tuple[int, list[Mismatch]]:
    mismatches: list[Mismatch] = []
    seen: set[int] = set()
    for transfer, payout in pairs:
        if payout is None or payout.partnership_id != partnership_id:
            mismatches.append(
                Mismatch(
                    kind="transfer_unknown",
                    message=f"Stripe has a transfer {transfer.get('id')} of {_pounds(_as_int(transfer.get('amount')))} "
                    f"to {transfer.get('destination') or 'no account'} that no payout here records.",
                    transfer_id=str(transfer.get("id", "")),
                    stripe_amount_pence=_as_int(transfer.get("amount")),
                    destination=str(transfer.get("destination") or ""),
                )
            )
            continue
        seen.add(payout.pk)
        mismatches += compare(payout, transfer, now)
    ours = _payouts(
        Q(partnership_id=partnership_id, rail=Rail.STRIPE)
        & (Q(sent_at__gte=since) | Q(created_at__gte=since) | Q(paid_at__gte=since))
        & ~Q(pk__in=seen)
    )
    Status = Payout.Status
    for payout in ours:
        if payout.status not in (Status.SENT, Status.PAID, Status.REVERSED):
            continue
        fetched: dict[str, Any] | None = None
        if payout.stripe_transfer_id:
            fetched = retrieve_transfer(payout.stripe_transfer_id)  # older than the window, or missing
        if fetched is None:
            recorded = f"transfer {payout.stripe_transfer_id}" if payout.stripe_transfer_id else "no transfer"
            mismatches.append(
                _mismatch_for(
                    payout,
                    "transfer_missing",
                    f"Payout {payout.pk} to {payout.payee_name} is marked {payout.get_status_display().lower()} "
                    f"here with {recorded}, but Stripe has no such transfer.",
                )
            )
            continue
        mismatches += compare(payout, fetched, now)
    return len(pairs) + len(ours), mismatches


def _partnerships_to_check(extra: Iterable[int]) -> set[int]:
    with_payouts = Payout.objects.filter(rail=Rail.STRIPE).values_list("partnership_id", flat=True).distinct()
    with_accounts = (
        PayeeAccount.objects.filter(stripe_account_id__isnull=False).values_list("partnership_id", flat=True).distinct()
    )
    return set(with_payouts) | set(with_accounts) | set(extra)


def reconciliation_run(
    *, partnership_ids: list[int] | None = None, days: int = WINDOW_DAYS, now: datetime.datetime | None = None
) -> list[ReconciliationRun]:
    """Reconcile the given partnerships (None: every partnership with Stripe payouts or accounts) and record a run
    for each. Runs outside any request: the beat job and the "Run now" button's task."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    try:
        transfers = list_transfers(since)
        grouped, _ = _attribute(transfers)
    except stripe.StripeError as error:
        logger.warning("Reconciliation could not list Stripe transfers: %s", type(error).__name__)
        targets = set(partnership_ids) if partnership_ids is not None else _partnerships_to_check([])
        failure = Mismatch(
            kind="stripe_unreachable",
            message="Stripe could not be asked for its transfers, so nothing was compared. Try again later. "
            f"({error.user_message or type(error).__name__})",
        )
        return [_record(pid, 0, [failure], now) for pid in sorted(targets)]
    targets = set(partnership_ids) if partnership_ids is not None else _partnerships_to_check(grouped)
    runs = []
    for partnership_id in sorted(targets):
        try:
            checked, mismatches = _reconcile_partnership(partnership_id, grouped.get(partnership_id, []), since, now)
        except stripe.StripeError as error:
            checked, mismatches = (
                0,
                [
                    Mismatch(
                        kind="stripe_unreachable",
                        message="Stripe stopped answering part way, so this run is incomplete. Try again later. "
                        f"({error.user_message or type(error).__name__})",
                    )
                ],
            )
        runs.append(_record(partnership_id, checked, mismatches, now))
    return runs


@transaction.atomic
def _record(partnership_id: int, checked: int, mismatches: list[Mismatch], now: datetime.datetime) -> ReconciliationRun:
    run = ReconciliationRun(
        partnership_id=partnership_id,
        ran_at=now,
        checked=checked,
        mismatches=[asdict(m) for m in mismatches],
    )
    # An empty list is a clean run; the model field is not blank=True yet (asked of the lead), so it is left out.
    run.full_clean(exclude=["mismatches"])
    run.save()
    if mismatches:
        logger.warning("Reconciliation for partnership %s found %s mismatch(es).", partnership_id, len(mismatches))
    return run


@transaction.atomic
def reconciliation_request(*, actor: User) -> Partnership:
    """A finance officer's "Run now": enqueue a run for their partnership after commit (audited)."""
    require(actor, VIEW_RECONCILIATION)
    partnership = actor.partnership
    from payments.webhook_tasks import reconcile_stripe

    audit_record(
        actor=actor, partnership=partnership, subject=partnership, event_type="reconciliation.requested", payload={}
    )
    transaction.on_commit(partial(reconcile_stripe.delay, partnership_id=partnership.pk))
    return partnership
