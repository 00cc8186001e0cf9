"""Writes for work logs: the young person logs preparation, session and travel time and expenses (with receipts)
for an engagement they attended; a participation worker approves it as claimed, adjusts it with a reason, or
rejects it with a reason. An approved log is ready to be claimed for payment (payments/ turns it into a claim).

The rules:
- A draft is the young person's own, for an engagement they were confirmed for or marked at. It is saved with
  whatever they typed, even if it would not pass the checks below, so nothing they typed is lost; only numbers
  that cannot be time at all (negative, or more than a week) are refused.
- Sending for approval waits until the engagement has ended ("You can send your time once the session has
  finished") and is refused for a cancelled one. It checks: they were marked present, late or left early ("You
  can only log time for an engagement you attended"); session time is at most the engagement's length;
  preparation time is at most the engagement's preparation allowance; travel time is at most 4 hours; some time
  is logged. Every failing field is named, and the draft stays as it was. The staff lead (or, with none, every
  participation worker) is emailed.
- Expenses: more than £0 and at most £500 a line, in pounds and pence; a receipt (a photo or a PDF, at most
  10 MB, recognised by its content) for every expense except a travel fare under £5 (a bus fare has no receipt
  worth keeping). Receipts are stored under a random name. An expense sent again with the same idempotency key
  (the page's one-time form token, the API's Idempotency-Key header) and the same details adds nothing: the
  first one is returned. The key is kept in the first request's audit row (no model change) and checked with the
  log locked, so two requests at the same moment make one line.
- Approval: a participation worker of the partnership, never on their own log. The approved figures default to
  what was claimed; any figure that differs is an adjustment and needs a reason; approved figures are held to the
  same limits (and an expense cannot be approved for more than was claimed). Rejection needs a reason. The young
  person is emailed in plain words either way. Approval locks the person's attendance row when it checks they
  attended (marking attendance locks the work log first, then attendance): an absence marked at the same moment
  cannot also win.
- A rejected log goes back to draft as soon as the young person changes it (or sends it again).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.models import AuditEvent
from core.permissions import require
from core.tasks import send_email_message
from core.uploads import document_kind, document_problem
from core.workflows import transition
from engagements.models import Attendance, Engagement, Expense, WorkLog
from engagements.selectors.work_logs import engagement_get_for_logging
from participants.models import Membership, Role, User

Status = WorkLog.Status

ADD_WORKLOG = "engagements.add_worklog"
REVIEW_WORKLOG = "engagements.review_worklog"

MAX_TRAVEL_MINUTES = 240
# A draft keeps anything that could be time; more than a week in one part is a typing mistake.
MAX_DRAFT_MINUTES = 7 * 24 * 60
NOTE_MAX = 2000
REASON_MAX = 2000
MAX_EXPENSE = Decimal("500.00")
MAX_EXPENSES_PER_LOG = 20
MAX_RECEIPT_BYTES = 10 * 1024 * 1024
# Every expense needs a receipt, except a travel fare under this (a bus fare): choose this over "always".
NO_RECEIPT_TRAVEL_UNDER = Decimal("5.00")
# A repeat of an expense with the same key (a double-tapped Save, an API client retrying) adds nothing.
IDEMPOTENCY_KEY_MAX = 100
PENNY = Decimal("0.01")

PARTS: dict[str, str] = {
    "preparation_minutes": "Preparation time",
    "session_minutes": "Session time",
    "travel_minutes": "Travel time",
}
EDITABLE = (Status.DRAFT, Status.REJECTED)


def format_minutes(minutes: int) -> str:
    """'2 hours 30 minutes', '1 hour', '45 minutes', '0 minutes'."""
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def receipt_required(kind: str, amount: Decimal) -> bool:
    return not (kind == Expense.Kind.TRAVEL and amount < NO_RECEIPT_TRAVEL_UNDER)


# --- Checks shared by submitting and approving ------------------------------------------------------------------


def _minutes(value: Any, field: str) -> int:
    """A whole number of minutes from 0 to a week, or an ApplicationError naming the field."""
    label = PARTS.get(field, field)
    whole_text = isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value)
    whole_number = (isinstance(value, float) and value.is_integer() and abs(value) < 1e9) or (
        isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value() and abs(value) < 10**9
    )
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif whole_text or whole_number:
        number = int(value)
    if number is None:
        raise ApplicationError(f"{label} must be a whole number of minutes.", extra={"field": field})
    if number < 0:
        raise ApplicationError(f"{label} cannot be less than 0.", extra={"field": field})
    if number > MAX_DRAFT_MINUTES:
        raise ApplicationError(f"{label} cannot be more than {MAX_DRAFT_MINUTES // 60} hours.", extra={"field": field})
    return number


def limit_problems(engagement: Engagement, preparation: int, session: int, travel: int) -> dict[str, str]:
    """What breaks the limits for this engagement, by field (empty: within them)."""
    problems: dict[str, str] = {}
    length = engagement.duration_minutes
    if session > length:
        problems["session_minutes"] = (
            f"Session time can be at most the length of the engagement: {format_minutes(length)}."
        )
    allowance = engagement.preparation_minutes
    if preparation > allowance:
        problems["preparation_minutes"] = (
            f"Preparation time can be at most the {format_minutes(allowance)} allowed for this engagement."
            if allowance
            else "No preparation time is allowed for this engagement."
        )
    if travel > MAX_TRAVEL_MINUTES:
        problems["travel_minutes"] = f"Travel time can be at most {format_minutes(MAX_TRAVEL_MINUTES)}."
    return problems


def _attended_locked(membership_id: int, engagement_id: int) -> bool:
    """Whether the person is marked present, late or left early, with their attendance row locked until the end of
    the transaction: a mark being changed at the same moment waits for this (or this waits for it), so an absence
    and an approval cannot both win. Lock order, here and in attendance marking: the work log, then attendance."""
    row = (
        Attendance.objects.select_for_update()
        .filter(engagement_id=engagement_id, membership_id=membership_id)
        .only("pk", "status")
        .first()
    )
    return row is not None and row.status in Attendance.ATTENDED


def _not_attended() -> ApplicationError:
    return ApplicationError(
        "You can only log time for an engagement you attended.", extra={"field": "engagement", "reason": "not_attended"}
    )


# --- The young person's own log ---------------------------------------------------------------------------------


def _own_membership(actor: User) -> Membership:
    require(actor, ADD_WORKLOG)
    membership = actor.membership
    if membership is None:  # pragma: no cover - require() refuses anyone acting in no partnership
        raise ApplicationError("You are not part of a partnership.")
    return membership


def _lock_own(actor: User, work_log_id: int) -> WorkLog:
    membership = _own_membership(actor)
    logs = WorkLog.objects.select_for_update().filter(partnership_id=membership.partnership_id, membership=membership)
    return get_object_or_404(logs, pk=work_log_id)


def _make_editable(actor: User, log: WorkLog) -> None:
    """A rejected log goes back to draft when it is changed; a submitted or approved one cannot be changed."""
    if log.status == Status.REJECTED:
        log.updated_at = timezone.now()
        transition(
            log, to=Status.DRAFT, actor=actor, payload={"by": "young_person"}, extra_update_fields=["updated_at"]
        )
    elif log.status == Status.SUBMITTED:
        raise ApplicationError(
            "Your time for this engagement is waiting for approval, so it cannot be changed now.",
            extra={"field": "status"},
        )
    elif log.status != Status.DRAFT:
        raise ApplicationError(
            "Your time for this engagement has been approved, so it cannot be changed.", extra={"field": "status"}
        )


@transaction.atomic
def work_log_save_draft(
    *,
    actor: User,
    engagement_id: int,
    preparation_minutes: int,
    session_minutes: int,
    travel_minutes: int,
    note: str = "",
) -> WorkLog:
    """Create or update the young person's draft for an engagement (a rejected one goes back to draft).
    Saved even if it would not pass the checks for sending; only impossible numbers are refused."""
    membership = _own_membership(actor)
    engagement = engagement_get_for_logging(actor, engagement_id)
    # One write at a time per person, so a double-clicked first save makes one log, not an error.
    Membership.objects.select_for_update().filter(pk=membership.pk).first()
    figures = {
        "preparation_minutes": _minutes(preparation_minutes, "preparation_minutes"),
        "session_minutes": _minutes(session_minutes, "session_minutes"),
        "travel_minutes": _minutes(travel_minutes, "travel_minutes"),
    }
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(f"The note must be {NOTE_MAX} characters or fewer.", extra={"field": "note"})
    log = (
        WorkLog.objects.select_for_update()
        .filter(partnership_id=membership.partnership_id, engagement=engagement, membership=membership)
        .first()
    )
    created = log is None
    if log is None:
        log = WorkLog(partnership_id=membership.partnership_id, engagement=engagement, membership=membership)
    else:
        _make_editable(actor, log)
    for name, value in figures.items():
        setattr(log, name, value)
    log.note = note
    log.updated_at = timezone.now()
    log.full_clean(exclude=["partnership", "engagement", "membership", "decided_by"])
    log.save()
    audit_record(
        actor=actor,
        partnership=engagement.partnership,
        subject=log,
        event_type="worklog.draft_saved",
        payload={"engagement": engagement.pk, "created": created, **figures},
    )
    return log


def _decimal(value: Any) -> Decimal | None:
    """A finite Decimal from what was typed ('£4.50', 4.5, Decimal), or None for anything else ('NaN', 'abc')."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().lstrip("£"))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return amount if amount.is_finite() else None


