"""Pages for payments (finance officers). Each area keeps its views in its own section and its own list of URL
patterns, joined into `urlpatterns` at the end, so more areas can be added alongside.

Rates and claims (this section): the pay rates (`pay_rates`, with `pay_rate_remove`), the expenses policy
(`expenses_policy`), the claims list with "Create claims from approved work logs" (`claims`) and one claim
(`claim_detail`). Thin: parse, call the service or selector, render; the rules live in payments/services/rates.py
and payments/services/claims.py. Finance officers see names, amounts and payment status; nothing from safeguarding
or support.

Reconciliation (the reconciliation section): `reconciliation` (/finance/reconciliation/) shows the latest comparison
of what the system recorded with what Stripe reports, every mismatch in plain words with ids and amounts, Stripe
events not applied yet and earlier runs, with a "Run now" button (the run happens in Celery).

Batches, payouts and payee accounts (the batches section): `batches`, `batch_detail` (ready claims added with
checkboxes, totals per rail and per payee, approval by a second finance officer, sending, the bank file and the bank's
confirmation), `batch_progress` (the htmx fragment polled every 2 s while payments are sent), `batch_bank_file`,
`payouts` (failed ones with the reason and Retry; reversals; vouchers) and `payee_accounts`.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.permissions import require
from engagements.models import PayBasis
from engagements.selectors.work_logs import work_logs_ready_to_claim
from frontend.forms.apply import DateField
from frontend.forms.payments import SERVICE_FIELDS, ClaimFilterForm, ExpensesPolicyForm, PayRateForm
from frontend.views.home import acting_user
from frontend.views.work_logs import show_error
from payments.apis.batches import bank_file_response
from payments.models import Claim, PayeeAccount, PaymentBatch, Payout, PayRate, Rail
from payments.rails.voucher import CODE_MAX as VOUCHER_CODE_MAX
from payments.rails.voucher import SUPPLIER_MAX as VOUCHER_SUPPLIER_MAX
from payments.selectors.accounts import PayeeRoute, mask, payee_accounts_visible_to
from payments.selectors.batches import (
    bank_exports_for,
    batch_get_for_actor,
    batch_payouts,
    batch_progress,
    batch_totals,
    batches_visible_to,
    claims_for_batching,
    payout_get_for_actor,
    payouts_visible_to,
    pounds_text,
)
from payments.selectors.claims import (
    Readiness,
    claim_get_for_actor,
    claim_history,
    claim_payment_readiness,
    claims_visible_to,
    is_finance,
    waiting_for_payment_details,
)
from payments.selectors.rates import (
    VIEW_PAYRATE,
    expenses_policy_for,
    minimum_wages_from,
    pounds,
    rate_warnings,
    rates_table,
    used_rate_ids,
)
from payments.selectors.reconciliation import VIEW_RECONCILIATION, reconciliation_runs
from payments.selectors.webhooks import stripe_events_waiting
from payments.services.batches import batch_add_claims, batch_approve, batch_create, batch_remove_claim, batch_submit
from payments.services.claims import ClaimProblem, claims_create_from_ready_logs
from payments.services.payouts import REASON_MAX as REVERSE_REASON_MAX
from payments.services.payouts import (
    bank_confirmation_import,
    bank_export_create,
    bank_export_download,
    payout_retry,
    payout_reverse,
    voucher_issue,
)
from payments.services.rates import (
    CHANGE_EXPENSESPOLICY,
    CHANGE_PAYRATE,
    expenses_policy_save,
    pay_rate_add,
    pay_rate_remove,
)
from payments.services.reconciliation import KIND_LABELS, reconciliation_request

# --- Rates and claims ---------------------------------------------------------------------------------------------

CLAIM_TAGS: dict[str, str] = {
    Claim.Status.OPEN: "govuk-tag--blue",
    Claim.Status.BATCHED: "govuk-tag--purple",
    Claim.Status.PAID: "govuk-tag--green",
    Claim.Status.FAILED: "govuk-tag--red",
    Claim.Status.DECLINED: "govuk-tag--grey",
}


def _rate_text(rate: PayRate) -> str:
    return f"{pounds(rate.amount_pence)} {'an hour' if rate.basis == PayBasis.HOURLY else 'a session'}"


def _rate_cell(rate: PayRate, used: set[int], can_change: bool) -> dict[str, Any]:
    return {
        "id": rate.pk,
        "text": _rate_text(rate),
        "from": rate.effective_from,
        "removable": can_change and rate.pk not in used,
    }


def _claim_row(claim: Claim, payment: Readiness) -> dict[str, Any]:
    return {
        "claim": claim,
        "payment": payment,
        "tag": CLAIM_TAGS.get(claim.status, ""),
        "pay": pounds(claim.pay_pence),
        "expenses": pounds(claim.expenses_pence),
        "total": pounds(claim.total_pence),
    }


def _finance(request: HttpRequest) -> Any:
    user = acting_user(request)
    if not is_finance(user):
        raise PermissionDenied("Only finance officers can see claims.")
    return user


@login_required
@require_http_methods(["GET", "POST"])
def pay_rates(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, VIEW_PAYRATE)
    can_change = user.has_perm(CHANGE_PAYRATE)
    posted = request.method == "POST"
    if posted:
        require(user, CHANGE_PAYRATE)
    form = PayRateForm(request.POST if posted else None, initial={"basis": "hourly"})
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            rate = pay_rate_add(
                actor=user,
                opportunity_type=data["opportunity_type"],
                age_band=data["age_band"],
                basis=data["basis"],
                amount_pence=data["amount"],
                effective_from=data["effective_from"],
            )
        except ApplicationError as error:
            show_error(form, error, fields=SERVICE_FIELDS)
        else:
            messages.success(
                request,
                f"The rate for {rate.get_opportunity_type_display()}, {rate.get_age_band_display().lower()} was added.",
            )
            return redirect("pay_rates")
    today = timezone.localdate()
    used = used_rate_ids(user) if can_change else set()
    rows = [
        {
            "type": row.type_label,
            "band": row.band_label,
            "current": _rate_cell(row.current, used, can_change) if row.current else None,
            "future": [_rate_cell(rate, used, can_change) for rate in row.future],
        }
        for row in rates_table(user, today)
    ]
    wages = [
        {"band": wage.get_band_display(), "amount": pounds(wage.hourly_pence), "from": wage.effective_from}
        for wage in minimum_wages_from(today)
    ]
    return render(
        request,
        "payments/rates.html",
        {
            "rows": rows,
            "warnings": rate_warnings(user, today),
            "wages": wages,
            "employs": user.partnership.employs_young_people,
            "form": form,
            "can_change": can_change,
            "today": today,
        },
    )


@login_required
@require_POST
def pay_rate_remove_page(request: HttpRequest, rate_id: int) -> HttpResponse:
    user = acting_user(request)
    require(user, CHANGE_PAYRATE)
    try:
        pay_rate_remove(actor=user, rate_id=rate_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The rate was removed.")
    return redirect("pay_rates")


@login_required
@require_http_methods(["GET", "POST"])
def expenses_policy(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, VIEW_PAYRATE)
    can_change = user.has_perm(CHANGE_EXPENSESPOLICY)
    policy = expenses_policy_for(user.partnership)
    posted = request.method == "POST"
    if posted:
        require(user, CHANGE_EXPENSESPOLICY)
    form = ExpensesPolicyForm(request.POST if posted else None, initial=ExpensesPolicyForm.initial_for(policy))
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            expenses_policy_save(
                actor=user,
                travel_allowed=data["travel_allowed"] == "yes",
                food_allowed=data["food_allowed"] == "yes",
                food_limit_pence=data["food_limit"],
                receipt_required_from_pence=data["receipt_required_from"],
            )
        except ApplicationError as error:
            show_error(form, error, fields=SERVICE_FIELDS)
        else:
            messages.success(request, "The expenses policy was saved. It applies to claims made from now on.")
            return redirect("expenses_policy")
    return render(
        request,
        "payments/expenses_policy.html",
        {"form": form, "policy": policy, "can_change": can_change},
    )


@login_required
@require_http_methods(["GET", "POST"])
def claims(request: HttpRequest) -> HttpResponse:
    user = _finance(request)
    made: list[Claim] | None = None
    problems: list[ClaimProblem] = []
    if request.method == "POST":
        require(user, "payments.change_claim")
        made, problems = claims_create_from_ready_logs(actor=user)
        if made:
            messages.success(request, f"{len(made)} claim{'s' if len(made) != 1 else ''} made from approved work logs.")
    filters = ClaimFilterForm(request.GET or None)
    chosen = filters.cleaned_data["status"] if filters.is_valid() else ""
    if chosen == "waiting":
        listed = waiting_for_payment_details(claims_visible_to(user))
    else:
        listed = claims_visible_to(user, status=chosen or None)
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    readiness = claim_payment_readiness(page.object_list)
    rows = [_claim_row(claim, readiness[claim.pk]) for claim in page.object_list]
    ready_logs = work_logs_ready_to_claim(user).filter(claim__isnull=True).count()
    return render(
        request,
        "payments/claims.html",
        {
            "filters": filters,
            "chosen": chosen,
            "chosen_label": dict(filters.fields["status"].choices).get(chosen, "All claims"),  # type: ignore[attr-defined]
            "page": page,
            "rows": rows,
            "query": f"status={chosen}" if chosen else "",
            "ready_logs": ready_logs,
            "made": made,
            "problems": problems,
            "can_create": user.has_perm("payments.change_claim"),
        },
    )


@login_required
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    user = _finance(request)
    claim = claim_get_for_actor(user, claim_id)
    return render(
        request,
        "payments/claim_detail.html",
        {
            **_claim_row(claim, claim_payment_readiness([claim])[claim.pk]),
            "lines": [
                {
                    "kind": line.get_kind_display(),
                    "description": line.description,
                    "explanation": line.explanation,
                    "amount": pounds(line.amount_pence),
                }
                for line in claim.lines.all()
            ],
            "history": claim_history(user, claim),
        },
    )


rates_and_claims_urlpatterns: list[URLPattern | URLResolver] = [
    path("finance/rates/", pay_rates, name="pay_rates"),
    path("finance/rates/<int:rate_id>/remove/", pay_rate_remove_page, name="pay_rate_remove"),
    path("finance/expenses-policy/", expenses_policy, name="expenses_policy"),
    path("finance/claims/", claims, name="claims"),
    path("finance/claims/<int:claim_id>/", claim_detail, name="claim_detail"),
]


# --- Reconciliation -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reconciliation(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, VIEW_RECONCILIATION)
    if request.method == "POST":
        reconciliation_request(actor=user)
        messages.success(request, "Reconciliation has started. It takes a minute or so: refresh this page to see it.")
        return redirect("reconciliation")
    runs = list(reconciliation_runs(user)[:11])
    latest = runs[0] if runs else None
    mismatches = [
        {**mismatch, "kind_label": KIND_LABELS.get(str(mismatch.get("kind", "")), str(mismatch.get("kind", "")))}
        for mismatch in (latest.mismatches if latest is not None else [])
        if isinstance(mismatch, dict)
    ]
    context = {
        "latest": latest,
        "mismatches": mismatches,
        "earlier": runs[1:],
        "waiting": list(stripe_events_waiting(user)[:50]),
    }
    return render(request, "payments/reconciliation.html", context)


reconciliation_urlpatterns: list[URLPattern | URLResolver] = [
    path("finance/reconciliation/", reconciliation, name="reconciliation"),
]


# --- Batches, payouts and payee accounts ------------------------------------------------------------------------------
# `batches` (list, "New batch"), `batch_detail` (add ready claims, totals per payee and per rail, approve by a second
# finance officer, submit, the bank file and the bank's confirmation, live progress), `batch_progress` (the htmx
# fragment the detail page polls every 2 s while Stripe payouts are being sent; it answers 286, which stops htmx
# polling, once nothing is being sent), `batch_bank_file` (download, no-store), `payouts` (filters; failed ones with
# the reason and Retry on the same or another rail; reverse a Stripe transfer; record a voucher) and
# `payee_accounts`. The rules live in payments/services/batches.py and payments/services/payouts.py.

PAYOUT_TAGS: dict[str, str] = {
    Payout.Status.PENDING: "govuk-tag--grey",
    Payout.Status.SENDING: "govuk-tag--blue",
    Payout.Status.SENT: "govuk-tag--light-blue",
    Payout.Status.PAID: "govuk-tag--green",
    Payout.Status.FAILED: "govuk-tag--red",
    Payout.Status.REVERSED: "govuk-tag--orange",
}
BATCH_TAGS: dict[str, str] = {
    PaymentBatch.Status.DRAFT: "govuk-tag--grey",
    PaymentBatch.Status.APPROVED: "govuk-tag--blue",
    PaymentBatch.Status.SUBMITTING: "govuk-tag--yellow",
    PaymentBatch.Status.SUBMITTED: "govuk-tag--green",
}
ACCOUNT_TAGS: dict[str, str] = {
    PayeeAccount.Status.PENDING: "govuk-tag--grey",
    PayeeAccount.Status.ACTIVE: "govuk-tag--green",
    PayeeAccount.Status.RESTRICTED: "govuk-tag--orange",
    PayeeAccount.Status.UNAVAILABLE: "govuk-tag--red",
}
STOP_POLLING = 286  # htmx stops polling on this status (and still shows the answer)


class AddClaimsForm(forms.Form):
    claim_ids = forms.TypedMultipleChoiceField(
        label="Claims ready to pay",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one claim to add",
            "invalid_choice": "Claim %(value)s is no longer ready to pay: it may have changed. Choose again.",
        },
    )

    def __init__(self, *args: Any, ready: list[tuple[Claim, PayeeRoute]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["claim_ids"]).choices = [(claim.pk, str(claim.pk)) for claim, _ in ready]


class ConfirmationForm(forms.Form):
    file = forms.FileField(
        label="The bank's confirmation file",
        help_text="A CSV file with the columns line_reference, amount, status (paid or rejected) and reason.",
        error_messages={"required": "Choose the bank's confirmation file", "empty": "The file is empty"},
    )


class PayoutFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Payout.Status.choices])
    rail = forms.ChoiceField(label="How paid", required=False, choices=[("", "Any way"), *Rail.choices])
    batch = forms.IntegerField(label="Batch", required=False, min_value=1, widget=forms.HiddenInput)


class RetryForm(forms.Form):
    rail = forms.ChoiceField(label="Pay by", required=False, choices=[("", "The same way"), *Rail.choices])


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label="Why is this payment being reversed?",
        help_text="For example: paid to the wrong person. It is kept in the audit log.",
        max_length=REVERSE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the payment is being reversed"},
    )


class VoucherForm(forms.Form):
    supplier = forms.CharField(
        label="Supplier",
        max_length=VOUCHER_SUPPLIER_MAX,
        error_messages={"required": "Enter the voucher's supplier"},
    )
    code = forms.CharField(
        label="Voucher code",
        help_text="Kept encrypted. It is not shown again.",
        max_length=VOUCHER_CODE_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the voucher code"},
    )
    issued_on = DateField(label="Date issued", help_text="For example, 27 3 2026")


def _batch_user(request: HttpRequest) -> Any:
    user = acting_user(request)
    if not user.has_perm("payments.view_paymentbatch"):
        raise PermissionDenied("Only finance officers can see payment batches.")
    return user


@login_required
@require_http_methods(["GET", "POST"])
def batches(request: HttpRequest) -> HttpResponse:
    user = _batch_user(request)
    if request.method == "POST":
        try:
            batch = batch_create(actor=user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("batches")
        messages.success(request, f"Batch {batch.reference} was started. Add the claims to pay.")
        return redirect("batch_detail", batch_id=batch.pk)
    page = Paginator(batches_visible_to(user), 50).get_page(request.GET.get("page"))
    for batch in page:
        batch.tag = BATCH_TAGS.get(batch.status, "govuk-tag--grey")  # type: ignore[attr-defined]
        batch.total_text = pounds_text(batch.total_pence)  # type: ignore[attr-defined]
    return render(
        request,
        "payments/batches.html",
        {"page": page, "can_create": user.has_perm("payments.change_paymentbatch")},
    )


def _progress_context(batch: PaymentBatch) -> dict[str, Any]:
    progress = batch_progress(batch)
    return {
        "batch": batch,
        "progress": progress,
        "polling": batch.status == PaymentBatch.Status.SUBMITTING and not progress.finished_sending,
    }


def _batch_page(
    request: HttpRequest,
    user: Any,
    batch_id: int,
    *,
    add_form: AddClaimsForm | None = None,
    confirmation_form: ConfirmationForm | None = None,
    error: str = "",
) -> HttpResponse:
    batch = batch_get_for_actor(user, batch_id)
    batch.tag = BATCH_TAGS.get(batch.status, "govuk-tag--grey")  # type: ignore[attr-defined]
    draft = batch.status == PaymentBatch.Status.DRAFT
    can_change = draft and user.has_perm("payments.change_paymentbatch", batch)
    ready: list[tuple[Claim, PayeeRoute]] = []
    ready_count = 0
    waiting: list[tuple[Claim, PayeeRoute]] = []
    if can_change:
        ready, ready_count, waiting = claims_for_batching(user)
        add_form = add_form or AddClaimsForm(ready=ready)
        for claim, _ in [*ready, *waiting]:
            claim.total_text = pounds_text(claim.total_pence)  # type: ignore[attr-defined]
    totals = batch_totals(batch)
    payees = Paginator(totals.by_payee, 50).get_page(request.GET.get("payees"))
    payouts = Paginator(batch_payouts(batch), 50).get_page(request.GET.get("page"))
    for payout in payouts:
        payout.tag = PAYOUT_TAGS.get(payout.status, "govuk-tag--grey")  # type: ignore[attr-defined]
        payout.total_text = pounds_text(payout.amount_pence)  # type: ignore[attr-defined]
    sent = batch.status in (PaymentBatch.Status.SUBMITTING, PaymentBatch.Status.SUBMITTED)
    exports = list(bank_exports_for(batch)) if sent else []
    for export in exports:
        export.total_text = pounds_text(export.control_total_pence)  # type: ignore[attr-defined]
    context = {
        **_progress_context(batch),
        "totals": totals,
        "payees": payees,
        "payouts": payouts,
        "can_change": can_change,
        "ready": ready,
        "ready_count": ready_count,
        "waiting": waiting,
        "add_form": add_form,
        "is_maker": batch.created_by_id == user.pk,
        "can_approve": draft and user.has_perm("payments.approve_paymentbatch", batch) and totals.payouts > 0,
        "can_submit": batch.status == PaymentBatch.Status.APPROVED
        and user.has_perm("payments.submit_paymentbatch", batch),
        "sent": sent,
        "exports": exports,
        "confirmation_form": confirmation_form or ConfirmationForm(),
        "can_send_bank": sent and user.has_perm("payments.submit_paymentbatch", batch),
        "error": error,
    }
    return render(request, "payments/batch_detail.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _batch_user(request)
    if request.method == "GET":
        return _batch_page(request, user, batch_id)
    batch = batch_get_for_actor(user, batch_id)  # 404 first for another partnership's batch
    action = request.POST.get("action", "")
    if action == "add":
        ready, _, _ = claims_for_batching(user) if batch.status == PaymentBatch.Status.DRAFT else ([], 0, [])
        form = AddClaimsForm(request.POST, ready=ready)
        if not form.is_valid():
            return _batch_page(request, user, batch_id, add_form=form, error="add")
        try:
            batch_add_claims(actor=user, batch_id=batch.pk, claim_ids=form.cleaned_data["claim_ids"])
        except (ApplicationError, DjangoValidationError) as problem:
            show_error(form, problem, fields={"claim_ids": "claim_ids"})
            return _batch_page(request, user, batch_id, add_form=form, error="add")
        count = len(form.cleaned_data["claim_ids"])
        messages.success(request, f"{count} claim{'s were' if count != 1 else ' was'} added to the batch.")
        return redirect("batch_detail", batch_id=batch.pk)
    if action == "bank_confirmation":
        confirmation = ConfirmationForm(request.POST, request.FILES)
        if not confirmation.is_valid():
            return _batch_page(request, user, batch_id, confirmation_form=confirmation, error="confirmation")
        try:
            result = bank_confirmation_import(actor=user, batch_id=batch.pk, file=confirmation.cleaned_data["file"])
        except (ApplicationError, DjangoValidationError) as problem:
            show_error(confirmation, problem)
            return _batch_page(request, user, batch_id, confirmation_form=confirmation, error="confirmation")
        messages.success(
            request,
            f"The bank's confirmation was read: {result.paid} paid, {result.rejected} rejected"
            + (f", {result.already_recorded} already recorded." if result.already_recorded else "."),
        )
        return redirect("batch_detail", batch_id=batch.pk)
    try:
        if action == "remove":
            claim_id = int(request.POST.get("claim_id", "0") or 0)
            batch_remove_claim(actor=user, batch_id=batch.pk, claim_id=claim_id)
            messages.success(request, "The claim was taken out of the batch. It is ready to pay again.")
        elif action == "approve":
            expected = request.POST.get("expected_total_pence", "")
            batch_approve(
                actor=user, batch_id=batch.pk, expected_total_pence=int(expected) if expected.isdigit() else None
            )
            messages.success(request, f"Batch {batch.reference} is approved. It can now be sent.")
        elif action == "submit":
            batch_submit(actor=user, batch_id=batch.pk)
            messages.success(request, f"Batch {batch.reference} is being sent.")
        elif action == "bank_export":
            export = bank_export_create(actor=user, batch_id=batch.pk)
            messages.success(
                request,
                f"The bank file was made: {export.line_count} line{'s' if export.line_count != 1 else ''}, "
                f"{pounds_text(export.control_total_pence)} in all. Download it below.",
            )
        else:
            messages.error(request, "Choose what to do.")
    except ApplicationError as problem:
        messages.error(request, problem.message)
    return redirect("batch_detail", batch_id=batch.pk)


@login_required
@require_GET
def batch_progress_fragment(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _batch_user(request)
    context = _progress_context(batch_get_for_actor(user, batch_id))
    response = render(request, "payments/_batch_progress.html", context)
    if not context["polling"]:
        response.status_code = STOP_POLLING
    return response


@login_required
@require_GET
def batch_bank_file(request: HttpRequest, batch_id: int, export_id: int) -> HttpResponse:
    user = _batch_user(request)
    batch = batch_get_for_actor(user, batch_id)
    if not bank_exports_for(batch).filter(pk=export_id).exists():
        raise Http404("No such bank file.")
    return bank_file_response(bank_export_download(actor=user, export_id=export_id))


def _payouts_query(request: HttpRequest) -> str:
    keep = {name: request.GET.get(name, "") for name in ("status", "rail", "batch", "page")}
    return "&".join(f"{name}={value}" for name, value in keep.items() if value)


@login_required
@require_http_methods(["GET", "POST"])
def payouts(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.has_perm("payments.view_payout") or not user.has_perm("payments.view_paymentbatch"):
        raise PermissionDenied("Only finance officers can see payouts.")
    filters = PayoutFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    query = _payouts_query(request)
    back = reverse("payouts") + (f"?{query}" if query else "")
    act = request.POST.get("action") or request.GET.get("act", "")
    payout_id = request.POST.get("payout") or request.GET.get("payout") or ""
    selected = payout_get_for_actor(user, int(payout_id)) if payout_id.isdigit() else None
    forms_by_action: dict[str, forms.Form] = {}
    if request.method == "POST" and selected is not None:
        if act == "retry":
            retry = RetryForm(request.POST)
            if retry.is_valid():
                try:
                    new = payout_retry(actor=user, payout_id=selected.pk, rail=retry.cleaned_data["rail"] or None)
                except ApplicationError as problem:
                    messages.error(request, problem.message)
                else:
                    messages.success(
                        request,
                        f"Payment to {new.payee_name} is being tried again ({new.get_rail_display().lower()})."
                        if new.status != Payout.Status.SENT
                        else f"Stripe had already made the transfer for {new.payee_name}: it is recorded as sent "
                        "and nothing was sent again.",
                    )
            return redirect(back)
        if act == "reverse":
            reverse_form = ReverseForm(request.POST)
            forms_by_action["reverse"] = reverse_form
            if reverse_form.is_valid():
                try:
                    payout_reverse(actor=user, payout_id=selected.pk, reason=reverse_form.cleaned_data["reason"])
                except (ApplicationError, DjangoValidationError) as problem:
                    show_error(reverse_form, problem)
                else:
                    messages.success(request, f"The transfer to {selected.payee_name} was reversed.")
                    return redirect(back)
        elif act == "voucher":
            voucher_form = VoucherForm(request.POST)
            forms_by_action["voucher"] = voucher_form
            if voucher_form.is_valid():
                data = voucher_form.cleaned_data
                try:
                    voucher_issue(
                        actor=user,
                        payout_id=selected.pk,
                        supplier=data["supplier"],
                        code=data["code"],
                        issued_on=data["issued_on"],
                    )
                except (ApplicationError, DjangoValidationError) as problem:
                    show_error(voucher_form, problem)
                else:
                    messages.success(request, f"The voucher for {selected.payee_name} was recorded.")
                    return redirect(back)
    panel_form = None
    if selected is not None and act in ("reverse", "voucher"):
        panel_form = forms_by_action.get(act) or (ReverseForm() if act == "reverse" else VoucherForm())
    rows = payouts_visible_to(
        user, status=chosen.get("status") or None, rail=chosen.get("rail") or None, batch_id=chosen.get("batch")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    ended = [p.claim_id for p in page if p.status in (Payout.Status.FAILED, Payout.Status.REVERSED)]
    # Retry is offered on a claim's latest payout, when nothing is on its way for the claim (one query).
    retryable = {
        row["latest"]
        for row in Payout.objects.filter(claim_id__in=ended)
        .values("claim_id")
        .annotate(latest=Max("pk"), live=Count("pk", filter=Q(status__in=Payout.LIVE)))
        .order_by()
        if not row["live"]
    }
    sent_batches = (PaymentBatch.Status.SUBMITTING, PaymentBatch.Status.SUBMITTED)
    for payout in page:
        payout.tag = PAYOUT_TAGS.get(payout.status, "govuk-tag--grey")  # type: ignore[attr-defined]
        payout.total_text = pounds_text(payout.amount_pence)  # type: ignore[attr-defined]
        payout.can_retry = payout.pk in retryable  # type: ignore[attr-defined]
        payout.can_reverse = (  # type: ignore[attr-defined]
            payout.rail == Rail.STRIPE
            and payout.status in (Payout.Status.SENT, Payout.Status.PAID)
            and bool(payout.stripe_transfer_id)
        )
        payout.needs_voucher = (  # type: ignore[attr-defined]
            payout.rail == Rail.VOUCHER
            and payout.status == Payout.Status.PENDING
            and payout.batch.status in sent_batches
        )
    if selected is not None:
        selected.total_text = pounds_text(selected.amount_pence)  # type: ignore[attr-defined]
    can_change = user.has_perm("payments.change_payout")
    return render(
        request,
        "payments/payouts.html",
        {
            "page": page,
            "filters": filters,
            "query": "&".join(part for part in query.split("&") if part and not part.startswith("page=")),
            "back": back,
            "can_change": can_change,
            "selected": selected,
            "act": act if panel_form is not None else "",
            "panel_form": panel_form,
            "retry_choices": RetryForm.base_fields["rail"].choices,  # type: ignore[attr-defined]
            "batch_filter": chosen.get("batch"),
        },
        status=400 if panel_form is not None and panel_form.errors else 200,
    )


@login_required
def payee_accounts(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.has_perm("payments.view_payeeaccount"):
        raise PermissionDenied("Only finance officers can see payee accounts.")
    status = request.GET.get("status", "")
    rail = request.GET.get("rail", "")
    status = status if status in PayeeAccount.Status.values else ""
    rail = rail if rail in Rail.values else ""
    accounts = payee_accounts_visible_to(user, status=status or None, rail=rail or None)
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    for account in page:
        account.tag = ACCOUNT_TAGS.get(account.status, "govuk-tag--grey")  # type: ignore[attr-defined]
        account.masked_number = mask(account.bank_account_number)  # type: ignore[attr-defined]
        account.masked_sort_code = mask(account.bank_sort_code)  # type: ignore[attr-defined]
    return render(
        request,
        "payments/payee_accounts.html",
        {
            "page": page,
            "status": status,
            "rail": rail,
            "statuses": PayeeAccount.Status.choices,
            "rails": Rail.choices,
            "query": "&".join(f"{k}={v}" for k, v in (("status", status), ("rail", rail)) if v),
        },
    )


batch_urlpatterns: list[URLPattern | URLResolver] = [
    path("finance/batches/", batches, name="batches"),
    path("finance/batches/<int:batch_id>/", batch_detail, name="batch_detail"),
    path("finance/batches/<int:batch_id>/progress/", batch_progress_fragment, name="batch_progress"),
    path("finance/batches/<int:batch_id>/bank-files/<int:export_id>/", batch_bank_file, name="batch_bank_file"),
    path("finance/payouts/", payouts, name="payouts"),
    path("finance/payee-accounts/", payee_accounts, name="payee_accounts"),
]


urlpatterns: list[URLPattern | URLResolver] = [
    *rates_and_claims_urlpatterns,
    *reconciliation_urlpatterns,
    *batch_urlpatterns,
]
