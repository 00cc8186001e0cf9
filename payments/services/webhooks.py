"""Stripe webhooks: keeping a verified event, then applying its effect exactly once, in Celery.

The view (payments/views.py) checks the path token and the signature (the official SDK, tolerance 300 s) and calls
`stripe_event_receive`, which keeps the event under its unique id and enqueues `payments.handle_stripe_event`
after commit. A repeat delivery finds the row and enqueues nothing once it has been applied.

`stripe_event_handle` runs in ONE transaction: lock the event row (select_for_update); if it has been applied
(`processed_at` set), stop; apply the effect; set `processed_at`. Two deliveries of one event at the same moment
therefore apply it once: the second waits for the first's lock and then finds it applied.

States only move forward, through `core.workflows.transition`. An event that would move something backwards (a
`transfer.created` for a payout already failed, a `payout.failed` after the same Stripe payout was paid, an
`account.updated` older than one already applied) is recorded, audited on the payout or account where there is
one, logged, and marked applied without changing anything.

Effects:
- `account.updated`: the PayeeAccount with that Stripe account id is brought up to date from the event's account
  object by `payments.services.accounts.payee_account_refresh_from_stripe` (the same code as the return from
  onboarding: details_submitted, payouts_enabled, status ACTIVE / RESTRICTED / PENDING, audited). An event older
  than one already applied for the account is recorded and ignored.
- `transfer.created`: the payout named by the transfer's `metadata.payout` (or holding its id) records the
  transfer id if it has none, and SENDING moves to SENT (`sent_at` = when Stripe created the transfer; a PENDING
  one passes through SENDING). A transfer whose destination is not the payout's connected account, or a payout
  that already records another transfer, is not applied and logged as an error for reconciliation to show.
- `transfer.reversed` (fully reversed): SENT or PAID moves to REVERSED; a claim still in its batch returns to
  finance as FAILED ("The Stripe transfer was reversed."). A partial reversal is recorded and logged only.
- `payout.paid` / `payout.failed` (from a connected account, `event.account`): which of our payouts a Stripe
  payout covers. Stripe pays out a connected account's balance, so the rule is: the SENT payouts on that account
  that were sent (or, with no `sent_at`, created) before the end of the second the Stripe payout was created,
  oldest first, each taken while it still fits in the Stripe payout's amount (less what payouts already tied to
  it hold). Each is tied to the Stripe payout (`stripe_payout_id`) and moves to PAID (paid_at = the arrival date,
  or now) or to FAILED with Stripe's `failure_message`; a failed claim returns to finance and the young person
  is not emailed.
- Out of order: when a Stripe payout is not fully matched and the account has payouts still PENDING or SENDING
  from before it (their `transfer.created` has not been applied yet), the event stays unapplied (`processed_at`
  null: it is "waiting"). `apply_waiting_events_for_account` applies the waiting payout events of an account
  again; it runs after any payout on the account becomes SENT (here, and from the batch submission) and for every
  account from the beat task `payments.apply_waiting_stripe_events`, which also re-handles any event whose task
  was lost.
- Any other event type is kept and marked applied without effect.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import DateTimeField, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.workflows import transition
from payments.models import Claim, PayeeAccount, Payout, Rail, StripeEvent
from payments.services.statements import can_move, payout_mark_failed, payout_mark_paid

logger = logging.getLogger(__name__)

APPLIED = "applied"
IGNORED = "ignored"
WAITING = "waiting"
ALREADY = "already applied"

PAYOUT_EVENTS = ("payout.paid", "payout.failed")
# How long an unapplied event is left to its own task before the beat task handles it again.
RETRY_AFTER = datetime.timedelta(minutes=2)


@dataclass(frozen=True)
class Outcome:
    result: str
    note: str = ""


# --- Receiving ---------------------------------------------------------------------------------------------------


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def stripe_event_receive(*, event: Mapping[str, Any]) -> tuple[StripeEvent, bool]:
    """Keep a verified event (get_or_create by its id) and enqueue its handling after commit.

    Returns (row, created). A repeat of an event already applied enqueues nothing; a repeat of one not yet applied
    enqueues it again, which is harmless (handling locks the row and checks)."""
    event_id = _text(event.get("id"), 64)
    event_type = _text(event.get("type"), 80)
    data = event.get("data")
    obj = data.get("object") if isinstance(data, Mapping) else None
    if not event_id or not event_type or not isinstance(obj, Mapping):
        raise ApplicationError("This is not a Stripe event.", extra={"field": "body"})
    account = _text(event.get("account"), 64)
    if not account and event_type.startswith("account."):
        account = _text(obj.get("id"), 64)
    with transaction.atomic():
        row, created = StripeEvent.objects.get_or_create(
            event_id=event_id,
            defaults={"event_type": event_type, "account": account, "payload": dict(event)},
        )
        if row.processed_at is None:
            from payments.webhook_tasks import handle_stripe_event

            transaction.on_commit(partial(handle_stripe_event.delay, row.pk))
    return row, created


# --- Handling ----------------------------------------------------------------------------------------------------


def _object(row: StripeEvent) -> dict[str, Any]:
    obj = row.payload["data"]["object"]
    if not isinstance(obj, dict):
        raise TypeError("data.object is not an object")
    return obj


def _from_unix(value: Any) -> datetime.datetime | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)


def _ignored(row: StripeEvent, subject: Payout | PayeeAccount | None, reason: str) -> Outcome:
    """Record an event that would move something backwards (or cannot apply) and change nothing else."""
    logger.warning("Stripe event %s (%s) not applied: %s", row.event_id, row.event_type, reason)
    if subject is not None:
        audit_record(
            actor=None,
            partnership=subject.partnership,
            subject=subject,
            event_type=f"{subject._meta.model_name}.stripe_event_ignored",
            payload={"event": row.event_id, "type": row.event_type, "reason": reason},
        )
    return Outcome(IGNORED, reason)


def _account_updated(row: StripeEvent) -> Outcome:
    obj = _object(row)
    account_id = _text(obj.get("id"), 64)
    payee = PayeeAccount.objects.select_for_update().filter(stripe_account_id=account_id).first()
    if payee is None:
        return Outcome(IGNORED, "no payee account has this Stripe account")
    row.partnership_id = payee.partnership_id
    created = row.payload.get("created")
    if isinstance(created, int):
        newer = (
            StripeEvent.objects.filter(
                event_type="account.updated",
                account=row.account,
                processed_at__isnull=False,
                payload__created__gt=created,
            )
            .exclude(pk=row.pk)
            .exists()
        )
        if newer:
            return _ignored(row, payee, "a newer account.updated has already been applied")
    from payments.services.accounts import payee_account_refresh_from_stripe  # it imports the Stripe client

    updated = payee_account_refresh_from_stripe(stripe_account_id=account_id, account=obj, actor=None)
    return Outcome(APPLIED, f"account is {updated.status}" if updated is not None else "account not found")


def _payout_for_transfer(obj: Mapping[str, Any]) -> Payout | None:
    transfer_id = _text(obj.get("id"), 64)
    payout = Payout.objects.select_for_update().filter(stripe_transfer_id=transfer_id).first() if transfer_id else None
    if payout is None:
        metadata = obj.get("metadata")
        named = str(metadata.get("payout", "")) if isinstance(metadata, Mapping) else ""
        if named.isdigit():
            payout = Payout.objects.select_for_update().filter(pk=int(named), rail=Rail.STRIPE).first()
    return payout


def _after_sent(payout: Payout) -> None:
    """A payout on a connected account became SENT: payout events waiting for it can be applied now."""
    if payout.payee_account_id is not None:
        apply_waiting_events_for_account(payout.payee_account_id)


def _transfer_created(row: StripeEvent) -> Outcome:
    obj = _object(row)
    transfer_id = _text(obj.get("id"), 64)
    payout = _payout_for_transfer(obj)
    if payout is None:
        return _ignored(row, None, "no payout here for this transfer")
    row.partnership_id = payout.partnership_id
    destination = _text(obj.get("destination"), 64)
    account = payout.payee_account
    if account is not None and account.stripe_account_id and destination != account.stripe_account_id:
        logger.error("Transfer %s for payout %s went to another account than the payout's.", transfer_id, payout.pk)
        return _ignored(row, payout, "the transfer went to another Stripe account than the payout's")
    if payout.stripe_transfer_id and payout.stripe_transfer_id != transfer_id:
        logger.error(
            "Payout %s already records transfer %s; Stripe made %s too.",
            payout.pk,
            payout.stripe_transfer_id,
            transfer_id,
        )
        return _ignored(row, payout, "the payout already records another transfer")
    fields: list[str] = []
    if not payout.stripe_transfer_id:
        payout.stripe_transfer_id = transfer_id
        fields.append("stripe_transfer_id")
    payload = {"event": row.event_id, "transfer": transfer_id}
    if payout.status == Payout.Status.PENDING:
        transition(payout, to=Payout.Status.SENDING, actor=None, payload=payload, extra_update_fields=fields)
        fields = []
    if payout.status == Payout.Status.SENDING:
        payout.sent_at = _from_unix(obj.get("created")) or timezone.now()
        transition(payout, to=Payout.Status.SENT, actor=None, payload=payload, extra_update_fields=[*fields, "sent_at"])
        _after_sent(payout)
        return Outcome(APPLIED, "payout sent")
    if fields:
        payout.full_clean()
        payout.save(update_fields=fields)
    if payout.status == Payout.Status.FAILED:
        logger.error("Stripe made transfer %s for payout %s, which is marked failed.", transfer_id, payout.pk)
        return _ignored(row, payout, "the payout is marked failed but Stripe made its transfer")
    return Outcome(APPLIED if fields else IGNORED, f"payout already {payout.status}")


def _transfer_reversed(row: StripeEvent) -> Outcome:
    obj = _object(row)
    payout = _payout_for_transfer(obj)
    if payout is None:
        return _ignored(row, None, "no payout here for this transfer")
    row.partnership_id = payout.partnership_id
    amount, reversed_amount = obj.get("amount"), obj.get("amount_reversed")
    fully = obj.get("reversed") is True or (
        isinstance(amount, int) and isinstance(reversed_amount, int) and 0 < amount <= reversed_amount
    )
    if not fully:
        return _ignored(row, payout, "only part of the transfer was reversed")
    if payout.status == Payout.Status.REVERSED:
        return Outcome(IGNORED, "payout already reversed")
    if not can_move(Payout, payout.status, Payout.Status.REVERSED):
        return _ignored(row, payout, f"a {payout.status} payout cannot be reversed")
    payout.failure_reason = "The Stripe transfer was reversed."
    transition(
        payout,
        to=Payout.Status.REVERSED,
        actor=None,
        payload={"event": row.event_id, "transfer": obj.get("id")},
        extra_update_fields=["failure_reason"],
    )
    claim = Claim.objects.select_for_update().get(pk=payout.claim_id)
    if claim.status == Claim.Status.BATCHED:
        transition(claim, to=Claim.Status.FAILED, actor=None, payload={"payout": payout.pk, "reason": "reversed"})
    return Outcome(APPLIED, "payout reversed")


def _payout_event(row: StripeEvent) -> Outcome:
    paid = row.event_type == "payout.paid"
    obj = _object(row)
    if not row.account:
        return Outcome(IGNORED, "a payout of the platform's own balance")
    payee = PayeeAccount.objects.filter(stripe_account_id=row.account).first()
    if payee is None:
        return Outcome(IGNORED, "no payee account has this Stripe account")
    row.partnership_id = payee.partnership_id
    stripe_payout_id = _text(obj.get("id"), 64)
    amount, created = obj.get("amount"), obj.get("created")
    if not stripe_payout_id or not isinstance(amount, int) or not isinstance(created, int):
        raise ValueError("a payout without id, amount or created")
    cutoff = datetime.datetime.fromtimestamp(created + 1, tz=datetime.UTC)
    target = Payout.Status.PAID if paid else Payout.Status.FAILED
    on_account = Payout.objects.select_for_update().filter(payee_account=payee, rail=Rail.STRIPE).order_by("pk")
    tied = list(on_account.filter(stripe_payout_id=stripe_payout_id))
    contradicting = [p for p in tied if p.status != target]
    for payout in contradicting:
        _ignored(row, payout, f"this Stripe payout was already applied as {payout.status}")
    remaining = amount - sum(p.amount_pence for p in tied)
    candidates = (
        on_account.filter(status=Payout.Status.SENT)
        .filter(Q(stripe_payout_id="") | Q(stripe_payout_id=stripe_payout_id))
        .annotate(when=Coalesce("sent_at", "created_at", output_field=DateTimeField()))
        .filter(when__lt=cutoff)
        .order_by("when", "pk")
    )
    applied = 0
    for payout in candidates:
        if payout.amount_pence > remaining:
            continue
        remaining -= payout.amount_pence
        payout.stripe_payout_id = stripe_payout_id
        payload = {"event": row.event_id, "stripe_payout": stripe_payout_id}
        if paid:
            arrival = _from_unix(obj.get("arrival_date"))  # a day (midnight UTC): never before it was sent
            if arrival is not None and payout.sent_at is not None:
                arrival = max(arrival, payout.sent_at)
            payout_mark_paid(
                payout=payout,
                actor=None,
                paid_at=min(arrival, timezone.now()) if arrival else None,
                payload=payload,
                extra_update_fields=["stripe_payout_id"],
            )
        else:
            message = _text(obj.get("failure_message"), 2000) or _text(obj.get("failure_code"), 200)
            payout_mark_failed(
                payout=payout,
                actor=None,
                reason=f"Stripe could not pay the money into the bank account: {message or 'no reason given'}",
                payload=payload,
                extra_update_fields=["stripe_payout_id"],
            )
        applied += 1
    if remaining > 0:
        still_sending = Payout.objects.filter(
            payee_account=payee,
            rail=Rail.STRIPE,
            status__in=(Payout.Status.PENDING, Payout.Status.SENDING),
            created_at__lt=cutoff,
        ).exists()
        if still_sending:
            return Outcome(WAITING, f"{applied} applied; waiting for payouts still being sent")
    if applied:
        return Outcome(APPLIED, f"{applied} payout(s) {target}")
    if contradicting:
        return Outcome(IGNORED, "would move payouts backwards")
    return Outcome(IGNORED if not tied else APPLIED, "no payout here to match" if not tied else "already applied")


HANDLERS: dict[str, Callable[[StripeEvent], Outcome]] = {
    "account.updated": _account_updated,
    "transfer.created": _transfer_created,
    "transfer.reversed": _transfer_reversed,
    "payout.paid": _payout_event,
    "payout.failed": _payout_event,
}


@transaction.atomic(durable=True)
def stripe_event_handle(*, event_row_id: int) -> Outcome:
    """Apply one kept event, once (see the module docstring). Safe to run any number of times, at once too.

    Durable: it never runs inside another transaction, so no lock taken by a caller is held while it waits for the
    event's lock (and the effect is committed when it returns)."""
    row = StripeEvent.objects.select_for_update().filter(pk=event_row_id).first()
    if row is None:
        return Outcome(IGNORED, "no such event")
    if row.processed_at is not None:
        return Outcome(ALREADY)
    handler = HANDLERS.get(row.event_type)
    if handler is None:
        outcome = Outcome(IGNORED, "not an event we act on")
    else:
        try:
            with transaction.atomic():  # a savepoint: an event we cannot read changes nothing
                outcome = handler(row)
        except (KeyError, TypeError, ValueError, ApplicationError) as error:
            logger.exception("Stripe event %s (%s) could not be applied.", row.event_id, row.event_type)
            message = error.message if isinstance(error, ApplicationError) else type(error).__name__
            outcome = Outcome(IGNORED, f"could not be applied: {message}")
    if outcome.result != WAITING:
        row.processed_at = timezone.now()
    row.save(update_fields=["processed_at", "partnership"])
    logger.info("Stripe event %s (%s): %s %s", row.event_id, row.event_type, outcome.result, outcome.note)
    return outcome