def _pence(amount: Decimal) -> Decimal | None:
    """The amount in pounds and pence, or None when it has fractions of a penny (call only with a bounded amount:
    quantize fails on a number with more digits than the context holds, like 1e30)."""
    try:
        rounded = amount.quantize(PENNY)
    except InvalidOperation:  # pragma: no cover - the callers check the bounds first
        return None
    return rounded if rounded == amount else None


def _amount(value: Any) -> Decimal:
    """A claimed amount: more than £0, at most £500, in pounds and pence; else an ApplicationError naming it."""
    amount = _decimal(value)
    if amount is None:
        raise ApplicationError("Enter the amount in pounds and pence, like 4.50.", extra={"field": "amount"})
    if amount <= 0:
        raise ApplicationError("The amount must be more than £0.", extra={"field": "amount"})
    # The bound before the pence: 1e30 has more digits than quantize can hold.
    if amount > MAX_EXPENSE:
        raise ApplicationError(
            f"An expense can be at most {money(MAX_EXPENSE)}. For more, talk to your participation worker first.",
            extra={"field": "amount"},
        )
    pence = _pence(amount)
    if pence is None:
        raise ApplicationError("Enter the amount in pounds and pence, like 4.50.", extra={"field": "amount"})
    return pence


def _idempotency_key(value: str | None) -> str:
    key = (value or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise ApplicationError(
            f"The idempotency key must be at most {IDEMPOTENCY_KEY_MAX} printable characters.",
            extra={"field": "idempotency_key"},
        )
    return key


def _added_before(log: WorkLog, key: str, kind: str, description: str, amount: Any) -> Expense | None:
    """The expense an earlier request with this key added to this log, when it is still there and is the same
    expense (the same kind, description and amount). Call with the log locked: a repeat waits for the first."""
    events = AuditEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(WorkLog),
        subject_id=str(log.pk),
        event_type="worklog.expense_added",
        payload__idempotency_key=key,
    )
    ids = [payload.get("expense") for payload in events.values_list("payload", flat=True)]
    value = _decimal(amount)
    if not ids or value is None:
        return None
    same = log.expenses.filter(pk__in=ids, kind=kind, description=(description or "").strip(), amount=value)
    return same.order_by("pk").first()


