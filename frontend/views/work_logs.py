"""Work log pages. Young people: their logs (`my_work_logs`) and logging time and expenses for an engagement they
attended (`work_log_edit`). Staff: the queue of logs waiting for approval (`work_log_queue`, `?engagement=<id>` for
one engagement's logs) and the review page (`work_log_review`). Receipts (`expense_receipt`) download only for the
owner, participation workers and finance officers. Thin: parse, call the service or selector, render; the rules live
in engagements/services/work_logs.py.

Nothing the young person typed is lost: on "Save as draft" and "Send for approval" the draft is saved first (only
impossible numbers stop it), then the new expense is added, then the log is sent; each refusal is shown on the
field it names, with what they typed still in the boxes. The form carries a one-time token, so the same form sent
twice (a double tap, or sent again) adds its expense once; the buttons also ignore a double click.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.permissions import require
from core.uploads import CONTENT_TYPES
from engagements.models import Engagement, WorkLog
from engagements.selectors.work_logs import (
    attendance_for,
    engagement_get_for_logging,
    engagements_to_log,
    expense_get_for_receipt,
    own_work_log_for_engagement,
    own_work_logs,
    work_log_get_for_actor,
    work_log_queue,
    work_log_queue_engagement,
)
from engagements.services.work_logs import (
    MAX_TRAVEL_MINUTES,
    expense_add,
    expense_remove,
    format_minutes,
    work_log_approve,
    work_log_reject,
    work_log_save_draft,
    work_log_submit,
)
from frontend.forms.work_logs import SERVICE_FIELDS, ExpenseForm, ReviewForm, WorkLogTimeForm
from frontend.views.home import acting_user

Status = WorkLog.Status
SAVE = "save"
SUBMIT = "submit"
FORM_TOKEN = re.compile(r"[0-9a-f]{32}")

# What each status means for the young person, in plain words: each starts with the status's own name (the
# model's label, used on the staff pages too), so one state has one name everywhere.
PLAIN_STATUS: dict[str, str] = {
    Status.DRAFT: "Draft: not sent yet",
    Status.SUBMITTED: "Waiting for approval",
    Status.APPROVED: "Approved: it will be paid",
    Status.REJECTED: "Not approved: change it and send it again",
    Status.CLAIMED: "Claimed for payment",
}
# Statuses whose approved figures are the ones that count (and will be paid).
DECIDED_FIGURES = (Status.APPROVED, Status.CLAIMED)
STATUS_TAGS: dict[str, str] = {
    Status.DRAFT: "govuk-tag--grey",
    Status.SUBMITTED: "govuk-tag--blue",
    Status.APPROVED: "govuk-tag--green",
    Status.REJECTED: "govuk-tag--red",
    Status.CLAIMED: "govuk-tag--green",
}


def show_error(
    form: Form, error: ApplicationError | DjangoValidationError, fields: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the box it names (through `fields`), or on the form as a whole."""
    fields = {**SERVICE_FIELDS, **(fields or {})}
    if isinstance(error, ApplicationError):
        name = error.extra.get("field")
        target = fields.get(name, name) if isinstance(name, str) else None
        form.add_error(target if target in form.fields else None, error.message)
        return
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            target = fields.get(name, name)
            for message in messages_:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _describe(log: WorkLog) -> None:
    """Plain words for the young person's pages: the status, its tag colour and the times."""
    log.plain_status = PLAIN_STATUS.get(log.status, log.get_status_display())  # type: ignore[attr-defined]
    log.tag = STATUS_TAGS.get(log.status, "govuk-tag--grey")  # type: ignore[attr-defined]
    log.claimed_text = format_minutes(log.claimed_minutes)  # type: ignore[attr-defined]
    approved = log.approved_minutes
    log.approved_text = format_minutes(approved) if approved is not None else ""  # type: ignore[attr-defined]


# --- The young person's pages ---------------------------------------------------------------------------------