# --- Waiting events ------------------------------------------------------------------------------------------------


def _handle_each(ids: list[int]) -> int:
    applied = 0
    for pk in ids:
        try:
            outcome = stripe_event_handle(event_row_id=pk)
        except DatabaseError:
            logger.exception("Stripe event row %s could not be handled now; it will be tried again.", pk)
            continue
        applied += outcome.result not in (WAITING, ALREADY)
    return applied


def _in_stripe_order(events: list[StripeEvent]) -> list[int]:
    def created(event: StripeEvent) -> int:
        value = event.payload.get("created") if isinstance(event.payload, dict) else None
        return value if isinstance(value, int) else 0

    return [event.pk for event in sorted(events, key=lambda e: (created(e), e.pk))]


def _inside_a_transaction() -> bool:
    """Whether a service's transaction is open (the transaction a test wraps itself in does not count, as for
    Django's durable blocks)."""
    return any(not getattr(block, "_from_testcase", False) for block in transaction.get_connection().atomic_blocks)


def apply_waiting_events_for_account(payee_account_id: int) -> int:
    """Apply again the payout events of one PayeeAccount that were waiting for its payouts to be sent.

    Call it after a payout on the account becomes SENT. Called inside a transaction, it enqueues itself for after
    the commit and returns 0 (each event is handled in its own transaction, so no lock is held across them);
    otherwise it returns how many were applied."""
    if _inside_a_transaction():
        from payments.webhook_tasks import apply_waiting_stripe_events

        transaction.on_commit(partial(apply_waiting_stripe_events.delay, payee_account_id=payee_account_id))
        return 0
    account = PayeeAccount.objects.filter(pk=payee_account_id).values_list("stripe_account_id", flat=True).first()
    if not account:
        return 0
    waiting = list(
        StripeEvent.objects.filter(account=account, event_type__in=PAYOUT_EVENTS, processed_at__isnull=True).only(
            "pk", "payload"
        )
    )
    return _handle_each(_in_stripe_order(waiting))


def apply_all_waiting_events(*, older_than: datetime.timedelta = RETRY_AFTER) -> int:
    """The beat task: handle again every event not yet applied that was received more than `older_than` ago
    (payout events waiting for a transfer, and any event whose task was lost)."""
    if _inside_a_transaction():
        raise RuntimeError("apply_all_waiting_events handles each event in its own transaction.")
    waiting = list(
        StripeEvent.objects.filter(processed_at__isnull=True, received_at__lt=timezone.now() - older_than).only(
            "pk", "payload"
        )
    )
    return _handle_each(_in_stripe_order(waiting))