@transaction.atomic
def expense_add(
    *,
    actor: User,
    work_log_id: int,
    kind: str,
    description: str,
    amount: Decimal | str,
    receipt: File[Any] | None = None,
    idempotency_key: str | None = None,
) -> Expense:
    """Add an expense line (with its receipt) to the young person's own draft (or rejected) log.

    With an `idempotency_key` (the page's one-time form token, or the API's Idempotency-Key header), a repeat of
    the same expense with the same key returns the expense the first request added and adds nothing: a
    double-tapped Save makes one line. The key is kept in the audit row of the first request."""
    key = _idempotency_key(idempotency_key)
    log = _lock_own(actor, work_log_id)
    if key:
        earlier = _added_before(log, key, kind, description, amount)
        if earlier is not None:
            return earlier
    _make_editable(actor, log)
    if kind not in Expense.Kind.values:
        raise ApplicationError("Choose what the expense was for.", extra={"field": "kind"})
    description = (description or "").strip()
    if not description:
        raise ApplicationError(
            "Say what the expense was, like 'Bus fare to the town hall'.", extra={"field": "description"}
        )
    if len(description) > 200:
        raise ApplicationError("The description must be 200 characters or fewer.", extra={"field": "description"})
    value = _amount(amount)
    if log.expenses.count() >= MAX_EXPENSES_PER_LOG:
        raise ApplicationError(
            f"A log can have at most {MAX_EXPENSES_PER_LOG} expenses. Put small ones together.", extra={"field": "kind"}
        )
    kind_of_file = None
    if receipt is not None:
        problem = document_problem(receipt, max_bytes=MAX_RECEIPT_BYTES, name="The receipt")
        if problem:
            raise ApplicationError(problem, extra={"field": "receipt"})
        kind_of_file = document_kind(receipt)
    elif receipt_required(kind, value):
        raise ApplicationError(
            "Add a photo or PDF of the receipt. Only travel fares under £5 can be claimed without one.",
            extra={"field": "receipt"},
        )
    expense = Expense(
        partnership_id=log.partnership_id,
        work_log=log,
        kind=kind,
        description=description,
        amount=value,
        receipt_kind=kind_of_file or "",
    )
    if receipt is not None and kind_of_file is not None:
        # Named by what it is, never by the uploaded name (which may hold personal details or path tricks).
        expense.receipt.save(f"{uuid.uuid4().hex}.{kind_of_file}", receipt, save=False)
    try:
        expense.full_clean(exclude=["partnership", "work_log"])
        expense.save()
        log.updated_at = timezone.now()
        log.save(update_fields=["updated_at"])
        audit_record(
            actor=actor,
            partnership=log.partnership,
            subject=log,
            event_type="worklog.expense_added",
            payload={
                "expense": expense.pk,
                "kind": kind,
                "amount": str(value),
                "receipt": bool(kind_of_file),
                **({"idempotency_key": key} if key else {}),
            },
        )
    except BaseException:
        if expense.receipt:
            expense.receipt.storage.delete(expense.receipt.name)
        raise
    return expense