@login_required
def my_work_logs(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    logs = list(own_work_logs(user))
    to_start = [row for row in engagements_to_log(user) if row.work_log is None]
    for log in logs:
        _describe(log)
    return render(request, "work_logs/mine.html", {"logs": logs, "to_start": to_start})


def _log_figures(user: Any, engagement_id: int, form: WorkLogTimeForm) -> WorkLog | None:
    """Save the draft from the time form; a refusal goes on the form and nothing is saved."""
    data = form.cleaned_data
    try:
        return work_log_save_draft(
            actor=user,
            engagement_id=engagement_id,
            preparation_minutes=data["preparation_total"],
            session_minutes=data["session_total"],
            travel_minutes=data["travel_total"],
            note=data.get("note") or "",
        )
    except (ApplicationError, DjangoValidationError) as error:
        show_error(form, error)
        return None


def _form_token(request: HttpRequest) -> str | None:
    """The one-time token the edit page was rendered with: the same token sent twice (a double-tapped Save, the
    page sent again) adds its expense once. A new one is made each time the page is shown."""
    token = request.POST.get("form_token", "")
    return token if FORM_TOKEN.fullmatch(token) else None


def _can_send(engagement: Engagement) -> bool:
    return engagement.status != Engagement.Status.CANCELLED and timezone.now() >= engagement.ends_at


@login_required
@require_http_methods(["GET", "POST"])
def work_log_edit(request: HttpRequest, engagement_id: int) -> HttpResponse:
    user = acting_user(request)
    engagement = engagement_get_for_logging(user, engagement_id)
    log = own_work_log_for_engagement(user, engagement.pk)
    editable = log is None or log.status in (Status.DRAFT, Status.REJECTED)
    posted = request.method == "POST" and editable
    form = WorkLogTimeForm(request.POST if posted else None, initial=WorkLogTimeForm.for_log(log))
    expense_form = ExpenseForm(request.POST if posted else None, request.FILES if posted else None, prefix="expense")
    saved_note = ""
    if posted:
        action = request.POST.get("action", SAVE)
        time_ok = form.is_valid()
        expense_ok = expense_form.is_valid()
        saved = _log_figures(user, engagement.pk, form) if time_ok else None
        if saved is not None and expense_ok and expense_form.has_expense():
            data = expense_form.cleaned_data
            try:
                expense_add(
                    actor=user,
                    work_log_id=saved.pk,
                    kind=data["kind"],
                    description=data["description"],
                    amount=data["amount"],
                    receipt=data.get("receipt"),
                    idempotency_key=_form_token(request),
                )
            except (ApplicationError, DjangoValidationError) as error:
                show_error(expense_form, error)
                expense_ok = False
            else:
                # Added: the boxes empty again, so sending after another refusal cannot add it twice.
                expense_form = ExpenseForm(prefix="expense")
        if saved is not None and expense_ok and not form.errors:
            if action == SUBMIT:
                try:
                    work_log_submit(actor=user, work_log_id=saved.pk)
                except (ApplicationError, DjangoValidationError) as error:
                    show_error(form, error)
                    saved_note = "Your time is saved as a draft, but it was not sent for approval."
                else:
                    messages.success(request, f"Your time for {engagement.title} was sent for approval.")
                    return redirect("my_work_logs")
            else:
                messages.success(request, "Your draft is saved. You can add another expense or send it for approval.")
                return redirect("work_log_edit", engagement_id=engagement.pk)
        if saved is not None:
            log = own_work_log_for_engagement(user, engagement.pk)
            if expense_form.errors:  # the time is kept even when the new expense is refused: say so
                saved_note = "Your time is saved as a draft, but the expense was not added. Check it below."
    if log is not None:
        _describe(log)
    attendance = attendance_for(user.membership.pk, engagement.pk) if editable else None
    return render(
        request,
        "work_logs/edit.html",
        {
            "engagement": engagement,
            "log": log,
            "editable": editable,
            "form": form,
            "expense_form": expense_form,
            "has_errors": bool(form.errors or expense_form.errors),
            "form_token": uuid.uuid4().hex,
            "can_send": _can_send(engagement),
            "saved_note": saved_note,
            "is_cancelled": engagement.status == Engagement.Status.CANCELLED,
            "not_marked": editable and attendance is None,
            "marked_absent": attendance is not None and not attendance.attended,
            "length": format_minutes(engagement.duration_minutes),
            "allowance": format_minutes(engagement.preparation_minutes),
            "travel_limit": format_minutes(MAX_TRAVEL_MINUTES),
        },
    )


@login_required
@require_POST
def expense_remove_page(request: HttpRequest, engagement_id: int, expense_id: int) -> HttpResponse:
    user = acting_user(request)
    engagement = engagement_get_for_logging(user, engagement_id)
    log = own_work_log_for_engagement(user, engagement.pk)
    if log is None:
        raise Http404("No log for this engagement.")
    try:
        expense_remove(actor=user, work_log_id=log.pk, expense_id=expense_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The expense was removed.")
    return redirect("work_log_edit", engagement_id=engagement.pk)


@login_required
@require_GET
def expense_receipt(request: HttpRequest, expense_id: int) -> FileResponse:
    """The receipt, as a download: for its owner, participation workers and finance officers (404 for others)."""
    user = acting_user(request)
    expense = expense_get_for_receipt(user, expense_id)
    kind = expense.receipt_kind or expense.receipt.name.rsplit(".", 1)[-1].lower()
    if kind not in CONTENT_TYPES:
        raise Http404("The receipt is missing.")
    try:
        handle = expense.receipt.open("rb")
    except FileNotFoundError:
        raise Http404("The receipt is missing.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=f"receipt-{expense.pk}.{kind}", content_type=CONTENT_TYPES[kind]
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Staff pages ----------------------------------------------------------------------------------------------------

# The model's own labels, so a state has one name on every page ("Not approved", not "Sent back").
ALL = "all"
QUEUE_ORDER = (Status.SUBMITTED, Status.APPROVED, Status.REJECTED, Status.DRAFT, Status.CLAIMED)
QUEUE_FILTERS: list[tuple[str, str]] = [(value, Status(value).label) for value in QUEUE_ORDER] + [(ALL, "All")]
ENGAGEMENT_ID = re.compile(r"[1-9][0-9]{0,17}")


def _queue_figures(log: WorkLog) -> None:
    """The time and expenses that count for a log in the queue: the approved figures once it is approved (or
    claimed for payment), what was claimed before that. The claimed figures are kept beside when they differ."""
    approved = log.approved_minutes
    decided = log.status in DECIDED_FIGURES and approved is not None
    minutes = approved if decided and approved is not None else log.claimed_minutes
    claimed_money = log.expenses_total
    money = log.expenses_approved_total if decided else claimed_money
    figures = {
        "time_text": format_minutes(minutes),
        "time_claimed_text": format_minutes(log.claimed_minutes) if minutes != log.claimed_minutes else "",
        "expenses_shown": money,
        "expenses_claimed": claimed_money if money != claimed_money else None,
    }
    for name, value in figures.items():
        setattr(log, name, value)


@login_required
def work_log_queue_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.is_partnership_staff:
        raise PermissionDenied
    asked = request.GET.get("engagement", "")
    engagement = work_log_queue_engagement(user, int(asked)) if ENGAGEMENT_ID.fullmatch(asked) else None
    # From an engagement's page every log of it is wanted; the queue on its own is what waits for approval.
    chosen = request.GET.get("status") or (ALL if engagement is not None else Status.SUBMITTED)
    if chosen not in dict(QUEUE_FILTERS):
        chosen = Status.SUBMITTED
    logs = work_log_queue(
        user, status=None if chosen == ALL else chosen, engagement_id=engagement.pk if engagement else None
    )
    page = Paginator(logs, 50).get_page(request.GET.get("page"))
    for log in page:
        _queue_figures(log)
    query = urlencode({"status": chosen, **({"engagement": engagement.pk} if engagement else {})})
    return render(
        request,
        "work_logs/queue.html",
        {
            "page": page,
            "filters": QUEUE_FILTERS,
            "chosen": chosen,
            "chosen_label": dict(QUEUE_FILTERS)[chosen],
            "engagement": engagement,
            "show_all_query": urlencode({"status": chosen}),
            "query": query,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_log_review(request: HttpRequest, work_log_id: int) -> HttpResponse:
    user = acting_user(request)
    if not user.is_partnership_staff:
        raise PermissionDenied
    log = work_log_get_for_actor(user, work_log_id)
    can_review = user.has_perm("engagements.review_worklog", log) and log.status == Status.SUBMITTED
    posted = request.method == "POST"
    if posted and not can_review:
        require(user, "engagements.review_worklog", log)
        messages.error(request, "Only a log waiting for approval can be decided.")
        return redirect("work_log_review", work_log_id=log.pk)
    form = ReviewForm(request.POST if posted else None, log=log)
    if posted and form.is_valid():
        data = form.cleaned_data
        decision = data["decision"]
        try:
            if decision == ReviewForm.REJECT:
                work_log_reject(actor=user, work_log_id=log.pk, reason=data["reason"])
                done = "The log was not approved. The young person sees your reason and can send it again."
            elif decision == ReviewForm.ADJUST:
                work_log_approve(
                    actor=user,
                    work_log_id=log.pk,
                    preparation_minutes=data["preparation_total"],
                    session_minutes=data["session_total"],
                    travel_minutes=data["travel_total"],
                    expense_amounts=data["expense_amounts"],
                    reason=data["reason"],
                )
                done = "The log was approved with your changes."
            else:
                work_log_approve(actor=user, work_log_id=log.pk, reason=data["reason"])
                done = "The log was approved as claimed."
        except (ApplicationError, DjangoValidationError) as error:
            show_error(form, error, fields={"expense_amounts": _expense_field(error, form)})
        else:
            messages.success(request, done)
            return redirect("work_log_queue")
    attendance = attendance_for(log.membership_id, log.engagement_id)
    engagement = log.engagement
    parts = (
        ("Preparation", log.preparation_minutes, engagement.preparation_minutes, "the allowance",
         log.approved_preparation_minutes),
        ("Session", log.session_minutes, engagement.duration_minutes, "the length", log.approved_session_minutes),
        ("Travel", log.travel_minutes, MAX_TRAVEL_MINUTES, "", log.approved_travel_minutes),
    )  # fmt: skip
    rows = [
        {
            "label": label,
            "claimed": format_minutes(claimed),
            "allowed": f"up to {format_minutes(limit)}" + (f" ({why})" if why else ""),
            "approved": format_minutes(approved) if approved is not None else None,
        }
        for label, claimed, limit, why, approved in parts
    ]
    return render(
        request,
        "work_logs/review.html",
        {
            "log": log,
            "engagement": engagement,
            "attendance": attendance,
            "rows": rows,
            "claimed_total": format_minutes(log.claimed_minutes),
            "approved_total": format_minutes(log.approved_minutes) if log.approved_minutes is not None else None,
            "form": form,
            "can_review": can_review,
            "length": format_minutes(engagement.duration_minutes),
            "allowance": format_minutes(engagement.preparation_minutes),
            "decided": log.status in (*DECIDED_FIGURES, Status.REJECTED) and log.decided_at is not None,
            "can_see_engagement": user.has_perm("engagements.view_engagement", engagement),
            "can_mark_attendance": user.has_perm("engagements.mark_attendance", engagement),
        },
    )


def _expense_field(error: ApplicationError | DjangoValidationError, form: ReviewForm) -> str:
    """The box of the expense a refusal names, so the error summary links to it."""
    if isinstance(error, ApplicationError) and error.extra.get("expense"):
        return f"expense_{error.extra['expense']}"
    return "decision"


urlpatterns: list[URLPattern | URLResolver] = [
    path("work-logs/", my_work_logs, name="my_work_logs"),
    path("work-logs/engagement/<int:engagement_id>/", work_log_edit, name="work_log_edit"),
    path(
        "work-logs/engagement/<int:engagement_id>/expenses/<int:expense_id>/remove/",
        expense_remove_page,
        name="work_log_expense_remove",
    ),
    path("work-logs/receipts/<int:expense_id>/", expense_receipt, name="expense_receipt"),
    path("staff/work-logs/", work_log_queue_page, name="work_log_queue"),
    path("staff/work-logs/<int:work_log_id>/", work_log_review, name="work_log_review"),
]
