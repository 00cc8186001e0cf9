"""Writes for payouts: sending one (the submission task), recording what happened (the rails, the bank's
confirmation, vouchers, the webhooks), trying a failed one again, reversing a Stripe transfer.

Nothing is sent twice for one claim:
- A claim has at most one live payout (PENDING, SENDING, SENT or PAID): a partial unique constraint in the database.
- Sending is three steps, so no database lock is held during a network call and a crash at any point is recovered:
  (1) lock the payout, PENDING -> SENDING (attempts + 1), commit; (2) call the rail outside any transaction;
  (3) lock it again and record SENT (with the Stripe transfer id) or FAILED (with the reason). A payout found in
  SENDING (the worker was killed between 1 and 3, or the task runs twice) is first looked up at Stripe (a transfer
  for its claim is recorded, not made again: Stripe forgets idempotency keys after 24 hours), else sent again with
  the same idempotency key, and Stripe answers with the transfer it already made if there is one. Step 3 does
  nothing if the payout has moved on (a webhook recorded it first). Payouts are only ever sent for a batch that was
  approved and submitted.
- Trying a failed payout again makes a NEW payout for the claim (on the same rail or another; a payout's state only
  moves forward), in the same batch. Before that, if the failed payout was on Stripe and has no transfer recorded,
  Stripe is asked for a transfer for the claim (the answer to a request may have been lost although the transfer was
  made): if one exists it is recorded on the new payout as SENT and nothing is sent again, whatever rail was asked
  for. If Stripe cannot be asked, nothing is tried.
- A payout ends PAID or FAILED through payments.services.statements (payout_mark_paid / payout_mark_failed: the
  claim follows, and the remittance advice is sent after a payment), whatever the rail.
- Reversing a SENT or PAID Stripe payout reverses the whole transfer (idempotency key "<payout key>-reversal"),
  marks the payout REVERSED and the claim FAILED, so it comes back to finance to be paid again (Retry) or not.

Lock order: payout, then claim, then batch; the batch-wide steps (the bank file and the bank's confirmation) lock the
batch, then its bank-transfer payouts, then their claims, and never touch a Stripe or voucher payout.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

import stripe
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.tenancy import scope
from core.workflows import transition
from participants.models import User
from payments.models import BankExport, Claim, PayeeAccount, PaymentBatch, Payout, Rail, Voucher
from payments.rails import bank as bank_file
from payments.rails.base import WAITING, RailResult, rail_for
from payments.rails.stripe import StripeRail, describe_stripe_error
from payments.rails.voucher import CODE_MAX, SUPPLIER_MAX
from payments.selectors.accounts import route_on_rail
from payments.services.batches import _finish_locked
from payments.services.statements import payout_mark_failed, payout_mark_paid
from payments.services.webhooks import apply_waiting_events_for_account
from payments.stripe_client import stripe_client
from payments.tasks import send_payout

CHANGE_PAYOUT = "payments.change_payout"
SUBMIT = "payments.submit_paymentbatch"
Status = Payout.Status
SENT_BATCHES = (PaymentBatch.Status.SUBMITTING, PaymentBatch.Status.SUBMITTED)
REASON_MAX = 500
MAX_CONFIRMATION_BYTES = 5 * 1024 * 1024


def _lock_payout(payout_id: int) -> Payout | None:
    return (
        Payout.objects.select_for_update(of=("self",))
        .select_related("batch", "payee_account", "partnership")
        .filter(pk=payout_id)
        .first()
    )


def _lock_scoped_payout(actor: User, payout_id: int) -> Payout:
    payouts = scope(Payout.objects.select_for_update(of=("self",)), actor).select_related("batch", "payee_account")
    return get_object_or_404(payouts, pk=payout_id)


def _claim_to(payout: Payout, to: str, actor: User | None, payload: dict[str, Any] | None = None) -> None:
    """Move the payout's claim with it (when the claim's map allows; otherwise it is already there)."""
    claim = Claim.objects.select_for_update().get(pk=payout.claim_id)
    if to in Claim.TRANSITIONS.get(Claim.Status(claim.status), set()):
        transition(claim, to=to, actor=actor, payload={"payout": payout.pk, **(payload or {})})


def _finish_batch(batch_id: int, actor: User | None) -> None:
    batch = PaymentBatch.objects.select_for_update().get(pk=batch_id)
    _finish_locked(batch, actor)


# --- Sending (the submission task) ---------------------------------------------------------------------------


@transaction.atomic
def _start_sending(payout_id: int) -> tuple[Payout, bool] | None:
    """Lock the payout and mark it SENDING: (the payout, whether it was found SENDING already)."""
    payout = _lock_payout(payout_id)
    if payout is None or payout.status not in (Status.PENDING, Status.SENDING):
        return None
    if payout.batch.status not in SENT_BATCHES or not rail_for(payout.rail).sends_in_task:
        return None
    resumed = payout.status == Status.SENDING
    payout.attempts += 1
    if payout.status == Status.PENDING:
        transition(
            payout,
            to=Status.SENDING,
            actor=None,
            payload={"attempt": payout.attempts},
            extra_update_fields=["attempts"],
        )
    else:  # found SENDING: a resumed or repeated run sends the same request again (same idempotency key)
        payout.save(update_fields=["attempts"])
        audit_record(
            actor=None,
            partnership=payout.partnership,
            subject=payout,
            event_type="payout.resent",
            payload={"attempt": payout.attempts},
        )
    return payout, resumed


@transaction.atomic
def _record_result(payout_id: int, result: RailResult) -> Payout | None:
    payout = _lock_payout(payout_id)
    if payout is None or payout.status != Status.SENDING or result.status == WAITING:
        return payout
    now = timezone.now()
    if (
        result.status == Status.SENT
        and payout.rail == Rail.STRIPE
        and Payout.objects.filter(stripe_transfer_id=result.reference).exclude(pk=payout.pk).exists()
    ):
        # Stripe's transfer for this claim is already recorded on another payout: never two payouts for one
        # transfer (and never a second transfer). Finance sees why.
        payout_mark_failed(
            payout=payout,
            actor=None,
            reason=f"Stripe's transfer for this claim ({result.reference}) is recorded on another payment.",
        )
        return payout
    if result.status == Status.SENT:
        if payout.rail == Rail.STRIPE:
            payout.stripe_transfer_id = result.reference
        payout.sent_at = now
        transition(
            payout,
            to=Status.SENT,
            actor=None,
            payload={"reference": result.reference},
            extra_update_fields=["stripe_transfer_id", "sent_at"],
        )
    elif result.status == Status.PAID:
        payout_mark_paid(payout=payout, actor=None)
    else:
        payout_mark_failed(payout=payout, actor=None, reason=result.failure_reason or "The payment failed.")
    return payout


def payout_send(*, payout_id: int) -> Payout | None:
    """Send one payout on its rail (for a submitted batch only). Safe to call twice, concurrently, or after a crash:
    see the module docstring. Returns the payout as recorded, or None when there was nothing to send."""
    started = _start_sending(payout_id)
    if started is None:
        return None
    payout, resumed = started
    rail = rail_for(payout.rail)
    result = (rail.already_sent(payout) if resumed else None) or rail.send(payout)
    return _record_result(payout_id, result)


# --- Trying again, reversing ----------------------------------------------------------------------------------


def _stripe_transfer_already_made(payout: Payout) -> str | None:
    """For a failed Stripe payout with no transfer recorded: the transfer Stripe holds for its claim, if any."""
    if payout.rail != Rail.STRIPE or payout.stripe_transfer_id:
        return None
    try:
        return StripeRail().transfer_for_claim(payout)
    except stripe.StripeError as error:
        raise ApplicationError(
            "We could not check with Stripe whether this claim was paid after all, so nothing was sent. "
            f"Try again in a few minutes. ({describe_stripe_error(error)})",
            extra={"field": "rail"},
        ) from error


def _refuse_while_a_transfer_stands(old: Payout) -> None:
    """Never a second payment for a claim whose Stripe transfer still stands. After payout.failed (the payee's bank
    refused Stripe's payout) or a transfer.created that arrived after the payout was marked failed, the money is in
    the payee's Stripe balance and Stripe pays it out again once their bank details are fixed: trying again on any
    rail would pay them twice. Finance must reverse that transfer first (payout_reverse)."""
    recorded = Payout.objects.filter(claim_id=old.claim_id, stripe_transfer_id__isnull=False, status=Status.FAILED)
    for payout in recorded:
        try:
            transfer = stripe_client().v1.transfers.retrieve(str(payout.stripe_transfer_id))
        except stripe.StripeError as error:
            raise ApplicationError(
                "We could not check with Stripe whether this claim's transfer still stands, so nothing was sent. "
                f"Try again in a few minutes. ({describe_stripe_error(error)})",
                extra={"field": "rail"},
            ) from error
        if not transfer.reversed and int(transfer.amount_reversed or 0) < int(transfer.amount or 0):
            raise ApplicationError(
                f"Stripe already transferred this claim's money ({payout.stripe_transfer_id}) to the payee's Stripe "
                "account; Stripe pays it to their bank once their details are fixed. To pay another way, reverse "
                "that transfer first.",
                extra={"field": "rail", "reason": "transfer_stands", "payout": payout.pk},
            )


def payout_retry(*, actor: User, payout_id: int, rail: str | None = None) -> Payout:
    """Try a FAILED (or REVERSED) payout's claim again, on the same rail or another (`rail`): a new payout in the
    same batch. Returns the new payout (SENT straight away when Stripe turns out to hold a transfer for the claim)."""
    require(actor, CHANGE_PAYOUT)
    old = get_object_or_404(scope(Payout.objects.select_related("batch", "payee_account"), actor), pk=payout_id)
    if rail is not None and rail not in Rail.values:
        raise ApplicationError("Choose Stripe, bank transfer or voucher.", extra={"field": "rail"})
    _refuse_while_a_transfer_stands(old)
    existing = _stripe_transfer_already_made(old) if old.status == Status.FAILED else None
    try:
        return _retry_locked(actor, payout_id, rail, existing)
    except IntegrityError as error:  # the database's "one live payout per claim" caught a race
        raise ApplicationError("This claim already has a payment on its way.", extra={"field": "status"}) from error


@transaction.atomic
def _retry_locked(actor: User, payout_id: int, rail: str | None, existing_transfer: str | None) -> Payout:
    old = _lock_scoped_payout(actor, payout_id)
    require(actor, CHANGE_PAYOUT, old)
    if old.status not in (Status.FAILED, Status.REVERSED):
        raise ApplicationError("Only a failed or reversed payment can be tried again.", extra={"field": "status"})
    claim = Claim.objects.select_for_update(of=("self",)).select_related("membership__user").get(pk=old.claim_id)
    if Payout.objects.filter(claim=claim, status__in=Payout.LIVE).exists():
        raise ApplicationError("This claim already has a payment on its way.", extra={"field": "status"})
    if claim.status != Claim.Status.FAILED:
        raise ApplicationError(
            f"This claim cannot be paid again now: it is {claim.get_status_display().lower()}.",
            extra={"field": "status"},
        )
    now = timezone.now()
    if existing_transfer:
        new = Payout(
            partnership_id=old.partnership_id,
            batch_id=old.batch_id,
            claim=claim,
            rail=Rail.STRIPE,
            payee_account=old.payee_account,
            payee_name=old.payee_name,
            amount_pence=old.amount_pence,
        )
        new.full_clean()
        new.save()
        transition(new, to=Status.SENDING, actor=actor, payload={"found_at_stripe": existing_transfer})
        new.stripe_transfer_id = existing_transfer
        new.sent_at = now
        transition(
            new,
            to=Status.SENT,
            actor=actor,
            payload={"reference": existing_transfer, "found_at_stripe": True, "retry_of": old.pk},
            extra_update_fields=["stripe_transfer_id", "sent_at"],
        )
        transition(claim, to=Claim.Status.BATCHED, actor=actor, payload={"payout": new.pk, "retry_of": old.pk})
        if new.payee_account_id is not None:
            apply_waiting_events_for_account(new.payee_account_id)  # after the commit
        return new
    target = rail or old.rail
    route = route_on_rail(claim, target)
    if not route.ready:
        raise ApplicationError(route.reason, extra={"field": "rail"})
    new = Payout(
        partnership_id=old.partnership_id,
        batch_id=old.batch_id,
        claim=claim,
        rail=target,
        payee_account=route.account,
        payee_name=route.payee_name[:150],
        amount_pence=old.amount_pence,
    )
    new.full_clean()
    new.save()
    audit_record(
        actor=actor,
        partnership=old.partnership,
        subject=new,
        event_type="payout.retried",
        payload={"retry_of": old.pk, "rail": target, "previous_rail": old.rail},
    )
    transition(claim, to=Claim.Status.BATCHED, actor=actor, payload={"payout": new.pk, "retry_of": old.pk})
    if rail_for(target).sends_in_task:
        transaction.on_commit(partial(send_payout.delay, new.pk))
    return new


def payout_reverse(*, actor: User, payout_id: int, reason: str) -> Payout:
    """Reverse a SENT or PAID Stripe payout's transfer: the payout becomes REVERSED and its claim FAILED (back to
    finance: Retry pays it again, on any rail)."""
    require(actor, CHANGE_PAYOUT)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError("Give the reason for reversing this payment.", extra={"field": "reason"})
    if len(reason) > REASON_MAX:
        raise ApplicationError(f"The reason must be {REASON_MAX} characters or fewer.", extra={"field": "reason"})
    payout = get_object_or_404(scope(Payout.objects.select_related("batch", "claim"), actor), pk=payout_id)
    require(actor, CHANGE_PAYOUT, payout)
    if payout.status == Status.REVERSED:
        return payout
    if payout.rail != Rail.STRIPE or not payout.stripe_transfer_id:
        raise ApplicationError(
            "Only a Stripe transfer can be reversed here. For a bank transfer or a voucher, contact the bank or the "
            "supplier.",
            extra={"field": "rail"},
        )
    if payout.status not in (Status.SENT, Status.PAID, Status.FAILED):
        raise ApplicationError("Only a sent, paid or failed payment can be reversed.", extra={"field": "status"})
    if payout.claim.status != Claim.Status.FAILED and Claim.Status.FAILED not in Claim.TRANSITIONS.get(
        Claim.Status(payout.claim.status), set()
    ):
        raise ApplicationError(
            f"This claim is {payout.claim.get_status_display().lower()}, so its payment cannot be reversed here.",
            extra={"field": "status"},
        )
    try:
        reversal = StripeRail().reverse(payout, reason)
    except stripe.StripeError as error:
        raise ApplicationError(
            f"Stripe did not reverse the transfer: {describe_stripe_error(error)}", extra={"field": "reason"}
        ) from error
    return _record_reversal(actor, payout_id, reason, reversal)


@transaction.atomic
def _record_reversal(actor: User, payout_id: int, reason: str, reversal_id: str) -> Payout:
    payout = _lock_scoped_payout(actor, payout_id)
    if payout.status not in (Status.SENT, Status.PAID, Status.FAILED):
        return payout
    payout.failure_reason = f"Reversed: {reason}"
    payout.failed_at = timezone.now()
    transition(
        payout,
        to=Status.REVERSED,
        actor=actor,
        payload={"reversal": reversal_id, "reason": reason},
        extra_update_fields=["failure_reason", "failed_at"],
    )
    _claim_to(payout, Claim.Status.FAILED, actor, {"reversed": True})
    return payout


# --- The bank transfer file -----------------------------------------------------------------------------------


def _lock_sent_batch(actor: User, batch_id: int) -> PaymentBatch:
    batch = get_object_or_404(scope(PaymentBatch.objects.select_for_update(), actor), pk=batch_id)
    if batch.status not in SENT_BATCHES:
        raise ApplicationError(
            "The batch must be approved and sent before its bank file is made.", extra={"field": "status"}
        )
    return batch


@transaction.atomic
def bank_export_create(*, actor: User, batch_id: int) -> BankExport:
    """Make the bank file for the batch's bank transfers that are waiting (one line per payee, with a control
    total), store it encrypted, and mark those payouts SENT."""
    require(actor, SUBMIT)
    batch = _lock_sent_batch(actor, batch_id)
    require(actor, SUBMIT, batch)
    payouts = list(
        Payout.objects.select_for_update(of=("self",))
        .select_related("payee_account")
        .filter(batch=batch, rail=Rail.BANK, status=Status.PENDING)
        .order_by("payee_name", "payee_account_id", "pk")
    )
    if not payouts:
        raise ApplicationError("No bank transfers in this batch are waiting for a bank file.", extra={"field": "batch"})
    grouped: dict[int, list[Payout]] = defaultdict(list)
    accounts: dict[int, PayeeAccount] = {}
    for payout in payouts:
        account = payout.payee_account
        if account is None or not account.bank_account_number or not account.bank_sort_code:
            raise ApplicationError(
                f"{payout.payee_name} has no bank details, so the file cannot be made.", extra={"field": "batch"}
            )
        grouped[account.pk].append(payout)
        accounts[account.pk] = account
    number = batch.bank_exports.count() + 1
    now = timezone.now()
    lines = [
        bank_file.BankLine(
            payee_account_id=account_id,
            payee_name=accounts[account_id].bank_account_name or accounts[account_id].holder_name,
            sort_code=accounts[account_id].bank_sort_code,
            account_number=accounts[account_id].bank_account_number,
            amount_pence=sum(p.amount_pence for p in group),
        )
        for account_id, group in grouped.items()
    ]
    content, count, total = bank_file.build_bank_file(
        batch=batch,
        lines=lines,
        file_date=timezone.localdate(now),
        partnership_name=batch.partnership.name,
        export_number=number,
    )
    export = BankExport(
        partnership_id=batch.partnership_id,
        batch=batch,
        content=content,
        line_count=count,
        control_total_pence=total,
        created_by=actor,
        created_at=now,
    )
    export.full_clean()
    export.save()
    for payout in payouts:
        transition(payout, to=Status.SENDING, actor=actor, payload={"bank_file": number})
        payout.sent_at = now
        transition(payout, to=Status.SENT, actor=actor, payload={"bank_file": number}, extra_update_fields=["sent_at"])
    audit_record(
        actor=actor,
        partnership=batch.partnership,
        subject=export,
        event_type="bankexport.created",
        payload={"batch": batch.reference, "number": number, "lines": count, "control_total_pence": total},
    )
    _finish_locked(batch, actor)
    return export


@transaction.atomic
def bank_export_download(*, actor: User, export_id: int) -> BankExport:
    """A bank file to download (it holds bank details): finance officers of the partnership; each download is in
    the audit log."""
    require(actor, SUBMIT)
    export = get_object_or_404(scope(BankExport.objects.select_related("batch"), actor), pk=export_id)
    require(actor, SUBMIT, export)
    audit_record(
        actor=actor,
        partnership=actor.partnership,
        subject=export,
        event_type="bankexport.downloaded",
        payload={"batch": export.batch.reference},
    )
    return export


@dataclass(frozen=True)
class ConfirmationResult:
    paid: int
    rejected: int
    already_recorded: int


def _read_upload(file: IO[bytes] | IO[str] | bytes | str) -> str:
    raw: Any = file
    if hasattr(file, "read"):
        raw = file.read(MAX_CONFIRMATION_BYTES + 1)
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_CONFIRMATION_BYTES:
        raise ApplicationError("The file must be 5 MB or smaller.", extra={"field": "file"})
    try:
        return str(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ApplicationError("The file must be a CSV file saved as UTF-8.", extra={"field": "file"}) from error


def bank_confirmation_import(
    *, actor: User, batch_id: int, file: IO[bytes] | IO[str] | bytes | str
) -> ConfirmationResult:
    """Read the bank's confirmation file (layout in payments/rails/bank.py) and mark the matching bank payouts
    PAID or FAILED (with the bank's reason). All or nothing: every problem is listed and nothing is changed unless
    the whole file matches. Lines already recorded are skipped, so importing the same file twice is harmless."""
    require(actor, CHANGE_PAYOUT)
    text = _read_upload(file)
    lines, problems = bank_file.parse_confirmation(text)
    if problems:
        raise ValidationError({"file": problems[:20]})
    return _apply_confirmation(actor, batch_id, lines)


@transaction.atomic
def _apply_confirmation(actor: User, batch_id: int, lines: list[bank_file.ConfirmationLine]) -> ConfirmationResult:
    batch = _lock_sent_batch(actor, batch_id)
    exports = list(batch.bank_exports.order_by("pk").values_list("created_at", flat=True))
    payouts = list(
        Payout.objects.select_for_update(of=("self",))
        .filter(batch=batch, rail=Rail.BANK, status__in=(Status.SENT, Status.PAID, Status.FAILED))
        .order_by("pk")
    )
    by_line: dict[tuple[int, int], list[Payout]] = defaultdict(list)
    for payout in payouts:
        if payout.payee_account_id is not None and payout.sent_at in exports:
            by_line[(exports.index(payout.sent_at) + 1, payout.payee_account_id)].append(payout)
    problems: list[str] = []
    seen: set[str] = set()
    to_apply: list[tuple[bank_file.ConfirmationLine, list[Payout]]] = []
    already = 0
    for line in lines:
        if line.line_reference in seen:
            problems.append(f"Row {line.row}: the line reference {line.line_reference} appears twice.")
            continue
        seen.add(line.line_reference)
        key = bank_file.parse_line_reference(batch, line.line_reference)
        group = by_line.get(key, []) if key is not None else []
        if not group:
            problems.append(
                f"Row {line.row}: no payment in batch {batch.reference} has the line reference {line.line_reference}."
            )
            continue
        waiting = [p for p in group if p.status == Status.SENT]
        if not waiting:
            already += 1
            continue
        amount = sum(p.amount_pence for p in waiting)
        if amount != line.amount_pence:
            problems.append(
                f"Row {line.row}: the amount {bank_file.pounds(line.amount_pence)} does not match the "
                f"{bank_file.pounds(amount)} in the bank file."
            )
            continue
        to_apply.append((line, waiting))
    if problems:
        raise ValidationError({"file": problems[:20]})
    paid = rejected = 0
    now = timezone.now()
    for line, group in to_apply:
        for payout in group:
            if line.status == bank_file.PAID:
                payout_mark_paid(payout=payout, actor=actor, paid_at=now, payload={"bank_confirmation": True})
            else:
                payout_mark_failed(
                    payout=payout,
                    actor=actor,
                    reason=f"The bank rejected the payment: {line.reason}",
                    payload={"bank_confirmation": True},
                )
        if line.status == bank_file.PAID:
            paid += 1
        else:
            rejected += 1
    audit_record(
        actor=actor,
        partnership=batch.partnership,
        subject=batch,
        event_type="paymentbatch.bank_confirmation_imported",
        payload={"paid": paid, "rejected": rejected, "already_recorded": already},
    )
    _finish_locked(batch, actor)
    return ConfirmationResult(paid=paid, rejected=rejected, already_recorded=already)


# --- Vouchers ----------------------------------------------------------------------------------------------------


@transaction.atomic
def voucher_issue(*, actor: User, payout_id: int, supplier: str, code: str, issued_on: datetime.date | None) -> Voucher:
    """Record the gift voucher bought for a voucher payout (the code is encrypted) and mark the payout PAID."""
    require(actor, CHANGE_PAYOUT)
    supplier = " ".join((supplier or "").split())
    code = (code or "").strip()
    problems: dict[str, str] = {}
    if not supplier:
        problems["supplier"] = "Enter the voucher's supplier."
    elif len(supplier) > SUPPLIER_MAX:
        problems["supplier"] = f"The supplier must be {SUPPLIER_MAX} characters or fewer."
    if not code:
        problems["code"] = "Enter the voucher code."
    elif len(code) > CODE_MAX:
        problems["code"] = f"The voucher code must be {CODE_MAX} characters or fewer."
    if issued_on is None:
        problems["issued_on"] = "Enter the date the voucher was issued."
    elif issued_on > timezone.localdate():
        problems["issued_on"] = "The date the voucher was issued must be today or in the past."
    if problems or issued_on is None:
        raise ValidationError(problems)
    payout = _lock_scoped_payout(actor, payout_id)
    require(actor, CHANGE_PAYOUT, payout)
    if payout.rail != Rail.VOUCHER:
        raise ApplicationError("This payment is not paid by voucher.", extra={"field": "code"})
    if payout.status != Status.PENDING:
        raise ApplicationError(
            "A voucher has already been recorded for this payment."
            if payout.status == Status.PAID
            else "This payment is no longer waiting for a voucher.",
            extra={"field": "code"},
        )
    if payout.batch.status not in SENT_BATCHES:
        raise ApplicationError("Record the voucher once the batch has been approved and sent.", extra={"field": "code"})
    voucher = Voucher(
        partnership_id=payout.partnership_id,
        payout=payout,
        supplier=supplier,
        value_pence=payout.amount_pence,
        code=code,
        issued_on=issued_on,
        issued_by=actor,
    )
    voucher.full_clean()
    voucher.save()
    transition(payout, to=Status.SENDING, actor=actor, payload={"voucher": voucher.pk})
    payout_mark_paid(payout=payout, actor=actor, payload={"voucher": voucher.pk})
    _finish_batch(payout.batch_id, actor)
    return voucher