@transaction.atomic
def expense_remove(*, actor: User, work_log_id: int, expense_id: int) -> None:
    """Remove an expense line (and its receipt file, once the removal is committed) from the own draft log."""
    log = _lock_own(actor, work_log_id)
    expense = get_object_or_404(log.expenses.all(), pk=expense_id)
    _make_editable(actor, log)
    name = expense.receipt.name if expense.receipt else ""
    storage = expense.receipt.storage
    audit_record(
        actor=actor,
        partnership=log.partnership,
        subject=log,
        event_type="worklog.expense_removed",
        payload={"expense": expense.pk, "kind": expense.kind, "amount": str(expense.amount)},
    )
    expense.delete()
    log.updated_at = timezone.now()
    log.save(update_fields=["updated_at"])
    if name:
        transaction.on_commit(partial(storage.delete, name))


def _reviewers_for(engagement: Engagement) -> list[str]:
    """The staff lead, if they are still an active member of staff here; else every participation worker."""
    staff = Membership.objects.filter(
        partnership_id=engagement.partnership_id, status=Membership.Status.ACTIVE, user__is_active=True
    )
    if engagement.staff_lead_id is not None:
        lead = staff.filter(Membership.with_any_staff_role(), user_id=engagement.staff_lead_id).select_related("user")
        found = [m.user.email for m in lead]
        if found:
            return found
    workers = staff.filter(Membership.with_role(Role.PARTICIPATION_WORKER)).select_related("user")
    return sorted({m.user.email for m in workers})


def _link(name: str, *args: Any) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse(name, args=args)


def _email_reviewers(log: WorkLog) -> None:
    """Only what a reviewer needs to act: which engagement and where to look. The young person's name and their
    figures are read signed in."""
    to = _reviewers_for(log.engagement)
    if not to:
        return
    subject = "A work log is waiting for your approval"
    body = (
        f"Hello,\n\nA young scrutineer has sent their time for {log.engagement.title} for approval.\n\n"
        f"Sign in to check it:\n{_link('work_log_review', log.pk)}"
    )
    for address in to:  # one message each: reviewers never see each other's addresses
        transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=[address]))


@transaction.atomic
def work_log_submit(*, actor: User, work_log_id: int) -> WorkLog:
    """Send the young person's own log for approval, if it passes every check. On a failure nothing changes."""
    log = _lock_own(actor, work_log_id)
    if log.status not in EDITABLE:
        raise ApplicationError(
            "This log has already been sent."
            if log.status == Status.SUBMITTED
            else "Your time for this engagement has been approved, so it cannot be sent again.",
            extra={"field": "status"},
        )
    engagement = log.engagement
    if engagement.status == Engagement.Status.CANCELLED:
        raise ApplicationError(
            "This engagement was cancelled, so there is no time to send.",
            extra={"field": "engagement", "reason": "cancelled"},
        )
    if timezone.now() < engagement.ends_at:
        raise ApplicationError(
            "You can send your time once the session has finished.",
            extra={"field": "engagement", "reason": "not_finished"},
        )
    if not _attended_locked(log.membership_id, engagement.pk):
        raise _not_attended()
    problems = limit_problems(engagement, log.preparation_minutes, log.session_minutes, log.travel_minutes)
    if log.claimed_minutes == 0 and not problems:
        problems["session_minutes"] = "Enter the time you spent: preparation, session or travel."
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    if log.status == Status.REJECTED:
        log.updated_at = now
        transition(
            log, to=Status.DRAFT, actor=actor, payload={"by": "young_person"}, extra_update_fields=["updated_at"]
        )
    log.submitted_at = now
    log.updated_at = now
    transition(
        log,
        to=Status.SUBMITTED,
        actor=actor,
        payload={"claimed_minutes": log.claimed_minutes},
        extra_update_fields=["submitted_at", "updated_at"],
    )
    _email_reviewers(log)
    return log


# --- Review ---------------------------------------------------------------------------------------------------------


def _lock_for_review(actor: User, work_log_id: int) -> WorkLog:
    require(actor, REVIEW_WORKLOG)
    logs = WorkLog.objects.select_for_update(of=("self",)).select_related("engagement", "membership__user")
    log = get_object_or_404(logs.filter(partnership=actor.partnership), pk=work_log_id)
    require(actor, REVIEW_WORKLOG, log)
    if actor.membership is not None and actor.membership.pk == log.membership_id:
        raise ApplicationError("You cannot approve or reject your own work log.", extra={"field": "status"})
    if log.status != Status.SUBMITTED:
        raise ApplicationError(
            f"This log is {log.get_status_display().lower()}: only a log waiting for approval can be decided.",
            extra={"field": "status"},
        )
    return log


def _email_young_person(log: WorkLog, subject: str, body: str) -> None:
    user = log.membership.user
    text = f"Hi {user.get_short_name()},\n\n{body}\n\nSee your work logs:\n{_link('my_work_logs')}"
    transaction.on_commit(partial(send_email_message.delay, subject=subject, body=text, to=[user.email]))


@transaction.atomic
def work_log_approve(
    *,
    actor: User,
    work_log_id: int,
    preparation_minutes: int | None = None,
    session_minutes: int | None = None,
    travel_minutes: int | None = None,
    expense_amounts: Mapping[int, Decimal] | None = None,
    reason: str = "",
) -> WorkLog:
    """Approve a log waiting for approval: as claimed (no figures), or adjusted (figures that differ, with a reason
    the young person is told). The approved log is ready to be claimed for payment."""
    log = _lock_for_review(actor, work_log_id)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ApplicationError(f"The reason must be {REASON_MAX} characters or fewer.", extra={"field": "reason"})
    given = {
        "preparation_minutes": preparation_minutes,
        "session_minutes": session_minutes,
        "travel_minutes": travel_minutes,
    }
    approved = {name: getattr(log, name) if value is None else _minutes(value, name) for name, value in given.items()}
    engagement = log.engagement
    if not _attended_locked(log.membership_id, engagement.pk):
        raise ApplicationError(
            "This young person is not marked as attending this engagement. Check the attendance first.",
            extra={"field": "engagement", "reason": "not_attended"},
        )
    problems = limit_problems(
        engagement, approved["preparation_minutes"], approved["session_minutes"], approved["travel_minutes"]
    )
    if problems:
        raise ValidationError(problems)

    expenses = list(log.expenses.select_for_update().order_by("pk"))
    by_id = {e.pk: e for e in expenses}
    amounts = {int(k): v for k, v in (expense_amounts or {}).items()}
    for expense_id, value in amounts.items():
        expense = by_id.get(expense_id)
        if expense is None:
            raise ApplicationError("That expense is not on this log.", extra={"field": "expense_amounts"})
        amount = _decimal(value)
        # The bound before the pence: 1e30 has more digits than quantize can hold.
        if amount is not None and amount > expense.amount:
            raise ApplicationError(
                f"'{expense.description}' can be approved for at most the {money(expense.amount)} claimed.",
                extra={"field": "expense_amounts", "expense": expense_id},
            )
        pence = _pence(amount) if amount is not None and amount >= 0 else None
        if pence is None:
            raise ApplicationError(
                f"Enter the amount approved for '{expense.description}' in pounds and pence.",
                extra={"field": "expense_amounts", "expense": expense_id},
            )
        amounts[expense_id] = pence
    for expense in expenses:
        expense.approved_amount = amounts.get(expense.pk, expense.amount)

    changed = [name for name in PARTS if approved[name] != getattr(log, name)]
    changed_expenses = [e.pk for e in expenses if e.approved_amount != e.amount]
    adjusted = bool(changed or changed_expenses)
    if adjusted and not reason:
        raise ApplicationError(
            "Give a reason for the changes. The young person will see it.", extra={"field": "reason"}
        )

    now = timezone.now()
    log.approved_preparation_minutes = approved["preparation_minutes"]
    log.approved_session_minutes = approved["session_minutes"]
    log.approved_travel_minutes = approved["travel_minutes"]
    log.decision_reason = reason
    log.decided_by = actor
    log.decided_at = now
    log.updated_at = now
    if expenses:
        Expense.objects.bulk_update(expenses, ["approved_amount"])
    transition(
        log,
        to=Status.APPROVED,
        actor=actor,
        payload={
            "adjusted": adjusted,
            "changed": changed,
            "changed_expenses": changed_expenses,
            "claimed_minutes": log.claimed_minutes,
            "approved_minutes": log.approved_minutes,
        },
        extra_update_fields=[
            "approved_preparation_minutes",
            "approved_session_minutes",
            "approved_travel_minutes",
            "decision_reason",
            "decided_by",
            "decided_at",
            "updated_at",
        ],
    )
    # Approved work becomes a payment claim (payments/), made by the system once this commits.
    from payments.tasks import create_claim_for_work_log

    transaction.on_commit(partial(create_claim_for_work_log.delay, log.pk))
    title = engagement.title
    if adjusted:
        _email_young_person(
            log,
            f"Your time for {title} was approved with changes",
            f"Your time for {title} was approved, with some changes.\n\nWhy: {reason}\n\n"
            f"Approved: {format_minutes(log.approved_minutes or 0)} "
            f"(you logged {format_minutes(log.claimed_minutes)}).",
        )
    else:
        _email_young_person(
            log,
            f"Your time for {title} was approved",
            f"Your time for {title} was approved: {format_minutes(log.claimed_minutes)}. It is now ready to be paid.",
        )
    return log


@transaction.atomic
def work_log_reject(*, actor: User, work_log_id: int, reason: str) -> WorkLog:
    """Send a log back to the young person with a reason. They can change it and send it again."""
    log = _lock_for_review(actor, work_log_id)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Give a reason. The young person will see it, so they know what to change.", extra={"field": "reason"}
        )
    if len(reason) > REASON_MAX:
        raise ApplicationError(f"The reason must be {REASON_MAX} characters or fewer.", extra={"field": "reason"})
    now = timezone.now()
    log.decision_reason = reason
    log.decided_by = actor
    log.decided_at = now
    log.updated_at = now
    log.approved_preparation_minutes = log.approved_session_minutes = log.approved_travel_minutes = None
    transition(
        log,
        to=Status.REJECTED,
        actor=actor,
        extra_update_fields=[
            "decision_reason",
            "decided_by",
            "decided_at",
            "updated_at",
            "approved_preparation_minutes",
            "approved_session_minutes",
            "approved_travel_minutes",
        ],
    )
    title = log.engagement.title
    _email_young_person(
        log,
        f"Your time for {title} was not approved",
        f"Your time for {title} was not approved yet.\n\nWhy: {reason}\n\nYou can change it and send it again.",
    )
    return log
